-- analytics.latency_buckets: latency histograms (buckets ascending and
-- their counts, several rows per bucket possible, counts possibly
-- negative: add them up per bucket and latency bucket) for the window
-- [p_from, p_to] per bucket of a series (hour, day or week in p_tz;
-- bucket = local start), exact in every zone.
-- All groups, as analytics.latency_histogram reads them (UTC days when
-- p_tz is UTC and the buckets are days or weeks, rollup hours otherwise,
-- the raw rows at the window's ends, each in the bucket of its own time),
-- except that a rollup hour a bucket boundary cuts (zones offset by :30 or
-- :45) is read as its four quarter-hour histograms (sql/005_analytics.sql), each to its
-- own bucket.
-- One group (its histograms are kept per UTC day): with day or week
-- buckets each whole UTC day inside the window comes from the rollup,
-- given whole to the bucket holding its noon, and the parts of it that lie
-- in another bucket are moved there from that group's raw rows (index on
-- group_id, timestamp); the partial days at the window's ends, and every
-- day for hour buckets, come from the raw rows. In UTC no part is moved;
-- in Asia/Kolkata 5.5 hours of each day are (cost grows with the group's
-- rows in those hours: see README).
create function analytics.latency_buckets(p_from timestamptz, p_to timestamptz, p_group_id bigint,
    p_granularity text, p_tz text)
returns table (bucket timestamp, buckets smallint[], counts bigint[])
language plpgsql stable
-- plpgsql for the same reason as analytics.verification_buckets: UTC takes
-- the plain plan.
set jit = off
-- One generic plan per session: a custom plan of these queries (the
-- readers inlined) took longer to make than to run (~2x the call's CPU
-- time here); the generic plan skips the branches a call does not take by
-- one-time filters.
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
declare
    v_cut timestamptz[];
    v_cutq timestamptz[];
    v_lo timestamptz;
    v_hi timestamptz;
    v_lo0 timestamptz;
    v_hi1 timestamptz;
    v_p timestamptz[];
    v_pk timestamp[];
    v_cq timestamptz[];
    v_cs integer[];
    v_ck timestamp[];
    v_pend timestamptz;
begin
    -- UTC: every row of analytics.latency_histogram (UTC days for day and
    -- week buckets, hours, raw partial hours or days) lies in one bucket;
    -- p_daily a constant per statement, for the generic plan.
    if p_tz = 'UTC' and p_granularity <> 'hour' then
        return query
        select date_trunc(p_granularity, h.hour at time zone 'UTC'), h.buckets, h.counts
        from analytics.latency_histogram(p_from, p_to, p_group_id, true) h;
        return;
    elsif p_tz = 'UTC' and p_group_id is null then
        -- (One group: latency_histogram gives whole UTC days as one row,
        -- so hour buckets of one group read its raw rows, below.)
        return query
        select date_trunc('hour', h.hour at time zone 'UTC'), h.buckets, h.counts
        from analytics.latency_histogram(p_from, p_to, p_group_id, false) h;
        return;
    end if;
    -- Day and week buckets, all groups: the local days wholly inside the
    -- window from the day24 histograms (sql/009; they start at every half
    -- hour, sql/013, so a day of a zone offset by :00 or :30 is one row),
    -- the partial days at its ends below.
    if p_group_id is null and p_granularity <> 'hour' then
        select min(b.bucket_start), max(b.bucket_end) into v_lo, v_hi
        from analytics.buckets(p_from, p_to, 'day', p_tz) b
        where b.bucket_start >= p_from and b.bucket_end <= p_to;
        if v_lo is not null then
            -- The ends of the window are read by whole hours where they
            -- can be (a cut at a local midnight inside an hour would read
            -- half an hour of raw rows): the quarters between the UTC
            -- hour and local midnight come with the day24 corrections.
            v_lo0 := case when analytics.hour_floor(v_lo) >= p_from then analytics.hour_floor(v_lo) else v_lo end;
            v_hi1 := case when analytics.hour_ceil(v_hi) <= p_to then analytics.hour_ceil(v_hi) else v_hi end;
            select d.p, d.k, d.q, d.s, d.qk into v_p, v_pk, v_cq, v_cs, v_ck
            from analytics.day24_plan(v_lo, v_hi, v_lo0, v_hi1, p_granularity, p_tz, interval '30 minutes') d;
            -- The oldest half hour not yet folded (sql/017): only the day24
            -- rows whose 24 hours reach it look for pending ones.
            select min(half) into v_pend from nezuko.verification_latency_day24_pending;
            return query
            -- A bucket that is one day24 row (every day of a daily
            -- series in a zone offset by :00 or :30 outside DST changes):
            -- its arrays as they are.
            select k.key, r.buckets, r.counts
            from unnest(v_p, v_pk) k(p, key)
            join nezuko.verification_latency_day24_all r on r.day_start = k.p
            where p_granularity = 'day' and not (k.key = any (v_ck))
              and not (k.p > v_pend - interval '24 hours' and exists (
                  select from nezuko.verification_latency_day24_pending l
                  where l.half >= k.p and l.half < k.p + interval '24 hours'))
            union all
            -- The others (weeks, days with quarter corrections) merged
            -- here into one histogram each, their day24 rows and quarter
            -- corrections added bucket by bucket in one pass, so a caller
            -- takes the p95 of a whole bucket from its arrays as they are.
            -- The arrays are expanded by unnest in the select list
            -- (ProjectSet, side by side, as they have equal lengths):
            -- unnest in FROM keeps each call's result in a tuplestore first
            -- (~25 % more time for the whole merge here).
            select x.key, array_agg(x.bucket order by x.bucket), array_agg(x.n order by x.bucket)
            from (select y.key, y.bucket, sum(y.n::float8)::bigint as n
                  from (select k.key, unnest(r.buckets) as bucket, unnest(r.counts) as n
                        from unnest(v_p, v_pk) k(p, key)
                        join nezuko.verification_latency_day24_all r on r.day_start = k.p
                        where k.key = any (v_ck) or p_granularity <> 'day'
                           or k.p > v_pend - interval '24 hours' and exists (
                                  select from nezuko.verification_latency_day24_pending l
                                  where l.half >= k.p and l.half < k.p + interval '24 hours')
                        union all
                        -- the half hours not yet folded into the day24 rows
                        -- (sql/017; at most the last hour or so)
                        select k.key, unnest(l.buckets), unnest(l.counts)
                        from unnest(v_p, v_pk) k(p, key)
                        join nezuko.verification_latency_day24_pending l
                          on l.half >= k.p and l.half < k.p + interval '24 hours'
                        where k.p > v_pend - interval '24 hours'
                        union all
                        select c.key, unnest(r.buckets), c.sign * unnest(r.counts)
                        from unnest(v_cq, v_cs, v_ck) c(q, sign, key)
                        join nezuko.verification_latency_quarter_all r on r.quarter = c.q) y
                  group by 1, 2
                  having sum(y.n::float8) <> 0) x
            group by x.key
            union all
            select e.bucket, e.buckets, e.counts
            from analytics.latency_buckets(p_from, v_lo0 - interval '1 microsecond', null, p_granularity, p_tz) e
            where p_from < v_lo0
            union all
            select e.bucket, e.buckets, e.counts
            from analytics.latency_buckets(v_hi1, p_to, null, p_granularity, p_tz) e
            where v_hi1 <= p_to;
            return;
        end if;
    end if;
    -- The rollup hours a bucket boundary cuts, found as in
    -- analytics.verification_buckets, and their quarter hours: arrays, so
    -- both rollups are read by index (= any), never joined row by row.
    -- Around each bucket's end too: the raw rows after p_to (a window
    -- ending in the past) go to the bucket of their own time, so p_to's
    -- hour must be cut when the next bucket starts inside it.
    if p_granularity = 'hour' and analytics.cuts_every_hour(p_to, p_tz) then
        -- Hour buckets in a zone offset by :30 or :45 now: every hour is
        -- cut, as analytics.verification_buckets takes it, without testing
        -- each (two time zone conversions for each of ~450 candidates,
        -- ~1 ms of a 24-hour trend).
        select coalesce(array_agg(h.h), '{}') into v_cut
        from generate_series(analytics.rollup_from(p_from, p_to), p_to, interval '1 hour') h(h);
    else
        select coalesce(array_agg(distinct x.h), '{}') into v_cut
        from (select analytics.hour_floor(e.t + k * interval '30 minutes') as h
              from analytics.buckets(p_from, p_to, p_granularity, p_tz) b,
                   lateral (values (b.bucket_start), (b.bucket_end)) e(t), generate_series(-4, 4) k) x
        where date_trunc(p_granularity, x.h at time zone p_tz)
              <> date_trunc(p_granularity, (x.h + interval '45 minutes') at time zone p_tz)
          and x.h >= analytics.rollup_from(p_from, p_to) and x.h <= p_to;
    end if;
    select coalesce(array_agg(h + k * interval '15 minutes'), '{}') into v_cutq
    from unnest(v_cut) h, generate_series(0, 3) k;
    return query
    -- All groups: the rollup hours that lie in one bucket ...
    select date_trunc(p_granularity, h.hour at time zone p_tz), h.buckets, h.counts
    from nezuko.verification_latency_hourly_all h
    where p_group_id is null and h.hour >= analytics.rollup_from(p_from, p_to) and h.hour <= p_to
      and not (h.hour = any (v_cut))
    union all
    -- ... and the cut ones as their four quarters.
    select date_trunc(p_granularity, q.quarter at time zone p_tz), q.buckets, q.counts
    from nezuko.verification_latency_quarter_all q
    where p_group_id is null and q.quarter = any (v_cutq)
    union all
    -- All groups, the raw rows at the window's ends (as in
    -- analytics.latency_histogram: added or subtracted), each in the
    -- bucket of its own time.
    select x.b, array_agg(x.bucket order by x.bucket), array_agg(x.n order by x.bucket)
    from (
        select date_trunc(p_granularity, v.timestamp at time zone p_tz) as b,
            analytics.latency_bucket(v.latency_ms) as bucket, sum(v.sign)::bigint as n
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
            select l.timestamp, l.latency_ms, -1
            from nezuko.verification_log l
            where p_group_id is null
              and l.timestamp > p_to and l.timestamp < analytics.hour_floor(p_to) + interval '1 hour'
              and analytics.hour_floor(p_to) >= analytics.rollup_from(p_from, p_to)
        ) v
        group by 1, 2
        having sum(v.sign) <> 0
    ) x
    group by x.b
    union all
    -- One group, day and week buckets: every whole UTC day of the window
    -- from the rollup, given whole to the bucket that holds its noon ...
    select date_trunc(p_granularity, (d.day + interval '12 hours') at time zone p_tz), d.buckets, d.counts
    from nezuko.verification_latency_daily d
    where p_group_id is not null and p_granularity <> 'hour' and d.group_id = p_group_id
      and d.day >= p_from and d.day + interval '1 day' <= p_to
    union all
    -- ... and the group's raw rows (index-only scans of (group_id,
    -- timestamp) include (latency_ms), sql/009) for the rest, per UTC day
    -- and local bucket, each part read once: the parts of such a whole day
    -- that lie in another bucket (moved there: +1 to their own bucket, -1
    -- to the noon bucket; in Asia/Kolkata 5.5 hours a day instead of 24),
    -- and every part of the partial days at the window's ends, and of
    -- every day for hour buckets (+1).
    select x.b, array_agg(x.bucket order by x.bucket), array_agg(x.n order by x.bucket)
    from (
        select k.b, r.bucket, sum((k.sign * r.n)::float8)::bigint as n
        from (select bk.local_start as b, w.noon, greatest(d.day, bk.bucket_start, p_from) as lo,
                     least(d.day + interval '1 day', bk.bucket_end, p_to + interval '1 microsecond') as hi
              from generate_series(date_trunc('day', p_from, 'UTC'), p_to, interval '1 day') d(day)
              cross join lateral (select case when p_granularity <> 'hour'
                                               and d.day >= p_from and d.day + interval '1 day' <= p_to
                                         then date_trunc(p_granularity, (d.day + interval '12 hours') at time zone p_tz)
                                         end as noon) w,
                   analytics.buckets(p_from, p_to, p_granularity, p_tz) bk
              where p_group_id is not null
                and bk.bucket_start < d.day + interval '1 day' and bk.bucket_end > d.day
                and bk.local_start is distinct from w.noon) i
        cross join lateral (
            select analytics.latency_bucket(v.latency_ms) as bucket, count(*) as n
            from nezuko.verification_log v
            where v.group_id = p_group_id and v.timestamp >= i.lo and v.timestamp < i.hi
            group by 1) r
        cross join lateral (values (i.b, 1), (i.noon, -1)) k(b, sign)
        where p_group_id is not null and i.lo < i.hi and k.b is not null
        group by 1, 2
        having sum((k.sign * r.n)::float8) <> 0
    ) x
    group by x.b;
end
$$;
comment on function analytics.latency_buckets(timestamptz, timestamptz, bigint, text, text) is
    'Latency histograms over [p_from, p_to] per local bucket (p_granularity hour/day/week in p_tz; bucket = local start), exact in every time zone (cut hours read per quarter hour; one group: whole UTC days inside a bucket from the rollup, the rest from the raw rows). Several rows per bucket, counts may be negative: add them up.';
