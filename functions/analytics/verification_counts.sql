-- analytics.verification_counts: verification_log counts for the window
-- [p_from, p_to], one row per UTC hour (or UTC day) x status x cache hit:
--   - whole hours from the hourly rollups;
--   - with p_daily (the caller needs no finer than UTC days), the whole UTC
--     days inside the window from verification_daily_all, all groups only:
--     a 90-day window reads ~90 x 6 rows instead of ~2,160 x 6;
--   - the first hour, when the window starts inside one, exactly and with
--     at most half an hour of the raw log (found by the BRIN index): the raw
--     rows from p_from to the end of the hour, or, when p_from is in the
--     first half of its hour (analytics.head_from_rollup), that hour's
--     rollup rows minus the raw rows from the start of the hour to p_from.
--     The subtracted rows carry negative counts: callers sum, never count
--     rows, and a sum may be 0.
-- A row's hour is the start of its hour or day (in UTC).
-- p_group_id null = all groups (read from the *_all rollups).
-- A plain SQL function, so the planner inlines it into the caller.
create function analytics.verification_counts(p_from timestamptz, p_to timestamptz, p_group_id bigint,
    p_daily boolean default false)
returns table (hour timestamptz, status text, cached boolean, n bigint, latency_sum bigint,
    lat_lt_50 bigint, lat_50_100 bigint, lat_100_200 bigint, lat_200_500 bigint, lat_ge_500 bigint)
language sql stable as $$
    select r.day, r.status, r.cached, r.n, r.latency_sum,
        r.lat_lt_50, r.lat_50_100, r.lat_100_200, r.lat_200_500, r.lat_ge_500
    from nezuko.verification_daily_all r
    where p_group_id is null and p_daily
      and r.day >= analytics.day_ceil(analytics.hour_ceil(p_from)) and r.day < date_trunc('day', p_to, 'UTC')
    union all
    select r.hour, r.status, r.cached, r.n, r.latency_sum,
        r.lat_lt_50, r.lat_50_100, r.lat_100_200, r.lat_200_500, r.lat_ge_500
    from nezuko.verification_hourly_all r
    where p_group_id is null and r.hour >= analytics.hour_ceil(p_from) and r.hour <= p_to
      and (not p_daily or r.hour < analytics.day_ceil(analytics.hour_ceil(p_from))
           or r.hour >= date_trunc('day', p_to, 'UTC'))
    union all
    select r.hour, r.status, r.cached, r.n, r.latency_sum,
        r.lat_lt_50, r.lat_50_100, r.lat_100_200, r.lat_200_500, r.lat_ge_500
    from nezuko.verification_hourly r
    where p_group_id is not null and r.group_id = p_group_id
      and r.hour >= analytics.hour_ceil(p_from) and r.hour <= p_to
    union all
    -- The first, partial hour, late start: raw rows [p_from, end of hour].
    -- The one-time filters skip the scan when the window starts on the hour
    -- or early in it (the BRIN index would still return the ranges around).
    select date_trunc('hour', v.timestamp, 'UTC'), v.status, v.cached, count(*), sum(v.latency_ms),
        count(*) filter (where v.latency_ms < 50), count(*) filter (where v.latency_ms >= 50 and v.latency_ms < 100),
        count(*) filter (where v.latency_ms >= 100 and v.latency_ms < 200),
        count(*) filter (where v.latency_ms >= 200 and v.latency_ms < 500), count(*) filter (where v.latency_ms >= 500)
    from nezuko.verification_log v
    where v.timestamp >= p_from and v.timestamp < analytics.hour_ceil(p_from) and v.timestamp <= p_to
      and p_from < analytics.hour_ceil(p_from) and not analytics.head_from_rollup(p_from, p_to)
      and (p_group_id is null or v.group_id = p_group_id)
    group by 1, 2, 3
    union all
    -- The first, partial hour, early start: the hour's rollup ...
    select r.hour, r.status, r.cached, r.n, r.latency_sum,
        r.lat_lt_50, r.lat_50_100, r.lat_100_200, r.lat_200_500, r.lat_ge_500
    from nezuko.verification_hourly_all r
    where p_group_id is null and r.hour = analytics.hour_floor(p_from)
      and analytics.head_from_rollup(p_from, p_to)
    union all
    select r.hour, r.status, r.cached, r.n, r.latency_sum,
        r.lat_lt_50, r.lat_50_100, r.lat_100_200, r.lat_200_500, r.lat_ge_500
    from nezuko.verification_hourly r
    where p_group_id is not null and r.group_id = p_group_id and r.hour = analytics.hour_floor(p_from)
      and analytics.head_from_rollup(p_from, p_to)
    union all
    -- ... minus its raw rows before p_from.
    select date_trunc('hour', v.timestamp, 'UTC'), v.status, v.cached, -count(*), -sum(v.latency_ms),
        -count(*) filter (where v.latency_ms < 50), -count(*) filter (where v.latency_ms >= 50 and v.latency_ms < 100),
        -count(*) filter (where v.latency_ms >= 100 and v.latency_ms < 200),
        -count(*) filter (where v.latency_ms >= 200 and v.latency_ms < 500), -count(*) filter (where v.latency_ms >= 500)
    from nezuko.verification_log v
    where v.timestamp >= analytics.hour_floor(p_from) and v.timestamp < p_from
      and analytics.head_from_rollup(p_from, p_to)
      and (p_group_id is null or v.group_id = p_group_id)
    group by 1, 2, 3
$$;
comment on function analytics.verification_counts(timestamptz, timestamptz, bigint, boolean) is
    'verification_log counts per UTC hour (or UTC day with p_daily), status and cache hit over [p_from, p_to]: daily and hourly rollups; the first partial hour from at most half an hour of raw rows (added, or subtracted from the hour''s rollup). Rows may carry negative counts: sum them.';
