-- analytics.day24_plan: how the local days [p_lo, p_hi) of time zone p_tz
-- (p_lo and p_hi local midnights) are read from the day24 rollups
-- (sql/009): each day is the day24 row starting at the p_step boundary
-- (UTC hour, or half hour for the latency histograms, sql/013) that holds
-- its midnight (p: those starts; k: each day's key, the start as local
-- time of its p_granularity bucket), plus or minus the quarter hours where
-- the two differ (q, with s = +1 or -1 and qk the key): the quarters of
-- that row before local midnight (zones offset by :30 or :45 from the
-- step), and at the end those between the local day's end and 24 hours
-- after p (a day made 23 or 25 hours long by a DST change, and :30 / :45
-- again). Every UTC offset in use is a whole number of quarter hours, so
-- local midnights are on quarter hours. Zones whose offset is a whole
-- number of steps get no quarters outside DST days.
-- p_lo0 <= p_lo and p_hi1 >= p_hi widen that to the UTC hours around
-- (the caller reads the rest of the window by whole hours, no raw rows):
-- the quarters [p_lo0, p_lo) go to the bucket before p_lo, and [p_hi,
-- p_hi1) to the bucket of p_hi, both +1.
-- PL/pgSQL so that its plan is kept for the session (a SQL function that
-- is not inlined is planned on every call).
create function analytics.day24_plan(p_lo timestamptz, p_hi timestamptz, p_lo0 timestamptz, p_hi1 timestamptz,
    p_granularity text, p_tz text, p_step interval,
    out p timestamptz[], out k timestamp[], out q timestamptz[], out s integer[], out qk timestamp[])
language plpgsql stable as $$
#variable_conflict use_column
begin
    with d as (
        select date_bin(p_step, b.bucket_start, timestamptz '2000-01-01 00:00:00+00') as p, b.bucket_start, b.bucket_end,
            date_trunc(p_granularity, b.local_start) as key
        from analytics.buckets(p_lo, p_hi - interval '1 microsecond', 'day', p_tz) b
    ), c as (
        select x.q, -1 as s, d.key
        from d, generate_series(d.p, d.bucket_start - interval '15 minutes', interval '15 minutes') x(q)
        union all
        select x.q, 1, d.key
        from d, generate_series(d.p + interval '24 hours', d.bucket_end - interval '15 minutes', interval '15 minutes') x(q)
        union all
        select x.q, -1, d.key
        from d, generate_series(d.bucket_end, d.p + interval '24 hours' - interval '15 minutes', interval '15 minutes') x(q)
        union all
        select x.q, 1, date_trunc(p_granularity, (p_lo - interval '1 microsecond') at time zone p_tz)
        from generate_series(p_lo0, p_lo - interval '15 minutes', interval '15 minutes') x(q)
        union all
        select x.q, 1, date_trunc(p_granularity, p_hi at time zone p_tz)
        from generate_series(p_hi, p_hi1 - interval '15 minutes', interval '15 minutes') x(q)
    )
    select dd.p, dd.k, coalesce(cc.q, '{}'), coalesce(cc.s, '{}'), coalesce(cc.qk, '{}')
    into p, k, q, s, qk
    from (select array_agg(d.p order by d.p) as p, array_agg(d.key order by d.p) as k from d) dd,
         (select array_agg(c.q) as q, array_agg(c.s) as s, array_agg(c.key) as qk from c) cc;
end
$$;
comment on function analytics.day24_plan(timestamptz, timestamptz, timestamptz, timestamptz, text, text, interval) is
    'The day24 rows (starts p on p_step boundaries, bucket keys k) and the quarter-hour corrections (q, sign s, key qk) that make the local days [p_lo, p_hi) of p_tz.';
