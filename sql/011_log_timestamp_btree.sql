-- Issue 17 ("Faster"): the raw log rows the analytics readers read (the
-- window's first partial hour, the rows after p_to in its hour, the
-- trailing hour of current_*) are found by a btree on timestamp instead of
-- the BRIN indexes of 004_logs.sql.
--
-- Why: a BRIN index scan reads the whole index, whatever range it asks
-- for: at 10 M rows (16 pages per range) each probe was ~1-1.5 ms here, an
-- empty one (the rows after now) as dear as a full one, and an RPC makes
-- 2 to 8 of them (edges of the window, nested readers, current_*). So the
-- cost of every RPC grew with the log (5x the probes' cost at 50 M rows),
-- which issue 17 rules out. A btree probe costs a few page reads at any
-- size (an empty one ~0.01 ms), and reads only the rows in range, not
-- whole 16-page ranges to recheck. Retention (bot.prune_logs_batch: the
-- oldest rows first) walks the same index from its low end.
--
-- Cost: space (~21 bytes a row, ~210 MB per 10 M rows against ~0.5 MB of
-- BRIN) and one more index entry per inserted row; rows arrive in time
-- order, so the entries go to the index's right edge, into hot pages.
-- Measured with the bench (tests/bench/results/sql.md).
--
-- Deploying on a large log: CREATE INDEX here holds a lock that blocks
-- writes to the log (intake's decisions) while it builds, minutes at tens
-- of millions of rows. Build both indexes first, by hand, without it:
--   create index concurrently if not exists verification_log_timestamp on nezuko.verification_log (timestamp);
--   create index concurrently if not exists api_call_log_timestamp on nezuko.api_call_log (timestamp);
-- and this migration then only drops the BRIN indexes.
drop index if exists nezuko.verification_log_timestamp_brin;
create index if not exists verification_log_timestamp on nezuko.verification_log (timestamp);
comment on index nezuko.verification_log_timestamp is
    'Raw rows of a time range for the analytics readers (a window''s partial first hour, rows after its end) and retention (oldest first); sql/011.';
drop index if exists nezuko.api_call_log_timestamp_brin;
create index if not exists api_call_log_timestamp on nezuko.api_call_log (timestamp);
comment on index nezuko.api_call_log_timestamp is
    'Raw rows of a time range for the analytics readers and retention (oldest first); sql/011.';
