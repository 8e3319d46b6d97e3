-- The day24 rollups (sql/009, 013, 015) are folded once per half hour, not
-- once per statement.
--
-- Why: each verification_log statement added its rows to the 48 day24 count
-- rows and the 48 day24 latency histograms whose 24 hours hold them (one
-- for every half hour that starts a day24 row): 0.6-2 ms per statement however
-- few its rows. A one-row INSERT took 1.6 ms against 1.0 ms after this
-- migration (pgbench, interleaved), and the bot's hit path, which writes one
-- statement per batch of updates, lost throughput (tests/bench/results/bot.md).
--
-- Now a statement adds its rows to one pending row per half hour, status
-- and cache hit here (and one pending histogram per half hour), and the
-- first statement of a later half hour folds the pending halves that have
-- ended into the day24 tables (triggers/analytics/verification_log_rollup.sql).
-- The readers add the pending halves that fall
-- inside the day24 rows they read (analytics.verification_buckets,
-- analytics.latency_buckets): day24 + pending is exactly what the day24
-- rows held before.
create table nezuko.verification_day24_pending (
    half        timestamptz not null,
    status      text not null,
    cached      boolean not null,
    n           bigint not null,
    latency_sum bigint not null,
    primary key (half, status, cached)
);
comment on table nezuko.verification_day24_pending is 'verification_log rows of the half hour [half, half + 30 min) not yet added to verification_day24_all (sql/017): the half hours since the last fold, read by the day24 readers beside it.';

create table nezuko.verification_latency_day24_pending (
    half    timestamptz primary key,
    buckets smallint[] not null,
    counts  bigint[] not null,
    check (cardinality(buckets) = cardinality(counts) and 0 <= all (buckets) and 120 >= all (buckets))
);
comment on table nezuko.verification_latency_day24_pending is 'Latency histogram (format of sql/012) of the verification_log rows of the half hour [half, half + 30 min) not yet added to verification_latency_day24_all (sql/017).';

-- The rollup triggers run as whoever inserts into the logs.
grant select, insert, update, delete on nezuko.verification_day24_pending,
    nezuko.verification_latency_day24_pending to nezuko_bridge;
