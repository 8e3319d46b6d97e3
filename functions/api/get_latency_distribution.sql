-- api.get_latency_distribution: verifications by latency band.
create function api.get_latency_distribution(
    p_period nezuko.period default '7d',
    p_group_id bigint default null
) returns table (bucket text, count bigint, percentage numeric, sort_order integer)
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
    v bigint[];
begin
    select array[coalesce(sum(r.lat_lt_50), 0), coalesce(sum(r.lat_50_100), 0), coalesce(sum(r.lat_100_200), 0),
                 coalesce(sum(r.lat_200_500), 0), coalesce(sum(r.lat_ge_500), 0)]::bigint[]
    into v
    from analytics.verification_counts(v_from, v_to, p_group_id, true) r;
    return query
    select b.label, v[b.i]::bigint, analytics.pct(v[b.i], (select sum(x) from unnest(v) x)), b.i
    from (values (1, '<50ms'), (2, '50-100ms'), (3, '100-200ms'), (4, '200-500ms'), (5, '>500ms')) b(i, label)
    order by b.i;
end
$$;
comment on function api.get_latency_distribution(nezuko.period, bigint) is $$Verifications by latency band over the window [now - p_period, now]: always 5 rows, in sort_order.
bucket (<50ms, 50-100ms, 100-200ms, 200-500ms, >500ms; a band includes its lower bound, so 50 ms is in 50-100ms and 500 ms in >500ms), count (exact), percentage of all verifications (one decimal), sort_order 1-5.
- p_period: 24h, 7d (default), 30d or 90d.
- p_group_id: only this group (default: all groups).
Errors: 22023 (HTTP 400) for an unknown p_period.$$;
grant execute on function api.get_latency_distribution(nezuko.period, bigint) to nezuko_viewer, nezuko_admin;
