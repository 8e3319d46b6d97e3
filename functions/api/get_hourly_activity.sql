-- api.get_hourly_activity: activity by hour of the day.
create function api.get_hourly_activity(
    p_period nezuko.period default '7d',
    p_group_id bigint default null,
    p_tz text default 'UTC'
) returns table (hour integer, label text, verifications bigint, restrictions bigint)
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
#variable_conflict use_column
declare
    v_to timestamptz := now();
    v_from timestamptz := v_to - analytics.period(p_period);
    v_tz text := analytics.time_zone(p_tz);
begin
    -- The local hour of a quarter hour depends only on its UTC time of day
    -- and the zone's offset at that moment. So the hourly rows are first
    -- summed per (UTC hour of day, offsets at the hour's four quarters),
    -- ~24 groups (a few more around a DST change), and only those are cut
    -- into quarters and given their local hour: exact in every zone
    -- (offsets of :30 / :45 and DST included), at the cost of a few time
    -- zone conversions per rollup row, not a pass per quarter.
    return query
    with r as (
        -- One row per rollup hour first (the status and cache keys
        -- summed), so each hour costs its four offsets once, not once per key.
        select r.hour, sum(r.n::float8) as n, sum(r.n_q1::float8) as n_q1, sum(r.n_q2::float8) as n_q2, sum(r.n_q3::float8) as n_q3,
            coalesce(sum(r.n::float8) filter (where r.status = 'restricted'), 0) as x,
            coalesce(sum(r.n_q1::float8) filter (where r.status = 'restricted'), 0) as x1,
            coalesce(sum(r.n_q2::float8) filter (where r.status = 'restricted'), 0) as x2,
            coalesce(sum(r.n_q3::float8) filter (where r.status = 'restricted'), 0) as x3
        from analytics.verification_counts(v_from, v_to, p_group_id) r
        group by 1
    ), o as (
        select extract(hour from r.hour at time zone 'UTC') as uh,
            (r.hour at time zone v_tz) - (r.hour at time zone 'UTC') as o0,
            ((r.hour + interval '15 minutes') at time zone v_tz) - ((r.hour + interval '15 minutes') at time zone 'UTC') as o1,
            ((r.hour + interval '30 minutes') at time zone v_tz) - ((r.hour + interval '30 minutes') at time zone 'UTC') as o2,
            ((r.hour + interval '45 minutes') at time zone v_tz) - ((r.hour + interval '45 minutes') at time zone 'UTC') as o3,
            min(r.hour) as rep,
            sum(r.n) as n, sum(r.n_q1) as n1, sum(r.n_q2) as n2, sum(r.n_q3) as n3,
            sum(r.x) as x, sum(r.x1) as x1, sum(r.x2) as x2, sum(r.x3) as x3
        from r
        group by 1, 2, 3, 4, 5
    ), c as (
        select extract(hour from (o.rep + q.k * interval '15 minutes') at time zone v_tz)::integer as h,
            sum(q.n) as n, sum(q.x) as restricted
        from o cross join lateral (values
            (0, o.n1, o.x1), (1, o.n2, o.x2), (2, o.n3, o.x3),
            (3, o.n - o.n1 - o.n2 - o.n3, o.x - o.x1 - o.x2 - o.x3)) q(k, n, x)
        group by 1
    )
    select g.h, lpad(g.h::text, 2, '0') || ':00', coalesce(c.n, 0)::bigint, coalesce(c.restricted, 0)::bigint
    from generate_series(0, 23) g(h)
    left join c on c.h = g.h
    order by g.h;
end
$$;
comment on function api.get_hourly_activity(nezuko.period, bigint, text) is $$Activity by hour of the day over the window [now - p_period, now]: always 24 rows, hour 0 to 23.
hour, label (HH:00), verifications (all checks in that hour of any day), restrictions (checks that ended restricted).
- p_period: 24h, 7d (default), 30d or 90d.
- p_group_id: only this group (default: all groups).
- p_tz: time zone of the hours (default UTC); exact in every zone, offsets of :30 and :45 included.
Errors: 22023 (HTTP 400) for an unknown p_period or p_tz.$$;
grant execute on function api.get_hourly_activity(nezuko.period, bigint, text) to nezuko_viewer, nezuko_admin;
