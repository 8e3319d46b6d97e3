-- analytics.users_before: how many users were first seen before p_t (in
-- group p_group_id, or anywhere when null): whole UTC days from the daily
-- growth rollups, the hours of p_t's day before its hour from the hourly
-- ones, the last partial hour from the first-seen tables' time index. So
-- at most ~24 hourly rows, however long the history (sql/005_analytics.sql).
create function analytics.users_before(p_t timestamptz, p_group_id bigint) returns bigint
language sql stable as $$
    select case when p_group_id is null then
        coalesce((select sum(n) from nezuko.new_users_daily_all where day < date_trunc('day', p_t, 'UTC')), 0)
        + coalesce((select sum(n) from nezuko.new_users_hourly_all
                    where hour >= date_trunc('day', p_t, 'UTC') and hour < date_trunc('hour', p_t, 'UTC')), 0)
        + (select count(*) from nezuko.user_first_seen
           where first_seen >= date_trunc('hour', p_t, 'UTC') and first_seen < p_t)
    else
        coalesce((select sum(n) from nezuko.new_users_daily
                  where group_id = p_group_id and day < date_trunc('day', p_t, 'UTC')), 0)
        + coalesce((select sum(n) from nezuko.new_users_hourly
                    where group_id = p_group_id and hour >= date_trunc('day', p_t, 'UTC')
                      and hour < date_trunc('hour', p_t, 'UTC')), 0)
        + (select count(*) from nezuko.group_user_first_seen
           where group_id = p_group_id and first_seen >= date_trunc('hour', p_t, 'UTC') and first_seen < p_t)
    end
$$;
comment on function analytics.users_before(timestamptz, bigint) is 'Users first seen before p_t (in one group, or anywhere): daily and hourly growth rollups, the last partial hour from the first-seen tables.';
