-- analytics.rebuild_analytics_rollups: recompute every rollup of
-- sql/005_analytics.sql from the logs (a repair tool for DBAs, owner only;
-- also used by the tests to compare against the incremental maintenance).
-- Each rollup is written in the order its readers scan it: in time order,
-- and the per-group ones (verification_hourly, verification_daily,
-- verification_latency_daily)
-- by group, then time. Rows written in hash-aggregate order scattered one
-- group's hours, or all groups' hour, over the whole table (correlation of
-- verification_hourly_all.hour -0.003 after a rebuild of the 10 M-row bench
-- database): get_chart_data 90d for one group took 22.5 ms after such a
-- rebuild, 10 after this one (7 on the rollups the triggers wrote),
-- get_latency_trend 90d Asia/Kolkata 10.7 against 6.7 (pgbench -T 4).
create function analytics.rebuild_analytics_rollups() returns void
language plpgsql set jit = off as $$
begin
    lock table nezuko.verification_log, nezuko.api_call_log in share mode;
    truncate nezuko.verification_hourly, nezuko.verification_hourly_all,
        nezuko.verification_latency_daily, nezuko.verification_latency_hourly_all,
        nezuko.api_call_hourly, nezuko.api_call_hourly_all, nezuko.verification_group_totals,
        nezuko.verification_daily_all, nezuko.verification_daily, nezuko.verification_latency_daily_all,
        nezuko.verification_latency_quarter_all, nezuko.verification_day24_all,
        nezuko.verification_latency_day24_all, nezuko.verification_day24_pending,
        nezuko.verification_latency_day24_pending;
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
    from nezuko.verification_log group by 1, 2, 3, 4 order by 2, 1, 3, 4;
    insert into nezuko.verification_hourly_all (hour, status, cached, n, latency_sum, lat_lt_50, lat_50_100,
        lat_100_200, lat_200_500, lat_ge_500, n_q1, n_q2, n_q3, latency_sum_q1, latency_sum_q2, latency_sum_q3)
    select hour, status, cached, sum(n), sum(latency_sum), sum(lat_lt_50), sum(lat_50_100), sum(lat_100_200),
        sum(lat_200_500), sum(lat_ge_500), sum(n_q1), sum(n_q2), sum(n_q3), sum(latency_sum_q1),
        sum(latency_sum_q2), sum(latency_sum_q3)
    from nezuko.verification_hourly group by 1, 2, 3 order by 1, 2, 3;
    insert into nezuko.verification_daily
    select date_trunc('day', hour, 'UTC'), group_id, status, cached, sum(n), sum(latency_sum), sum(lat_lt_50),
        sum(lat_50_100), sum(lat_100_200), sum(lat_200_500), sum(lat_ge_500)
    from nezuko.verification_hourly group by 1, 2, 3, 4 order by 2, 1, 3, 4;
    insert into nezuko.verification_group_totals
    select group_id, sum(n), coalesce(sum(n) filter (where status = 'verified'), 0)
    from nezuko.verification_hourly where group_id is not null group by 1;
    insert into nezuko.verification_latency_quarter_all
    select quarter, array_agg(bucket order by bucket), array_agg(n order by bucket)
    from (select date_bin('15 minutes', timestamp, timestamptz '2000-01-01 00:00:00+00') as quarter,
                 analytics.latency_bucket(latency_ms) as bucket, count(*) as n
          from nezuko.verification_log group by 1, 2) x
    group by 1 order by 1;
    insert into nezuko.verification_latency_hourly_all
    select hour, array_agg(bucket order by bucket), array_agg(n order by bucket)
    from (select date_trunc('hour', r.quarter, 'UTC') as hour, u.bucket, sum(u.n)::bigint as n
          from nezuko.verification_latency_quarter_all r, unnest(r.buckets, r.counts) as u(bucket, n)
          group by 1, 2) x
    group by 1 order by 1;
    insert into nezuko.verification_latency_daily
    select day, group_id, array_agg(bucket order by bucket), array_agg(n order by bucket)
    from (select date_trunc('day', timestamp, 'UTC') as day, group_id, analytics.latency_bucket(latency_ms) as bucket,
                 count(*) as n
          from nezuko.verification_log group by 1, 2, 3) x
    group by 1, 2 order by 2, 1;
    insert into nezuko.verification_daily_all
    select date_trunc('day', hour, 'UTC'), status, cached, sum(n), sum(latency_sum), sum(lat_lt_50), sum(lat_50_100),
        sum(lat_100_200), sum(lat_200_500), sum(lat_ge_500)
    from nezuko.verification_hourly_all group by 1, 2, 3 order by 1, 2, 3;
    insert into nezuko.verification_latency_daily_all
    select day, array_agg(bucket order by bucket), array_agg(n order by bucket)
    from (select date_trunc('day', r.hour, 'UTC') as day, u.bucket, sum(u.n)::bigint as n
          from nezuko.verification_latency_hourly_all r, unnest(r.buckets, r.counts) as u(bucket, n)
          group by 1, 2) x
    group by 1 order by 1;
    -- Every 24 hours from each UTC half hour (sql/009, sql/015), from the
    -- hourly rollups (a half hour: the first two quarters, or the rest).
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
    where x.n <> 0
    group by 1, 2, 3 order by 1, 2, 3;
    -- The latency ones from every half hour (sql/013), from the quarters.
    insert into nezuko.verification_latency_day24_all (day_start, buckets, counts)
    select day_start, array_agg(bucket order by bucket), array_agg(n order by bucket)
    from (select h.half - k * interval '30 minutes' as day_start, h.bucket, sum(h.n)::bigint as n
          from (select date_bin('30 minutes', r.quarter, timestamptz '2000-01-01 00:00:00+00') as half,
                       u.bucket, sum(u.n)::bigint as n
                from nezuko.verification_latency_quarter_all r, unnest(r.buckets, r.counts) as u(bucket, n)
                group by 1, 2) h,
               generate_series(0, 47) k
          group by 1, 2) x
    group by 1 order by 1;
    insert into nezuko.api_call_hourly
    select date_trunc('hour', timestamp, 'UTC'), case when chat_id < 0 then chat_id end, method, success,
        count(*), sum(latency_ms)
    from nezuko.api_call_log group by 1, 2, 3, 4 order by 1, 2, 3, 4;
    insert into nezuko.api_call_hourly_all
    select hour, method, success, sum(n), sum(latency_sum) from nezuko.api_call_hourly group by 1, 2, 3 order by 1, 2, 3;
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
    select date_trunc('hour', first_seen, 'UTC'), count(*) from nezuko.user_first_seen group by 1 order by 1;
    insert into nezuko.new_users_hourly
    select group_id, date_trunc('hour', first_seen, 'UTC'), count(*) from nezuko.group_user_first_seen group by 1, 2 order by 2, 1;
    truncate nezuko.new_users_daily_all, nezuko.new_users_daily;
    insert into nezuko.new_users_daily_all
    select date_trunc('day', hour, 'UTC'), sum(n) from nezuko.new_users_hourly_all group by 1 order by 1;
    insert into nezuko.new_users_daily
    select group_id, date_trunc('day', hour, 'UTC'), sum(n) from nezuko.new_users_hourly group by 1, 2 order by 2, 1;
end
$$;
comment on function analytics.rebuild_analytics_rollups() is
    'Recomputes every analytics rollup from verification_log and api_call_log (locks the logs against writes meanwhile). First-seen times are kept and only moved earlier.';
