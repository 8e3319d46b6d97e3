-- api.get_verification_trends: verification series at a chosen granularity
-- plus a summary for the window.
create type api.verification_trend_point as (
    "timestamp" timestamptz,
    total       bigint,
    successful  bigint,
    failed      bigint
);
comment on type api.verification_trend_point is 'One bucket of api.get_verification_trends: bucket start, total, successful (verified), failed (restricted or error).';

create type api.verification_trend_summary as (
    total_verifications bigint,
    success_rate        numeric
);
comment on type api.verification_trend_summary is 'The window of api.get_verification_trends as a whole: verifications and verified % (one decimal, 0 when none).';

create function api.get_verification_trends(
    p_period nezuko.period default '7d',
    p_granularity nezuko.granularity default 'day',
    p_group_id bigint default null,
    p_tz text default 'UTC',
    out series api.verification_trend_point[],
    out summary api.verification_trend_summary
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
    v_g text := analytics.granularity(p_granularity, array['hour', 'day', 'week']);
    v_tz text := analytics.time_zone(p_tz);
    v_total bigint;
    v_rate numeric;
begin
    with c as (
        select r.bucket as l, sum(r.n::float8)::bigint as total, (sum(r.n::float8) filter (where r.status = 'verified'))::bigint as ok
        from analytics.verification_buckets(v_from, v_to, p_group_id, v_g, v_tz) r
        group by 1
    ), s as (
        select b.local_start, b.bucket_start, coalesce(c.total, 0)::bigint as total, coalesce(c.ok, 0)::bigint as ok
        from analytics.buckets(v_from, v_to, v_g, v_tz) b
        left join c on c.l = b.local_start
    )
    select array_agg(row(s.bucket_start, s.total, s.ok, s.total - s.ok)::api.verification_trend_point
                     order by s.local_start),
        sum(s.total)::bigint, analytics.pct(sum(s.ok), sum(s.total))
    into series, v_total, v_rate
    from s;
    summary := row(v_total, v_rate)::api.verification_trend_summary;
end
$$;
comment on function api.get_verification_trends(nezuko.period, nezuko.granularity, bigint, text) is $$Verification trend: a gap-free series of buckets and a summary for the window.
series: one element per bucket (hour, day or week in p_tz) that the window [now - p_period, now] touches, oldest first, each {timestamp (bucket start), total, successful (verified), failed (restricted or error)}; buckets without verifications have zeros.
summary: {total_verifications, success_rate (verified %, one decimal, 0 when there were none)} over the window.
- p_period: 24h, 7d (default), 30d or 90d.
- p_granularity: hour, day (default) or week (weeks start on Monday).
- p_group_id: only this group (default: all groups).
- p_tz: time zone of hour, day and week boundaries (default UTC); exact in every zone, offsets of :30 and :45 and DST changes included.
Errors: 22023 (HTTP 400) for an unknown p_period, p_granularity or p_tz.$$;
grant execute on function api.get_verification_trends(nezuko.period, nezuko.granularity, bigint, text) to nezuko_viewer, nezuko_admin;
