-- analytics.latency_histogram: latency histograms (UTC hour or day, the
-- buckets of analytics.latency_bucket in ascending order, their counts) for
-- the window [p_from, p_to].
-- All groups: as analytics.verification_counts (hourly rollup from
-- analytics.rollup_from, with p_daily whole UTC days, and the raw rows
-- between p_from and rollup_from: added, or subtracted from that hour's
-- rollup as negative counts, which callers add up bucket by bucket; the
-- rows after p_to in its hour subtracted, so a past window is exact). One group: whole UTC
-- days from the per-group daily histogram, the rest from the log; a day
-- row counts in the bucket holding its UTC midnight (UTC buckets; other
-- zones read through analytics.latency_buckets). The rollups hold one row
-- per day or hour with the buckets and counts as arrays (sql/005_analytics.sql) and are
-- returned as they are; rows from the log are made the same shape. Several
-- rows may share an hour (a rollup hour and the raw partial hour), and
-- counts may be negative: add them up per hour and bucket.
create function analytics.latency_histogram(p_from timestamptz, p_to timestamptz, p_group_id bigint,
    p_daily boolean default false)
returns table (hour timestamptz, buckets smallint[], counts bigint[])
language sql stable as $$
    select r.day, r.buckets, r.counts
    from nezuko.verification_latency_daily_all r
    where p_group_id is null and p_daily
      and r.day >= analytics.day_ceil(analytics.hour_ceil(p_from)) and r.day < date_trunc('day', p_to, 'UTC')
    union all
    select r.hour, r.buckets, r.counts
    from nezuko.verification_latency_hourly_all r
    where p_group_id is null and not p_daily and r.hour >= analytics.rollup_from(p_from, p_to) and r.hour <= p_to
    union all
    -- With p_daily: the hours before the first whole UTC day, and from the
    -- last day on (two plain ranges, as in analytics.verification_counts).
    select r.hour, r.buckets, r.counts
    from nezuko.verification_latency_hourly_all r
    where p_group_id is null and p_daily and r.hour >= analytics.rollup_from(p_from, p_to) and r.hour <= p_to
      and r.hour < analytics.day_ceil(analytics.hour_ceil(p_from))
    union all
    select r.hour, r.buckets, r.counts
    from nezuko.verification_latency_hourly_all r
    where p_group_id is null and p_daily and r.hour >= analytics.rollup_from(p_from, p_to) and r.hour <= p_to
      and r.hour >= greatest(date_trunc('day', p_to, 'UTC'), analytics.day_ceil(analytics.hour_ceil(p_from)))
    union all
    select r.day, r.buckets, r.counts
    from nezuko.verification_latency_daily r
    where p_group_id is not null and r.group_id = p_group_id
      and r.day >= analytics.day_ceil(p_from) and r.day < date_trunc('day', p_to, 'UTC')
    union all
    -- From the log: the raw rows between p_from and rollup_from (all
    -- groups; subtracted when rollup_from is earlier), or the partial days
    -- at both ends of the window (one group, by its index).
    select x.hour, array_agg(x.bucket order by x.bucket), array_agg(x.n order by x.bucket)
    from (
        select date_trunc('hour', v.timestamp, 'UTC') as hour, analytics.latency_bucket(v.latency_ms) as bucket,
            sum(v.sign) as n
        from (
            select l.timestamp, l.latency_ms, 1 as sign
            from nezuko.verification_log l
            where p_group_id is null
              and l.timestamp >= p_from and l.timestamp < analytics.hour_ceil(p_from) and l.timestamp <= p_to
              and p_from < analytics.rollup_from(p_from, p_to)
            union all
            select l.timestamp, l.latency_ms, -1
            from nezuko.verification_log l
            where p_group_id is null
              and l.timestamp >= analytics.hour_floor(p_from) and l.timestamp < p_from
              and p_from > analytics.rollup_from(p_from, p_to)
            union all
            -- p_to's hour came from the rollup: subtract the rows after p_to.
            select l.timestamp, l.latency_ms, -1
            from nezuko.verification_log l
            where p_group_id is null
              and l.timestamp > p_to and l.timestamp < analytics.hour_floor(p_to) + interval '1 hour'
              and analytics.hour_floor(p_to) >= analytics.rollup_from(p_from, p_to)
        ) v
        group by 1, 2
        union all
        select date_trunc('hour', v.timestamp, 'UTC'), analytics.latency_bucket(v.latency_ms), count(*)
        from nezuko.verification_log v
        where p_group_id is not null and v.group_id = p_group_id
          and v.timestamp >= p_from and v.timestamp < least(analytics.day_ceil(p_from), p_to + interval '1 microsecond')
        group by 1, 2
        union all
        select date_trunc('hour', v.timestamp, 'UTC'), analytics.latency_bucket(v.latency_ms), count(*)
        from nezuko.verification_log v
        where p_group_id is not null and v.group_id = p_group_id
          and v.timestamp >= greatest(date_trunc('day', p_to, 'UTC'), analytics.day_ceil(p_from)) and v.timestamp <= p_to
        group by 1, 2
    ) x
    group by x.hour
$$;
comment on function analytics.latency_histogram(timestamptz, timestamptz, bigint, boolean) is
    'Latency histograms per UTC hour (or UTC day with p_daily) over [p_from, p_to], as (buckets ascending, counts) arrays: daily and hourly rollups, raw rows for the partial hours. Several rows may share an hour and counts may be negative: add them up per hour and bucket.';
