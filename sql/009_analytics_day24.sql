-- Analytics in zones whose days are not UTC days, at the cost of UTC days.
--
-- Why: a local day in Asia/Kolkata (+05:30) is [18:30, 18:30) UTC, so the
-- readers summed it from ~24 hourly rollup rows (and ~24 latency
-- histograms, ~100 buckets each) where a UTC day reads one daily row: a
-- 90-day latency trend in such a zone merged ~2,200 histograms per call.
--
-- Design: "day24" rollups, the 24 hours that start at each UTC hour (a
-- day starting at every hour of the day, not only at midnight), over all
-- groups: counts per status and cache hit, and the latency histogram. A
-- local day of any zone is the day24 row of the UTC hour its midnight
-- falls in, corrected by at most a few quarter hours at each end (the
-- quarter columns of sql/026: zones offset by :30 / :45) and, on a DST
-- change, by the hour the day is shorter or longer. Whole-hour zones
-- (Europe/Berlin, America/New_York ...) read one row per day, like UTC.
-- Cost at ingest: a statement's hours each count in 24 day24 rows (a
-- 10k-row statement spanning two hours upserts ~25 x 6 count rows and ~25
-- histograms), against ~1,100 upserts it already does.
create table nezuko.verification_day24_all (
    day_start   timestamptz not null,
    status      text not null,
    cached      boolean not null,
    n           bigint not null,
    latency_sum bigint not null,
    primary key (day_start, status, cached)
) with (fillfactor = 70);
comment on table nezuko.verification_day24_all is 'verification_hourly_all summed over the 24 hours [day_start, day_start + 24 h), for every UTC hour day_start: a local day of any time zone is one row plus a few quarter hours.';

create table nezuko.verification_latency_day24_all (
    day_start timestamptz primary key,
    buckets   smallint[] not null,
    counts    bigint[] not null,
    check (cardinality(buckets) = cardinality(counts) and 0 <= all (buckets) and 120 >= all (buckets))
) with (fillfactor = 70);
comment on table nezuko.verification_latency_day24_all is 'Latency histogram (format of sql/012) over all groups for the 24 hours [day_start, day_start + 24 h), for every UTC hour day_start.';


-- Existing logs: the day24 rows from the hourly rollups (no log scan).
insert into nezuko.verification_day24_all (day_start, status, cached, n, latency_sum)
select r.hour - k * interval '1 hour', r.status, r.cached, sum(r.n), sum(r.latency_sum)
from nezuko.verification_hourly_all r, generate_series(0, 23) k
group by 1, 2, 3;
insert into nezuko.verification_latency_day24_all (day_start, buckets, counts)
select day_start, array_agg(bucket order by bucket), array_agg(n order by bucket)
from (select r.hour - k * interval '1 hour' as day_start, u.bucket, sum(u.n)::bigint as n
      from nezuko.verification_latency_hourly_all r, unnest(r.buckets, r.counts) as u(bucket, n),
           generate_series(0, 23) k
      group by 1, 2) x
group by 1;

-- The rollup triggers run as whoever inserts into the logs (024).
grant select, insert, update, delete on nezuko.verification_day24_all, nezuko.verification_latency_day24_all
    to nezuko_bridge;

-- One group's latency in a zone whose days are not UTC days reads that
-- group's raw rows (its histogram is kept per UTC day only: per hour it
-- was most of the ingest cost, sql/008). Through (group_id, timestamp)
-- alone each row cost a heap page (~21k pages for a 7-day window of one
-- group at 10 M rows); with latency_ms in the index the read is an
-- index-only scan of a few dozen leaf pages. Same key, so every other
-- reader of the index is unchanged.
drop index nezuko.idx_verification_log_group_timestamp;
create index idx_verification_log_group_timestamp on nezuko.verification_log (group_id, timestamp) include (latency_ms);
