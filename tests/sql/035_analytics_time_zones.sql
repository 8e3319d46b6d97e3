-- Property: in every time zone, including offsets of :30 and :45 and DST
-- changes, every RPC with p_tz answers exactly what a raw scan of the log
-- in that zone answers (issue 17); and the analytics.* readers a DBA calls
-- are exact for any window, including windows that end in the past.
--
-- Random logs (timestamps to the microsecond, several statements, rows on
-- quarter-hour and local-midnight instants, null groups), then, per zone,
-- each RPC against a raw scan written here. The zones: UTC, Asia/Kolkata
-- (+05:30), Asia/Kathmandu (+05:45), America/St_Johns (-03:30/-02:30, DST),
-- Australia/Adelaide (+09:30/+10:30, DST), and one zone whose offset
-- changes inside the last 90 days (picked from a list at run time, so the
-- windows cross a DST change whatever the date; America/St_Johns's change
-- of 2026-11-01 at the time of writing).
begin;
select plan(88);

select setseed(extract(epoch from now())::numeric % 1 * 2 - 1);
select diag('seeded from the transaction time ', now()::text);

create function pg_temp.add_rows(p_n integer, p_days numeric) returns void language sql as $$
    insert into nezuko.verification_log (user_id, group_id, status, cached, latency_ms, timestamp)
    select 1 + floor(random() * 3000)::bigint,
        case when random() < 0.1 then null else -1 - floor(random() * 3)::bigint end,
        (array['verified', 'verified', 'verified', 'restricted', 'error'])[1 + floor(random() * 5)::int],
        random() < 0.8,
        floor(exp(ln(5) + 2.0 * random()) + case when random() < 0.05 then 600 else 0 end)::int,
        now() - random() * p_days * interval '1 day'
    from generate_series(1, p_n);
$$;
select pg_temp.add_rows(2500, 95);
select pg_temp.add_rows(1500, 8);
select pg_temp.add_rows(600, 1.2);
select pg_temp.add_rows(80, 0.04);
-- Rows exactly on quarter hours (every boundary a zone can have) and on
-- the local midnights of the zones under test.
insert into nezuko.verification_log (user_id, group_id, status, cached, latency_ms, timestamp)
select 5000 + i, -1 - (i % 3), case when i % 4 = 0 then 'restricted' else 'verified' end, i % 3 = 0, 7 * i % 900,
    date_trunc('hour', now(), 'UTC') - i * interval '15 minutes' - case when i % 2 = 0 then interval '0' else interval '1 microsecond' end
from generate_series(1, 700) i;
insert into nezuko.verification_log (user_id, group_id, status, cached, latency_ms, timestamp)
select 9000 + d, -2, 'verified', d % 2 = 0, 3 * d, (date_trunc('day', now() at time zone z) - d * interval '1 day') at time zone z
from unnest(array['Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Adelaide']) z,
     generate_series(0, 80) d;

-- The DST zone: the first of these whose UTC offset changes in the last 90 days.
create temp table dst on commit drop as
select z from unnest(array['America/St_Johns', 'Australia/Adelaide', 'Europe/Berlin', 'America/Santiago',
                           'Pacific/Chatham', 'Australia/Lord_Howe', 'America/New_York']) with ordinality u(z, o)
where exists (select from generate_series(now() - interval '90 days', now(), interval '1 hour') t
              where (t at time zone z) - (t at time zone 'UTC') <> ((t - interval '1 hour') at time zone z) - ((t - interval '1 hour') at time zone 'UTC'))
order by o limit 1;
select diag('zone with a DST change in the window: ', coalesce((select z from dst), 'none'));

-- p95 as the histogram reports it: the bucket of the exact nearest-rank p95.
create function pg_temp.p95(p_ms integer[]) returns numeric language sql as $$
    select case when cardinality(p_ms) = 0 then 0.0 else analytics.latency_bucket_value(analytics.latency_bucket(
        (select percentile_disc(0.95) within group (order by m) from unnest(p_ms) m))) end
$$;

create function pg_temp.check_zone(z text) returns setof text language plpgsql as $f$
begin
    return next results_eq(
        format($$select c.date, c.total, c.successful, c.failed from api.get_chart_data('90d', null, %L) c$$, z),
        format($$select d::date, count(v.status), count(*) filter (where v.status = 'verified'), count(*) filter (where v.status <> 'verified')
          from generate_series(date_trunc('day', (now() - interval '90 days') at time zone %1$L), now() at time zone %1$L, interval '1 day') d
          left join nezuko.verification_log v on date_trunc('day', v.timestamp at time zone %1$L) = d
               and v.timestamp >= now() - interval '90 days' and v.timestamp <= now()
          group by d order by d$$, z),
        z || ': chart 90d = raw scan, day by day');
    return next results_eq(
        format($$select c.date, c.total, c.successful from api.get_chart_data('7d', -2, %L) c$$, z),
        format($$select d::date, count(v.status), count(*) filter (where v.status = 'verified')
          from generate_series(date_trunc('day', (now() - interval '7 days') at time zone %1$L), now() at time zone %1$L, interval '1 day') d
          left join nezuko.verification_log v on date_trunc('day', v.timestamp at time zone %1$L) = d
               and v.timestamp >= now() - interval '7 days' and v.group_id = -2
          group by d order by d$$, z),
        z || ': chart 7d of one group = raw scan');
    return next results_eq(
        format($$select p."timestamp", p.total, p.successful, p.failed from api.get_verification_trends('7d', 'hour', null, %L) t, unnest(t.series) p$$, z),
        format($$select d at time zone %1$L, count(v.status), count(*) filter (where v.status = 'verified'), count(*) filter (where v.status <> 'verified')
          from generate_series(date_trunc('hour', (now() - interval '7 days') at time zone %1$L), now() at time zone %1$L, interval '1 hour') d
          left join nezuko.verification_log v on date_trunc('hour', v.timestamp at time zone %1$L) = d
               and v.timestamp >= now() - interval '7 days'
          group by d order by d$$, z),
        z || ': hourly trend 7d = raw scan, hour by hour');
    return next results_eq(
        format($$select p."timestamp", p.total, p.successful, (t.summary).total_verifications
                 from api.get_verification_trends('90d', 'week', -1, %L) t, unnest(t.series) p$$, z),
        format($$select d at time zone %1$L, count(v.status), count(*) filter (where v.status = 'verified'),
                 (select count(*) from nezuko.verification_log where group_id = -1 and timestamp >= now() - interval '90 days')
          from generate_series(date_trunc('week', (now() - interval '90 days') at time zone %1$L), now() at time zone %1$L, interval '1 week') d
          left join nezuko.verification_log v on date_trunc('week', v.timestamp at time zone %1$L) = d
               and v.timestamp >= now() - interval '90 days' and v.group_id = -1
          group by d order by d$$, z),
        z || ': weekly trend of one group and its summary = raw scan');
    return next results_eq(
        format($$select h.hour, h.verifications, h.restrictions from api.get_hourly_activity('30d', null, %L) h$$, z),
        format($$select h, count(v.status), count(*) filter (where v.status = 'restricted')
          from generate_series(0, 23) h
          left join nezuko.verification_log v on extract(hour from v.timestamp at time zone %1$L) = h
               and v.timestamp >= now() - interval '30 days'
          group by h order by h$$, z),
        z || ': hourly activity 30d = raw scan');
    return next results_eq(
        format($$select p.date, p.value, p.total from api.get_cache_hit_rate_trend('30d', null, %L) c, unnest(c.series) p$$, z),
        format($$select d at time zone %1$L, case when count(v.status) = 0 then 0.0 else round(100.0 * count(*) filter (where v.cached) / count(v.status), 1) end,
                 count(v.status)
          from generate_series(date_trunc('day', (now() - interval '30 days') at time zone %1$L), now() at time zone %1$L, interval '1 day') d
          left join nezuko.verification_log v on date_trunc('day', v.timestamp at time zone %1$L) = d
               and v.timestamp >= now() - interval '30 days'
          group by d order by d$$, z),
        z || ': cache hit trend 30d = raw scan');
    return next results_eq(
        format($$select p.date, p.avg_latency, p.p95_latency from api.get_latency_trend('30d', null, %L) l, unnest(l.series) p$$, z),
        format($$select d at time zone %1$L, coalesce(round(avg(v.latency_ms), 1), 0.0), pg_temp.p95(array_remove(array_agg(v.latency_ms), null))
          from generate_series(date_trunc('day', (now() - interval '30 days') at time zone %1$L), now() at time zone %1$L, interval '1 day') d
          left join nezuko.verification_log v on date_trunc('day', v.timestamp at time zone %1$L) = d
               and v.timestamp >= now() - interval '30 days'
          group by d order by d$$, z),
        z || ': latency trend 30d = raw scan (avg exact; p95 = the bucket of the exact p95)');
    return next results_eq(
        format($$select p.date, p.avg_latency, p.p95_latency from api.get_latency_trend('24h', null, %L) l, unnest(l.series) p$$, z),
        format($$select d at time zone %1$L, coalesce(round(avg(v.latency_ms), 1), 0.0), pg_temp.p95(array_remove(array_agg(v.latency_ms), null))
          from generate_series(date_trunc('hour', (now() - interval '24 hours') at time zone %1$L), now() at time zone %1$L, interval '1 hour') d
          left join nezuko.verification_log v on date_trunc('hour', v.timestamp at time zone %1$L) = d
               and v.timestamp >= now() - interval '24 hours'
          group by d order by d$$, z),
        z || ': hourly latency trend 24h = raw scan');
    return next results_eq(
        format($$select p.date, p.avg_latency, p.p95_latency from api.get_latency_trend('7d', -1, %L) l, unnest(l.series) p$$, z),
        format($$select d at time zone %1$L, coalesce(round(avg(v.latency_ms), 1), 0.0), pg_temp.p95(array_remove(array_agg(v.latency_ms), null))
          from generate_series(date_trunc('day', (now() - interval '7 days') at time zone %1$L), now() at time zone %1$L, interval '1 day') d
          left join nezuko.verification_log v on date_trunc('day', v.timestamp at time zone %1$L) = d
               and v.timestamp >= now() - interval '7 days' and v.group_id = -1
          group by d order by d$$, z),
        z || ': latency trend 7d of one group = raw scan');
    return next results_eq(
        format($$select p.date, p.new_users, p.total_users from api.get_user_growth('30d', 'day', null, %L) g, unnest(g.series) p$$, z),
        format($$with f as (select user_id, min(timestamp) t from nezuko.verification_log group by 1)
          select d::date, count(f.user_id) filter (where f.t >= now() - interval '30 days'),
                 (select count(*) from f f2 where f2.t < (d + interval '1 day') at time zone %1$L)
          from generate_series(date_trunc('day', (now() - interval '30 days') at time zone %1$L), now() at time zone %1$L, interval '1 day') d
          left join f on date_trunc('day', f.t at time zone %1$L) = d
          group by d order by d$$, z),
        z || ': user growth 30d = first-seen times from the raw log');
    return next results_eq(
        format($$select p.new_users from api.get_user_growth('7d', 'day', -3, %L) g, unnest(g.series) p$$, z),
        format($$with f as (select user_id, min(timestamp) t from nezuko.verification_log where group_id = -3 group by 1)
          select count(f.user_id) filter (where f.t >= now() - interval '7 days')
          from generate_series(date_trunc('day', (now() - interval '7 days') at time zone %1$L), now() at time zone %1$L, interval '1 day') d
          left join f on date_trunc('day', f.t at time zone %1$L) = d
          group by d order by d$$, z),
        z || ': user growth 7d of one group = raw scan');
    return next results_eq(
        format($$select s.verifications_today from api.get_dashboard_stats(null, %L) s$$, z),
        format($$select count(*) from nezuko.verification_log
          where timestamp >= date_trunc('day', now() at time zone %1$L) at time zone %1$L and timestamp <= now()$$, z),
        z || ': verifications today (since local midnight) = raw scan');
end
$f$;

select * from pg_temp.check_zone('UTC');
select * from pg_temp.check_zone('Asia/Kolkata');
select * from pg_temp.check_zone('Asia/Kathmandu');
select * from pg_temp.check_zone('America/St_Johns');
select * from pg_temp.check_zone('Australia/Adelaide');
select * from pg_temp.check_zone(coalesce((select z from dst), 'Europe/Berlin'));

-- current_rate / current_avg: the trailing hour, never 0 for lack of rows.
select results_eq(
    $$select c.current_rate, l.current_avg from api.get_cache_hit_rate_trend('7d') c, api.get_latency_trend('7d') l$$,
    $$select round(100.0 * count(*) filter (where cached) / count(*), 1), round(avg(latency_ms), 1)
      from nezuko.verification_log where timestamp >= now() - interval '1 hour' and timestamp <= now()$$,
    'current_rate and current_avg = the trailing hour from a raw scan');
-- One group whose last rows are 3 hours old: the trailing hour is empty,
-- so the last bucket with rows counts (not 0).
insert into nezuko.verification_log (user_id, group_id, status, cached, latency_ms, timestamp)
values (1, -77, 'verified', true, 40, now() - interval '3 hours'), (2, -77, 'verified', false, 80, now() - interval '3 hours'),
       (3, -77, 'verified', false, 90, now() - interval '3 hours');
select results_eq(
    $$select c.current_rate, l.current_avg from api.get_cache_hit_rate_trend('24h', -77) c, api.get_latency_trend('24h', -77) l$$,
    $$values (33.3, 70.0)$$,
    'an empty trailing hour: current_rate and current_avg are those of the last bucket with verifications');
select results_eq(
    $$select c.current_rate, l.current_avg from api.get_cache_hit_rate_trend('24h', -78) c, api.get_latency_trend('24h', -78) l$$,
    $$values (0.0, 0.0)$$,
    'no verifications in the window at all: 0');

-- The analytics.* readers, any window: 40 random windows, many ending in
-- the past, at random instants (mid-hour, on quarter hours, on the hour).
create temp table w on commit drop as
select i, least(a, b) as f, greatest(a, b) as t
from (select i, now() - random() * interval '40 days' as a,
             now() - random() * case when i % 4 = 0 then interval '2 hours' else interval '40 days' end as b
      from generate_series(1, 36) i) x
union all values (37, date_trunc('hour', now(), 'UTC') - interval '3 days', date_trunc('hour', now(), 'UTC') - interval '1 day'),
    (38, date_trunc('hour', now(), 'UTC') - interval '50 hours 10 minutes', date_trunc('hour', now(), 'UTC') - interval '2 hours 50 minutes'),
    (39, now() - interval '20 days', now() - interval '19 days 23 hours 59 minutes'),
    (40, '-infinity', now() - interval '10 days');
select results_eq(
    $$select w.i, c.status, sum(c.n)::bigint, sum(c.latency_sum)::bigint, sum(c.lat_ge_500)::bigint
      from w, analytics.verification_counts(w.f, w.t, null, w.i % 2 = 0) c group by 1, 2 having sum(c.n) <> 0 order by 1, 2$$,
    $$select w.i, v.status, count(*), sum(v.latency_ms), count(*) filter (where v.latency_ms >= 500)
      from w join nezuko.verification_log v on v.timestamp >= w.f and v.timestamp <= w.t group by 1, 2 order by 1, 2$$,
    'analytics.verification_counts = raw scan on 40 windows, past-ending ones included');
select results_eq(
    $$select w.i, c.status, sum(c.n)::bigint from w, analytics.verification_counts(w.f, w.t, -2) c
      group by 1, 2 having sum(c.n) <> 0 order by 1, 2$$,
    $$select w.i, v.status, count(*) from w join nezuko.verification_log v on v.timestamp >= w.f and v.timestamp <= w.t and v.group_id = -2
      group by 1, 2 order by 1, 2$$,
    'analytics.verification_counts of one group = raw scan on 40 windows');
select results_eq(
    $$select w.i, u.bucket, sum(u.n)::bigint from w, analytics.latency_histogram(w.f, w.t, null, w.i % 2 = 1) h,
             unnest(h.buckets, h.counts) u(bucket, n)
      group by 1, 2 having sum(u.n) <> 0 order by 1, 2$$,
    $$select w.i, analytics.latency_bucket(v.latency_ms), count(*) from w join nezuko.verification_log v on v.timestamp >= w.f and v.timestamp <= w.t
      group by 1, 2 order by 1, 2$$,
    'analytics.latency_histogram = raw scan on 40 windows');
insert into nezuko.api_call_log (method, chat_id, success, latency_ms, timestamp)
select (array['getChatMember', 'sendMessage', 'deleteMessage'])[1 + floor(random() * 3)::int],
    case when random() < 0.2 then null else -1 - floor(random() * 3)::bigint end, random() < 0.9, floor(random() * 300)::int,
    now() - random() * interval '45 days'
from generate_series(1, 3000);
select results_eq(
    $$select w.i, c.method, c.success, sum(c.n)::bigint, sum(c.latency_sum)::bigint from w, analytics.api_call_counts(w.f, w.t, null) c
      group by 1, 2, 3 having sum(c.n) <> 0 order by 1, 2, 3$$,
    $$select w.i, a.method, a.success, count(*), sum(a.latency_ms) from w join nezuko.api_call_log a on a.timestamp >= w.f and a.timestamp <= w.t
      group by 1, 2, 3 order by 1, 2, 3$$,
    'analytics.api_call_counts = raw scan on 40 windows');
-- Bucketed readers on past windows in the zones under test, DST included.
select results_eq(
    $$select w.i, z, c.bucket, sum(c.n)::bigint, sum(c.latency_sum)::bigint
      from w, unnest(array['UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Adelaide']) z,
           analytics.verification_buckets(w.f, w.t, null, case when w.i % 3 = 0 then 'hour' else 'day' end, z) c
      where w.i <= 20 group by 1, 2, 3 having sum(c.n) <> 0 order by 1, 2, 3$$,
    $$select w.i, z, date_trunc(case when w.i % 3 = 0 then 'hour' else 'day' end, v.timestamp at time zone z), count(*), sum(v.latency_ms)
      from w, unnest(array['UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Adelaide']) z,
           nezuko.verification_log v
      where w.i <= 20 and v.timestamp >= w.f and v.timestamp <= w.t group by 1, 2, 3 order by 1, 2, 3$$,
    'analytics.verification_buckets = raw scan on past windows in five zones');
select results_eq(
    $$select w.i, z, b.bucket, u.bucket, sum(u.n)::bigint
      from w, unnest(array['Asia/Kathmandu', 'Australia/Adelaide']) z,
           analytics.latency_buckets(w.f, w.t, null, case when w.i % 3 = 0 then 'hour' else 'day' end, z) b,
           unnest(b.buckets, b.counts) u(bucket, n)
      where w.i <= 12 group by 1, 2, 3, 4 having sum(u.n) <> 0 order by 1, 2, 3, 4$$,
    $$select w.i, z, date_trunc(case when w.i % 3 = 0 then 'hour' else 'day' end, v.timestamp at time zone z),
             analytics.latency_bucket(v.latency_ms), count(*)
      from w, unnest(array['Asia/Kathmandu', 'Australia/Adelaide']) z, nezuko.verification_log v
      where w.i <= 12 and v.timestamp >= w.f and v.timestamp <= w.t group by 1, 2, 3, 4 order by 1, 2, 3, 4$$,
    'analytics.latency_buckets = raw scan on past windows');
select results_eq(
    $$select w.i, z, b.bucket, u.bucket, sum(u.n)::bigint
      from w, unnest(array['UTC', 'Asia/Kathmandu', 'Australia/Adelaide']) z,
           analytics.latency_buckets(w.f, w.t, -1, case when w.i % 3 = 0 then 'hour' when w.i % 3 = 1 then 'day' else 'week' end, z) b,
           unnest(b.buckets, b.counts) u(bucket, n)
      where w.i <= 6 group by 1, 2, 3, 4 having sum(u.n) <> 0 order by 1, 2, 3, 4$$,
    $$select w.i, z, date_trunc(case when w.i % 3 = 0 then 'hour' when w.i % 3 = 1 then 'day' else 'week' end, v.timestamp at time zone z),
             analytics.latency_bucket(v.latency_ms), count(*)
      from w, unnest(array['UTC', 'Asia/Kathmandu', 'Australia/Adelaide']) z, nezuko.verification_log v
      where w.i <= 6 and v.group_id = -1 and v.timestamp >= w.f and v.timestamp <= w.t group by 1, 2, 3, 4 order by 1, 2, 3, 4$$,
    'analytics.latency_buckets of one group = raw scan on past windows (hours, days, weeks)');
-- A fixed past window across spring-forward and fall-back changes
-- (Europe/Berlin 2026-03-29 and 2026-10-25, Australia/Adelaide 2026-04-05
-- and 2026-10-04, America/St_Johns 2026-03-08 and 2026-11-01), on rows
-- placed around them.
insert into nezuko.verification_log (user_id, group_id, status, cached, latency_ms, timestamp)
select 20000 + i, -1, 'verified', i % 2 = 0, i % 700, c + (random() - 0.5) * interval '3 days'
from unnest(array[timestamptz '2026-03-29 01:00+00', '2026-10-25 01:00+00', '2026-04-04 16:30+00', '2026-10-03 16:30+00',
                  '2026-03-08 05:30+00', '2026-11-01 04:30+00']) c, generate_series(1, 400) i;
select results_eq(
    $$select z, g, c.bucket, sum(c.n)::bigint
      from unnest(array['Europe/Berlin', 'Australia/Adelaide', 'America/St_Johns']) z, unnest(array['hour', 'day']) g,
           analytics.verification_buckets('2026-03-01 10:07+00', '2026-11-05 13:51:12+00', -1, g, z) c
      group by 1, 2, 3 having sum(c.n) <> 0 order by 1, 2, 3$$,
    $$select z, g, date_trunc(g, v.timestamp at time zone z), count(*)
      from unnest(array['Europe/Berlin', 'Australia/Adelaide', 'America/St_Johns']) z, unnest(array['hour', 'day']) g,
           nezuko.verification_log v
      where v.group_id = -1 and v.timestamp >= '2026-03-01 10:07+00' and v.timestamp <= '2026-11-05 13:51:12+00'
      group by 1, 2, 3 order by 1, 2, 3$$,
    'analytics.verification_buckets across DST changes (past window) = raw scan, by hour and by day');
-- All groups, days and weeks: whole local days from the day24 rollups
-- (sql/027) with their quarter-hour and DST corrections, partial days at
-- the ends from the hours.
select results_eq(
    $$select z, g, c.bucket, sum(c.n)::bigint, sum(c.latency_sum)::bigint
      from unnest(array['Europe/Berlin', 'Australia/Adelaide', 'America/St_Johns', 'Asia/Kathmandu', 'Pacific/Chatham']) z,
           unnest(array['day', 'week']) g,
           analytics.verification_buckets('2026-03-01 10:07+00', '2026-11-05 13:51:12+00', null, g, z) c
      group by 1, 2, 3 having sum(c.n) <> 0 order by 1, 2, 3$$,
    $$select z, g, date_trunc(g, v.timestamp at time zone z), count(*), sum(v.latency_ms)
      from unnest(array['Europe/Berlin', 'Australia/Adelaide', 'America/St_Johns', 'Asia/Kathmandu', 'Pacific/Chatham']) z,
           unnest(array['day', 'week']) g, nezuko.verification_log v
      where v.timestamp >= '2026-03-01 10:07+00' and v.timestamp <= '2026-11-05 13:51:12+00'
      group by 1, 2, 3 order by 1, 2, 3$$,
    'analytics.verification_buckets, all groups, days and weeks across DST changes (past window) = raw scan');
select results_eq(
    $$select z, g, b.bucket, u.bucket, sum(u.n)::bigint
      from unnest(array['Europe/Berlin', 'Australia/Adelaide', 'America/St_Johns', 'Asia/Kathmandu', 'Pacific/Chatham']) z,
           unnest(array['day', 'week']) g,
           analytics.latency_buckets('2026-03-01 10:07+00', '2026-11-05 13:51:12+00', null, g, z) b,
           unnest(b.buckets, b.counts) u(bucket, n)
      group by 1, 2, 3, 4 having sum(u.n) <> 0 order by 1, 2, 3, 4$$,
    $$select z, g, date_trunc(g, v.timestamp at time zone z), analytics.latency_bucket(v.latency_ms), count(*)
      from unnest(array['Europe/Berlin', 'Australia/Adelaide', 'America/St_Johns', 'Asia/Kathmandu', 'Pacific/Chatham']) z,
           unnest(array['day', 'week']) g, nezuko.verification_log v
      where v.timestamp >= '2026-03-01 10:07+00' and v.timestamp <= '2026-11-05 13:51:12+00'
      group by 1, 2, 3, 4 order by 1, 2, 3, 4$$,
    'analytics.latency_buckets, all groups, days and weeks across DST changes (past window) = raw scan');

-- Half hours not yet folded into the day24 rows (sql/017): rows after now()
-- stay pending here (this transaction's now() never reaches their half
-- hours), and the readers add them to the day24 rows they read.
insert into nezuko.verification_log (user_id, group_id, status, cached, latency_ms, timestamp)
select 1 + floor(random() * 3000)::bigint, -1 - floor(random() * 3)::bigint,
    (array['verified', 'restricted'])[1 + floor(random() * 2)::int], random() < 0.5,
    floor(exp(ln(5) + 2.0 * random()))::int, now() + random() * interval '3 days'
from generate_series(1, 800);
select ok((select count(*) from nezuko.verification_day24_pending where half >= date_bin('30 minutes', now(), timestamptz '2000-01-01 00:00:00+00')) > 0
          and (select count(*) from nezuko.verification_latency_day24_pending) > 0
          and not exists (select from nezuko.verification_day24_pending
                          where half < date_bin('30 minutes', now(), timestamptz '2000-01-01 00:00:00+00')),
    'rows of later half hours wait in the pending tables; ended half hours are folded');
create temp table wp on commit drop as
select * from (values (1, now() - interval '6 days', now() + interval '4 days'),
                      (2, now() - interval '1 day' + interval '7 hours 13 minutes', now() + interval '3 days 5 hours')) x(i, f, t);
select results_eq(
    $$select w.i, z, c.bucket, sum(c.n)::bigint, sum(c.latency_sum)::bigint
      from wp w, unnest(array['UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Adelaide']) z,
           analytics.verification_buckets(w.f, w.t, null, 'day', z) c
      group by 1, 2, 3 having sum(c.n) <> 0 order by 1, 2, 3$$,
    $$select w.i, z, date_trunc('day', v.timestamp at time zone z), count(*), sum(v.latency_ms)
      from wp w, unnest(array['UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Adelaide']) z,
           nezuko.verification_log v
      where v.timestamp >= w.f and v.timestamp <= w.t group by 1, 2, 3 order by 1, 2, 3$$,
    'analytics.verification_buckets = raw scan with half hours pending, days in five zones');
select results_eq(
    $$select w.i, z, g, b.bucket, u.bucket, sum(u.n)::bigint
      from wp w, unnest(array['UTC', 'Asia/Kolkata', 'Asia/Kathmandu']) z, unnest(array['day', 'week']) g,
           analytics.latency_buckets(w.f, w.t, null, g, z) b, unnest(b.buckets, b.counts) u(bucket, n)
      group by 1, 2, 3, 4, 5 having sum(u.n) <> 0 order by 1, 2, 3, 4, 5$$,
    $$select w.i, z, g, date_trunc(g, v.timestamp at time zone z), analytics.latency_bucket(v.latency_ms), count(*)
      from wp w, unnest(array['UTC', 'Asia/Kolkata', 'Asia/Kathmandu']) z, unnest(array['day', 'week']) g,
           nezuko.verification_log v
      where v.timestamp >= w.f and v.timestamp <= w.t group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5$$,
    'analytics.latency_buckets = raw scan with half hours pending, days and weeks in three zones');

select * from finish();
rollback;
