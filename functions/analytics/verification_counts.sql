-- analytics.verification_counts: verification_log counts for the window
-- [p_from, p_to], one row per UTC hour (or UTC day) x status x cache hit:
--   - the hours from analytics.rollup_from(p_from, p_to) up to the hour
--     holding p_to from the hourly rollups;
--   - with p_daily (the caller needs no finer than UTC days), the whole UTC
--     days inside the window from verification_daily_all (one group:
--     verification_daily, sql/016): a 90-day window reads ~90 x 6 rows
--     instead of ~2,160 x 6;
--   - the raw rows between p_from and rollup_from (found by the btree
--     on timestamp, sql/011, at most half an hour of the log), so windows that start
--     mid-hour stay exact: added when rollup_from is the next hour, with
--     negative counts when it is the start of p_from's hour (that hour's
--     rollup counted them);
--   - the raw rows after p_to in p_to's hour, with negative counts (that
--     hour's rollup counted them): none when the window ends now, so the
--     RPCs pay one empty index probe, and a window that ends in the past (a
--     DBA's) is exact too.
-- Callers sum, never count rows, and a sum may be 0.
-- A row's hour is the start of its hour or day (in UTC). Hour rows also
-- carry the counts and latency sums of the hour's first three quarters
-- (sql/005_analytics.sql; the fourth is the rest), so a caller can cut an hour at a
-- local bucket boundary of any zone (analytics.verification_buckets); day
-- rows carry 0 there and are only read for UTC days.
-- p_group_id null = all groups (read from the *_all rollups).
-- A plain SQL function, so the planner inlines it into the caller.
create function analytics.verification_counts(p_from timestamptz, p_to timestamptz, p_group_id bigint,
    p_daily boolean default false)
returns table (hour timestamptz, status text, cached boolean, n bigint, latency_sum bigint,
    lat_lt_50 bigint, lat_50_100 bigint, lat_100_200 bigint, lat_200_500 bigint, lat_ge_500 bigint,
    n_q1 bigint, n_q2 bigint, n_q3 bigint, latency_sum_q1 bigint, latency_sum_q2 bigint, latency_sum_q3 bigint)
language sql stable as $$
    select r.day, r.status, r.cached, r.n, r.latency_sum,
        r.lat_lt_50, r.lat_50_100, r.lat_100_200, r.lat_200_500, r.lat_ge_500, 0::bigint, 0::bigint, 0::bigint,
        0::bigint, 0::bigint, 0::bigint
    from nezuko.verification_daily_all r
    where p_group_id is null and p_daily
      and r.day >= analytics.day_ceil(analytics.hour_ceil(p_from)) and r.day < date_trunc('day', p_to, 'UTC')
    union all
    select r.hour, r.status, r.cached, r.n, r.latency_sum,
        r.lat_lt_50, r.lat_50_100, r.lat_100_200, r.lat_200_500, r.lat_ge_500,
        r.n_q1, r.n_q2, r.n_q3, r.latency_sum_q1, r.latency_sum_q2, r.latency_sum_q3
    from nezuko.verification_hourly_all r
    where p_group_id is null and not p_daily and r.hour >= analytics.rollup_from(p_from, p_to) and r.hour <= p_to
    union all
    -- With p_daily, the hours before the first whole UTC day and from the
    -- last (partial) day on: two plain ranges, so that a generic plan too
    -- scans only them.
    select r.hour, r.status, r.cached, r.n, r.latency_sum,
        r.lat_lt_50, r.lat_50_100, r.lat_100_200, r.lat_200_500, r.lat_ge_500,
        r.n_q1, r.n_q2, r.n_q3, r.latency_sum_q1, r.latency_sum_q2, r.latency_sum_q3
    from nezuko.verification_hourly_all r
    where p_group_id is null and p_daily and r.hour >= analytics.rollup_from(p_from, p_to) and r.hour <= p_to
      and r.hour < analytics.day_ceil(analytics.hour_ceil(p_from))
    union all
    select r.hour, r.status, r.cached, r.n, r.latency_sum,
        r.lat_lt_50, r.lat_50_100, r.lat_100_200, r.lat_200_500, r.lat_ge_500,
        r.n_q1, r.n_q2, r.n_q3, r.latency_sum_q1, r.latency_sum_q2, r.latency_sum_q3
    from nezuko.verification_hourly_all r
    where p_group_id is null and p_daily and r.hour >= analytics.rollup_from(p_from, p_to) and r.hour <= p_to
      and r.hour >= greatest(date_trunc('day', p_to, 'UTC'), analytics.day_ceil(analytics.hour_ceil(p_from)))
    union all
    select r.hour, r.status, r.cached, r.n, r.latency_sum,
        r.lat_lt_50, r.lat_50_100, r.lat_100_200, r.lat_200_500, r.lat_ge_500,
        r.n_q1, r.n_q2, r.n_q3, r.latency_sum_q1, r.latency_sum_q2, r.latency_sum_q3
    from nezuko.verification_hourly r
    where p_group_id is not null and not p_daily and r.group_id = p_group_id
      and r.hour >= analytics.rollup_from(p_from, p_to) and r.hour <= p_to
    union all
    -- One group with p_daily: its whole UTC days from verification_daily
    -- (sql/016), the hours around them as for all groups.
    select r.day, r.status, r.cached, r.n, r.latency_sum,
        r.lat_lt_50, r.lat_50_100, r.lat_100_200, r.lat_200_500, r.lat_ge_500, 0::bigint, 0::bigint, 0::bigint,
        0::bigint, 0::bigint, 0::bigint
    from nezuko.verification_daily r
    where p_group_id is not null and p_daily and r.group_id = p_group_id
      and r.day >= analytics.day_ceil(analytics.hour_ceil(p_from)) and r.day < date_trunc('day', p_to, 'UTC')
    union all
    select r.hour, r.status, r.cached, r.n, r.latency_sum,
        r.lat_lt_50, r.lat_50_100, r.lat_100_200, r.lat_200_500, r.lat_ge_500,
        r.n_q1, r.n_q2, r.n_q3, r.latency_sum_q1, r.latency_sum_q2, r.latency_sum_q3
    from nezuko.verification_hourly r
    where p_group_id is not null and p_daily and r.group_id = p_group_id
      and r.hour >= analytics.rollup_from(p_from, p_to) and r.hour <= p_to
      and r.hour < analytics.day_ceil(analytics.hour_ceil(p_from))
    union all
    select r.hour, r.status, r.cached, r.n, r.latency_sum,
        r.lat_lt_50, r.lat_50_100, r.lat_100_200, r.lat_200_500, r.lat_ge_500,
        r.n_q1, r.n_q2, r.n_q3, r.latency_sum_q1, r.latency_sum_q2, r.latency_sum_q3
    from nezuko.verification_hourly r
    where p_group_id is not null and p_daily and r.group_id = p_group_id
      and r.hour >= analytics.rollup_from(p_from, p_to) and r.hour <= p_to
      and r.hour >= greatest(date_trunc('day', p_to, 'UTC'), analytics.day_ceil(analytics.hour_ceil(p_from)))
    union all
    -- The raw rows between p_from and rollup_from, and after p_to in its
    -- hour, each side a plain range scan (cheap bounds: a generic plan
    -- rechecks them on every row it reads), a side not taken
    -- skipped by a one-time filter.
    select v.hour, v.status, v.cached, sum(v.sign), sum(v.sign * v.latency_ms),
        coalesce(sum(v.sign) filter (where v.latency_ms < 50), 0), coalesce(sum(v.sign) filter (where v.latency_ms >= 50 and v.latency_ms < 100), 0),
        coalesce(sum(v.sign) filter (where v.latency_ms >= 100 and v.latency_ms < 200), 0),
        coalesce(sum(v.sign) filter (where v.latency_ms >= 200 and v.latency_ms < 500), 0), coalesce(sum(v.sign) filter (where v.latency_ms >= 500), 0),
        coalesce(sum(v.sign) filter (where v.timestamp < v.hour + interval '15 minutes'), 0),
        coalesce(sum(v.sign) filter (where v.timestamp >= v.hour + interval '15 minutes' and v.timestamp < v.hour + interval '30 minutes'), 0),
        coalesce(sum(v.sign) filter (where v.timestamp >= v.hour + interval '30 minutes' and v.timestamp < v.hour + interval '45 minutes'), 0),
        coalesce(sum(v.sign * v.latency_ms) filter (where v.timestamp < v.hour + interval '15 minutes'), 0),
        coalesce(sum(v.sign * v.latency_ms) filter (where v.timestamp >= v.hour + interval '15 minutes' and v.timestamp < v.hour + interval '30 minutes'), 0),
        coalesce(sum(v.sign * v.latency_ms) filter (where v.timestamp >= v.hour + interval '30 minutes' and v.timestamp < v.hour + interval '45 minutes'), 0)
    from (
        select analytics.hour_floor(x.timestamp) as hour, x.* from (
            -- rollup_from is the next hour: add [p_from, it), up to p_to.
            select l.timestamp, l.status, l.cached, l.latency_ms, 1 as sign
            from nezuko.verification_log l
            where l.timestamp >= p_from and l.timestamp < analytics.hour_ceil(p_from) and l.timestamp <= p_to
              and p_from < analytics.rollup_from(p_from, p_to)
              and (p_group_id is null or l.group_id = p_group_id)
            union all
            -- rollup_from is the start of p_from's hour: subtract [it, p_from).
            select l.timestamp, l.status, l.cached, l.latency_ms, -1
            from nezuko.verification_log l
            where l.timestamp >= analytics.hour_floor(p_from) and l.timestamp < p_from
              and p_from > analytics.rollup_from(p_from, p_to)
              and (p_group_id is null or l.group_id = p_group_id)
            union all
            -- p_to's hour came from the rollup: subtract (p_to, its end).
            select l.timestamp, l.status, l.cached, l.latency_ms, -1
            from nezuko.verification_log l
            where l.timestamp > p_to and l.timestamp < analytics.hour_floor(p_to) + interval '1 hour'
              and analytics.hour_floor(p_to) >= analytics.rollup_from(p_from, p_to)
              and (p_group_id is null or l.group_id = p_group_id)
        ) x
    ) v
    group by 1, 2, 3
$$;
comment on function analytics.verification_counts(timestamptz, timestamptz, bigint, boolean) is
    'verification_log counts per UTC hour (or UTC day with p_daily), status and cache hit over [p_from, p_to], exact for any window (one ending in the past too): daily and hourly rollups; the first partial hour from at most half an hour of raw rows (added, or subtracted from the hour''s rollup), the rows after p_to in its hour subtracted. Hour rows carry their first three quarters (n_q1..3, latency_sum_q1..3). Rows may carry negative counts: sum them.';
