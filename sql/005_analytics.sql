-- Baseline 5 of 6, analytics. Rollups: what the dashboard's api.get_* functions read instead
-- of the raw logs.
--
-- Why: on this project's 2-core machine a 30-day daily x status aggregation
-- over 10 M raw verification_log rows takes 2.5-3 s; the same answer from an
-- hourly rollup takes a few ms (shared/PITFALLS.md, tests/bench/README.md).
--
-- How they stay right: statement-level AFTER triggers with transition tables
-- (triggers/analytics/*.sql) fold each INSERT, DELETE (retention), UPDATE or
-- TRUNCATE of a log into these tables, one upsert per statement, whoever
-- writes (bridge or a DBA by hand). Counts are exact, never sampled. A
-- per-row trigger would update the same hot rollup rows thousands of times
-- per batch (a 100k-row INSERT went from 0.34 s to 32 s in PITFALLS.md).
--
-- Hours are UTC hours (date_trunc('hour', ts, 'UTC')), whatever the session
-- time zone. Each rollup has a per-group table (for p_group_id filters) and
-- an all-groups table (so "all groups" reads one row per hour and key, not
-- one per group). group_id / chat_id may be null, as in the logs: the unique
-- keys use NULLS NOT DISTINCT so a null group is one key, like any other.
-- Rows whose count drops to 0 (after deletes) are removed.
--
-- Deletes are folded in by the same upsert with negative counts, so the
-- counts carry no CHECK (n >= 0): PostgreSQL checks a row's constraints
-- before it finds the conflict. Instead each trigger reads the counts its
-- upsert returns, raises on one gone negative (a log row deleted that was
-- never counted) naming the repair, and deletes by ctid those that reached 0.
-- No index covers n (not even a partial one), and the tables keep free
-- space in each page (fillfactor 70), so that the many updates of a count
-- are HOT updates that write no index entries.
--
-- If a rollup is ever suspected wrong, analytics.rebuild_analytics_rollups()
-- recomputes all of them from the logs.


-- Verification counts per hour, group, status and cache hit.
create table nezuko.verification_hourly (
    hour        timestamptz not null,
    group_id    bigint,
    status      text not null,
    cached      boolean not null,
    n           bigint not null,
    latency_sum bigint not null,
    lat_lt_50   bigint not null default 0,
    lat_50_100  bigint not null default 0,
    lat_100_200 bigint not null default 0,
    lat_200_500 bigint not null default 0,
    lat_ge_500  bigint not null default 0,
    n_q1        bigint not null default 0,
    n_q2        bigint not null default 0,
    n_q3        bigint not null default 0,
    latency_sum_q1 bigint not null default 0,
    latency_sum_q2 bigint not null default 0,
    latency_sum_q3 bigint not null default 0
) with (fillfactor = 70);
create unique index verification_hourly_key on nezuko.verification_hourly
    (group_id, hour, status, cached) nulls not distinct;
comment on table nezuko.verification_hourly is 'Rollup of verification_log per UTC hour, group, status and cache hit (exact counts, kept by statement-level triggers). Read by api.get_* for group-filtered answers.';
comment on column nezuko.verification_hourly.hour is 'Start of the UTC hour (date_trunc(''hour'', timestamp, ''UTC'')).';
comment on column nezuko.verification_hourly.latency_sum is 'Sum of latency_ms, so averages are exact: latency_sum / n.';
comment on column nezuko.verification_hourly.lat_lt_50 is 'Rows with latency_ms < 50 (the dashboard''s latency distribution bands: <50, 50-100, 100-200, 200-500, >=500).';

create table nezuko.verification_hourly_all (
    hour        timestamptz not null,
    status      text not null,
    cached      boolean not null,
    n           bigint not null,
    latency_sum bigint not null,
    lat_lt_50   bigint not null default 0,
    lat_50_100  bigint not null default 0,
    lat_100_200 bigint not null default 0,
    lat_200_500 bigint not null default 0,
    lat_ge_500  bigint not null default 0,
    n_q1        bigint not null default 0,
    n_q2        bigint not null default 0,
    n_q3        bigint not null default 0,
    latency_sum_q1 bigint not null default 0,
    latency_sum_q2 bigint not null default 0,
    latency_sum_q3 bigint not null default 0,
    primary key (hour, status, cached)
) with (fillfactor = 70);
comment on table nezuko.verification_hourly_all is 'verification_hourly summed over all groups: "all groups" answers read one row per hour and key instead of one per group.';
-- Quarter hours (the first three as columns, the fourth is n minus them):
-- see "Analytics in every time zone" below.
comment on column nezuko.verification_hourly.n_q1 is 'Rows of n in the hour''s first quarter (minutes 0-14); n_q2: 15-29, n_q3: 30-44; minutes 45-59 are n - n_q1 - n_q2 - n_q3. Lets a reader cut the hour at a local day or hour boundary of any time zone.';
comment on column nezuko.verification_hourly.latency_sum_q1 is 'latency_sum of the rows in n_q1 (likewise _q2, _q3).';
comment on column nezuko.verification_hourly_all.n_q1 is 'As verification_hourly.n_q1: rows in minutes 0-14 (n_q2: 15-29, n_q3: 30-44).';
comment on column nezuko.verification_hourly_all.latency_sum_q1 is 'latency_sum of the rows in n_q1 (likewise _q2, _q3).';

-- The all-groups counts again per UTC day: a 90-day answer in UTC reads
-- ~90 x 6 rows instead of ~2,160 x 6. Whole UTC days inside a window come
-- from here, the hours around them from verification_hourly_all.
create table nezuko.verification_daily_all (
    day         timestamptz not null,
    status      text not null,
    cached      boolean not null,
    n           bigint not null,
    latency_sum bigint not null,
    lat_lt_50   bigint not null default 0,
    lat_50_100  bigint not null default 0,
    lat_100_200 bigint not null default 0,
    lat_200_500 bigint not null default 0,
    lat_ge_500  bigint not null default 0,
    primary key (day, status, cached)
) with (fillfactor = 70);
comment on table nezuko.verification_daily_all is 'verification_hourly_all summed per UTC day (day = UTC midnight), for long windows with day or coarser buckets in UTC.';

-- Latency histogram (for p95). Per group it is kept per UTC day, not per
-- hour: per hour it grew to ~4 M rows at 10 M log rows (50 groups x 2,160
-- hours x ~35 buckets) and its upserts were most of the ingest cost; per
-- day it is ~180 k rows. Per-group p95 reads whole UTC days from here and
-- the rest of the window (at most two partial days of one group) from the
-- log through idx_verification_log_group_timestamp.
create table nezuko.verification_latency_daily (
    day      timestamptz not null,
    group_id bigint,
    buckets  smallint[] not null,
    counts   bigint[] not null,
    constraint verification_latency_daily_check
        check (cardinality(buckets) = cardinality(counts) and 0 <= all (buckets) and 120 >= all (buckets))
) with (fillfactor = 70);
create unique index verification_latency_daily_key on nezuko.verification_latency_daily
    (group_id, day) nulls not distinct;
comment on table nezuko.verification_latency_daily is 'Histogram of verification_log.latency_ms per UTC day and group, buckets of analytics.latency_bucket (x1.1 wide): p95 from it is within 5 % of the exact value. counts[i] rows fell in bucket buckets[i] (ascending, buckets with rows only).';
comment on column nezuko.verification_latency_daily.buckets is 'Histogram buckets (analytics.latency_bucket, 0..120) with at least one row, ascending.';
comment on column nezuko.verification_latency_daily.counts is 'counts[i]: log rows in bucket buckets[i].';

create table nezuko.verification_latency_hourly_all (
    hour    timestamptz primary key,
    buckets smallint[] not null,
    counts  bigint[] not null,
    constraint verification_latency_hourly_all_check
        check (cardinality(buckets) = cardinality(counts) and 0 <= all (buckets) and 120 >= all (buckets))
) with (fillfactor = 70);
comment on table nezuko.verification_latency_hourly_all is 'Histogram of verification_log.latency_ms per UTC hour over all groups (buckets of analytics.latency_bucket; counts[i] rows in bucket buckets[i]).';

-- All-time verification totals per group: get_top_groups ranks groups
-- without summing every hour of every group.
create table nezuko.verification_group_totals (
    group_id bigint primary key,
    n        bigint not null,
    verified bigint not null
) with (fillfactor = 70);
comment on table nezuko.verification_group_totals is 'verification_log rows per group (rows with a group_id), all retained time: total and verified. Kept by the verification rollup trigger.';

create table nezuko.verification_latency_daily_all (
    day     timestamptz primary key,
    buckets smallint[] not null,
    counts  bigint[] not null,
    constraint verification_latency_daily_all_check
        check (cardinality(buckets) = cardinality(counts) and 0 <= all (buckets) and 120 >= all (buckets))
) with (fillfactor = 70);
comment on table nezuko.verification_latency_daily_all is 'verification_latency_hourly_all summed per UTC day: p95 per day over 90 days reads 90 rows.';

-- Bot API calls per hour, chat, method and outcome.
create table nezuko.api_call_hourly (
    hour        timestamptz not null,
    chat_id     bigint,
    method      text not null,
    success     boolean not null,
    n           bigint not null,
    latency_sum bigint not null
) with (fillfactor = 70);
create unique index api_call_hourly_key on nezuko.api_call_hourly
    (chat_id, hour, method, success) nulls not distinct;
comment on table nezuko.api_call_hourly is 'Rollup of api_call_log per UTC hour, chat, method and success. Only group and channel chats (negative ids) are kept apart; calls into private chats (positive ids, one per user) are folded into chat_id null, so the table stays small.';

create table nezuko.api_call_hourly_all (
    hour        timestamptz not null,
    method      text not null,
    success     boolean not null,
    n           bigint not null,
    latency_sum bigint not null,
    primary key (hour, method, success)
) with (fillfactor = 70);
comment on table nezuko.api_call_hourly_all is 'api_call_hourly summed over all chats.';

-- Users' first-seen times, for growth. Insert-only by design: a user stays
-- counted when retention deletes their old log rows (growth charts must not
-- shrink as logs age out), and moves earlier when a DBA backfills an older row.
create table nezuko.user_first_seen (
    user_id    bigint primary key,
    first_seen timestamptz not null,
    previous_first_seen timestamptz
);
create index user_first_seen_time on nezuko.user_first_seen (first_seen);
comment on table nezuko.user_first_seen is 'When each Telegram user first appeared in verification_log (any group). Kept by trigger; not reduced by log retention.';
comment on column nezuko.user_first_seen.previous_first_seen is 'The first_seen a backfill replaced (null if never moved). The trigger''s upsert returns it (null = a new user), so it can move the user''s count out of the old hour in one pass.';

create table nezuko.group_user_first_seen (
    group_id   bigint not null,
    user_id    bigint not null,
    first_seen timestamptz not null,
    previous_first_seen timestamptz,
    -- first_seen in the key's index: the rollup trigger's probe is an
    -- index-only scan ("Analytics performance" below).
    primary key (group_id, user_id) include (first_seen)
);
create index group_user_first_seen_time on nezuko.group_user_first_seen (group_id, first_seen);
comment on table nezuko.group_user_first_seen is 'When each user first appeared in verification_log for one group (rows with a group_id). Kept by trigger; not reduced by log retention.';

create table nezuko.new_users_hourly_all (
    hour timestamptz primary key,
    n    bigint not null
) with (fillfactor = 70);
comment on table nezuko.new_users_hourly_all is 'Users whose first_seen (user_first_seen) falls in each UTC hour: growth series without counting user_first_seen.';

create table nezuko.new_users_hourly (
    group_id bigint not null,
    hour     timestamptz not null,
    n        bigint not null,
    primary key (group_id, hour)
) with (fillfactor = 70);
comment on table nezuko.new_users_hourly is 'Per group: users whose first_seen in that group (group_user_first_seen) falls in each UTC hour.';

-- bot_status holds only each bot's current heartbeat; uptime over 7 days
-- needs history. A trigger on bot_status marks the minutes a heartbeat
-- covers (two heartbeat intervals from it, the "down" threshold).
create table nezuko.bot_alive_minutes (
    minute timestamptz primary key
);
comment on table nezuko.bot_alive_minutes is 'UTC minutes in which at least one bot had a fresh heartbeat (status not offline/error, under two heartbeat intervals old). Written by a trigger on bot_status; read by api.get_bot_health for uptime_percent.';

-- Latency histograms (the three tables above): one row per day (or hour) and group, holding the whole
-- histogram as two arrays, instead of one row per bucket.
--
-- Why: the verification rollup trigger (triggers/analytics/
-- verification_log_rollup.sql) upserts every histogram row a statement
-- touches. One row per (group, day, bucket) made a 10k-row INSERT of the
-- demo upsert ~1,760 per-group rows, ~220 hourly and ~60 daily ones (about
-- two thirds of all its rollup upserts); one row per (group, day) and per
-- hour or day makes it ~55, each merging two short arrays. The readers
-- (analytics.latency_histogram) unnest the arrays back into (bucket, n)
-- rows, and read ~35 times fewer rollup rows for a long window.
--
-- Format, the same in the three tables: buckets holds the histogram buckets
-- (analytics.latency_bucket, 0..120) that have rows, in ascending order;
-- counts[i] is the number of log rows in bucket buckets[i]. A bucket whose
-- count drops to 0 (retention deletes) is removed from both arrays, and a
-- row whose arrays become empty is deleted, so a rebuild from the log
-- (analytics.rebuild_analytics_rollups) gives exactly the rows the trigger keeps.
-- Read it with: select r.day, u.bucket, u.n from nezuko.verification_latency_daily r,
-- unnest(r.buckets, r.counts) as u(bucket, n).

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
create table nezuko.verification_latency_quarter_all (
    quarter timestamptz primary key,
    buckets smallint[] not null,
    counts  bigint[] not null,
    constraint verification_latency_quarter_all_check
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

-- Analytics performance: the index choices above (the BRIN indexes of
-- 004_logs.sql, group_user_first_seen's key) that make the two hot paths of the
-- analytics cheaper (tests/bench/README.md, "SQL analytics", has the numbers).
--
-- 1. The first partial hour of a window is read from the raw log through
--    the BRIN index on timestamp (analytics.verification_counts,
--    latency_histogram, api_call_counts). With 128 pages per range (the
--    default) one hour of rows costs 2-3 ranges, 256-384 heap pages, whatever
--    the hour holds: 14 ms on 2 M rows here. With 16 pages per range the
--    same hour read 16 pages in 0.9 ms; at 10 M rows over 90 days an hour is
--    ~60 pages, so ~80 pages are read. The index stays small (one entry per
--    16 pages: ~8,600 entries at 10 M rows).
--    autosummarize: a BRIN range that was never summarized matches every
--    query, so without it each edge-hour read also scans every page written
--    since the last VACUUM (for a busy log, up to 20 % of the table before
--    autovacuum's insert threshold). With it a full range is summarized by
--    autovacuum soon after it fills.
--    (pages_per_range = 16, autosummarize = on on the two log BRIN indexes.)
-- 2. Every INSERT into verification_log probes group_user_first_seen once
--    per distinct (group, user) of the statement, to skip pairs seen before
--    (triggers/analytics/verification_log_rollup.sql). The probe tests
--    first_seen too: with first_seen in the key's index (INCLUDE) it is an
--    index-only scan on all-visible pages, no heap fetch: 27 -> 17 ms per
--    10k-row statement here. first_seen changes only when a backfill moves
--    a user earlier (then the update is not HOT; rare).


