-- analytics.latency_histogram: latency histogram rows (UTC hour, bucket of
-- nezuko.latency_bucket, count) for the window [p_from, p_to]; rollups for
-- whole hours, the raw log for the first partial hour.
create function analytics.latency_histogram(p_from timestamptz, p_to timestamptz, p_group_id bigint)
returns table (hour timestamptz, bucket smallint, n bigint)
language sql stable as $$
    select r.hour, r.bucket, r.n
    from nezuko.verification_latency_hourly_all r
    where p_group_id is null and r.hour >= analytics.hour_ceil(p_from) and r.hour <= p_to
    union all
    select r.hour, r.bucket, r.n
    from nezuko.verification_latency_hourly r
    where p_group_id is not null and r.group_id = p_group_id
      and r.hour >= analytics.hour_ceil(p_from) and r.hour <= p_to
    union all
    select date_trunc('hour', v.timestamp, 'UTC'), nezuko.latency_bucket(v.latency_ms), count(*)
    from nezuko.verification_log v
    where v.timestamp >= p_from and v.timestamp < analytics.hour_ceil(p_from) and v.timestamp <= p_to
      and (p_group_id is null or v.group_id = p_group_id)
    group by 1, 2
$$;
comment on function analytics.latency_histogram(timestamptz, timestamptz, bigint) is
    'Latency histogram per UTC hour over [p_from, p_to]: rollups for whole hours, raw rows for the first partial hour.';
