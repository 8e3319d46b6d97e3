package main

import "fmt"

// queries pairs each RPC call with a raw-scan query that computes the same
// answer straight from the log, the way one would without rollups.
func queries(group int64) []query {
	g := fmt.Sprint(group)
	return []query{
		{"get_dashboard_stats", "today, 7d", `select * from api.get_dashboard_stats()`,
			`select (select count(*) from nezuko.protected_groups), (select count(*) from nezuko.enforced_channels),
			        count(*) filter (where timestamp >= date_trunc('day', now(), 'UTC')), count(*),
			        round(100.0 * count(*) filter (where status = 'verified') / nullif(count(*), 0), 1),
			        round(100.0 * count(*) filter (where cached) / nullif(count(*), 0), 1)
			 from nezuko.verification_log where timestamp >= now() - interval '7 days'`},
		{"get_chart_data", "30d", `select * from api.get_chart_data('30d')`,
			`select date_trunc('day', timestamp, 'UTC')::date, count(*), count(*) filter (where status = 'verified'),
			        count(*) filter (where status <> 'verified')
			 from nezuko.verification_log where timestamp >= now() - interval '30 days' group by 1 order by 1`},
		{"get_chart_data", "90d, one group", `select * from api.get_chart_data('90d', ` + g + `)`,
			`select date_trunc('day', timestamp, 'UTC')::date, count(*), count(*) filter (where status = 'verified')
			 from nezuko.verification_log where group_id = ` + g + ` and timestamp >= now() - interval '90 days' group by 1 order by 1`},
		{"get_verification_trends", "90d, day", `select * from api.get_verification_trends('90d', 'day')`,
			`select date_trunc('day', timestamp, 'UTC'), count(*), count(*) filter (where status = 'verified')
			 from nezuko.verification_log where timestamp >= now() - interval '90 days' group by 1 order by 1`},
		{"get_verification_trends", "7d, hour", `select * from api.get_verification_trends('7d', 'hour')`,
			`select date_trunc('hour', timestamp, 'UTC'), count(*), count(*) filter (where status = 'verified')
			 from nezuko.verification_log where timestamp >= now() - interval '7 days' group by 1 order by 1`},
		{"get_user_growth", "30d, day", `select * from api.get_user_growth('30d', 'day')`,
			`with f as (select user_id, min(timestamp) t from nezuko.verification_log group by 1)
			 select date_trunc('day', t, 'UTC'), count(*) filter (where t >= now() - interval '30 days'), count(*)
			 from f group by 1 order by 1`},
		{"get_analytics_overview", "all", `select * from api.get_analytics_overview()`,
			`select count(*), round(100.0 * count(*) filter (where status = 'verified') / count(*), 1), round(avg(latency_ms), 1),
			        round(100.0 * count(*) filter (where cached) / count(*), 1) from nezuko.verification_log`},
		{"get_verification_distribution", "90d", `select * from api.get_verification_distribution('90d')`,
			`select count(*) filter (where status = 'verified'), count(*) filter (where status = 'restricted'),
			        count(*) filter (where status = 'error'), count(*)
			 from nezuko.verification_log where timestamp >= now() - interval '90 days'`},
		{"get_cache_breakdown", "30d", `select * from api.get_cache_breakdown('30d')`,
			`select count(*) filter (where cached), count(*) filter (where not cached), count(*)
			 from nezuko.verification_log where timestamp >= now() - interval '30 days'`},
		{"get_groups_status", "-", `select * from api.get_groups_status()`,
			`select count(*) filter (where enabled), count(*) filter (where not enabled), count(*) from nezuko.protected_groups`},
		{"get_api_calls_distribution", "30d", `select * from api.get_api_calls_distribution('30d')`,
			`select method, count(*), round(100.0 * count(*) / sum(count(*)) over (), 1)
			 from nezuko.api_call_log where timestamp >= now() - interval '30 days' group by 1 order by 2 desc`},
		{"get_hourly_activity", "30d", `select * from api.get_hourly_activity('30d')`,
			`select extract(hour from timestamp at time zone 'UTC'), count(*), count(*) filter (where status = 'restricted')
			 from nezuko.verification_log where timestamp >= now() - interval '30 days' group by 1 order by 1`},
		{"get_latency_distribution", "90d", `select * from api.get_latency_distribution('90d')`,
			`select count(*) filter (where latency_ms < 50), count(*) filter (where latency_ms >= 50 and latency_ms < 100),
			        count(*) filter (where latency_ms >= 100 and latency_ms < 200), count(*) filter (where latency_ms >= 200 and latency_ms < 500),
			        count(*) filter (where latency_ms >= 500)
			 from nezuko.verification_log where timestamp >= now() - interval '90 days'`},
		{"get_top_groups", "all", `select * from api.get_top_groups(10)`,
			`select group_id, count(*), round(100.0 * count(*) filter (where status = 'verified') / count(*), 1)
			 from nezuko.verification_log where group_id is not null group by 1 order by 2 desc limit 10`},
		{"get_cache_hit_rate_trend", "30d", `select * from api.get_cache_hit_rate_trend('30d')`,
			`select date_trunc('day', timestamp, 'UTC'), round(100.0 * count(*) filter (where cached) / count(*), 1), count(*)
			 from nezuko.verification_log where timestamp >= now() - interval '30 days' group by 1 order by 1`},
		{"get_latency_trend", "90d", `select * from api.get_latency_trend('90d')`,
			`select date_trunc('day', timestamp, 'UTC'), round(avg(latency_ms), 1), percentile_disc(0.95) within group (order by latency_ms)
			 from nezuko.verification_log where timestamp >= now() - interval '90 days' group by 1 order by 1`},
		{"get_latency_trend", "7d, one group", `select * from api.get_latency_trend('7d', ` + g + `)`,
			`select date_trunc('day', timestamp, 'UTC'), round(avg(latency_ms), 1), percentile_disc(0.95) within group (order by latency_ms)
			 from nezuko.verification_log where group_id = ` + g + ` and timestamp >= now() - interval '7 days' group by 1 order by 1`},
		// The same RPCs in zones offset by :30 and :45 (issue 17): exact
		// local days and hours, from the hourly rollups cut by quarter.
		{"get_chart_data", "30d, Asia/Kolkata", `select * from api.get_chart_data('30d', null, 'Asia/Kolkata')`,
			`select date_trunc('day', timestamp at time zone 'Asia/Kolkata')::date, count(*), count(*) filter (where status = 'verified'),
			        count(*) filter (where status <> 'verified')
			 from nezuko.verification_log where timestamp >= now() - interval '30 days' group by 1 order by 1`},
		{"get_verification_trends", "90d, day, Asia/Kolkata", `select * from api.get_verification_trends('90d', 'day', null, 'Asia/Kolkata')`,
			`select date_trunc('day', timestamp at time zone 'Asia/Kolkata'), count(*), count(*) filter (where status = 'verified')
			 from nezuko.verification_log where timestamp >= now() - interval '90 days' group by 1 order by 1`},
		{"get_verification_trends", "7d, hour, Asia/Kathmandu", `select * from api.get_verification_trends('7d', 'hour', null, 'Asia/Kathmandu')`,
			`select date_trunc('hour', timestamp at time zone 'Asia/Kathmandu'), count(*), count(*) filter (where status = 'verified')
			 from nezuko.verification_log where timestamp >= now() - interval '7 days' group by 1 order by 1`},
		{"get_user_growth", "30d, day, Asia/Kolkata", `select * from api.get_user_growth('30d', 'day', null, 'Asia/Kolkata')`,
			`with f as (select user_id, min(timestamp) t from nezuko.verification_log group by 1)
			 select date_trunc('day', t at time zone 'Asia/Kolkata'), count(*) filter (where t >= now() - interval '30 days'), count(*)
			 from f group by 1 order by 1`},
		{"get_hourly_activity", "30d, America/St_Johns", `select * from api.get_hourly_activity('30d', null, 'America/St_Johns')`,
			`select extract(hour from timestamp at time zone 'America/St_Johns'), count(*), count(*) filter (where status = 'restricted')
			 from nezuko.verification_log where timestamp >= now() - interval '30 days' group by 1 order by 1`},
		{"get_cache_hit_rate_trend", "30d, Australia/Adelaide", `select * from api.get_cache_hit_rate_trend('30d', null, 'Australia/Adelaide')`,
			`select date_trunc('day', timestamp at time zone 'Australia/Adelaide'), round(100.0 * count(*) filter (where cached) / count(*), 1), count(*)
			 from nezuko.verification_log where timestamp >= now() - interval '30 days' group by 1 order by 1`},
		{"get_latency_trend", "90d, Asia/Kolkata", `select * from api.get_latency_trend('90d', null, 'Asia/Kolkata')`,
			`select date_trunc('day', timestamp at time zone 'Asia/Kolkata'), round(avg(latency_ms), 1), percentile_disc(0.95) within group (order by latency_ms)
			 from nezuko.verification_log where timestamp >= now() - interval '90 days' group by 1 order by 1`},
		{"get_latency_trend", "24h, Asia/Kolkata", `select * from api.get_latency_trend('24h', null, 'Asia/Kolkata')`,
			`select date_trunc('hour', timestamp at time zone 'Asia/Kolkata'), round(avg(latency_ms), 1), percentile_disc(0.95) within group (order by latency_ms)
			 from nezuko.verification_log where timestamp >= now() - interval '24 hours' group by 1 order by 1`},
		{"get_latency_trend", "7d, one group, Asia/Kolkata", `select * from api.get_latency_trend('7d', ` + g + `, 'Asia/Kolkata')`,
			`select date_trunc('day', timestamp at time zone 'Asia/Kolkata'), round(avg(latency_ms), 1), percentile_disc(0.95) within group (order by latency_ms)
			 from nezuko.verification_log where group_id = ` + g + ` and timestamp >= now() - interval '7 days' group by 1 order by 1`},
		{"get_bot_health", "7d", `select * from api.get_bot_health()`,
			`select round(100.0 * count(*) filter (where cached) / count(*), 1), round(100.0 * count(*) filter (where status = 'verified') / count(*), 1),
			        round(100.0 * count(*) filter (where status = 'error') / count(*), 1), round(avg(latency_ms), 1),
			        (select count(*) from nezuko.bot_alive_minutes where minute > now() - interval '7 days')
			 from nezuko.verification_log where timestamp >= now() - interval '7 days'`},
	}
}
