-- triggers.verification_log_rollup: keeps the verification rollups of
-- sql/005_analytics.sql (histograms: sql/005_analytics.sql) exact, once per
-- statement.
--
-- Statement-level with transition tables: a 10k-row INSERT is folded into
-- the rollups by one grouped upsert per table (a per-row upsert would touch
-- the same hot rollup rows 10k times). Every trigger below names its
-- transition table changed_rows and passes the sign as its argument: +1
-- for the rows an INSERT added, -1 for the rows a DELETE (retention)
-- removed; an UPDATE fires two triggers, one for the new rows (+1) and one
-- for the old ones (-1). So each statement below is static SQL, planned
-- once per session, not re-planned per statement as an EXECUTE of a
-- format()ed text would be (~1-3 ms for the counts statement here).
-- TRUNCATE empties the counts. First-seen times (growth) are only added or
-- moved earlier, never removed: users stay counted after retention.
--
-- Each upsert returns the counts it wrote: one below 0 means a log row was
-- removed that the rollup never counted (written with triggers disabled,
-- say), and every answer would be wrong, so the statement fails naming the
-- repair; keys whose count reached 0 are deleted by ctid.
--
-- Upserts run in key order (ORDER BY) so that concurrent writers lock rollup
-- rows in the same order and cannot deadlock each other.
--
-- The day24 rows (24 hours from every half hour, 48 per half hour of rows)
-- are not written per statement (sql/017): a statement adds its rows to
-- its half hours' pending rows, and the first statement of a later half
-- hour folds the half hours that have ended into the day24 rows, once. The
-- readers add what is still pending. Per statement that is 2 upserts
-- instead of 96 (a one-row INSERT: 0.93–1.02 ms against 1.59–1.65 ms with
-- the fan-out per statement, pgbench).
--
-- Cost of a 10k-row INSERT of the demo data on a 10 M-row log (2-core
-- machine, tests/bench/README.md): about half goes to the first-seen check
-- (one index probe per row, below), half to the two aggregates and ~1,100
-- upserts of the counts.
create function triggers.verification_log_rollup() returns trigger
language plpgsql
-- JIT compiling would cost more than the rollup work of a statement.
set jit = off
as $$
declare
    -- +1: changed_rows were added to the log; -1: they were removed.
    v_sign constant integer := tg_argv[0]::integer;
    v_min bigint;
    v_half timestamptz;
    z1 tid[]; z2 tid[]; z3 tid[]; z4 tid[]; z5 tid[]; z6 tid[]; z7 tid[]; z8 tid[]; z9 tid[]; z10 tid[]; z11 tid[];
begin
    -- Retention (bot.prune_logs_batch sets nezuko.retention for its
    -- transaction) removes raw rows but keeps their aggregates.
    if tg_op = 'DELETE' and current_setting('nezuko.retention', true) = 'on' then
        return null;
    end if;
    if tg_op = 'TRUNCATE' then
        truncate nezuko.verification_hourly, nezuko.verification_hourly_all, nezuko.verification_group_totals,
            nezuko.verification_latency_daily, nezuko.verification_latency_hourly_all,
            nezuko.verification_daily_all, nezuko.verification_daily, nezuko.verification_latency_daily_all,
            nezuko.verification_latency_quarter_all, nezuko.verification_day24_all,
            nezuko.verification_latency_day24_all, nezuko.verification_day24_pending,
            nezuko.verification_latency_day24_pending;
        return null;
    end if;

    -- UTC hours and days by date_bin from a UTC midnight: the same
    -- values as date_trunc(..., 'UTC') (what the readers and
    -- analytics.rebuild_analytics_rollups use), without a time zone lookup
    -- per row (0.34 vs 0.05 us per row here).
    -- Three aggregates of the transition table, each read once: h per
    -- hour/group/status/cache (feeds the count rollups), q per quarter
    -- hour/latency bucket (the all-groups histograms), b per day/group/
    -- latency bucket (the per-group histograms). Deriving every rollup
    -- from one finer aggregate (both keys at once) left ~as many rows as
    -- the statement had and re-aggregated them seven times.
    -- The quarter columns (sql/005_analytics.sql): rows and latency_sum in minutes 0-14,
    -- 15-29 and 30-44 of the hour (q: the quarter's start minus the hour's).
    with h as materialized (
        select v.hour, v.group_id, v.status, v.cached,
            v_sign * count(*) as n,
            v_sign * sum(v.latency_ms) as latency_sum,
            v_sign * count(*) filter (where v.latency_ms < 50) as lat_lt_50,
            v_sign * count(*) filter (where v.latency_ms >= 50 and v.latency_ms < 100) as lat_50_100,
            v_sign * count(*) filter (where v.latency_ms >= 100 and v.latency_ms < 200) as lat_100_200,
            v_sign * count(*) filter (where v.latency_ms >= 200 and v.latency_ms < 500) as lat_200_500,
            v_sign * count(*) filter (where v.latency_ms >= 500) as lat_ge_500,
            v_sign * count(*) filter (where v.q = interval '0') as n_q1,
            v_sign * count(*) filter (where v.q = interval '15 minutes') as n_q2,
            v_sign * count(*) filter (where v.q = interval '30 minutes') as n_q3,
            v_sign * coalesce(sum(v.latency_ms) filter (where v.q = interval '0'), 0) as latency_sum_q1,
            v_sign * coalesce(sum(v.latency_ms) filter (where v.q = interval '15 minutes'), 0) as latency_sum_q2,
            v_sign * coalesce(sum(v.latency_ms) filter (where v.q = interval '30 minutes'), 0) as latency_sum_q3
        from (select c.*, date_bin('1 hour', c.timestamp, timestamptz '2000-01-01 00:00:00+00') as hour,
                     date_bin('15 minutes', c.timestamp, timestamptz '2000-01-01 00:00:00+00')
                     - date_bin('1 hour', c.timestamp, timestamptz '2000-01-01 00:00:00+00') as q
              from changed_rows c) v
        group by 1, 2, 3, 4
    ), q as materialized (
        -- All groups per quarter hour and latency bucket: the quarter
        -- histograms (sql/005_analytics.sql), and summed per hour and day the all-groups
        -- hourly and daily histograms.
        select date_bin('15 minutes', v.timestamp, timestamptz '2000-01-01 00:00:00+00') as quarter,
            analytics.latency_bucket(v.latency_ms) as bucket, v_sign * count(*) as n
        from changed_rows v
        group by 1, 2
    ), qhh as materialized (
        -- The same per half hour: the day24 histograms (which start at
        -- every half hour, sql/013) ...
        select date_bin('30 minutes', quarter, timestamptz '2000-01-01 00:00:00+00') as half, bucket, sum(n)::bigint as n
        from q group by 1, 2
    ), qh as materialized (
        -- ... and per hour: the hourly histograms.
        select date_bin('1 hour', half, timestamptz '2000-01-01 00:00:00+00') as hour, bucket, sum(n)::bigint as n
        from qhh group by 1, 2
    ), b as materialized (
        -- Per UTC day, group and latency bucket: the per-group histograms.
        select date_bin('1 day', v.timestamp, timestamptz '2000-01-01 00:00:00+00') as day, v.group_id,
            analytics.latency_bucket(v.latency_ms) as bucket, v_sign * count(*) as n
        from changed_rows v
        group by 1, 2, 3
    ), ha as materialized (
        -- h summed over the groups: the all-groups hourly rollup, and from
        -- it the daily and day24 ones.
        select hour, status, cached, sum(n) as n, sum(latency_sum) as latency_sum, sum(lat_lt_50) as lat_lt_50,
            sum(lat_50_100) as lat_50_100, sum(lat_100_200) as lat_100_200, sum(lat_200_500) as lat_200_500,
            sum(lat_ge_500) as lat_ge_500, sum(n_q1) as n_q1, sum(n_q2) as n_q2, sum(n_q3) as n_q3,
            sum(latency_sum_q1) as latency_sum_q1, sum(latency_sum_q2) as latency_sum_q2,
            sum(latency_sum_q3) as latency_sum_q3
        from h group by 1, 2, 3
    ), m as (
        insert into nezuko.verification_hourly as r (hour, group_id, status, cached, n, latency_sum, lat_lt_50,
            lat_50_100, lat_100_200, lat_200_500, lat_ge_500, n_q1, n_q2, n_q3, latency_sum_q1, latency_sum_q2,
            latency_sum_q3)
        select hour, group_id, status, cached, n, latency_sum, lat_lt_50, lat_50_100, lat_100_200, lat_200_500,
            lat_ge_500, n_q1, n_q2, n_q3, latency_sum_q1, latency_sum_q2, latency_sum_q3
        from h order by group_id, hour, status, cached
        on conflict (group_id, hour, status, cached) do update set
            n = r.n + excluded.n, latency_sum = r.latency_sum + excluded.latency_sum,
            lat_lt_50 = r.lat_lt_50 + excluded.lat_lt_50, lat_50_100 = r.lat_50_100 + excluded.lat_50_100,
            lat_100_200 = r.lat_100_200 + excluded.lat_100_200, lat_200_500 = r.lat_200_500 + excluded.lat_200_500,
            lat_ge_500 = r.lat_ge_500 + excluded.lat_ge_500,
            n_q1 = r.n_q1 + excluded.n_q1, n_q2 = r.n_q2 + excluded.n_q2, n_q3 = r.n_q3 + excluded.n_q3,
            latency_sum_q1 = r.latency_sum_q1 + excluded.latency_sum_q1,
            latency_sum_q2 = r.latency_sum_q2 + excluded.latency_sum_q2,
            latency_sum_q3 = r.latency_sum_q3 + excluded.latency_sum_q3
        returning 1 as t, r.ctid, r.n
    ), a as (
        insert into nezuko.verification_hourly_all as r (hour, status, cached, n, latency_sum, lat_lt_50,
            lat_50_100, lat_100_200, lat_200_500, lat_ge_500, n_q1, n_q2, n_q3, latency_sum_q1, latency_sum_q2,
            latency_sum_q3)
        select hour, status, cached, n, latency_sum, lat_lt_50, lat_50_100, lat_100_200, lat_200_500, lat_ge_500,
            n_q1, n_q2, n_q3, latency_sum_q1, latency_sum_q2, latency_sum_q3
        from ha order by 1, 2, 3
        on conflict (hour, status, cached) do update set
            n = r.n + excluded.n, latency_sum = r.latency_sum + excluded.latency_sum,
            lat_lt_50 = r.lat_lt_50 + excluded.lat_lt_50, lat_50_100 = r.lat_50_100 + excluded.lat_50_100,
            lat_100_200 = r.lat_100_200 + excluded.lat_100_200, lat_200_500 = r.lat_200_500 + excluded.lat_200_500,
            lat_ge_500 = r.lat_ge_500 + excluded.lat_ge_500,
            n_q1 = r.n_q1 + excluded.n_q1, n_q2 = r.n_q2 + excluded.n_q2, n_q3 = r.n_q3 + excluded.n_q3,
            latency_sum_q1 = r.latency_sum_q1 + excluded.latency_sum_q1,
            latency_sum_q2 = r.latency_sum_q2 + excluded.latency_sum_q2,
            latency_sum_q3 = r.latency_sum_q3 + excluded.latency_sum_q3
        returning 2 as t, r.ctid, r.n
    ), g as (
        insert into nezuko.verification_group_totals as r
        select group_id, sum(n), coalesce(sum(n) filter (where status = 'verified'), 0)
        from h where group_id is not null group by 1 order by 1
        on conflict (group_id) do update set n = r.n + excluded.n, verified = r.verified + excluded.verified
        returning 3 as t, r.ctid, r.n
    ), lh as (
        -- Histograms (sql/005_analytics.sql): one row per day and group (per hour, per
        -- day over all groups) with the buckets and their counts as arrays;
        -- an existing row gets the two histograms added bucket by bucket
        -- (analytics.histogram_add, sql/005_analytics.sql), buckets back at 0 dropped.
        -- Returned n: the smallest count, so below 0 is an error and 0
        -- (empty arrays) deletes the row.
        insert into nezuko.verification_latency_daily as r (day, group_id, buckets, counts)
        select day, group_id, array_agg(bucket order by bucket), array_agg(n::bigint order by bucket)
        from b
        group by 1, 2 order by group_id, day
        on conflict (group_id, day) do update set (buckets, counts) = (
            select m.buckets, m.counts from analytics.histogram_add(r.buckets, r.counts, excluded.buckets, excluded.counts) m)
        returning 4 as t, r.ctid, (select coalesce(min(c), 0) from unnest(r.counts) as c) as n
    ), la as (
        insert into nezuko.verification_latency_hourly_all as r (hour, buckets, counts)
        select hour, array_agg(bucket order by bucket), array_agg(n order by bucket)
        from qh x
        group by 1 order by 1
        on conflict (hour) do update set (buckets, counts) = (
            select m.buckets, m.counts from analytics.histogram_add(r.buckets, r.counts, excluded.buckets, excluded.counts) m)
        returning 5 as t, r.ctid, (select coalesce(min(c), 0) from unnest(r.counts) as c) as n
    ), da as (
        insert into nezuko.verification_daily_all as r
        select date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), status, cached, sum(n), sum(latency_sum), sum(lat_lt_50), sum(lat_50_100),
            sum(lat_100_200), sum(lat_200_500), sum(lat_ge_500)
        from ha group by 1, 2, 3 order by 1, 2, 3
        on conflict (day, status, cached) do update set
            n = r.n + excluded.n, latency_sum = r.latency_sum + excluded.latency_sum,
            lat_lt_50 = r.lat_lt_50 + excluded.lat_lt_50, lat_50_100 = r.lat_50_100 + excluded.lat_50_100,
            lat_100_200 = r.lat_100_200 + excluded.lat_100_200, lat_200_500 = r.lat_200_500 + excluded.lat_200_500,
            lat_ge_500 = r.lat_ge_500 + excluded.lat_ge_500
        returning 6 as t, r.ctid, r.n
    ), dg as (
        -- Per UTC day and group (sql/016): one group's whole days.
        insert into nezuko.verification_daily as r
        select date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), group_id, status, cached, sum(n),
            sum(latency_sum), sum(lat_lt_50), sum(lat_50_100), sum(lat_100_200), sum(lat_200_500), sum(lat_ge_500)
        from h group by 1, 2, 3, 4 order by 2, 1, 3, 4
        on conflict (group_id, day, status, cached) do update set
            n = r.n + excluded.n, latency_sum = r.latency_sum + excluded.latency_sum,
            lat_lt_50 = r.lat_lt_50 + excluded.lat_lt_50, lat_50_100 = r.lat_50_100 + excluded.lat_50_100,
            lat_100_200 = r.lat_100_200 + excluded.lat_100_200, lat_200_500 = r.lat_200_500 + excluded.lat_200_500,
            lat_ge_500 = r.lat_ge_500 + excluded.lat_ge_500
        returning 11 as t, r.ctid, r.n
    ), dl as (
        insert into nezuko.verification_latency_daily_all as r (day, buckets, counts)
        select day, array_agg(bucket order by bucket), array_agg(n order by bucket)
        from (select date_bin('1 day', quarter, timestamptz '2000-01-01 00:00:00+00') as day, bucket, sum(n)::bigint as n
              from q group by 1, 2) x
        group by 1 order by 1
        on conflict (day) do update set (buckets, counts) = (
            select m.buckets, m.counts from analytics.histogram_add(r.buckets, r.counts, excluded.buckets, excluded.counts) m)
        returning 7 as t, r.ctid, (select coalesce(min(c), 0) from unnest(r.counts) as c) as n
    ), lq as (
        insert into nezuko.verification_latency_quarter_all as r (quarter, buckets, counts)
        select quarter, array_agg(bucket order by bucket), array_agg(n order by bucket)
        from q group by 1 order by 1
        on conflict (quarter) do update set (buckets, counts) = (
            select m.buckets, m.counts from analytics.histogram_add(r.buckets, r.counts, excluded.buckets, excluded.counts) m)
        returning 8 as t, r.ctid, (select coalesce(min(c), 0) from unnest(r.counts) as c) as n
    ), d24 as (
        -- The day24 rows are folded once per half hour (sql/017): here the
        -- rows go to their half hour's pending row, folded below.
        insert into nezuko.verification_day24_pending as r (half, status, cached, n, latency_sum)
        select x.half, x.status, x.cached, sum(x.n), sum(x.latency_sum)
        from (select ha.hour as half, ha.status, ha.cached, ha.n_q1 + ha.n_q2 as n,
                     ha.latency_sum_q1 + ha.latency_sum_q2 as latency_sum
              from ha
              union all
              select ha.hour + interval '30 minutes', ha.status, ha.cached, ha.n - ha.n_q1 - ha.n_q2,
                     ha.latency_sum - ha.latency_sum_q1 - ha.latency_sum_q2
              from ha) x
        where x.n <> 0
        group by 1, 2, 3 order by 1, 2, 3
        on conflict (half, status, cached) do update set
            n = r.n + excluded.n, latency_sum = r.latency_sum + excluded.latency_sum
        returning 9 as t, r.ctid, r.n
    ), l24 as (
        insert into nezuko.verification_latency_day24_pending as r (half, buckets, counts)
        select half, array_agg(bucket order by bucket), array_agg(n order by bucket)
        from qhh where n <> 0
        group by 1 order by 1
        on conflict (half) do update set (buckets, counts) = (
            select m.buckets, m.counts from analytics.histogram_add(r.buckets, r.counts, excluded.buckets, excluded.counts) m)
        returning 10 as t, r.ctid, cardinality(r.counts)::bigint as n
    )
    -- Pending rows (9, 10) may go below 0: a DELETE of rows already folded.
    select min(n) filter (where t not in (9, 10)),
        array_agg(ctid) filter (where t = 1 and n = 0), array_agg(ctid) filter (where t = 2 and n = 0),
        array_agg(ctid) filter (where t = 3 and n = 0), array_agg(ctid) filter (where t = 4 and n = 0),
        array_agg(ctid) filter (where t = 5 and n = 0), array_agg(ctid) filter (where t = 6 and n = 0),
        array_agg(ctid) filter (where t = 7 and n = 0), array_agg(ctid) filter (where t = 8 and n = 0),
        array_agg(ctid) filter (where t = 9 and n = 0), array_agg(ctid) filter (where t = 10 and n = 0),
        array_agg(ctid) filter (where t = 11 and n = 0)
    from (table m union all table a union all table g union all table lh union all table la
          union all table da union all table dl union all table lq union all table d24 union all table l24
          union all table dg) x
    into v_min, z1, z2, z3, z4, z5, z6, z7, z8, z9, z10, z11;
    if v_min < 0 then
        raise exception 'the verification_log rollups no longer match the log (a count went below 0)'
            using errcode = '55000', hint = 'Repair them with: select analytics.rebuild_analytics_rollups();';
    end if;
    if z1 is not null then delete from nezuko.verification_hourly where ctid = any (z1); end if;
    if z2 is not null then delete from nezuko.verification_hourly_all where ctid = any (z2); end if;
    if z3 is not null then delete from nezuko.verification_group_totals where ctid = any (z3); end if;
    if z4 is not null then delete from nezuko.verification_latency_daily where ctid = any (z4); end if;
    if z5 is not null then delete from nezuko.verification_latency_hourly_all where ctid = any (z5); end if;
    if z6 is not null then delete from nezuko.verification_daily_all where ctid = any (z6); end if;
    if z7 is not null then delete from nezuko.verification_latency_daily_all where ctid = any (z7); end if;
    if z8 is not null then delete from nezuko.verification_latency_quarter_all where ctid = any (z8); end if;
    if z9 is not null then delete from nezuko.verification_day24_pending where ctid = any (z9); end if;
    if z10 is not null then delete from nezuko.verification_latency_day24_pending where ctid = any (z10); end if;
    if z11 is not null then delete from nezuko.verification_daily where ctid = any (z11); end if;

    -- Fold the pending half hours that have ended into the day24 rows whose
    -- 24 hours hold them (48 each): the first statement of a half hour does
    -- it for everyone. The pending rows are taken in key order (inserts
    -- upsert them in that order too) and deleted: a concurrent fold finds
    -- them gone, an insert racing it makes a new pending row.
    v_half := date_bin('30 minutes', now(), timestamptz '2000-01-01 00:00:00+00');
    if exists (select from nezuko.verification_day24_pending where half < v_half)
       or exists (select from nezuko.verification_latency_day24_pending where half < v_half) then
        with pc as (
            delete from nezuko.verification_day24_pending
            where ctid = any (array(select p.ctid from nezuko.verification_day24_pending p where p.half < v_half
                                    order by p.half, p.status, p.cached for update))
            returning half, status, cached, n, latency_sum
        ), pl as (
            delete from nezuko.verification_latency_day24_pending
            where ctid = any (array(select p.ctid from nezuko.verification_latency_day24_pending p where p.half < v_half
                                    order by p.half for update))
            returning half, buckets, counts
        ), d24 as (
            insert into nezuko.verification_day24_all as r (day_start, status, cached, n, latency_sum)
            select pc.half - k * interval '30 minutes', pc.status, pc.cached, sum(pc.n), sum(pc.latency_sum)
            from pc, generate_series(0, 47) k
            group by 1, 2, 3 order by 1, 2, 3
            on conflict (day_start, status, cached) do update set
                n = r.n + excluded.n, latency_sum = r.latency_sum + excluded.latency_sum
            returning 9 as t, r.ctid, r.n
        ), qhh as materialized (
            select pl.half, u.bucket, u.n from pl, unnest(pl.buckets, pl.counts) u(bucket, n)
        ), s24 as materialized (
            select hh.half - k * interval '30 minutes' as day_start, min(hh.half) as lo, max(hh.half) as hi
            from (select distinct half from qhh) hh, generate_series(0, 47) k
            group by 1
        ), r24 as (
            select w.lo, w.hi, array_agg(w.bucket order by w.bucket) as buckets, array_agg(w.n order by w.bucket) as counts
            from (select g.lo, g.hi, qhh.bucket, sum(qhh.n)::bigint as n
                  from (select distinct lo, hi from s24) g,
                       generate_series(g.lo, g.hi, interval '30 minutes') x(half)
                  join qhh on qhh.half = x.half
                  group by 1, 2, 3
                  having sum(qhh.n) <> 0) w
            group by 1, 2
        ), l24 as (
            insert into nezuko.verification_latency_day24_all as r (day_start, buckets, counts)
            select s24.day_start, r24.buckets, r24.counts
            from s24 join r24 using (lo, hi)
            order by 1
            on conflict (day_start) do update set (buckets, counts) = (
                select m.buckets, m.counts from analytics.histogram_add(r.buckets, r.counts, excluded.buckets, excluded.counts) m)
            returning 10 as t, r.ctid, (select coalesce(min(c), 0) from unnest(r.counts) as c) as n
        )
        select min(n), array_agg(ctid) filter (where t = 9 and n = 0), array_agg(ctid) filter (where t = 10 and n = 0)
        from (table d24 union all table l24) x
        into v_min, z9, z10;
        if v_min < 0 then
            raise exception 'the verification_log rollups no longer match the log (a count went below 0)'
                using errcode = '55000', hint = 'Repair them with: select analytics.rebuild_analytics_rollups();';
        end if;
        if z9 is not null then delete from nezuko.verification_day24_all where ctid = any (z9); end if;
        if z10 is not null then delete from nezuko.verification_latency_day24_all where ctid = any (z10); end if;
    end if;
    if v_sign < 0 then
        return null;
    end if;

    -- First seen (growth): one statement for both tables. A user (or a
    -- user in a group) new to the table counts +1 in their hour; one a
    -- backfill moves earlier counts -1 in the old hour (the upsert returns
    -- it as previous_first_seen) and +1 in the new one. The upserts lock
    -- the rows, so concurrent writers cannot count a user twice.
    --
    -- Most of a statement's users were seen before. Each row is first
    -- checked against group_user_first_seen by a read-only probe (index
    -- only: the key's index INCLUDEs first_seen), and rows whose (group,
    -- user) was seen at or before them are dropped before anything is
    -- grouped or written (ON CONFLICT DO UPDATE would lock, i.e. write,
    -- every one of their rows even when its WHERE is false). Dropping them
    -- is safe because a first_seen only ever moves earlier. What is left
    -- (n) is the few pairs that may be new or earlier, and every row
    -- without a group.
    --
    -- user_first_seen is probed only for the users in n. Every other
    -- user's rows here are in groups where they were seen at or before
    -- them, and user_first_seen <= group_user_first_seen always (both only
    -- move earlier, from the same rows), so those rows cannot move the user
    -- earlier either. In steady state that saves almost every
    -- user_first_seen probe.
    --
    -- Cost: one index probe per row (~2.5 us here), with the rows sorted
    -- by (group, user) first (OFFSET 0 keeps the sort below the probes), so
    -- the probes walk the index in key order. Measured on a 10 M-row log
    -- (tests/bench/analytics data, 10k-row statements, CPU time of this
    -- statement alone, best of 40): grouping by (group, user), sorting and
    -- probing each pair once (the previous version) 43 ms; one probe per
    -- row in arrival order 32 ms; sorted as here 28 ms; one index scan per
    -- group with user_id = ANY (array) 31 ms. A statement of the demo holds
    -- ~9.9k pairs in 10k rows, so grouping saved few probes and cost a hash
    -- aggregate; sorting pays because ~10k probes touch most of the
    -- index's ~8,000 leaf pages (~63 MB, more than the CPU caches hold),
    -- in order rather than at random. The probe is a correlated subquery
    -- (under OR), so it can never become a hash join that reads a whole
    -- first-seen table.
    with n as materialized (
        select v.group_id, v.user_id, min(v.timestamp) as ts
        from (select group_id, user_id, timestamp from changed_rows order by group_id, user_id offset 0) v
        where v.group_id is null or not exists (
            select from nezuko.group_user_first_seen k
            where k.group_id = v.group_id and k.user_id = v.user_id and k.first_seen <= v.timestamp)
        group by 1, 2
    ), gu as (
        insert into nezuko.group_user_first_seen as f (group_id, user_id, first_seen)
        select group_id, user_id, ts from n where group_id is not null
        order by group_id, user_id
        on conflict (group_id, user_id) do update set first_seen = excluded.first_seen, previous_first_seen = f.first_seen
            where excluded.first_seen < f.first_seen
        returning f.group_id, f.first_seen, f.previous_first_seen
    ), gd as (
        select group_id, date_trunc('hour', first_seen, 'UTC') as hour, 1 as d from gu
        union all
        select group_id, date_trunc('hour', previous_first_seen, 'UTC'), -1 from gu where previous_first_seen is not null
    ), gw as (
        insert into nezuko.new_users_hourly as r (group_id, hour, n)
        select group_id, hour, sum(d) from gd group by 1, 2 order by 1, 2
        on conflict (group_id, hour) do update set n = r.n + excluded.n
        returning 1 as t, r.ctid, r.n
    ), gdw as (
        -- The same per UTC day (sql/005_analytics.sql): users_before sums days, not
        -- every hour of the history.
        insert into nezuko.new_users_daily as r (group_id, day, n)
        select group_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), sum(d) from gd group by 1, 2 order by 1, 2
        on conflict (group_id, day) do update set n = r.n + excluded.n
        returning 3 as t, r.ctid, r.n
    ), c as (
        select user_id, min(ts) as ts from n group by 1
    ), uu as (
        insert into nezuko.user_first_seen as f (user_id, first_seen)
        select c.user_id, c.ts from c
        where not exists (select from nezuko.user_first_seen k where k.user_id = c.user_id and k.first_seen <= c.ts)
        order by c.user_id
        on conflict (user_id) do update set first_seen = excluded.first_seen, previous_first_seen = f.first_seen
            where excluded.first_seen < f.first_seen
        returning f.first_seen, f.previous_first_seen
    ), ud as (
        select date_trunc('hour', first_seen, 'UTC') as hour, 1 as d from uu
        union all
        select date_trunc('hour', previous_first_seen, 'UTC'), -1 from uu where previous_first_seen is not null
    ), uw as (
        insert into nezuko.new_users_hourly_all as r (hour, n)
        select hour, sum(d) from ud group by 1 order by 1
        on conflict (hour) do update set n = r.n + excluded.n
        returning 2 as t, r.ctid, r.n
    ), udw as (
        insert into nezuko.new_users_daily_all as r (day, n)
        select date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), sum(d) from ud group by 1 order by 1
        on conflict (day) do update set n = r.n + excluded.n
        returning 4 as t, r.ctid, r.n
    )
    select min(n), array_agg(ctid) filter (where t = 1 and n = 0), array_agg(ctid) filter (where t = 2 and n = 0),
        array_agg(ctid) filter (where t = 3 and n = 0), array_agg(ctid) filter (where t = 4 and n = 0)
    into v_min, z1, z2, z3, z4
    from (table gw union all table uw union all table gdw union all table udw) x;
    if v_min < 0 then
        raise exception 'new_users_hourly no longer matches the first-seen tables'
            using errcode = '55000', hint = 'Repair it with: select analytics.rebuild_analytics_rollups();';
    end if;
    if z1 is not null then delete from nezuko.new_users_hourly where ctid = any (z1); end if;
    if z2 is not null then delete from nezuko.new_users_hourly_all where ctid = any (z2); end if;
    if z3 is not null then delete from nezuko.new_users_daily where ctid = any (z3); end if;
    if z4 is not null then delete from nezuko.new_users_daily_all where ctid = any (z4); end if;
    return null;
end
$$;
comment on function triggers.verification_log_rollup() is
    'Statement-level trigger on verification_log (argument +1: changed_rows added, -1: removed): folds the rows into the verification count and latency rollups and the first-seen tables, once per statement.';

create trigger analytics_rollup_insert after insert on nezuko.verification_log
    referencing new table as changed_rows for each statement execute function triggers.verification_log_rollup('+1');
create trigger analytics_rollup_delete after delete on nezuko.verification_log
    referencing old table as changed_rows for each statement execute function triggers.verification_log_rollup('-1');
-- An UPDATE adds the rows as they are now and removes them as they were:
-- two triggers, each with one transition table (triggers of one event
-- fire in name order: new, then old, so no count passes through 0).
create trigger analytics_rollup_update_new after update on nezuko.verification_log
    referencing new table as changed_rows for each statement execute function triggers.verification_log_rollup('+1');
create trigger analytics_rollup_update_old after update on nezuko.verification_log
    referencing old table as changed_rows for each statement execute function triggers.verification_log_rollup('-1');
create trigger analytics_rollup_truncate after truncate on nezuko.verification_log
    for each statement execute function triggers.verification_log_rollup();
