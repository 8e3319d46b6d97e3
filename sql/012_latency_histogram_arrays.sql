-- Latency histograms: one row per day (or hour) and group, holding the whole
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
-- (nezuko.latency_bucket, 0..120) that have rows, in ascending order;
-- counts[i] is the number of log rows in bucket buckets[i]. A bucket whose
-- count drops to 0 (retention deletes) is removed from both arrays, and a
-- row whose arrays become empty is deleted, so a rebuild from the log
-- (nezuko.rebuild_analytics_rollups) gives exactly the rows the trigger keeps.
-- Read it with: select r.day, u.bucket, u.n from nezuko.verification_latency_daily r,
-- unnest(r.buckets, r.counts) as u(bucket, n).

create table nezuko.verification_latency_daily_new (
    day      timestamptz not null,
    group_id bigint,
    buckets  smallint[] not null,
    counts   bigint[] not null,
    check (cardinality(buckets) = cardinality(counts) and 0 <= all (buckets) and 120 >= all (buckets))
) with (fillfactor = 70);
insert into nezuko.verification_latency_daily_new
select day, group_id, array_agg(bucket order by bucket), array_agg(n order by bucket)
from nezuko.verification_latency_daily group by 1, 2;
drop table nezuko.verification_latency_daily;
alter table nezuko.verification_latency_daily_new rename to verification_latency_daily;
create unique index verification_latency_daily_key on nezuko.verification_latency_daily
    (group_id, day) nulls not distinct;
comment on table nezuko.verification_latency_daily is 'Histogram of verification_log.latency_ms per UTC day and group, buckets of nezuko.latency_bucket (x1.1 wide): p95 from it is within 5 % of the exact value. counts[i] rows fell in bucket buckets[i] (ascending, buckets with rows only).';
comment on column nezuko.verification_latency_daily.buckets is 'Histogram buckets (nezuko.latency_bucket, 0..120) with at least one row, ascending.';
comment on column nezuko.verification_latency_daily.counts is 'counts[i]: log rows in bucket buckets[i].';

create table nezuko.verification_latency_hourly_all_new (
    hour    timestamptz primary key,
    buckets smallint[] not null,
    counts  bigint[] not null,
    check (cardinality(buckets) = cardinality(counts) and 0 <= all (buckets) and 120 >= all (buckets))
) with (fillfactor = 70);
insert into nezuko.verification_latency_hourly_all_new
select hour, array_agg(bucket order by bucket), array_agg(n order by bucket)
from nezuko.verification_latency_hourly_all group by 1;
drop table nezuko.verification_latency_hourly_all;
alter table nezuko.verification_latency_hourly_all_new rename to verification_latency_hourly_all;
alter index nezuko.verification_latency_hourly_all_new_pkey rename to verification_latency_hourly_all_pkey;
comment on table nezuko.verification_latency_hourly_all is 'Histogram of verification_log.latency_ms per UTC hour over all groups (buckets of nezuko.latency_bucket; counts[i] rows in bucket buckets[i]).';

create table nezuko.verification_latency_daily_all_new (
    day     timestamptz primary key,
    buckets smallint[] not null,
    counts  bigint[] not null,
    check (cardinality(buckets) = cardinality(counts) and 0 <= all (buckets) and 120 >= all (buckets))
) with (fillfactor = 70);
insert into nezuko.verification_latency_daily_all_new
select day, array_agg(bucket order by bucket), array_agg(n order by bucket)
from nezuko.verification_latency_daily_all group by 1;
drop table nezuko.verification_latency_daily_all;
alter table nezuko.verification_latency_daily_all_new rename to verification_latency_daily_all;
alter index nezuko.verification_latency_daily_all_new_pkey rename to verification_latency_daily_all_pkey;
comment on table nezuko.verification_latency_daily_all is 'verification_latency_hourly_all summed per UTC day: p95 per day over 90 days reads 90 rows.';

-- The repair tool, as in 008_analytics_rollups.sql, writing the histograms
-- in the array form above.
create or replace function nezuko.rebuild_analytics_rollups() returns void
language plpgsql set jit = off as $$
begin
    lock table nezuko.verification_log, nezuko.api_call_log in share mode;
    truncate nezuko.verification_hourly, nezuko.verification_hourly_all,
        nezuko.verification_latency_daily, nezuko.verification_latency_hourly_all,
        nezuko.api_call_hourly, nezuko.api_call_hourly_all, nezuko.verification_group_totals,
        nezuko.verification_daily_all, nezuko.verification_latency_daily_all;
    insert into nezuko.verification_hourly
    select date_trunc('hour', timestamp, 'UTC'), group_id, status, cached, count(*), sum(latency_ms),
        count(*) filter (where latency_ms < 50), count(*) filter (where latency_ms >= 50 and latency_ms < 100),
        count(*) filter (where latency_ms >= 100 and latency_ms < 200),
        count(*) filter (where latency_ms >= 200 and latency_ms < 500), count(*) filter (where latency_ms >= 500)
    from nezuko.verification_log group by 1, 2, 3, 4;
    insert into nezuko.verification_hourly_all
    select hour, status, cached, sum(n), sum(latency_sum), sum(lat_lt_50), sum(lat_50_100), sum(lat_100_200),
        sum(lat_200_500), sum(lat_ge_500)
    from nezuko.verification_hourly group by 1, 2, 3;
    insert into nezuko.verification_group_totals
    select group_id, sum(n), coalesce(sum(n) filter (where status = 'verified'), 0)
    from nezuko.verification_hourly where group_id is not null group by 1;
    insert into nezuko.verification_latency_hourly_all
    select hour, array_agg(bucket order by bucket), array_agg(n order by bucket)
    from (select date_trunc('hour', timestamp, 'UTC') as hour, nezuko.latency_bucket(latency_ms) as bucket, count(*) as n
          from nezuko.verification_log group by 1, 2) x
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
end
$$;
comment on function nezuko.rebuild_analytics_rollups() is
    'Recomputes every analytics rollup from verification_log and api_call_log (locks the logs against writes meanwhile). First-seen times are kept and only moved earlier.';
