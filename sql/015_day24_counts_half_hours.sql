-- Issue 17: the counts over 24 hours (verification_day24_all, sql/009)
-- start at every half hour too, as the latency histograms do since sql/013.
--
-- Why: a local day in a zone offset by :30 (India, Iran, Newfoundland,
-- central Australia, Sri Lanka, Myanmar, Afghanistan) starts at a half
-- hour, so it was the day24 row of the UTC hour before its midnight
-- corrected by four quarter hours (two at each end), each read from the
-- hourly rollup: a 90-day daily series in Asia/Kolkata read 89 day24 rows
-- and 360 corrections (2,160 rollup rows through the quarter arithmetic,
-- ~1.7 of ~6 ms in an instrumented get_latency_trend('90d', null,
-- 'Asia/Kolkata')). Now such a day is one row; zones offset by :45 (Nepal,
-- the Chatham Islands, Eucla) still add one quarter at each end.
--
-- Cost at ingest: each half hour of a statement counts in 48 day24 rows
-- instead of each hour in 24, from the all-groups aggregate (a few dozen
-- rows): ~300 count upserts per 10k-row statement instead of ~150.
--
-- Existing logs: the half-hour rows from the hourly rollups' quarter
-- columns (a half hour is the first two quarters of its hour, or the rest),
-- without reading the log.
insert into nezuko.verification_day24_all (day_start, status, cached, n, latency_sum)
select x.half - k * interval '30 minutes', x.status, x.cached, sum(x.n), sum(x.latency_sum)
from (select r.hour as half, r.status, r.cached, r.n_q1 + r.n_q2 as n,
             r.latency_sum_q1 + r.latency_sum_q2 as latency_sum
      from nezuko.verification_hourly_all r
      union all
      select r.hour + interval '30 minutes', r.status, r.cached, r.n - r.n_q1 - r.n_q2,
             r.latency_sum - r.latency_sum_q1 - r.latency_sum_q2
      from nezuko.verification_hourly_all r) x,
     generate_series(0, 47) k
where x.n <> 0 and extract(minute from x.half - k * interval '30 minutes') = 30
group by 1, 2, 3
order by 1, 2, 3;

comment on table nezuko.verification_day24_all is 'verification_hourly_all summed over the 24 hours [day_start, day_start + 24 h), for every UTC half hour day_start (sql/009, sql/015): a local day of any time zone is one row plus at most a quarter hour at each end.';
