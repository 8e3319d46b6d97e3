-- api.get_verification_distribution: verifications by outcome.
create function api.get_verification_distribution(
    p_period nezuko.period default '7d',
    p_group_id bigint default null,
    out verified bigint,
    out restricted bigint,
    out error bigint,
    out total bigint
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
    v_from timestamptz := v_to - analytics.period(p_period);
begin
    select coalesce(sum(n) filter (where status = 'verified'), 0),
        coalesce(sum(n) filter (where status = 'restricted'), 0),
        coalesce(sum(n) filter (where status = 'error'), 0),
        coalesce(sum(n), 0)
    into verified, restricted, error, total
    from analytics.verification_counts(v_from, v_to, p_group_id, true);
end
$$;
comment on function api.get_verification_distribution(nezuko.period, bigint) is $$Verifications by outcome over the window [now - p_period, now]: verified, restricted, error and total.
- p_period: 24h, 7d (default), 30d or 90d.
- p_group_id: only this group (default: all groups).
Errors: 22023 (HTTP 400) for an unknown p_period.$$;
grant execute on function api.get_verification_distribution(nezuko.period, bigint) to nezuko_viewer, nezuko_admin;
