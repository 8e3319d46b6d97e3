-- Issue 17 ("Faster"): the analytics readers read the raw log rows of a
-- window's partial first hour (up to half an hour of the log), the rows
-- after its end in its hour, and the trailing hour of current_* by the
-- btree on timestamp (sql/011). An index scan fetched every such row from
-- the heap: 2,826 rows took 4.1 ms of a 14 ms get_latency_trend('24h', null,
-- 'Asia/Kolkata') at 10 M rows, and an RPC reads them up to four times
-- (its counts, its histograms, current_*), so its cost swung with the minute
-- of the hour the window starts at. With the columns the readers use in the
-- index (verification_log: group_id, status, cached, latency_ms;
-- api_call_log: chat_id, method, success, latency_ms) these are index-only
-- scans (the same 2,052 rows: 0.8 ms, heap fetches 0 once vacuum has marked
-- the pages all-visible, which autovacuum does for insert-only tables).
--
-- Cost: space (at 10 M rows, built fresh: 472 MB against 214 MB for the
-- timestamp alone on verification_log, 562 MB on api_call_log) and wider
-- index entries on ingest; rows arrive in time order, so they still go to
-- the index's right edge. Measured with the bench (tests/bench/results/sql.md).
--
-- Deploying on a large log: CREATE INDEX here holds a lock that blocks
-- writes to the log while it builds (minutes at tens of millions of rows).
-- Build both indexes first, by hand, without it:
--   create index concurrently if not exists verification_log_time_covering on nezuko.verification_log
--       (timestamp) include (group_id, status, cached, latency_ms);
--   create index concurrently if not exists api_call_log_time_covering on nezuko.api_call_log
--       (timestamp) include (chat_id, method, success, latency_ms);
-- and this migration then only drops the indexes of sql/011.
create index if not exists verification_log_time_covering on nezuko.verification_log
    (timestamp) include (group_id, status, cached, latency_ms);
comment on index nezuko.verification_log_time_covering is
    'Raw rows of a time range for the analytics readers (a window''s partial first hour, rows after its end, current_*), index-only, and retention (oldest first); sql/014.';
drop index if exists nezuko.verification_log_timestamp;
create index if not exists api_call_log_time_covering on nezuko.api_call_log
    (timestamp) include (chat_id, method, success, latency_ms);
comment on index nezuko.api_call_log_time_covering is
    'Raw rows of a time range for the analytics readers, index-only, and retention (oldest first); sql/014.';
drop index if exists nezuko.api_call_log_timestamp;
