-- Analytics RPCs against a small fixture whose answers were computed by hand.
--
-- Rows (t1 = the start of the current UTC hour, so t1 is "today", inside
-- the last hour bucket and inside every window):
--   user group status     cached latency when
--   101  A     verified   yes    10      t1
--   102  A     verified   yes    40      t1
--   103  A     restricted no     150     t1
--   104  A     error      no     700     t1
--   105  B     verified   no     60      t1
--   106  B     restricted yes    250     t1
--   107  A     verified   yes    20      now - 3 days
--   108  A     verified   yes    20      now - 3 days
--   109  B     verified   no     100     now - 10 days
--   110  A     restricted no     499     now - 40 days
--   101  A     verified   no     50      now - 100 days
-- A = -1001 (title Alpha, enabled), B = -1002 (not configured);
-- C = -1003 is configured, disabled and has no rows.
begin;
select plan(40);

insert into nezuko.protected_groups (group_id, title, enabled) values (-1001, 'Alpha', true), (-1003, null, false);
insert into nezuko.enforced_channels (channel_id, title) values (-2001, 'News');

create temp table t on commit drop as select date_trunc('hour', now(), 'UTC') as t1;

-- Several statements, as the bridge's batches would arrive.
insert into nezuko.verification_log (user_id, group_id, status, cached, latency_ms, timestamp)
select u, g, s, c, l, (select t1 from t) from (values
    (101, -1001, 'verified', true, 10), (102, -1001, 'verified', true, 40),
    (103, -1001, 'restricted', false, 150), (104, -1001, 'error', false, 700)) v(u, g, s, c, l);
insert into nezuko.verification_log (user_id, group_id, status, cached, latency_ms, timestamp) values
    (105, -1002, 'verified', false, 60, (select t1 from t)),
    (106, -1002, 'restricted', true, 250, (select t1 from t));
insert into nezuko.verification_log (user_id, group_id, status, cached, latency_ms, timestamp) values
    (107, -1001, 'verified', true, 20, now() - interval '3 days'),
    (108, -1001, 'verified', true, 20, now() - interval '3 days');
insert into nezuko.verification_log (user_id, group_id, status, cached, latency_ms, timestamp) values
    (109, -1002, 'verified', false, 100, now() - interval '10 days');
insert into nezuko.verification_log (user_id, group_id, status, cached, latency_ms, timestamp) values
    (110, -1001, 'restricted', false, 499, now() - interval '40 days'),
    (101, -1001, 'verified', false, 50, now() - interval '100 days');

-- Distribution per window, and for one group.
select is((select row(d.*)::text from api.get_verification_distribution('24h') d), '(3,2,1,6)', 'distribution 24h: 3 verified, 2 restricted, 1 error');
select is((select row(d.*)::text from api.get_verification_distribution('7d') d), '(5,2,1,8)', 'distribution 7d adds the two rows of 3 days ago');
select is((select row(d.*)::text from api.get_verification_distribution('30d') d), '(6,2,1,9)', 'distribution 30d adds the row of 10 days ago');
select is((select row(d.*)::text from api.get_verification_distribution('90d') d), '(6,3,1,10)', 'distribution 90d adds the row of 40 days ago, not the one of 100');
select is((select row(d.*)::text from api.get_verification_distribution('24h', -1002) d), '(1,1,0,2)', 'distribution narrowed to group B');
select is((select row(d.*)::text from api.get_verification_distribution('24h', -9999) d), '(0,0,0,0)', 'a group without rows has zeros');

-- Cache.
select is((select row(c.*)::text from api.get_cache_breakdown('24h') c), '(3,3,6,50.0)', 'cache breakdown 24h: 3 of 6 cached');
select is((select row(c.*)::text from api.get_cache_breakdown('7d') c), '(5,3,8,62.5)', 'cache breakdown 7d: 5 of 8 cached');
select is((select row(c.*)::text from api.get_cache_breakdown('7d', -1001) c), '(4,2,6,66.7)', 'cache breakdown of group A: 4 of 6, one decimal');

-- Latency bands.
select results_eq($$select bucket, count, percentage, sort_order from api.get_latency_distribution('24h')$$,
    $$values ('<50ms', 2::bigint, 33.3, 1), ('50-100ms', 1, 16.7, 2), ('100-200ms', 1, 16.7, 3), ('200-500ms', 1, 16.7, 4), ('>500ms', 1, 16.7, 5)$$,
    'latency distribution 24h: 10, 40 | 60 | 150 | 250 | 700');
select results_eq($$select count from api.get_latency_distribution('90d')$$,
    $$values (4::bigint), (1), (2), (2), (1)$$, 'latency distribution 90d: 499 is still 200-500ms');

-- All time.
select is((select row(o.*)::text from api.get_analytics_overview() o), '(11,2,1,63.6,172.6,45.5)',
    'overview: 11 rows, 7 verified, avg 1899/11 ms, 5 cached');
select is((select row(o.*)::text from api.get_analytics_overview(-1002) o), '(3,2,1,66.7,136.7,33.3)',
    'overview narrowed to group B (group and channel totals stay global)');

-- Top groups: A has 8 rows (5 verified), B 3 (2 verified) and no title.
select results_eq($$select group_id, title, verifications, success_rate from api.get_top_groups()$$,
    $$values (-1001::bigint, 'Alpha', 8::bigint, 62.5), (-1002, 'Unknown Group', 3, 66.7)$$, 'top groups, most verifications first');
select results_eq($$select group_id from api.get_top_groups(1)$$, $$values (-1001::bigint)$$, 'p_limit 1 keeps the top group only');

select is((select row(g.*)::text from api.get_groups_status() g), '(1,1,2)', 'groups status: A enabled, C disabled');

-- Dashboard: today = the 6 rows at t1; week = 8; 5 of 8 verified and cached.
select is((select row(d.*)::text from api.get_dashboard_stats() d), '(2,1,6,8,62.5,0,62.5)', 'dashboard stats');
select is((select d.verifications_week from api.get_dashboard_stats(-1002) d), 2::bigint, 'dashboard narrowed to group B');

-- Chart: one row per day, the t1 day holds 6 (3 ok), the day 3 days ago 2.
select is((select count(*)::int from api.get_chart_data('7d')),
    (select count(*)::int from generate_series(date_trunc('day', now() - interval '7 days', 'UTC'), now(), interval '1 day')),
    'chart 7d: a row for every day touched');
select is((select row(c.total, c.successful, c.failed)::text from api.get_chart_data('7d') c where c.date = (select (t1 at time zone 'UTC')::date from t)),
    '(6,3,3)', 'chart: today''s row');
select is((select row(c.total, c.successful, c.failed)::text from api.get_chart_data('7d') c where c.date = ((now() - interval '3 days') at time zone 'UTC')::date),
    '(2,2,0)', 'chart: the row of 3 days ago');
select is((select sum(c.total)::int from api.get_chart_data('7d') c), 8, 'chart: the days add up to the window');
select ok((select bool_and(c.date = prev + 1) from (select c.date, lag(c.date) over (order by c.date) prev from api.get_chart_data('90d') c) c where prev is not null),
    'chart 90d: consecutive days, no gaps');

-- Time zone: Tokyo (+9) puts the t1 rows on the Tokyo date of t1.
select is((select c.total from api.get_chart_data('7d', null, 'Asia/Tokyo') c where c.date = (select (t1 at time zone 'Asia/Tokyo')::date from t)),
    6::bigint, 'chart in Asia/Tokyo: t1 rows on the local date');
select is((select h.verifications from api.get_hourly_activity('24h', null, 'Asia/Tokyo') h
           where h.hour = (select extract(hour from t1 at time zone 'Asia/Tokyo') from t)), 6::bigint,
    'hourly activity in Asia/Tokyo: t1 rows in the local hour');

-- Trends.
select is((select row((v.summary).total_verifications, (v.summary).success_rate)::text from api.get_verification_trends('7d') v), '(8,62.5)', 'trend summary 7d');
select is((select (v.series[array_length(v.series, 1)]).total from api.get_verification_trends('24h', 'hour') v), 6::bigint,
    'hourly trend: the last bucket (t1''s hour) holds the 6 rows');
select is((select row(p.total, p.successful, p.failed)::text from api.get_verification_trends('24h', 'hour') v, unnest(v.series) p
           where p."timestamp" = (select t1 from t)), '(6,3,3)', 'hourly trend: a row exactly at a bucket start is in that bucket');
select ok((select bool_and(p."timestamp" = prev + interval '1 hour') from (
               select p."timestamp", lag(p."timestamp") over (order by p."timestamp") prev
               from api.get_verification_trends('7d', 'hour') v, unnest(v.series) p) p where prev is not null),
    'hourly trend over 7 days: consecutive hours, no gaps');

-- Hourly activity.
select is((select row(h.verifications, h.restrictions)::text from api.get_hourly_activity('24h') h
           where h.hour = (select extract(hour from t1 at time zone 'UTC') from t)), '(6,2)', 'hourly activity: the t1 hour');
select is((select sum(h.verifications)::int from api.get_hourly_activity('7d') h), 8, 'hourly activity 7d adds up to the window');

-- Cache trend: today 3 of 6 (50 %); over 7 days 5 of 8 (62.5 %).
select is((select row(c.current_rate, c.average_rate)::text from api.get_cache_hit_rate_trend('7d') c), '(50.0,62.5)',
    'cache trend: current (last bucket) and average (whole window) differ');
select is((select array_length(c.series, 1) from api.get_cache_hit_rate_trend('24h') c),
    (select count(*)::int from generate_series(date_trunc('hour', now() - interval '24 hours', 'UTC'), now(), interval '1 hour')),
    'cache trend 24h has hourly buckets');

-- Latency trend: today's average 1210/6; p95 (nearest rank 6 of 6) is 700 ms,
-- reported by its histogram bucket within 5 %.
select is((select l.current_avg from api.get_latency_trend('7d') l), 201.7, 'latency trend: current average');
select is((select (l.series[array_length(l.series, 1)]).p95_latency from api.get_latency_trend('7d') l),
    analytics.latency_bucket_value(analytics.latency_bucket(700)), 'latency trend: p95 of today is the bucket of 700 ms');
select ok((select abs((l.series[array_length(l.series, 1)]).p95_latency - 700) / 700 <= 0.05 from api.get_latency_trend('7d') l),
    'latency trend: p95 within 5 % of the exact 700 ms');
select is((select p.avg_latency from api.get_latency_trend('7d') l, unnest(l.series) p
           where p.date = date_trunc('day', now() - interval '3 days', 'UTC')), 20.0, 'latency trend: the day of 3 days ago');

-- Bot health (no heartbeat): success 62.5, cache 62.5, errors 12.5,
-- avg (1210 + 40) / 8 = 156.3 -> score 75;
-- overall = 0.30*62.5 + 0.20*75 + 0.10*62.5 + 0.05*87.5 = 44.4.
select is((select row(b.*)::text from api.get_bot_health() b), '(0.0,62.5,62.5,75,12.5,156.3,44.4)', 'bot health without a bot');
insert into nezuko.bot_instances (bot_user_id, username, token_encrypted, token_sha256) values (1, 'b', 'x', sha256('x'));
insert into nezuko.bot_status (bot_instance_id, status, last_heartbeat, started_at)
select id, 'online', now() - interval '10 seconds', now() - interval '1 hour' from nezuko.bot_instances;
select is((select b.overall_score from api.get_bot_health() b), 44.4 + round(0.35 * (select b.uptime_percent from api.get_bot_health() b), 1),
    'bot health: uptime weighs 35 %');
select is((select d.bot_uptime_seconds from api.get_dashboard_stats() d), 3600::bigint, 'dashboard: uptime of the online bot');

select * from finish();
rollback;
