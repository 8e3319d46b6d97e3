-- api.get_user_growth: new and cumulative users per day or week, and the
-- growth of new users from the first half of the window to the second.
create type api.user_growth_point as (
    date        date,
    new_users   bigint,
    total_users bigint
);
comment on type api.user_growth_point is 'One bucket of api.get_user_growth: bucket start date, users first seen in it, users seen up to its end.';

create type api.user_growth_summary as (
    total_new_users bigint,
    growth_rate     numeric
);
comment on type api.user_growth_summary is 'The window of api.get_user_growth as a whole: users first seen in it, and the % change of new users from its first half to its second.';

create function api.get_user_growth(
    p_period nezuko.period default '30d',
    p_granularity nezuko.day_or_week default 'day',
    p_group_id bigint default null,
    p_tz text default 'UTC',
    out series api.user_growth_point[],
    out summary api.user_growth_summary
)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
-- These read a few thousand rollup rows: JIT compiling (100+ ms here) and
-- starting parallel workers (ms, and far more on a busy machine) cost more
-- than the query.
set jit = off
set max_parallel_workers_per_gather = 0
-- Generic plans for the statements inside (analytics.verification_counts
-- and the other readers are inlined SQL written for them: a branch a call
-- does not take is a one-time filter): the default (auto) kept making a
-- custom plan on every call here, whose planning cost 1-3 ms per call.
set plan_cache_mode = force_generic_plan
as $$
declare
    v_to timestamptz := now();
    v_len interval := analytics.period(p_period);
    v_from timestamptz := v_to - v_len;
    v_mid timestamptz := v_to - v_len / 2;
    v_g text := analytics.granularity(p_granularity, array['day', 'week']);
    v_tz text := analytics.time_zone(p_tz);
    v_before bigint := analytics.users_before(v_from, p_group_id);
    v_first bigint := analytics.users_before(v_mid, p_group_id) - v_before;
    v_second bigint;
    v_total bigint;
begin
    v_total := analytics.users_before(v_to + interval '1 microsecond', p_group_id) - v_before;
    v_second := v_total - v_first;
    summary := row(v_total, case when v_first = 0 then 0.0 else round(100.0 * (v_second - v_first) / v_first, 1) end
        )::api.user_growth_summary;

    -- New users per bucket, exact in every zone: the whole rollup hours
    -- inside the window that lie in one bucket; the users of the partial
    -- hours at both ends and of the hours a bucket boundary cuts (zones
    -- offset by :30 or :45) counted from the first-seen tables' time
    -- index, each in the bucket of their own first_seen.
    with hr as (
        select r.hour, r.n from nezuko.new_users_hourly_all r
        where p_group_id is null and r.hour >= analytics.hour_ceil(v_from) and r.hour < analytics.hour_floor(v_to)
        union all
        select r.hour, r.n from nezuko.new_users_hourly r
        where p_group_id is not null and r.group_id = p_group_id
          and r.hour >= analytics.hour_ceil(v_from) and r.hour < analytics.hour_floor(v_to)
    ), hs as (
        select hr.hour, hr.n, date_trunc(v_g, hr.hour at time zone v_tz) as b0,
            date_trunc(v_g, hr.hour at time zone v_tz)
            <> date_trunc(v_g, (hr.hour + interval '45 minutes') at time zone v_tz) as split
        from hr
    ), raw_ranges as (
        select v_from as a, least(analytics.hour_ceil(v_from), v_to + interval '1 microsecond') as b
        union all
        select greatest(analytics.hour_floor(v_to), analytics.hour_ceil(v_from)), v_to + interval '1 microsecond'
        union all
        select hs.hour, hs.hour + interval '1 hour' from hs where hs.split
    ), h as (
        select hs.b0 as l, hs.n from hs where not hs.split
        union all
        select date_trunc(v_g, f.first_seen at time zone v_tz), 1
        from raw_ranges x join nezuko.user_first_seen f on f.first_seen >= x.a and f.first_seen < x.b
        where p_group_id is null
        union all
        select date_trunc(v_g, f.first_seen at time zone v_tz), 1
        from raw_ranges x join nezuko.group_user_first_seen f
          on f.group_id = p_group_id and f.first_seen >= x.a and f.first_seen < x.b
        where p_group_id is not null
    ), c as (
        select h.l, sum(h.n) as n from h group by 1
    ), s as (
        select b.local_start, coalesce(c.n, 0)::bigint as n
        from analytics.buckets(v_from, v_to, v_g, v_tz) b
        left join c on c.l = b.local_start
    )
    select array_agg(row(s.local_start::date, s.n, v_before + s.cum)::api.user_growth_point order by s.local_start)
    into series
    from (select s.*, sum(s.n) over (order by s.local_start)::bigint as cum from s) s;
end
$$;
comment on function api.get_user_growth(nezuko.period, nezuko.day_or_week, bigint, text) is $$User growth: users first seen per day or week, the running total, and the growth rate.
series: one element per bucket (day or week in p_tz) that the window [now - p_period, now] touches, oldest first, each {date (bucket start), new_users (users whose first verification falls in the bucket and the window), total_users (all users first seen before the bucket's end)}. A user counts once, at their first verification anywhere (or in p_group_id's group when given); retention does not remove users.
summary: {total_new_users (users first seen in the window), growth_rate (% change of new users from the first half of the window to the second, one decimal (0 when the first half had none))}.
- p_period: 24h, 7d, 30d (default) or 90d.
- p_granularity: day (default) or week (weeks start on Monday).
- p_group_id: first seen in this group (default: anywhere).
- p_tz: time zone of day and week boundaries (default UTC); exact in every zone, offsets of :30 and :45 and DST changes included.
Errors: 22023 (HTTP 400) for an unknown p_period, p_granularity or p_tz.$$;
grant execute on function api.get_user_growth(nezuko.period, nezuko.day_or_week, bigint, text) to nezuko_viewer, nezuko_admin;
