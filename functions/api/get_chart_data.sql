-- api.get_chart_data: verifications per day for the dashboard's main chart.
create function api.get_chart_data(
    p_period nezuko.period default '7d',
    p_group_id bigint default null,
    p_tz text default 'UTC'
) returns table (date date, total bigint, successful bigint, failed bigint)
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
    return query
    with c as (
        select r.bucket as l, sum(r.n::float8)::bigint as total, (sum(r.n::float8) filter (where r.status = 'verified'))::bigint as ok
        from analytics.verification_buckets(v_from, v_to, p_group_id, 'day', v_tz) r
        group by 1
    )
    select b.local_start::date, coalesce(c.total, 0)::bigint, coalesce(c.ok, 0)::bigint,
        (coalesce(c.total, 0) - coalesce(c.ok, 0))::bigint
    from analytics.buckets(v_from, v_to, 'day', v_tz) b
    left join c on c.l = b.local_start
    order by b.local_start;
end
$$;
comment on function api.get_chart_data(nezuko.period, bigint, text) is $$Verifications per day: total, successful and failed.
One row per calendar day (in p_tz, default UTC) that the window [now - p_period, now] touches, oldest first, with zeros for quiet days; the first and last day count only the part inside the window.
- p_period: 24h, 7d (default), 30d or 90d.
- p_group_id: only this group's verifications (default: all groups).
- p_tz: time zone of the day boundaries, e.g. Europe/Berlin or Asia/Kolkata (default UTC); exact in every zone, offsets of :30 and :45 and DST changes included.
successful = status verified; failed = restricted or error.
Errors: 22023 (HTTP 400) for an unknown p_period or p_tz.$$;
grant execute on function api.get_chart_data(nezuko.period, bigint, text) to nezuko_viewer, nezuko_admin;
