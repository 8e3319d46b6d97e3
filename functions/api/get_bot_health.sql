-- api.get_bot_health: one health score for the bots over the last 7 days.
create function api.get_bot_health(
    p_group_id bigint default null,
    out uptime_percent numeric,
    out cache_efficiency numeric,
    out success_rate numeric,
    out latency_score integer,
    out error_rate numeric,
    out avg_latency_ms numeric,
    out overall_score numeric
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
    v_now timestamptz := now();
    v_from timestamptz := v_now - interval '7 days';
    v_interval interval := make_interval(secs => coalesce(
        (select (value::text)::int from nezuko.admin_config where key = 'heartbeat_interval_seconds'), 30));
begin
    select round(100.0 * count(*) / (7 * 24 * 60), 1) into uptime_percent
    from nezuko.bot_alive_minutes
    where minute >= date_trunc('minute', v_from, 'UTC') + interval '1 minute' and minute <= v_now;
    -- At least: a bot online now with a fresh heartbeat (history may be short).
    if uptime_percent = 0 and exists (
        select from nezuko.bot_status
        where status = 'online' and last_heartbeat > v_now - least(2 * v_interval, interval '2 minutes')) then
        uptime_percent := 100.0;
    end if;
    uptime_percent := least(uptime_percent, 100.0);

    select analytics.pct(sum(n) filter (where cached), sum(n)),
        analytics.pct(sum(n) filter (where status = 'verified'), sum(n)),
        analytics.pct(sum(n) filter (where status = 'error'), sum(n)),
        coalesce(round(sum(latency_sum)::numeric / nullif(sum(n), 0), 1), 0.0)
    into cache_efficiency, success_rate, error_rate, avg_latency_ms
    from analytics.verification_counts(v_from, v_now, p_group_id, true);

    latency_score := case
        when avg_latency_ms < 50 then 100
        when avg_latency_ms < 100 then 90
        when avg_latency_ms < 200 then 75
        when avg_latency_ms < 500 then 50
        else 25 end;
    overall_score := round(0.35 * uptime_percent + 0.30 * success_rate + 0.20 * latency_score
        + 0.10 * cache_efficiency + 0.05 * (100 - error_rate), 1);
end
$$;
comment on function api.get_bot_health(bigint) is $$Bot health over the last 7 days, as scores 0-100 (one decimal) and one overall score.
- uptime_percent: share of the 7 days in which some bot was healthy: a fresh heartbeat (younger than two heartbeat intervals) with status online (degraded, error and offline time is not uptime), at minute resolution from the heartbeat history; at least 100 when history is empty but a bot is online with a heartbeat under 2 minutes old.
- cache_efficiency: cached % of verifications; success_rate: verified %; error_rate: error %; avg_latency_ms.
- latency_score from avg_latency_ms: <50 ms 100, <100 90, <200 75, <500 50, else 25 (100 when there were no verifications).
- overall_score = 0.35 uptime + 0.30 success + 0.20 latency_score + 0.10 cache_efficiency + 0.05 (100 - error_rate).
- p_group_id: verification figures of this group only (default: all groups); uptime is always global.$$;
grant execute on function api.get_bot_health(bigint) to nezuko_viewer, nezuko_admin;
