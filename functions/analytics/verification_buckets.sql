-- analytics.verification_buckets: verification_log counts for the window
-- [p_from, p_to] per bucket of a series (hour, day or week in time zone
-- p_tz; bucket = its start as local time, the join key of
-- analytics.buckets), status and cache hit, exact in every zone:
-- analytics.verification_counts' hours, each given whole to the bucket
-- it lies in, or, when a bucket boundary cuts it (a zone offset by :30 or
-- :45, or a DST change at such a time), cut into its four quarters
-- (sql/015), each given to its own bucket. Every UTC offset in use is a
-- whole number of quarter hours, so a boundary never falls inside a
-- quarter. In UTC with day or week buckets the whole UTC days come from
-- the daily rollup. The raw rows the hourly reader adds or subtracts are
-- cut by quarter too, so they land in their own bucket.
create function analytics.verification_buckets(p_from timestamptz, p_to timestamptz, p_group_id bigint,
    p_granularity text, p_tz text)
returns table (bucket timestamp, status text, cached boolean, n bigint, latency_sum bigint)
language sql stable as $$
    select date_trunc(p_granularity, (c.hour + q.o) at time zone p_tz), c.status, c.cached,
        sum(q.n)::bigint, sum(q.latency_sum)::bigint
    from (
        select c.*, date_trunc(p_granularity, c.hour at time zone p_tz)
                    <> date_trunc(p_granularity, (c.hour + interval '45 minutes') at time zone p_tz) as split
        from analytics.verification_counts(p_from, p_to, p_group_id, p_granularity <> 'hour' and p_tz = 'UTC') c
    ) c
    cross join lateral (values
        (interval '0', case when c.split then c.n_q1 else c.n end,
                       case when c.split then c.latency_sum_q1 else c.latency_sum end),
        (interval '15 minutes', c.n_q2, c.latency_sum_q2),
        (interval '30 minutes', c.n_q3, c.latency_sum_q3),
        (interval '45 minutes', c.n - c.n_q1 - c.n_q2 - c.n_q3,
                                c.latency_sum - c.latency_sum_q1 - c.latency_sum_q2 - c.latency_sum_q3)
    ) q(o, n, latency_sum)
    where c.split or q.o = interval '0'
    group by 1, 2, 3
$$;
comment on function analytics.verification_buckets(timestamptz, timestamptz, bigint, text, text) is
    'verification_log counts over [p_from, p_to] per local bucket (p_granularity hour/day/week in p_tz; bucket = local start), status and cache hit, exact in every time zone: hours cut at a bucket boundary are split into their quarter hours. Sums may be 0.';
