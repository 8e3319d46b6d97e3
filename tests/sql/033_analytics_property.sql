-- Property: over random logs written in several statements (in time order,
-- backfilled out of order, null groups, private chats), every rollup-based
-- answer equals a straightforward raw-scan query over the log written here,
-- and still does after retention deletes, random deletes and UPDATEs;
-- and the incrementally kept rollups equal a rebuild from scratch.
begin;
select plan(42);

select setseed(extract(epoch from now())::numeric % 1 * 2 - 1);
select diag('seeded from the transaction time ', now()::text);

-- Random logs: groups -1..-4 and null, 400 users, 100 days, log-normal-ish latencies.
create function pg_temp.add_rows(p_n integer, p_days numeric) returns void language sql as $$
    insert into nezuko.verification_log (user_id, group_id, status, cached, latency_ms, timestamp)
    select 1 + floor(random() * 400)::bigint,
        case when random() < 0.1 then null else -1 - floor(random() * 4)::bigint end,
        (array['verified', 'verified', 'verified', 'restricted', 'error'])[1 + floor(random() * 5)::int],
        random() < 0.8,
        floor(exp(ln(5) + 2.0 * random()) + case when random() < 0.05 then 600 else 0 end)::int,
        now() - random() * p_days * interval '1 day'
    from generate_series(1, p_n);
    insert into nezuko.api_call_log (method, chat_id, success, latency_ms, timestamp)
    select (array['getChatMember', 'sendMessage', 'restrictChatMember', 'deleteMessage'])[1 + floor(random() * 4)::int],
        case when random() < 0.2 then 100 + floor(random() * 50)::bigint when random() < 0.1 then null
             else -1 - floor(random() * 4)::bigint end,
        random() < 0.95, floor(random() * 300)::int, now() - random() * p_days * interval '1 day'
    from generate_series(1, p_n / 2);
$$;
select pg_temp.add_rows(1500, 100);
select pg_temp.add_rows(700, 30);
select pg_temp.add_rows(300, 1.5);
select pg_temp.add_rows(50, 0.05);
-- A backfill: old rows arriving late, newest first.
insert into nezuko.verification_log (user_id, group_id, status, cached, latency_ms, timestamp)
select 1 + (i % 450), -1 - (i % 4), 'verified', false, i % 700, now() - (120 - i * 0.1) * interval '1 day'
from generate_series(1, 400) i order by i desc;

create function pg_temp.check_all(p_when text) returns setof text language plpgsql as $f$
begin
    return next results_eq(
        $$select p, g, d.verified, d.restricted, d.error, d.total
          from unnest(array['24h', '7d', '30d', '90d']) p, unnest(array[null, -1, -2, -4]::bigint[]) g,
               api.get_verification_distribution(p, g) d order by 1, 2$$,
        $$select p, g, count(*) filter (where v.status = 'verified'), count(*) filter (where v.status = 'restricted'),
                 count(*) filter (where v.status = 'error'), count(v.status)
          from unnest(array['24h', '7d', '30d', '90d']) p cross join unnest(array[null, -1, -2, -4]::bigint[]) g
          left join nezuko.verification_log v on v.timestamp >= now() - analytics.period(p) and v.timestamp <= now()
               and (g is null or v.group_id = g)
          group by 1, 2 order by 1, 2$$,
        p_when || ': distribution = raw scan, every period and group');
    return next results_eq(
        $$select p, c.cached, c.api, c.hit_rate from unnest(array['24h', '7d', '90d']) p, api.get_cache_breakdown(p, -3) c order by 1$$,
        $$select p, count(*) filter (where v.cached), count(*) filter (where not v.cached),
                 case when count(v.status) = 0 then 0.0 else round(100.0 * count(*) filter (where v.cached) / count(v.status), 1) end
          from unnest(array['24h', '7d', '90d']) p
          left join nezuko.verification_log v on v.timestamp >= now() - analytics.period(p) and v.group_id = -3
          group by 1 order by 1$$,
        p_when || ': cache breakdown = raw scan');
    return next results_eq(
        $$select l.bucket, l.count from api.get_latency_distribution('30d') l order by l.sort_order$$,
        $$select b, count(v.latency_ms) from (values (1, '<50ms', 0, 50), (2, '50-100ms', 50, 100), (3, '100-200ms', 100, 200),
                 (4, '200-500ms', 200, 500), (5, '>500ms', 500, 2147483647)) x(i, b, lo, hi)
          left join nezuko.verification_log v on v.latency_ms >= lo and v.latency_ms < hi and v.timestamp >= now() - interval '30 days'
          group by i, b order by i$$,
        p_when || ': latency bands = raw scan');
    return next results_eq(
        $$select c.date, c.total, c.successful, c.failed from api.get_chart_data('30d') c$$,
        $$select d::date, count(v.status), count(*) filter (where v.status = 'verified'), count(*) filter (where v.status <> 'verified')
          from generate_series(date_trunc('day', now() - interval '30 days', 'UTC'), now(), interval '1 day') d
          left join nezuko.verification_log v on date_trunc('day', v.timestamp, 'UTC') = d
               and v.timestamp >= now() - interval '30 days' and v.timestamp <= now()
          group by d order by d$$,
        p_when || ': chart 30d = raw scan, day by day');
    return next results_eq(
        $$select c.date, c.total from api.get_chart_data('7d', -2, 'America/Los_Angeles') c$$,
        $$select d::date, count(v.status)
          from generate_series(date_trunc('day', (now() - interval '7 days') at time zone 'America/Los_Angeles'),
                               now() at time zone 'America/Los_Angeles', interval '1 day') d
          left join nezuko.verification_log v on date_trunc('day', v.timestamp at time zone 'America/Los_Angeles') = d
               and v.timestamp >= now() - interval '7 days' and v.group_id = -2
          group by d order by d$$,
        p_when || ': chart in America/Los_Angeles for one group = raw scan');
    return next results_eq(
        $$select p."timestamp", p.total, p.successful from api.get_verification_trends('90d', 'week', -1) t, unnest(t.series) p$$,
        $$select d at time zone 'UTC', count(v.status), count(*) filter (where v.status = 'verified')
          from generate_series(date_trunc('week', (now() - interval '90 days') at time zone 'UTC'), now() at time zone 'UTC', interval '1 week') d
          left join nezuko.verification_log v on date_trunc('week', v.timestamp at time zone 'UTC') = d
               and v.timestamp >= now() - interval '90 days' and v.group_id = -1
          group by d order by d$$,
        p_when || ': weekly trend = raw scan');
    return next results_eq(
        $$select p."timestamp", p.total from api.get_verification_trends('24h', 'hour') t, unnest(t.series) p$$,
        $$select d, count(v.status)
          from generate_series(date_trunc('hour', now() - interval '24 hours', 'UTC'), now(), interval '1 hour') d
          left join nezuko.verification_log v on date_trunc('hour', v.timestamp, 'UTC') = d and v.timestamp >= now() - interval '24 hours'
          group by d order by d$$,
        p_when || ': hourly trend 24h = raw scan (partial first hour included)');
    return next results_eq(
        $$select h.hour, h.verifications, h.restrictions from api.get_hourly_activity('7d', null, 'Asia/Tokyo') h$$,
        $$select h, count(v.status), count(*) filter (where v.status = 'restricted')
          from generate_series(0, 23) h
          left join nezuko.verification_log v on extract(hour from v.timestamp at time zone 'Asia/Tokyo') = h
               and v.timestamp >= now() - interval '7 days'
          group by h order by h$$,
        p_when || ': hourly activity in Asia/Tokyo = raw scan');
    return next results_eq(
        $$select t.group_id, t.verifications, t.success_rate from api.get_top_groups(3) t$$,
        $$select group_id, count(*), round(100.0 * count(*) filter (where status = 'verified') / count(*), 1)
          from nezuko.verification_log where group_id is not null group by 1 order by 2 desc, 1 limit 3$$,
        p_when || ': top groups = raw scan');
    return next results_eq(
        $$select a.method, a.count, a.percentage from api.get_api_calls_distribution('30d') a$$,
        $$select method, count(*), round(100.0 * count(*) / sum(count(*)) over (), 1)
          from nezuko.api_call_log where timestamp >= now() - interval '30 days' group by 1 order by 2 desc, 1$$,
        p_when || ': API calls by method = raw scan');
    return next results_eq(
        $$select a.method, a.count from api.get_api_calls_distribution('90d', -2) a$$,
        $$select method, count(*) from nezuko.api_call_log where timestamp >= now() - interval '90 days' and chat_id = -2
          group by 1 order by 2 desc, 1$$,
        p_when || ': API calls into one chat = raw scan');
    return next results_eq(
        $$select p.date, p.avg_latency, p.p95_latency from api.get_latency_trend('30d') l, unnest(l.series) p$$,
        $$select d, coalesce(round(avg(v.latency_ms), 1), 0.0),
                 case when count(v.latency_ms) = 0 then 0.0 else analytics.latency_bucket_value(analytics.latency_bucket(
                     (percentile_disc(0.95) within group (order by v.latency_ms))::int)) end
          from generate_series(date_trunc('day', now() - interval '30 days', 'UTC'), now(), interval '1 day') d
          left join nezuko.verification_log v on date_trunc('day', v.timestamp, 'UTC') = d and v.timestamp >= now() - interval '30 days'
          group by d order by d$$,
        p_when || ': latency trend = raw scan (avg exact; p95 = the histogram bucket of the exact nearest-rank p95)');
    return next results_eq(
        $$select p.date, p.avg_latency, p.p95_latency from api.get_latency_trend('30d', -2) l, unnest(l.series) p$$,
        $$select d, coalesce(round(avg(v.latency_ms), 1), 0.0),
                 case when count(v.latency_ms) = 0 then 0.0 else analytics.latency_bucket_value(analytics.latency_bucket(
                     (percentile_disc(0.95) within group (order by v.latency_ms))::int)) end
          from generate_series(date_trunc('day', now() - interval '30 days', 'UTC'), now(), interval '1 day') d
          left join nezuko.verification_log v on date_trunc('day', v.timestamp, 'UTC') = d and v.timestamp >= now() - interval '30 days'
               and v.group_id = -2
          group by d order by d$$,
        p_when || ': latency trend of one group = raw scan');
    return next results_eq(
        $$select p.date, p.p95_latency from api.get_latency_trend('24h', -3) l, unnest(l.series) p$$,
        $$select d, case when count(v.latency_ms) = 0 then 0.0 else analytics.latency_bucket_value(analytics.latency_bucket(
                     (percentile_disc(0.95) within group (order by v.latency_ms))::int)) end
          from generate_series(date_trunc('hour', now() - interval '24 hours', 'UTC'), now(), interval '1 hour') d
          left join nezuko.verification_log v on date_trunc('hour', v.timestamp, 'UTC') = d and v.timestamp >= now() - interval '24 hours'
               and v.group_id = -3
          group by d order by d$$,
        p_when || ': hourly latency trend of one group = raw scan');
    return next results_eq(
        $$select o.total_verifications, o.success_rate, o.avg_latency_ms, o.cache_hit_rate from api.get_analytics_overview() o$$,
        $$select count(*), round(100.0 * count(*) filter (where status = 'verified') / count(*), 1), round(avg(latency_ms), 1),
                 round(100.0 * count(*) filter (where cached) / count(*), 1) from nezuko.verification_log$$,
        p_when || ': overview = raw scan');
end
$f$;

select * from pg_temp.check_all('after inserts');

-- Growth before any delete: first seen = the earliest row of each user.
select results_eq(
    $$select p.date, p.new_users, p.total_users from api.get_user_growth('90d', 'day') g, unnest(g.series) p$$,
    $$with f as (select user_id, min(timestamp) t from nezuko.verification_log group by 1)
      select d::date, count(f.user_id) filter (where f.t >= now() - interval '90 days'),
             (select count(*) from f f2 where f2.t < d + interval '1 day')
      from generate_series(date_trunc('day', now() - interval '90 days', 'UTC'), now(), interval '1 day') d
      left join f on date_trunc('day', f.t, 'UTC') = d
      group by d order by d$$,
    'growth per day = first-seen times computed from the raw log');

-- First-seen tables = the earliest row per user and per (group, user),
-- including a statement whose users were seen before in one group and now
-- appear earlier in another group or without a group (the trigger skips
-- its user_first_seen probe for users whose every pair is already known).
insert into nezuko.verification_log (user_id, group_id, status, cached, latency_ms, timestamp)
select u, case when u % 3 = 0 then null else -1 - ((u + 1) % 4) end, 'verified', true, 10,
    now() - (130 + u % 7) * interval '1 day'
from generate_series(1, 60) u
union all
select u, -1 - (u % 4), 'verified', true, 10, now() - interval '1 hour' from generate_series(1, 60) u;
select is((select count(*)::int from (
        (select user_id, min(timestamp) from nezuko.verification_log group by 1
         except select user_id, first_seen from nezuko.user_first_seen)
        union all
        (select user_id, first_seen from nezuko.user_first_seen
         except select user_id, min(timestamp) from nezuko.verification_log group by 1)) x), 0,
    'user_first_seen = the earliest row of each user');
select is((select count(*)::int from (
        (select group_id, user_id, min(timestamp) from nezuko.verification_log where group_id is not null group by 1, 2
         except select group_id, user_id, first_seen from nezuko.group_user_first_seen)
        union all
        (select group_id, user_id, first_seen from nezuko.group_user_first_seen
         except select group_id, user_id, min(timestamp) from nezuko.verification_log where group_id is not null group by 1, 2)) x), 0,
    'group_user_first_seen = the earliest row of each user in each group');
select is((select count(*)::int from (
        (select hour, n from nezuko.new_users_hourly_all
         except select date_trunc('hour', first_seen, 'UTC'), count(*) from nezuko.user_first_seen group by 1)
        union all
        (select date_trunc('hour', first_seen, 'UTC'), count(*) from nezuko.user_first_seen group by 1
         except select hour, n from nezuko.new_users_hourly_all)) x), 0,
    'new_users_hourly_all counts user_first_seen per hour');

-- Retention and random deletes, in two statements, then more inserts.
delete from nezuko.verification_log where timestamp < now() - interval '60 days';
delete from nezuko.verification_log where random() < 0.1;
delete from nezuko.api_call_log where random() < 0.2;
select pg_temp.add_rows(200, 2);
-- A DBA's UPDATE of log rows (two rollup triggers: the new rows added, the
-- old ones removed): other groups and statuses, slower, some a day earlier.
update nezuko.verification_log
set group_id = case when group_id is null then -2 when random() < 0.5 then null else -1 - (user_id % 4) end,
    status = case status when 'verified' then 'restricted' else 'verified' end,
    latency_ms = latency_ms * 3 + 1, cached = not cached,
    timestamp = case when random() < 0.3 then timestamp - interval '1 day' else timestamp end
where random() < 0.15;
update nezuko.api_call_log
set method = case method when 'sendMessage' then 'deleteMessage' else 'sendMessage' end, success = not success,
    chat_id = case when random() < 0.3 then -3 else chat_id end, latency_ms = latency_ms + 5
where random() < 0.15;

select * from pg_temp.check_all('after deletes and updates');

-- The day24 rollups as the readers see them (sql/017): the folded rows plus
-- the half hours still pending, each spread over the 48 day24 rows whose 24
-- hours hold it.
create function pg_temp.day24() returns table (day_start timestamptz, status text, cached boolean, n bigint, latency_sum bigint)
language sql as $$
    select x.day_start, x.status, x.cached, sum(x.n)::bigint, sum(x.latency_sum)::bigint
    from (select r.day_start, r.status, r.cached, r.n, r.latency_sum from nezuko.verification_day24_all r
          union all
          select p.half - k * interval '30 minutes', p.status, p.cached, p.n, p.latency_sum
          from nezuko.verification_day24_pending p, generate_series(0, 47) k) x
    group by 1, 2, 3 having sum(x.n) <> 0
$$;
create function pg_temp.lat24() returns table (day_start timestamptz, bucket smallint, n bigint)
language sql as $$
    select x.day_start, x.bucket, sum(x.n)::bigint
    from (select r.day_start, u.bucket, u.n from nezuko.verification_latency_day24_all r, unnest(r.buckets, r.counts) u(bucket, n)
          union all
          select p.half - k * interval '30 minutes', u.bucket, u.n
          from nezuko.verification_latency_day24_pending p, unnest(p.buckets, p.counts) u(bucket, n), generate_series(0, 47) k) x
    group by 1, 2 having sum(x.n) <> 0
$$;
-- The incrementally kept rollups equal a rebuild from the log.
create function pg_temp.rollups() returns table (k text, j jsonb) language sql as $$
    select 'vh', to_jsonb(r) from nezuko.verification_hourly r
    union all select 'vha', to_jsonb(r) from nezuko.verification_hourly_all r
    union all select 'lh', to_jsonb(r) from nezuko.verification_latency_daily r
    union all select 'lha', to_jsonb(r) from nezuko.verification_latency_hourly_all r
    union all select 'gt', to_jsonb(r) from nezuko.verification_group_totals r
    union all select 'ah', to_jsonb(r) from nezuko.api_call_hourly r
    union all select 'aha', to_jsonb(r) from nezuko.api_call_hourly_all r
    union all select 'nu', to_jsonb(r) from nezuko.new_users_hourly r
    union all select 'nua', to_jsonb(r) from nezuko.new_users_hourly_all r
    union all select 'vd', to_jsonb(r) from nezuko.verification_daily_all r
    union all select 'vdg', to_jsonb(r) from nezuko.verification_daily r
    union all select 'ld', to_jsonb(r) from nezuko.verification_latency_daily_all r
    union all select 'lq', to_jsonb(r) from nezuko.verification_latency_quarter_all r
    union all select 'nud', to_jsonb(r) from nezuko.new_users_daily r
    union all select 'nuda', to_jsonb(r) from nezuko.new_users_daily_all r
    union all select 'd24', to_jsonb(r) from pg_temp.day24() r
    union all select 'l24', to_jsonb(r) from pg_temp.lat24() r
$$;
-- The latency histograms over 24 hours (sql/009, sql/013): one for every
-- UTC half hour with rows in its 24 hours, each equal to the histogram of
-- the raw rows in [day_start, day_start + 24 h).
select is((select count(*)::int from nezuko.verification_latency_day24_all
           where extract(minute from day_start) not in (0, 30)), 0,
    'day24 latency histograms start on the hour or the half hour');
select is((select count(*)::int from (
    (select r.day_start, r.bucket, r.n
     from pg_temp.lat24() r
     except all
     select s.t, analytics.latency_bucket(v.latency_ms), count(*)
     from (select distinct date_bin('30 minutes', l.timestamp, timestamptz '2000-01-01 00:00:00+00') - k * interval '30 minutes' as t
           from nezuko.verification_log l, generate_series(0, 47) k) s
     join nezuko.verification_log v on v.timestamp >= s.t and v.timestamp < s.t + interval '24 hours'
     group by 1, 2)
    union all
    (select s.t, analytics.latency_bucket(v.latency_ms), count(*)
     from (select distinct date_bin('30 minutes', l.timestamp, timestamptz '2000-01-01 00:00:00+00') - k * interval '30 minutes' as t
           from nezuko.verification_log l, generate_series(0, 47) k) s
     join nezuko.verification_log v on v.timestamp >= s.t and v.timestamp < s.t + interval '24 hours'
     group by 1, 2
     except all
     select r.day_start, r.bucket, r.n
     from pg_temp.lat24() r)) x), 0,
    'every day24 latency histogram (hours and half hours, folded and pending) equals the raw rows of its 24 hours');
-- The counts over 24 hours (sql/009, sql/015): one row for every UTC half
-- hour, status and cache flag with rows in its 24 hours, each equal to
-- the raw rows' count and latency sum in [day_start, day_start + 24 h).
select is((select count(*)::int from nezuko.verification_day24_all
           where extract(minute from day_start) not in (0, 30)), 0,
    'day24 counts start on the hour or the half hour');
select is((select count(*)::int from nezuko.verification_day24_pending
           where half < date_bin('30 minutes', now(), timestamptz '2000-01-01 00:00:00+00')), 0,
    'every half hour that has ended is folded into the day24 rows');
select ok((select count(*) from nezuko.verification_day24_all where extract(minute from day_start) = 30) > 0,
    'day24 counts start at half hours too');
select is((select count(*)::int from (
    (select r.day_start, r.status, r.cached, r.n, r.latency_sum
     from pg_temp.day24() r
     except all
     select s.t, v.status, v.cached, count(*), sum(v.latency_ms)
     from (select distinct date_bin('30 minutes', l.timestamp, timestamptz '2000-01-01 00:00:00+00') - k * interval '30 minutes' as t
           from nezuko.verification_log l, generate_series(0, 47) k) s
     join nezuko.verification_log v on v.timestamp >= s.t and v.timestamp < s.t + interval '24 hours'
     group by 1, 2, 3)
    union all
    (select s.t, v.status, v.cached, count(*), sum(v.latency_ms)
     from (select distinct date_bin('30 minutes', l.timestamp, timestamptz '2000-01-01 00:00:00+00') - k * interval '30 minutes' as t
           from nezuko.verification_log l, generate_series(0, 47) k) s
     join nezuko.verification_log v on v.timestamp >= s.t and v.timestamp < s.t + interval '24 hours'
     group by 1, 2, 3
     except all
     select r.day_start, r.status, r.cached, r.n, r.latency_sum
     from pg_temp.day24() r)) x), 0,
    'every day24 count row (hours and half hours, folded and pending) equals the raw rows of its 24 hours');
create temp table kept on commit drop as select * from pg_temp.rollups();
select analytics.rebuild_analytics_rollups();
create temp table rebuilt on commit drop as select * from pg_temp.rollups();
select ok((select count(*) from kept) > 1000, 'the rollups hold a good number of keys');
select is((select count(*)::int from ((table kept except all table rebuilt) union all (table rebuilt except all table kept)) x), 0,
    'every rollup kept by the triggers equals a rebuild from the log');

select * from finish();
rollback;
