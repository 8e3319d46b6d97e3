-- Issue 17: the latency histograms over 24 hours (verification_latency_day24_all,
-- sql/009) start at every half hour, not only at every UTC hour.
--
-- Why: a local day in a zone offset by :30 (India, Iran, Newfoundland,
-- central Australia, Sri Lanka, Myanmar, Afghanistan) starts at a half
-- hour in UTC. From rows that start on the hour it was the row of the hour
-- before, minus its first two quarter hours, plus the two after its end:
-- four quarter histograms (~50 buckets each) added to every day's ~65
-- buckets. A 90-day latency trend in Asia/Kolkata merged ~25,000 histogram
-- entries per call, 3 of every 4 of them corrections, and took ~20 ms
-- (p50 21.7 ms on the 10 M-row bench database) where UTC takes ~5. With a
-- row starting at the half hour such a day is one row, and a zone offset
-- by :45 (Nepal, Chatham, Eucla) needs two quarters instead of two or four.
--
-- Cost: a statement's half hours each count in 48 rows instead of its hours
-- in 24 (a 10k-row statement spanning two hours upserts ~49 histograms
-- instead of ~25, beside its ~1,100 other upserts). The counts
-- (verification_day24_all) keep their hourly starts: their corrections are
-- four rows of the hourly rollup per day, not four histograms.
--
-- Deploying on a running system: statements that land between this
-- migration's commit and the install of the triggers package (the same
-- `nezuko migrate`, milliseconds later) are missing from the half-hour
-- rows; `select analytics.rebuild_analytics_rollups();` afterwards makes
-- every rollup exact again. The backfill reads the quarter-hour histograms
-- (about 48 x 60 entries per half hour of history), not the log.
insert into nezuko.verification_latency_day24_all (day_start, buckets, counts)
select day_start, array_agg(bucket order by bucket), array_agg(n order by bucket)
from (select h.half - k * interval '30 minutes' as day_start, h.bucket, sum(h.n)::bigint as n
      from (select date_bin('30 minutes', r.quarter, timestamptz '2000-01-01 00:00:00+00') as half,
                   u.bucket, sum(u.n)::bigint as n
            from nezuko.verification_latency_quarter_all r, unnest(r.buckets, r.counts) as u(bucket, n)
            group by 1, 2) h,
           generate_series(0, 47) k
      where extract(minute from h.half - k * interval '30 minutes') = 30
      group by 1, 2
      having sum(h.n) <> 0) x
group by 1;

comment on table nezuko.verification_latency_day24_all is 'Latency histogram (format of sql/005_analytics.sql) over all groups for the 24 hours [day_start, day_start + 24 h), for every UTC half hour day_start (sql/013).';
