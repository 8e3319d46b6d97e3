-- api.get_cache_breakdown: membership answers from the cache vs from Telegram.
create function api.get_cache_breakdown(
    p_period nezuko.period default '7d',
    p_group_id bigint default null,
    out cached bigint,
    out api bigint,
    out total bigint,
    out hit_rate numeric
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
    select coalesce(sum(r.n) filter (where r.cached), 0), coalesce(sum(r.n) filter (where not r.cached), 0),
        coalesce(sum(r.n), 0), analytics.pct(sum(r.n) filter (where r.cached), sum(r.n))
    into cached, api, total, hit_rate
    from analytics.verification_counts(v_from, v_to, p_group_id, true) r;
end
$$;
comment on function api.get_cache_breakdown(nezuko.period, bigint) is $$Verifications answered from the membership cache vs by asking Telegram, over the window [now - p_period, now].
cached, api (not cached), total, hit_rate (cached %, one decimal, 0 when there were none).
- p_period: 24h, 7d (default), 30d or 90d.
- p_group_id: only this group (default: all groups).
Errors: 22023 (HTTP 400) for an unknown p_period.$$;
grant execute on function api.get_cache_breakdown(nezuko.period, bigint) to nezuko_viewer, nezuko_admin;
