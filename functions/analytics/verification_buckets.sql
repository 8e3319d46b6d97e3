-- analytics.verification_buckets: verification_log counts for the window
-- [p_from, p_to] per bucket of a series (hour, day or week in time zone
-- p_tz; bucket = its start as local time, the join key of
-- analytics.buckets), status and cache hit, exact in every zone:
-- analytics.verification_counts' hours, each given whole to the bucket
-- it lies in, or, when a bucket boundary cuts it (a zone offset by :30 or
-- :45, or a DST change at such a time), cut into its four quarters
-- (sql/005_analytics.sql), each given to its own bucket. Every UTC offset in use is a
-- whole number of quarter hours, so a boundary never falls inside a
-- quarter. In UTC with day or week buckets the whole UTC days come from
-- the daily rollup. The raw rows the hourly reader adds or subtracts are
-- cut by quarter too, so they land in their own bucket.
create function analytics.verification_buckets(p_from timestamptz, p_to timestamptz, p_group_id bigint,
    p_granularity text, p_tz text)
returns table (bucket timestamp, status text, cached boolean, n bigint, latency_sum bigint)
language plpgsql stable
-- plpgsql, not an inlined SQL function: each zone takes its own plan, so
-- UTC (where no hour is ever cut) pays nothing for the other case. Its
-- result is a few hundred rows at most.
set jit = off
-- One generic plan per session: a custom plan of these queries (the
-- readers inlined) took longer to make than to run (~2x the call's CPU
-- time here); the generic plan skips the branches a call does not take by
-- one-time filters.
set plan_cache_mode = force_generic_plan
-- Sums of bigint counts are taken as float8 (sum(x::float8)::bigint):
-- exact for totals below 2^53, and about half the cost of sum(bigint),
-- which accumulates in numeric (the trends sum thousands of rollup rows and
-- histogram buckets per call; the same in analytics.latency_buckets and
-- the api.get_* trends).
as $$
#variable_conflict use_column
declare
    v_cut timestamptz[];
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
    -- Every UTC bucket boundary is on the hour: each row of the hourly
    -- reader (or UTC day, for day and week buckets) lies in one bucket.
    -- p_daily is a constant in each statement, so the generic plan reads
    -- only the rollup rows it needs.
    if p_tz = 'UTC' and p_granularity <> 'hour' then
        return query
        select date_trunc(p_granularity, c.hour at time zone 'UTC'), c.status, c.cached,
            sum(c.n::float8)::bigint, sum(c.latency_sum::float8)::bigint
        from analytics.verification_counts(p_from, p_to, p_group_id, true) c
        group by 1, 2, 3;
        return;
    elsif p_tz = 'UTC' then
        return query
        select date_trunc('hour', c.hour at time zone 'UTC'), c.status, c.cached,
            sum(c.n::float8)::bigint, sum(c.latency_sum::float8)::bigint
        from analytics.verification_counts(p_from, p_to, p_group_id, false) c
        group by 1, 2, 3;
        return;
    end if;
    -- Hour buckets in a zone whose offset now is not a whole number of
    -- hours: every hour is cut, so each row goes out as its four
    -- quarters in one pass.
    if p_granularity = 'hour' and analytics.cuts_every_hour(p_to, p_tz) then
        return query
        select date_trunc('hour', (c.hour + q.o) at time zone p_tz), c.status, c.cached,
            sum(q.n::float8)::bigint, sum(q.latency_sum::float8)::bigint
        from analytics.verification_counts(p_from, p_to, p_group_id) c
        cross join lateral (values
            (interval '0', c.n_q1, c.latency_sum_q1),
            (interval '15 minutes', c.n_q2, c.latency_sum_q2),
            (interval '30 minutes', c.n_q3, c.latency_sum_q3),
            (interval '45 minutes', c.n - c.n_q1 - c.n_q2 - c.n_q3,
                                    c.latency_sum - c.latency_sum_q1 - c.latency_sum_q2 - c.latency_sum_q3)
        ) q(o, n, latency_sum)
        group by 1, 2, 3;
        return;
    end if;
    -- Day and week buckets, all groups: the local days wholly inside the
    -- window from the day24 rollup (sql/009), the partial days at the
    -- window's ends as below.
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
            select min(half) into v_pend from nezuko.verification_day24_pending;
            return query
            -- The whole local days: the day24 row of the UTC half hour
            -- holding local midnight (sql/015: one row a day in zones
            -- offset by :00 or :30) ...
            select k.key, r.status, r.cached, r.n, r.latency_sum
            from unnest(v_p, v_pk) k(p, key)
            join nezuko.verification_day24_all r on r.day_start = k.p
            union all
            -- ... with the half hours of its 24 not yet folded into it
            -- (sql/017; at most the last hour or so) ...
            select k.key, r.status, r.cached, r.n, r.latency_sum
            from unnest(v_p, v_pk) k(p, key)
            join nezuko.verification_day24_pending r on r.half >= k.p and r.half < k.p + interval '24 hours'
            where k.p > v_pend - interval '24 hours'
            union all
            -- ... corrected by the quarter hours it holds but the local day
            -- does not (-1), or the other way round (+1).
            select c.key, r.status, r.cached,
                c.sign * case extract(minute from c.q - r.hour)::integer
                    when 0 then r.n_q1 when 15 then r.n_q2 when 30 then r.n_q3 else r.n - r.n_q1 - r.n_q2 - r.n_q3 end,
                c.sign * case extract(minute from c.q - r.hour)::integer
                    when 0 then r.latency_sum_q1 when 15 then r.latency_sum_q2 when 30 then r.latency_sum_q3
                    else r.latency_sum - r.latency_sum_q1 - r.latency_sum_q2 - r.latency_sum_q3 end
            from unnest(v_cq, v_cs, v_ck) c(q, sign, key)
            join nezuko.verification_hourly_all r on r.hour = analytics.hour_floor(c.q)
            union all
            -- The partial local days at both ends of the window.
            select e.bucket, e.status, e.cached, e.n, e.latency_sum
            from analytics.verification_buckets(p_from, v_lo0 - interval '1 microsecond', null, p_granularity, p_tz) e
            where p_from < v_lo0
            union all
            select e.bucket, e.status, e.cached, e.n, e.latency_sum
            from analytics.verification_buckets(v_hi1, p_to, null, p_granularity, p_tz) e
            where v_hi1 <= p_to;
            return;
        end if;
    end if;
    -- Other zones: every hour whole to the bucket it starts in, except the
    -- hours a bucket boundary cuts (zones offset by :30 or :45: one a day,
    -- or every hour for hour buckets), given out as their four quarters.
    -- The cut hours are found from the buckets' starts (an hour within two
    -- hours of one), each checked exactly (the start of the hour and of its
    -- last quarter in different buckets), so the bulk of the rows costs one
    -- time zone conversion each.
    select coalesce(array_agg(distinct x.h), '{}') into v_cut
    from (select analytics.hour_floor(b.bucket_start + k * interval '30 minutes') as h
          from analytics.buckets(p_from, p_to, p_granularity, p_tz) b, generate_series(-4, 4) k) x
    where date_trunc(p_granularity, x.h at time zone p_tz)
          <> date_trunc(p_granularity, (x.h + interval '45 minutes') at time zone p_tz);
    -- The hourly reader is read once (materialized: its raw rows at the
    -- window's ends are one index probe each, not one per branch below).
    return query
    with c as materialized (
        select * from analytics.verification_counts(p_from, p_to, p_group_id)
    )
    select date_trunc(p_granularity, c.hour at time zone p_tz), c.status, c.cached,
        sum(c.n::float8)::bigint, sum(c.latency_sum::float8)::bigint
    from c
    where not (c.hour = any (v_cut))
    group by 1, 2, 3
    union all
    select date_trunc(p_granularity, (c.hour + q.o) at time zone p_tz), c.status, c.cached,
        sum(q.n::float8)::bigint, sum(q.latency_sum::float8)::bigint
    from c
    cross join lateral (values
        (interval '0', c.n_q1, c.latency_sum_q1),
        (interval '15 minutes', c.n_q2, c.latency_sum_q2),
        (interval '30 minutes', c.n_q3, c.latency_sum_q3),
        (interval '45 minutes', c.n - c.n_q1 - c.n_q2 - c.n_q3,
                                c.latency_sum - c.latency_sum_q1 - c.latency_sum_q2 - c.latency_sum_q3)
    ) q(o, n, latency_sum)
    where c.hour = any (v_cut)
    group by 1, 2, 3;
end
$$;
comment on function analytics.verification_buckets(timestamptz, timestamptz, bigint, text, text) is
    'verification_log counts over [p_from, p_to] per local bucket (p_granularity hour/day/week in p_tz; bucket = local start), status and cache hit, exact in every time zone: hours cut at a bucket boundary are split into their quarter hours. Sums may be 0; several rows per key possible.';
