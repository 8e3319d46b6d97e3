-- Analytics: bucket and window boundaries, user growth, Bot API calls, bot
-- uptime history, and rollups after retention deletes -- each against rows
-- placed by hand, in groups of their own so the cases do not mix.
begin;
select plan(28);

create temp table t on commit drop as
select now() as t0, date_trunc('day', now(), 'UTC') as midnight, now() - interval '7 days' as w7;

-- Window edges (group -1005): [now - 7d, now] includes its start, and a row
-- a microsecond earlier is out. These fall in the partial first hour that
-- is read from the raw log; the third row is at the first whole rollup hour.
insert into nezuko.verification_log (user_id, group_id, status, timestamp)
select 1, -1005, 'verified', w7 from t
union all select 2, -1005, 'verified', w7 - interval '1 microsecond' from t
union all select 3, -1005, 'restricted', date_trunc('hour', w7, 'UTC') + interval '1 hour' from t;
select is((select d.total from api.get_verification_distribution('7d', -1005) d), 2::bigint,
    'a 7d window includes a row at exactly now - 7 days and not one a microsecond older');
select is((select (t.summary).total_verifications from api.get_verification_trends('7d', 'day', -1005) t), 2::bigint,
    'the trend summary agrees on the window edge');
select is((select sum(c.total)::int from api.get_chart_data('7d', -1005) c), 2, 'the chart agrees on the window edge');

-- Day boundary (group -1006): midnight belongs to the day it starts.
insert into nezuko.verification_log (user_id, group_id, status, timestamp)
select 4, -1006, 'verified', midnight from t
union all select 5, -1006, 'error', midnight - interval '1 microsecond' from t;
select results_eq(
    $$select c.date, c.total, c.failed from api.get_chart_data('7d', -1006) c where c.total > 0 order by c.date$$,
    $$select (midnight - interval '1 day')::date, 1::bigint, 1::bigint from t union all select midnight::date, 1, 0 from t$$,
    'midnight counts in the new day, a microsecond before in the old one');
select results_eq(
    $$select c.date, c.total from api.get_chart_data('7d', -1006, 'Asia/Tokyo') c where c.total > 0$$,
    $$select ((midnight - interval '1 microsecond') at time zone 'Asia/Tokyo')::date, 2::bigint from t$$,
    'in Asia/Tokyo the same two rows fall on one local day (09:00 local)');
select is((select count(*)::int from api.get_hourly_activity('24h', -1006) h where h.verifications > 0), 2,
    'hourly activity puts them in hour 23 and hour 0');

-- Latency band edges (group -1007): a band includes its lower bound.
insert into nezuko.verification_log (user_id, group_id, status, latency_ms, timestamp)
select 6, -1007, 'verified', l, now() from unnest(array[0, 49, 50, 99, 100, 199, 200, 499, 500, 60000]) l;
select results_eq($$select count from api.get_latency_distribution('24h', -1007)$$,
    $$values (2::bigint), (2), (2), (2), (2)$$, 'latency bands: [0,50) [50,100) [100,200) [200,500) [500,...)');

-- User growth (group -1008). Users 11 and 12 were seen 20 days ago; user
-- 13 today; user 11 again today (not new); user 14 ten days ago in another
-- group first, then today in -1008 (new to -1008, not new overall); user
-- 15 five days ago.
insert into nezuko.verification_log (user_id, group_id, status, timestamp) values
    (11, -1008, 'verified', now() - interval '20 days'), (12, -1008, 'verified', now() - interval '20 days'),
    (14, -1009, 'verified', now() - interval '10 days');
insert into nezuko.verification_log (user_id, group_id, status, timestamp) values
    (13, -1008, 'verified', now()), (11, -1008, 'verified', now()), (14, -1008, 'verified', now()),
    (15, -1008, 'verified', now() - interval '5 days');
select is((select row((g.summary).total_new_users, (g.summary).growth_rate)::text from api.get_user_growth('30d', 'day', -1008) g), '(5,50.0)',
    'group growth 30d: 5 new users; 2 in the first half, 3 in the second: +50 %');
select is((select (g.series[array_length(g.series, 1)]).new_users from api.get_user_growth('30d', 'day', -1008) g), 2::bigint,
    'group growth: today 13 and 14 are new to the group, 11 is not');
select is((select (g.series[array_length(g.series, 1)]).total_users from api.get_user_growth('30d', 'day', -1008) g), 5::bigint,
    'group growth: total users at the end of the window');
select is((select (g.series[1]).total_users from api.get_user_growth('7d', 'day', -1008) g), 2::bigint,
    'group growth 7d: users seen before the window count in total_users from the first bucket');
select is((select (g.summary).total_new_users from api.get_user_growth('7d', 'day', -1008) g), 3::bigint, 'group growth 7d: 3 new');
select is((select row((g.summary).total_new_users, (g.summary).growth_rate)::text from api.get_user_growth('7d', 'day', -1009) g), '(0,0.0)',
    'growth of a group whose only user came 10 days ago');
select ok((select bool_and(p.total_users >= coalesce(prev, 0)) from (
               select p.total_users, lag(p.total_users) over (order by p.date) prev
               from api.get_user_growth('90d', 'week') g, unnest(g.series) p) p),
    'total users never decrease along the series');
-- A backfilled older row moves a user's first-seen time earlier.
insert into nezuko.verification_log (user_id, group_id, status, timestamp) values (13, -1008, 'verified', now() - interval '25 days');
select is((select (g.series[array_length(g.series, 1)]).new_users from api.get_user_growth('30d', 'day', -1008) g), 1::bigint,
    'after a backfill, user 13 is no longer new today');
select is((select count(*)::int from nezuko.user_first_seen), (select sum(n)::int from nezuko.new_users_hourly_all),
    'the growth rollup counts every user once');

-- Bot API calls (chat -1010 and a private chat).
insert into nezuko.api_call_log (method, chat_id, success, timestamp) values
    ('getChatMember', -1010, true, now()), ('getChatMember', -1010, true, now()), ('getChatMember', 555, false, now()),
    ('sendMessage', -1010, true, now()), ('sendMessage', -1011, true, now() - interval '2 days');
select results_eq($$select method, count, percentage from api.get_api_calls_distribution('24h')$$,
    $$values ('getChatMember', 3::bigint, 75.0), ('sendMessage', 1, 25.0)$$, 'API calls 24h by method, most frequent first');
select results_eq($$select method, count, percentage from api.get_api_calls_distribution('7d', -1010)$$,
    $$values ('getChatMember', 2::bigint, 66.7), ('sendMessage', 1, 33.3)$$, 'API calls narrowed to one chat');
select results_eq($$select method, count from api.get_api_calls_distribution('7d')$$,
    $$values ('getChatMember', 3::bigint), ('sendMessage', 2)$$, 'API calls 7d');

-- Retention: deleting old rows takes them out of every answer.
delete from nezuko.verification_log where group_id = -1008 and timestamp < now() - interval '15 days';
select is((select d.total from api.get_verification_distribution('30d', -1008) d), 4::bigint, 'deleted rows leave the distribution');
select is((select count(*)::int from nezuko.verification_hourly where group_id = -1008 and hour < now() - interval '15 days'), 0,
    'rollup keys whose count reached 0 are removed');
select is((select (g.summary).total_new_users from api.get_user_growth('30d', 'day', -1008) g), 5::bigint,
    'users stay counted in growth after retention deletes their rows');
delete from nezuko.api_call_log where chat_id = -1011;
select results_eq($$select method, count from api.get_api_calls_distribution('7d')$$,
    $$values ('getChatMember', 3::bigint), ('sendMessage', 1)$$, 'API call rollup after a delete');
-- A row deleted that the rollup never counted is refused, naming the repair.
alter table nezuko.verification_log disable trigger analytics_rollup_insert;
insert into nezuko.verification_log (user_id, group_id, status, timestamp) values (99, -1099, 'verified', now());
alter table nezuko.verification_log enable trigger analytics_rollup_insert;
select throws_ok($$delete from nezuko.verification_log where group_id = -1099$$, '55000', null,
    'deleting rows the rollup never counted raises instead of going negative');
select analytics.rebuild_analytics_rollups();
select lives_ok($$delete from nezuko.verification_log where group_id = -1099$$, 'after a rebuild the delete works');

-- Uptime history: one heartbeat marks two intervals (60 s) of minutes.
insert into nezuko.bot_instances (bot_user_id, username, token_encrypted, token_sha256) values (7, 'b', 'x', sha256('y'));
insert into nezuko.bot_status (bot_instance_id, status, last_heartbeat)
select id, 'online', date_trunc('minute', now() - interval '1 day', 'UTC') from nezuko.bot_instances;
select is((select count(*)::int from nezuko.bot_alive_minutes), 1, 'a heartbeat on a minute boundary covers that minute (60 s)');
update nezuko.bot_status set last_heartbeat = date_trunc('minute', now() - interval '1 day', 'UTC') + interval '90 seconds';
select is((select count(*)::int from nezuko.bot_alive_minutes), 3, 'a heartbeat at :30 covers its minute and the next one');
update nezuko.bot_status set status = 'offline', last_heartbeat = now() - interval '12 hours';
select is((select b.uptime_percent from api.get_bot_health() b), round(100.0 * 3 / 10080, 1),
    'uptime percent = alive minutes / minutes in 7 days; an offline heartbeat adds none');

select * from finish();
rollback;
