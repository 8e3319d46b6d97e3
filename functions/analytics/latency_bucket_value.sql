-- analytics.latency_bucket_value: the latency (ms) reported for a histogram
-- bucket of analytics.latency_bucket, its geometric middle 1.1^(b+0.5).
create function analytics.latency_bucket_value(p_bucket smallint) returns numeric
language sql immutable strict parallel safe as $$
    select round(power(1.1::float8, p_bucket + 0.5)::numeric, 1)
$$;
comment on function analytics.latency_bucket_value(smallint) is
    'The latency (ms) reported for a histogram bucket: its geometric middle, within 4.9 % of any value in it.';
