-- analytics.latency_bucket: the latency histogram bucket of a latency, for
-- p95 with bounded error. Bucket b holds
-- latencies in [1.1^b, 1.1^(b+1)) ms (bucket 0 also holds 0 ms), capped at
-- bucket 120 (about 92.7 s). Reporting a bucket by its geometric middle
-- 1.1^(b+0.5) is within 4.9 % of any latency in it (or 1 ms for 0-1 ms).
-- The one definition both code packages use: the rollup triggers write the
-- buckets (as nezuko_bridge, hence its grant), the analytics readers read
-- them back.
-- Not strict, so the planner inlines it (a strict SQL function whose body
-- is not strict is called per row: 200 ms per 100k rows here).
create function analytics.latency_bucket(p_latency_ms integer) returns smallint
language sql immutable parallel safe as $$
    select case when p_latency_ms is not null
        then least(120, floor(ln(greatest(p_latency_ms, 1)::float8) / ln(1.1::float8) + 1e-9))::smallint end
$$;
comment on function analytics.latency_bucket(integer) is
    'Histogram bucket of a latency: floor(log base 1.1 of ms), 0..120. See verification_latency_daily.';
grant execute on function analytics.latency_bucket(integer) to nezuko_bridge;
