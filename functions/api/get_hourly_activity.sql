-- api.get_hourly_activity: activity by hour of the day.
create function api.get_hourly_activity(
    p_period text default '7d',
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
as $$
#variable_conflict use_column
declare
    v_to timestamptz := now();
    v_from timestamptz := v_to - analytics.period(p_period);
    v_tz text := analytics.time_zone(p_tz);
begin
    return query
    with c as (
        select extract(hour from r.bucket)::integer as h,
            sum(r.n) as n, sum(r.n) filter (where r.status = 'restricted') as restricted
        from analytics.verification_buckets(v_from, v_to, p_group_id, 'hour', v_tz) r
        group by 1
    )
    select g.h, lpad(g.h::text, 2, '0') || ':00', coalesce(c.n, 0)::bigint, coalesce(c.restricted, 0)::bigint
    from generate_series(0, 23) g(h)
    left join c on c.h = g.h
    order by g.h;
end
$$;
comment on function api.get_hourly_activity(text, bigint, text) is $$Activity by hour of the day over the window [now - p_period, now]: always 24 rows, hour 0 to 23.
hour, label (HH:00), verifications (all checks in that hour of any day), restrictions (checks that ended restricted).
- p_period: 24h, 7d (default), 30d or 90d.
- p_group_id: only this group (default: all groups).
- p_tz: time zone of the hours (default UTC); exact in every zone, offsets of :30 and :45 included.
Errors: 22023 (HTTP 400) for an unknown p_period or p_tz.$$;
grant execute on function api.get_hourly_activity(text, bigint, text) to nezuko_viewer, nezuko_admin;
