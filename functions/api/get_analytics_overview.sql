-- api.get_analytics_overview: all-time totals of the verification log.
create function api.get_analytics_overview(
    p_group_id bigint default null,
    out total_verifications bigint,
    out total_groups bigint,
    out total_channels bigint,
    out success_rate numeric,
    out avg_latency_ms numeric,
    out cache_hit_rate numeric
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
begin
    select count(*) into total_groups from nezuko.protected_groups;
    select count(*) into total_channels from nezuko.enforced_channels;
    select coalesce(sum(n), 0), analytics.pct(sum(n) filter (where status = 'verified'), sum(n)),
        coalesce(round(sum(latency_sum)::numeric / nullif(sum(n), 0), 1), 0.0),
        analytics.pct(sum(n) filter (where cached), sum(n))
    into total_verifications, success_rate, avg_latency_ms, cache_hit_rate
    from analytics.verification_counts('-infinity', 'infinity', p_group_id, true);
end
$$;
comment on function api.get_analytics_overview(bigint) is $$All-time overview of the verification log (every row still retained).
total_verifications; total_groups and total_channels configured; success_rate (verified %), avg_latency_ms and cache_hit_rate (% from the membership cache), one decimal, 0 when there are no verifications.
- p_group_id: verification figures of this group only (default: all groups); the group and channel totals are always global.$$;
grant execute on function api.get_analytics_overview(bigint) to nezuko_viewer, nezuko_admin;
