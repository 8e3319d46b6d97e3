-- analytics.latency_histogram: latency histogram rows (UTC hour or day,
-- bucket of nezuko.latency_bucket, count) for the window [p_from, p_to];
-- pieces as in analytics.verification_counts (raw first partial hour,
-- hourly rollups, and with p_daily whole UTC days for all groups).
create function analytics.latency_histogram(p_from timestamptz, p_to timestamptz, p_group_id bigint,
    p_daily boolean default false)
returns table (hour timestamptz, bucket smallint, n bigint)
language sql stable as $$
    select r.day, r.bucket, r.n
    from nezuko.verification_latency_daily_all r
    where p_group_id is null and p_daily
      and r.day >= analytics.day_ceil(analytics.hour_ceil(p_from)) and r.day < date_trunc('day', p_to, 'UTC')
    union all
    select r.hour, r.bucket, r.n
    from nezuko.verification_latency_hourly_all r
    where p_group_id is null and r.hour >= analytics.hour_ceil(p_from) and r.hour <= p_to
      and (not p_daily or r.hour < analytics.day_ceil(analytics.hour_ceil(p_from))
           or r.hour >= date_trunc('day', p_to, 'UTC'))
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
comment on function analytics.latency_histogram(timestamptz, timestamptz, bigint, boolean) is
    'Latency histogram per UTC hour (or UTC day with p_daily) over [p_from, p_to]: daily and hourly rollups, raw rows for the first partial hour.';
