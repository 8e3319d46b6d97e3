-- Analytics in every time zone: quarter-hour detail in the hourly rollups.
--
-- Why: the rollups are per UTC hour, so a day or hour in a zone whose
-- offset is not a whole number of hours (India +05:30, Nepal +05:45,
-- Newfoundland -03:30/-02:30, central Australia +09:30/+10:30, Iran,
-- Chatham ...) starts in the middle of a UTC hour, and the counts of that
-- hour had to be given to one local bucket or the other (~1 % off per
-- Asia/Kolkata day). Every UTC offset and DST change in use is a whole
-- number of quarter hours, so a local bucket boundary always falls on a
-- UTC quarter hour: counts per quarter hour are enough to be exact.
--
-- Design: the hourly count rollups keep one row per (group,) UTC hour and
-- key, as before, and carry the first three quarters of the hour as extra
-- columns (the fourth is n minus them). So a statement of the log upserts
-- exactly as many rollup rows as before (the ingest cost is a few more
-- sums per row, not ~3x more rows, which one row per quarter hour would
-- have cost: a 10k-row INSERT of the demo spans ~2 hours, 8 quarters), and
-- a reader still reads one row per hour; it expands an hour into its
-- quarters only where a bucket boundary cuts it (2 hours a day in
-- Asia/Kolkata, none in UTC). Only what the time-zone RPCs need is kept per
-- quarter: the count per status and cache hit (n) and latency_sum (the
-- average); the latency bands serve RPCs whose windows end now and start
-- at now - period, which are exact from the hourly rows and the raw log.
--
-- The all-groups latency histogram (p95 of get_latency_trend) gets its
-- own quarter-hour table, read only for the hours a bucket boundary cuts;
-- ~8 histogram upserts more per 10k-row statement.
alter table nezuko.verification_hourly
    add column n_q1 bigint not null default 0, add column n_q2 bigint not null default 0,
    add column n_q3 bigint not null default 0, add column latency_sum_q1 bigint not null default 0,
    add column latency_sum_q2 bigint not null default 0, add column latency_sum_q3 bigint not null default 0;
alter table nezuko.verification_hourly_all
    add column n_q1 bigint not null default 0, add column n_q2 bigint not null default 0,
    add column n_q3 bigint not null default 0, add column latency_sum_q1 bigint not null default 0,
    add column latency_sum_q2 bigint not null default 0, add column latency_sum_q3 bigint not null default 0;
comment on column nezuko.verification_hourly.n_q1 is 'Rows of n in the hour''s first quarter (minutes 0-14); n_q2: 15-29, n_q3: 30-44; minutes 45-59 are n - n_q1 - n_q2 - n_q3. Lets a reader cut the hour at a local day or hour boundary of any time zone.';
comment on column nezuko.verification_hourly.latency_sum_q1 is 'latency_sum of the rows in n_q1 (likewise _q2, _q3).';
comment on column nezuko.verification_hourly_all.n_q1 is 'As verification_hourly.n_q1: rows in minutes 0-14 (n_q2: 15-29, n_q3: 30-44).';
comment on column nezuko.verification_hourly_all.latency_sum_q1 is 'latency_sum of the rows in n_q1 (likewise _q2, _q3).';

create table nezuko.verification_latency_quarter_all (
    quarter timestamptz primary key,
    buckets smallint[] not null,
    counts  bigint[] not null,
    check (cardinality(buckets) = cardinality(counts) and 0 <= all (buckets) and 120 >= all (buckets))
) with (fillfactor = 70);
comment on table nezuko.verification_latency_quarter_all is 'Histogram of verification_log.latency_ms per UTC quarter hour over all groups (format of sql/012: ascending buckets, counts). Read for the hours a local day or hour boundary cuts (zones with :30 / :45 offsets).';

-- New users per UTC day, beside the hourly tables: analytics.users_before
-- (growth's running totals) sums whole days and then the hours of one day,
-- so its cost does not grow with the length of the history (a 450-day log
-- is ~10,800 hourly rows; ~470 rows this way).
create table nezuko.new_users_daily_all (
    day timestamptz primary key,
    n   bigint not null
) with (fillfactor = 70);
comment on table nezuko.new_users_daily_all is 'new_users_hourly_all summed per UTC day (day = UTC midnight).';
create table nezuko.new_users_daily (
    group_id bigint not null,
    day      timestamptz not null,
    n        bigint not null,
    primary key (group_id, day)
) with (fillfactor = 70);
comment on table nezuko.new_users_daily is 'new_users_hourly summed per UTC day (day = UTC midnight), per group.';

-- The repair tool, as in sql/012, filling the quarter columns and table too.
create or replace function nezuko.rebuild_analytics_rollups() returns void
language plpgsql set jit = off as $$
begin
    lock table nezuko.verification_log, nezuko.api_call_log in share mode;
    truncate nezuko.verification_hourly, nezuko.verification_hourly_all,
        nezuko.verification_latency_daily, nezuko.verification_latency_hourly_all,
        nezuko.api_call_hourly, nezuko.api_call_hourly_all, nezuko.verification_group_totals,
        nezuko.verification_daily_all, nezuko.verification_latency_daily_all,
        nezuko.verification_latency_quarter_all;
    insert into nezuko.verification_hourly (hour, group_id, status, cached, n, latency_sum, lat_lt_50, lat_50_100,
        lat_100_200, lat_200_500, lat_ge_500, n_q1, n_q2, n_q3, latency_sum_q1, latency_sum_q2, latency_sum_q3)
    select date_trunc('hour', timestamp, 'UTC'), group_id, status, cached, count(*), sum(latency_ms),
        count(*) filter (where latency_ms < 50), count(*) filter (where latency_ms >= 50 and latency_ms < 100),
        count(*) filter (where latency_ms >= 100 and latency_ms < 200),
        count(*) filter (where latency_ms >= 200 and latency_ms < 500), count(*) filter (where latency_ms >= 500),
        count(*) filter (where extract(minute from timestamp at time zone 'UTC') < 15),
        count(*) filter (where extract(minute from timestamp at time zone 'UTC') >= 15 and extract(minute from timestamp at time zone 'UTC') < 30),
        count(*) filter (where extract(minute from timestamp at time zone 'UTC') >= 30 and extract(minute from timestamp at time zone 'UTC') < 45),
        coalesce(sum(latency_ms) filter (where extract(minute from timestamp at time zone 'UTC') < 15), 0),
        coalesce(sum(latency_ms) filter (where extract(minute from timestamp at time zone 'UTC') >= 15 and extract(minute from timestamp at time zone 'UTC') < 30), 0),
        coalesce(sum(latency_ms) filter (where extract(minute from timestamp at time zone 'UTC') >= 30 and extract(minute from timestamp at time zone 'UTC') < 45), 0)
    from nezuko.verification_log group by 1, 2, 3, 4;
    insert into nezuko.verification_hourly_all (hour, status, cached, n, latency_sum, lat_lt_50, lat_50_100,
        lat_100_200, lat_200_500, lat_ge_500, n_q1, n_q2, n_q3, latency_sum_q1, latency_sum_q2, latency_sum_q3)
    select hour, status, cached, sum(n), sum(latency_sum), sum(lat_lt_50), sum(lat_50_100), sum(lat_100_200),
        sum(lat_200_500), sum(lat_ge_500), sum(n_q1), sum(n_q2), sum(n_q3), sum(latency_sum_q1),
        sum(latency_sum_q2), sum(latency_sum_q3)
    from nezuko.verification_hourly group by 1, 2, 3;
    insert into nezuko.verification_group_totals
    select group_id, sum(n), coalesce(sum(n) filter (where status = 'verified'), 0)
    from nezuko.verification_hourly where group_id is not null group by 1;
    insert into nezuko.verification_latency_quarter_all
    select quarter, array_agg(bucket order by bucket), array_agg(n order by bucket)
    from (select date_bin('15 minutes', timestamp, timestamptz '2000-01-01 00:00:00+00') as quarter,
                 nezuko.latency_bucket(latency_ms) as bucket, count(*) as n
          from nezuko.verification_log group by 1, 2) x
    group by 1;
    insert into nezuko.verification_latency_hourly_all
    select hour, array_agg(bucket order by bucket), array_agg(n order by bucket)
    from (select date_trunc('hour', r.quarter, 'UTC') as hour, u.bucket, sum(u.n)::bigint as n
          from nezuko.verification_latency_quarter_all r, unnest(r.buckets, r.counts) as u(bucket, n)
          group by 1, 2) x
    group by 1;
    insert into nezuko.verification_latency_daily
    select day, group_id, array_agg(bucket order by bucket), array_agg(n order by bucket)
    from (select date_trunc('day', timestamp, 'UTC') as day, group_id, nezuko.latency_bucket(latency_ms) as bucket,
                 count(*) as n
          from nezuko.verification_log group by 1, 2, 3) x
    group by 1, 2;
    insert into nezuko.verification_daily_all
    select date_trunc('day', hour, 'UTC'), status, cached, sum(n), sum(latency_sum), sum(lat_lt_50), sum(lat_50_100),
        sum(lat_100_200), sum(lat_200_500), sum(lat_ge_500)
    from nezuko.verification_hourly_all group by 1, 2, 3;
    insert into nezuko.verification_latency_daily_all
    select day, array_agg(bucket order by bucket), array_agg(n order by bucket)
    from (select date_trunc('day', r.hour, 'UTC') as day, u.bucket, sum(u.n)::bigint as n
          from nezuko.verification_latency_hourly_all r, unnest(r.buckets, r.counts) as u(bucket, n)
          group by 1, 2) x
    group by 1;
    insert into nezuko.api_call_hourly
    select date_trunc('hour', timestamp, 'UTC'), case when chat_id < 0 then chat_id end, method, success,
        count(*), sum(latency_ms)
    from nezuko.api_call_log group by 1, 2, 3, 4;
    insert into nezuko.api_call_hourly_all
    select hour, method, success, sum(n), sum(latency_sum) from nezuko.api_call_hourly group by 1, 2, 3;
    -- First-seen times only move earlier (they survive retention).
    insert into nezuko.user_first_seen as f (user_id, first_seen)
    select user_id, min(timestamp) from nezuko.verification_log group by 1
    on conflict (user_id) do update set first_seen = excluded.first_seen, previous_first_seen = f.first_seen
        where excluded.first_seen < f.first_seen;
    insert into nezuko.group_user_first_seen as f (group_id, user_id, first_seen)
    select group_id, user_id, min(timestamp) from nezuko.verification_log where group_id is not null group by 1, 2
    on conflict (group_id, user_id) do update set first_seen = excluded.first_seen, previous_first_seen = f.first_seen
        where excluded.first_seen < f.first_seen;
    truncate nezuko.new_users_hourly_all, nezuko.new_users_hourly;
    insert into nezuko.new_users_hourly_all
    select date_trunc('hour', first_seen, 'UTC'), count(*) from nezuko.user_first_seen group by 1;
    insert into nezuko.new_users_hourly
    select group_id, date_trunc('hour', first_seen, 'UTC'), count(*) from nezuko.group_user_first_seen group by 1, 2;
    truncate nezuko.new_users_daily_all, nezuko.new_users_daily;
    insert into nezuko.new_users_daily_all
    select date_trunc('day', hour, 'UTC'), sum(n) from nezuko.new_users_hourly_all group by 1;
    insert into nezuko.new_users_daily
    select group_id, date_trunc('day', hour, 'UTC'), sum(n) from nezuko.new_users_hourly group by 1, 2;
end
$$;
comment on function nezuko.rebuild_analytics_rollups() is
    'Recomputes every analytics rollup from verification_log and api_call_log (locks the logs against writes meanwhile). First-seen times are kept and only moved earlier.';

-- Existing logs get their quarter columns and quarter histograms now.
select nezuko.rebuild_analytics_rollups();

-- The rollup triggers run as whoever inserts into the logs: nezuko_bridge
-- (024) maintains these too.
grant select, insert, update, delete on
    nezuko.verification_latency_quarter_all, nezuko.new_users_daily_all, nezuko.new_users_daily
    to nezuko_bridge;
