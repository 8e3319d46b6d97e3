-- api.get_cache_hit_rate_trend: membership cache hit rate over time.
create type api.cache_hit_rate_point as (
    date  timestamptz,
    value numeric,
    total bigint
);
comment on type api.cache_hit_rate_point is 'One bucket of api.get_cache_hit_rate_trend: bucket start, hit rate %, verifications.';

create function api.get_cache_hit_rate_trend(
    p_period nezuko.period default '7d',
    p_group_id bigint default null,
    p_tz text default 'UTC',
    out series api.cache_hit_rate_point[],
    out current_rate numeric,
    out average_rate numeric
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
    with c as (
        select r.bucket as l, sum(r.n::float8)::bigint as total, (sum(r.n::float8) filter (where r.cached))::bigint as hits
        from analytics.verification_buckets(v_from, v_to, p_group_id, v_g, v_tz) r
        group by 1
    ), s as (
        select b.local_start, b.bucket_start, coalesce(c.total, 0) as total, coalesce(c.hits, 0) as hits
        from analytics.buckets(v_from, v_to, v_g, v_tz) b
        left join c on c.l = b.local_start
    )
    select array_agg(row(s.bucket_start, analytics.pct(s.hits, s.total), s.total)::api.cache_hit_rate_point
                     order by s.local_start),
        -- The last bucket with verifications (used when the trailing hour has none).
        (array_agg(analytics.pct(s.hits, s.total) order by s.local_start desc) filter (where s.total > 0))[1],
        analytics.pct(sum(s.hits), sum(s.total))
    into series, current_rate, average_rate
    from s;
    -- current_rate: the trailing hour [now - 1 hour, now] (exact: whole
    -- rollup hours and at most half an hour of raw log), so it does not
    -- drop to 0 in the first minutes of a bucket; when that hour had no
    -- verifications, the last bucket that had some; 0 only when the whole
    -- window had none.
    select coalesce(case when sum(r.n) > 0 then analytics.pct(sum(r.n) filter (where r.cached), sum(r.n)) end,
        current_rate, 0.0)
    into current_rate
    from analytics.verification_counts(v_to - interval '1 hour', v_to, p_group_id) r;
end
$$;
comment on function api.get_cache_hit_rate_trend(nezuko.period, bigint, text) is $$Membership cache hit rate over time.
series: one element per bucket the window [now - p_period, now] touches, oldest first, without gaps: {date (bucket start), value (cached % of the bucket's verifications, one decimal, 0 when none), total}. Buckets are hours for p_period 24h and days (in p_tz) otherwise.
current_rate: the hit rate over the trailing hour [now - 1 hour, now] (not the current bucket, which is nearly empty at its start); when that hour had no verifications, the rate of the last bucket that had some; 0 only when the window had none. average_rate: the hit rate over the whole window (weighted by verifications, not an average of the buckets).
- p_period: 24h, 7d (default), 30d or 90d.
- p_group_id: only this group (default: all groups).
- p_tz: time zone of the hour and day boundaries (default UTC); exact in every zone, offsets of :30 and :45 and DST changes included.
Errors: 22023 (HTTP 400) for an unknown p_period or p_tz.$$;
grant execute on function api.get_cache_hit_rate_trend(nezuko.period, bigint, text) to nezuko_viewer, nezuko_admin;
