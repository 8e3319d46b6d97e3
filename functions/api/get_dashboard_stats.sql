-- api.get_dashboard_stats: the headline numbers of the dashboard.
create function api.get_dashboard_stats(
    p_group_id bigint default null,
    p_tz text default 'UTC',
    out total_groups bigint,
    out total_channels bigint,
    out verifications_today bigint,
    out verifications_week bigint,
    out success_rate numeric,
    out bot_uptime_seconds bigint,
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
declare
    v_now timestamptz := now();
    v_tz text := analytics.time_zone(p_tz);
    v_midnight timestamptz := date_trunc('day', v_now at time zone v_tz) at time zone v_tz;
    v_week_ago timestamptz := v_now - interval '7 days';
    v_interval interval := make_interval(secs => coalesce(
        (select (value::text)::int from nezuko.admin_config where key = 'heartbeat_interval_seconds'), 30));
begin
    select count(*) into total_groups from nezuko.protected_groups;
    select count(*) into total_channels from nezuko.enforced_channels;
    select coalesce(sum(n), 0) into verifications_today
    from analytics.verification_counts(v_midnight, v_now, p_group_id, true);
    select coalesce(sum(n), 0), analytics.pct(sum(n) filter (where status = 'verified'), sum(n)),
        analytics.pct(sum(n) filter (where cached), sum(n))
    into verifications_week, success_rate, cache_hit_rate
    from analytics.verification_counts(v_week_ago, v_now, p_group_id, true);
    select coalesce(max(floor(extract(epoch from v_now - s.started_at))::bigint), 0) into bot_uptime_seconds
    from (
        select started_at from nezuko.bot_status
        where status = 'online' and last_heartbeat > v_now - 2 * v_interval
        order by last_heartbeat desc limit 1
    ) s;
end
$$;
comment on function api.get_dashboard_stats(bigint, text) is $$Headline numbers: groups, channels, verifications today and this week, success and cache hit rates, bot uptime.
- total_groups, total_channels: protected groups and enforced channels configured (all of them, whatever p_group_id).
- verifications_today: since midnight in p_tz (default UTC). verifications_week: the last 7 days.
- success_rate: verified % over the last 7 days; cache_hit_rate: % answered from the membership cache over the last 7 days (one decimal, 0 when there were none).
- bot_uptime_seconds: seconds since the freshest online bot started (0 when no bot has a heartbeat younger than two heartbeat intervals).
- p_group_id: verification figures of this group only (default: all groups).
Errors: 22023 (HTTP 400) for an unknown p_tz.$$;
grant execute on function api.get_dashboard_stats(bigint, text) to nezuko_viewer, nezuko_admin;
