-- api.get_latency_trend: average and 95th percentile latency over time.
-- The p95 comes from the histogram rollup (analytics.latency_bucket): the
-- bucket holding the exact nearest-rank p95 is found from exact counts
-- (analytics.histogram_p95), and reported by its geometric middle, so the
-- error is at most 4.9 %.
create type api.latency_trend_point as (
    date        timestamptz,
    avg_latency numeric,
    p95_latency numeric
);
comment on type api.latency_trend_point is 'One bucket of api.get_latency_trend: bucket start, average and p95 latency in ms.';

create function api.get_latency_trend(
    p_period nezuko.period default '7d',
    p_group_id bigint default null,
    p_tz text default 'UTC',
    out series api.latency_trend_point[],
    out current_avg numeric
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
    v_g text := case when p_period = '24h' then 'hour' else 'day' end;
    v_tz text := analytics.time_zone(p_tz);
begin
    with a as (
        select r.bucket as l, round(sum(r.latency_sum)::numeric / nullif(sum(r.n), 0), 1) as avg_latency
        from analytics.verification_buckets(v_from, v_to, p_group_id, v_g, v_tz) r
        group by 1
    ), h as (
        select r.bucket as l, r.buckets, r.counts
        from analytics.latency_buckets(v_from, v_to, p_group_id, v_g, v_tz) r
    ), k as (
        select l, count(*) as rows from h group by l
    ), p as (
        -- A bucket of the trend made of one histogram (every whole UTC day
        -- of a daily UTC trend): its p95 from the arrays as they are.
        select h.l, analytics.histogram_p95(h.buckets, h.counts) as p95
        from h join k using (l)
        where k.rows = 1
        union all
        -- Made of several (hours, partial days, other time zones): the
        -- histograms added bucket by bucket first.
        select m.l, analytics.histogram_p95(array_agg(m.bucket order by m.bucket), array_agg(m.n order by m.bucket))
        -- (unnest in the select list, side by side as the arrays have
        -- equal lengths: in FROM each call's result goes through a
        -- tuplestore first.)
        from (select u.l, u.bucket, sum(u.n::float8)::bigint as n
              from (select h.l, unnest(h.buckets) as bucket, unnest(h.counts) as n
                    from h join k using (l)
                    where k.rows > 1) u
              group by 1, 2
              having sum(u.n::float8) <> 0) m
        group by m.l
    ), s as (
        select b.local_start, b.bucket_start, coalesce(a.avg_latency, 0.0) as avg_latency, coalesce(p.p95, 0.0) as p95,
            a.avg_latency is not null as has_rows
        from analytics.buckets(v_from, v_to, v_g, v_tz) b
        left join a on a.l = b.local_start
        left join p on p.l = b.local_start
    )
    select array_agg(row(s.bucket_start, s.avg_latency, s.p95)::api.latency_trend_point order by s.local_start),
        -- The last bucket with verifications (used when the trailing hour has none).
        (array_agg(s.avg_latency order by s.local_start desc) filter (where s.has_rows))[1]
    into series, current_avg
    from s;
    -- current_avg: the trailing hour [now - 1 hour, now], exact (see
    -- api.get_cache_hit_rate_trend); the last bucket with verifications
    -- when that hour had none; 0 only when the window had none.
    select coalesce(case when sum(r.n) > 0 then round(sum(r.latency_sum)::numeric / sum(r.n), 1) end, current_avg, 0.0)
    into current_avg
    from analytics.verification_counts(v_to - interval '1 hour', v_to, p_group_id) r;
end
$$;
comment on function api.get_latency_trend(nezuko.period, bigint, text) is $$Verification latency over time: average and 95th percentile per bucket.
series: one element per bucket the window [now - p_period, now] touches, oldest first, without gaps: {date (bucket start), avg_latency (ms, exact, one decimal), p95_latency (ms)}; 0 for buckets without verifications. Buckets are hours for p_period 24h and days (in p_tz) otherwise.
p95_latency is read from a latency histogram with buckets 10 % wide: it is within 5 % of the exact nearest-rank 95th percentile (or within 1 ms below 2 ms; latencies over 92 s count as 92 s). Buckets are exact in every zone (offsets of :30 and :45 and DST changes included); with p_group_id in a zone whose days are not UTC days, the group's p95 reads that group's raw rows.
current_avg: average latency over the trailing hour [now - 1 hour, now] (not the current bucket, nearly empty at its start); when that hour had no verifications, avg_latency of the last bucket that had some; 0 only when the window had none.
- p_period: 24h, 7d (default), 30d or 90d.
- p_group_id: only this group (default: all groups).
- p_tz: time zone of the hour and day boundaries (default UTC).
Errors: 22023 (HTTP 400) for an unknown p_period or p_tz.$$;
grant execute on function api.get_latency_trend(nezuko.period, bigint, text) to nezuko_viewer, nezuko_admin;
