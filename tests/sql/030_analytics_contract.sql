-- Analytics RPCs: the contract every one of them keeps. Stable, security
-- definer with a pinned search_path, callable by viewer and admin (not by
-- PUBLIC), documented, typed (no json), 22023 on unknown parameter values,
-- and sensible answers on an empty database.
begin;
select plan(56);

create temp table rpcs (name text primary key) on commit drop;
insert into rpcs values ('get_dashboard_stats'), ('get_chart_data'), ('get_verification_trends'),
    ('get_user_growth'), ('get_analytics_overview'), ('get_verification_distribution'),
    ('get_cache_breakdown'), ('get_groups_status'), ('get_api_calls_distribution'),
    ('get_hourly_activity'), ('get_latency_distribution'), ('get_top_groups'),
    ('get_cache_hit_rate_trend'), ('get_latency_trend'), ('get_bot_health');

select is((select count(*)::int from rpcs r join pg_proc p on p.proname = r.name
           and p.pronamespace = 'api'::regnamespace), 15, 'all 15 analytics RPCs exist in schema api');
select is((select array_agg(r.name order by r.name) from rpcs r join pg_proc p on p.proname = r.name
           and p.pronamespace = 'api'::regnamespace where p.provolatile <> 's'), null, 'every analytics RPC is STABLE');
select is((select array_agg(r.name order by r.name) from rpcs r join pg_proc p on p.proname = r.name
           and p.pronamespace = 'api'::regnamespace
           where not p.prosecdef or not 'search_path=pg_catalog, pg_temp' = any (p.proconfig)),
    null, 'every analytics RPC is security definer with search_path pinned');
select is((select array_agg(r.name order by r.name) from rpcs r join pg_proc p on p.proname = r.name
           and p.pronamespace = 'api'::regnamespace
           where not has_function_privilege('nezuko_viewer', p.oid, 'execute')
              or not has_function_privilege('nezuko_admin', p.oid, 'execute')),
    null, 'viewer and admin may call every analytics RPC');
select is((select array_agg(r.name order by r.name) from rpcs r join pg_proc p on p.proname = r.name
           and p.pronamespace = 'api'::regnamespace
           where has_function_privilege('nezuko_bridge', p.oid, 'execute')),
    null, 'roles without a grant (bridge, PUBLIC) may not call them');
select is((select array_agg(r.name order by r.name) from rpcs r join pg_proc p on p.proname = r.name
           and p.pronamespace = 'api'::regnamespace
           where coalesce(length(obj_description(p.oid, 'pg_proc')), 0) < 40),
    null, 'every analytics RPC has a COMMENT that documents it');
select is((select array_agg(r.name order by r.name) from rpcs r join pg_proc p on p.proname = r.name
           and p.pronamespace = 'api'::regnamespace
           where p.prorettype in ('json'::regtype, 'jsonb'::regtype)
              or exists (select from unnest(p.proallargtypes) t where t in ('json'::regtype, 'jsonb'::regtype))),
    null, 'no analytics RPC returns json: results are typed');
select ok(not has_schema_privilege('nezuko_viewer', 'analytics', 'usage')
      and not has_schema_privilege('nezuko_admin', 'demo', 'usage'),
    'the helper schemas analytics and demo are not reachable by the API roles');

-- Unknown parameter values: 22023 naming the allowed values.
select throws_ok($$select * from api.get_chart_data('1y')$$, '22023',
    'p_period must be one of 24h, 7d, 30d, 90d (got ''1y'')', 'chart: unknown period is 22023 naming the allowed ones');
select throws_ok($$select * from api.get_chart_data(null)$$, '22023', null, 'chart: a null period is 22023, not a default');
select throws_ok($$select * from api.get_chart_data('7d', null, 'Mars/Olympus')$$, '22023',
    'p_tz must be a time zone name such as UTC or Europe/Berlin (got ''Mars/Olympus'')', 'chart: unknown time zone is 22023');
select throws_ok($$select * from api.get_verification_trends('7d', 'month')$$, '22023',
    'p_granularity must be one of hour, day, week (got ''month'')', 'trends: unknown granularity is 22023 naming the allowed ones');
select throws_ok($$select * from api.get_verification_trends('8d')$$, '22023', null, 'trends: unknown period');
select throws_ok($$select * from api.get_user_growth('30d', 'hour')$$, '22023',
    'p_granularity must be one of day, week (got ''hour'')', 'growth: hour granularity is refused');
select throws_ok($$select * from api.get_user_growth('24 hours')$$, '22023', null, 'growth: unknown period');
select throws_ok($$select * from api.get_verification_distribution('7D')$$, '22023', null, 'distribution: periods are case-sensitive');
select throws_ok($$select * from api.get_cache_breakdown('')$$, '22023', null, 'cache breakdown: empty period');
select throws_ok($$select * from api.get_api_calls_distribution('365d')$$, '22023', null, 'api calls: unknown period');
select throws_ok($$select * from api.get_hourly_activity('7d', null, '')$$, '22023', null, 'hourly: empty time zone');
select throws_ok($$select * from api.get_latency_distribution('week')$$, '22023', null, 'latency distribution: unknown period');
select throws_ok($$select * from api.get_cache_hit_rate_trend('1h')$$, '22023', null, 'cache trend: unknown period');
select throws_ok($$select * from api.get_latency_trend('0d')$$, '22023', null, 'latency trend: unknown period');
select throws_ok($$select * from api.get_dashboard_stats(null, 'Nowhere')$$, '22023', null, 'dashboard: unknown time zone');
select throws_ok($$select * from api.get_top_groups(0)$$, '22023', 'p_limit must be between 1 and 100 (got 0)', 'top groups: p_limit 0 is refused');
select throws_ok($$select * from api.get_top_groups(101)$$, '22023', 'p_limit must be between 1 and 100 (got 101)', 'top groups: p_limit 101 is refused');
select throws_ok($$select * from api.get_top_groups(-5)$$, '22023', null, 'top groups: a negative p_limit is refused');
select throws_ok($$select * from api.get_top_groups(null)$$, '22023', null, 'top groups: a null p_limit is refused');
select lives_ok($$select * from api.get_top_groups(1)$$, 'top groups: p_limit 1 is allowed');
select lives_ok($$select * from api.get_top_groups(100)$$, 'top groups: p_limit 100 is allowed');

-- Every accepted value works.
select lives_ok(format('select * from api.get_chart_data(%L)', p), 'chart accepts period ' || p)
from unnest(array['24h', '7d', '30d', '90d']) p;
select lives_ok(format('select * from api.get_verification_trends(%L, %L)', '30d', g), 'trends accept granularity ' || g)
from unnest(array['hour', 'day', 'week']) g;
select lives_ok($$select * from api.get_chart_data('7d', null, 'Asia/Kolkata')$$, 'a half-hour time zone is accepted');

-- Empty database: zeros, full gap-free series, never null or an error.
select is((select row(d.*)::text from api.get_dashboard_stats() d), '(0,0,0,0,0.0,0,0.0)', 'dashboard stats of an empty database are zeros');
select is((select row(o.*)::text from api.get_analytics_overview() o), '(0,0,0,0.0,0.0,0.0)', 'overview of an empty database is zeros');
select is((select row(d.*)::text from api.get_verification_distribution() d), '(0,0,0,0)', 'distribution of an empty database is zeros');
select is((select row(c.*)::text from api.get_cache_breakdown('90d') c), '(0,0,0,0.0)', 'cache breakdown of an empty database is zeros');
select is((select row(g.*)::text from api.get_groups_status() g), '(0,0,0)', 'groups status of an empty database is zeros');
select is((select count(*)::int from api.get_api_calls_distribution()), 0, 'no methods when no API calls were made');
select is((select count(*)::int from api.get_top_groups()), 0, 'no top groups without verifications');
select results_eq($$select hour, label, verifications, restrictions from api.get_hourly_activity()$$,
    $$select h, lpad(h::text, 2, '0') || ':00', 0::bigint, 0::bigint from generate_series(0, 23) h$$,
    'hourly activity of an empty database: 24 hours of zeros');
select results_eq($$select bucket, count, percentage, sort_order from api.get_latency_distribution()$$,
    $$values ('<50ms', 0::bigint, 0.0, 1), ('50-100ms', 0, 0.0, 2), ('100-200ms', 0, 0.0, 3), ('200-500ms', 0, 0.0, 4), ('>500ms', 0, 0.0, 5)$$,
    'latency distribution of an empty database: 5 bands of zeros');
select is((select count(*)::int from api.get_chart_data('7d') where total = 0 and successful = 0 and failed = 0),
    (select count(*)::int from generate_series(date_trunc('day', now() - interval '7 days', 'UTC'), now(), interval '1 day')),
    'chart of an empty database: one zero row per day touched by the window');
select is((select array_length(t.series, 1) from api.get_verification_trends('90d') t),
    (select count(*)::int from generate_series(date_trunc('day', now() - interval '90 days', 'UTC'), now(), interval '1 day')),
    'a 90-day daily series has a bucket for each day it touches');
select is((select row((t.summary).total_verifications, (t.summary).success_rate)::text from api.get_verification_trends() t), '(0,0.0)',
    'trend summary of an empty database is zeros');
select is((select array_length(t.series, 1) from api.get_verification_trends('24h', 'hour') t),
    (select count(*)::int from generate_series(date_trunc('hour', now() - interval '24 hours', 'UTC'), now(), interval '1 hour')),
    'an hourly 24h series has every hour the window touches');
select is((select row((g.summary).total_new_users, (g.summary).growth_rate, array_length(g.series, 1) > 0,
                      (select bool_and(p.new_users = 0 and p.total_users = 0) from unnest(g.series) p))::text
           from api.get_user_growth() g), '(0,0.0,t,t)', 'user growth of an empty database is zeros over a full series');
select is((select row(c.current_rate, c.average_rate, (select bool_and(p.value = 0 and p.total = 0) from unnest(c.series) p))::text
           from api.get_cache_hit_rate_trend() c), '(0.0,0.0,t)', 'cache trend of an empty database is zeros');
select is((select row(l.current_avg, (select bool_and(p.avg_latency = 0 and p.p95_latency = 0) from unnest(l.series) p))::text
           from api.get_latency_trend() l), '(0.0,t)', 'latency trend of an empty database is zeros');
select is((select row(b.uptime_percent, b.cache_efficiency, b.success_rate, b.latency_score, b.error_rate, b.avg_latency_ms, b.overall_score)::text
           from api.get_bot_health() b), '(0.0,0.0,0.0,100,0.0,0.0,25.0)',
    'bot health of an empty database: no uptime, latency score 100, overall 0.2*100 + 0.05*100');

-- Time zones: weeks start on Monday, local days.
select ok((select bool_and(extract(isodow from (p."timestamp" at time zone 'Europe/Berlin')) = 1
                       and (p."timestamp" at time zone 'Europe/Berlin')::time = '00:00')
           from api.get_verification_trends('90d', 'week', null, 'Europe/Berlin') t, unnest(t.series) p),
    'week buckets start on Monday at local midnight');
select ok((select bool_and((p."timestamp" at time zone 'America/New_York')::time = '00:00')
           from api.get_verification_trends('90d', 'day', null, 'America/New_York') t, unnest(t.series) p),
    'day buckets start at local midnight, across daylight saving changes');

select * from finish();
rollback;
