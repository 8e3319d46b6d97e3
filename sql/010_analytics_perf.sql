-- Analytics performance: indexes that make the two hot paths of the
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
drop index nezuko.verification_log_timestamp_brin;
create index verification_log_timestamp_brin on nezuko.verification_log using brin (timestamp)
    with (pages_per_range = 16, autosummarize = on);
drop index nezuko.api_call_log_timestamp_brin;
create index api_call_log_timestamp_brin on nezuko.api_call_log using brin (timestamp)
    with (pages_per_range = 16, autosummarize = on);

-- 2. Every INSERT into verification_log probes group_user_first_seen once
--    per distinct (group, user) of the statement, to skip pairs seen before
--    (triggers/analytics/verification_log_rollup.sql). The probe tests
--    first_seen too: with first_seen in the key's index (INCLUDE) it is an
--    index-only scan on all-visible pages, no heap fetch: 27 -> 17 ms per
--    10k-row statement here. first_seen changes only when a backfill moves
--    a user earlier (then the update is not HOT; rare).
create unique index group_user_first_seen_key on nezuko.group_user_first_seen (group_id, user_id)
    include (first_seen);
alter table nezuko.group_user_first_seen drop constraint group_user_first_seen_pkey,
    add constraint group_user_first_seen_pkey primary key using index group_user_first_seen_key;
