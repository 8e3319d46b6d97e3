-- bot.clear_membership_cache: forget cached membership answers, for one user,
-- the channels of one group, one channel, or (p_all) everything. Given
-- several, only rows matching all of them go. Returns how many rows went.
create function bot.clear_membership_cache(
    p_user_id bigint default null, p_group_id bigint default null,
    p_channel_id bigint default null, p_all boolean default false
) returns bigint
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
    n bigint;
begin
    if not coalesce(p_all, false) and p_user_id is null and p_group_id is null and p_channel_id is null then
        raise exception 'give a user, group or channel, or all' using errcode = '22023';
    end if;
    delete from nezuko.membership_cache m
    where (p_user_id is null or m.user_id = p_user_id)
      and (p_channel_id is null or m.channel_id = p_channel_id)
      and (p_group_id is null or m.channel_id in
           (select l.channel_id from nezuko.group_channel_links l where l.group_id = p_group_id));
    get diagnostics n = row_count;
    return n;
end
$$;
comment on function bot.clear_membership_cache(bigint, bigint, bigint, boolean) is
    'Delete membership_cache rows for a user, a group''s channels, a channel, or all; returns the number deleted.';
grant execute on function bot.clear_membership_cache(bigint, bigint, bigint, boolean) to nezuko_bridge;
