-- Issue 17: verification counts per UTC day and group, as
-- verification_daily_all keeps them for all groups.
--
-- Why: one group's counts over a long window read verification_hourly, one
-- row per hour, status and cache hit: get_chart_data('90d', <group>) read
-- ~11,700 rows scattered over the table's pages (each page holds the hours
-- of every group, written as they came) and sorted them, 7-8 ms at 10 M
-- rows, the slowest one-group RPC. Whole UTC days inside the window now
-- come from here (~90 x 6 rows), the hours around them from
-- verification_hourly, as for all groups (analytics.verification_counts
-- with p_daily).
--
-- Cost at ingest: one more grouped upsert per statement, ~50 groups x 6
-- rows per UTC day a 10k-row statement of the demo touches (~300), against
-- ~1,500 it does already.
create table nezuko.verification_daily (
    day         timestamptz not null,
    group_id    bigint,
    status      text not null,
    cached      boolean not null,
    n           bigint not null,
    latency_sum bigint not null,
    lat_lt_50   bigint not null default 0,
    lat_50_100  bigint not null default 0,
    lat_100_200 bigint not null default 0,
    lat_200_500 bigint not null default 0,
    lat_ge_500  bigint not null default 0
) with (fillfactor = 70);
create unique index verification_daily_key on nezuko.verification_daily
    (group_id, day, status, cached) nulls not distinct;
comment on table nezuko.verification_daily is 'verification_hourly summed per UTC day (day = UTC midnight) and group: one group''s long windows with day or coarser buckets in UTC (sql/016).';

-- The rollup triggers run as whoever inserts into the logs.
grant select, insert, update, delete on nezuko.verification_daily to nezuko_bridge;

-- Existing logs: from the hourly rollup (no log scan), in reader order.
insert into nezuko.verification_daily
select date_trunc('day', hour, 'UTC'), group_id, status, cached, sum(n), sum(latency_sum), sum(lat_lt_50),
    sum(lat_50_100), sum(lat_100_200), sum(lat_200_500), sum(lat_ge_500)
from nezuko.verification_hourly
group by 1, 2, 3, 4
order by 2, 1, 3, 4;
