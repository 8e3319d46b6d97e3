package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The 90-day analytics, every RPC over the window, as JSON text.
var ninetyDayAnalytics = []string{
	`select json_agg(t)::text from api.get_chart_data('90d') t`,
	`select json_agg(t)::text from api.get_verification_trends('90d', 'day') t`,
	`select json_agg(t)::text from api.get_verification_trends('90d', 'week') t`,
	`select json_agg(t)::text from api.get_user_growth('90d', 'day') t`,
	`select json_agg(t)::text from api.get_verification_distribution('90d') t`,
	`select json_agg(t)::text from api.get_cache_breakdown('90d') t`,
	`select json_agg(t)::text from api.get_api_calls_distribution('90d') t`,
	`select json_agg(t)::text from api.get_hourly_activity('90d') t`,
	`select json_agg(t)::text from api.get_latency_distribution('90d') t`,
	`select json_agg(t)::text from api.get_latency_trend('90d') t`,
	`select json_agg(t)::text from api.get_cache_hit_rate_trend('90d') t`,
	`select json_agg(t)::text from api.get_top_groups(10) t`,
	`select json_agg(t)::text from api.get_analytics_overview() t`,
}

func TestPruneLogsKeepsNinetyDayAnalyticsWholeAndNoRawRowPastRetention(t *testing.T) {
	f := newAPI(t, "NEZUKO_LOG_DB=off")
	// Logs over 100 days: 20 rows a day, two hours and more before now
	// (no row in a window's partial first or last hour, where the readers
	// read raw rows: see README, Retention), days 0..88 inside the 90-day
	// window and 95..99 before it.
	f.exec(t, `insert into nezuko.verification_log (user_id, group_id, channel_id, status, latency_ms, cached, error_type, timestamp)
		select 1000 + (d * 20 + i) % 300, -100 - (i % 3), -200, (array['verified', 'restricted', 'error'])[1 + (d + i) % 3],
		       (d * 37 + i * 11) % 700, (d + i) % 2 = 0, case when (d + i) % 3 = 2 then 'timeout' end,
		       now() - make_interval(days => d, hours => 2, mins => i)
		from generate_series(0, 99) d, generate_series(1, 20) i where d <= 88 or d >= 95`)
	f.exec(t, `insert into nezuko.api_call_log (method, chat_id, user_id, success, latency_ms, error_type, timestamp)
		select (array['getChatMember', 'restrictChatMember', 'sendMessage'])[1 + i % 3], -100 - (i % 3), 1000 + i,
		       i % 5 <> 0, 20 + i, case when i % 5 = 0 then 'bad_request' end, now() - make_interval(days => d, hours => 2, mins => i)
		from generate_series(0, 99) d, generate_series(1, 20) i where d <= 88 or d >= 95`)
	f.exec(t, `insert into nezuko.admin_logs (level, message, timestamp)
		select 'INFO', 'old news ' || d, now() - make_interval(days => d, hours => 2) from generate_series(0, 99) d`)
	f.exec(t, `update nezuko.admin_config set value = '30' where key = 'log_retention_days'`)
	f.exec(t, `update nezuko.admin_config set value = '100' where key = 'log_prune_batch_rows'`) // many batches

	answers := func() []string {
		out := make([]string, len(ninetyDayAnalytics))
		for i, q := range ninetyDayAnalytics {
			if err := f.conn.QueryRow(context.Background(), q).Scan(&out[i]); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		return out
	}
	before := answers()
	old := `select (select count(*) from nezuko.verification_log where timestamp < now() - interval '30 days')
		+ (select count(*) from nezuko.api_call_log where timestamp < now() - interval '30 days')
		+ (select count(*) from nezuko.admin_logs where timestamp < now() - interval '30 days')`
	if n := f.count(t, old); n < 2000 {
		t.Fatalf("only %d raw rows past retention before the prune", n)
	}
	// serve scheduled the daily run at start.
	if n := f.count(t, `select count(*) from nezuko.admin_commands where command_type = 'prune_logs' and status = 'pending'
		and run_after = date_trunc('day', now(), 'UTC') + interval '3 hours' + case when date_trunc('day', now(), 'UTC') + interval '3 hours' <= now() then interval '1 day' else interval '0' end`); n != 1 {
		t.Fatalf("scheduled prune_logs commands at the next 03:00 UTC: %d, want 1", n)
	}

	// By hand, through the API.
	r := f.post(t, "/v1/rpc/enqueue_command", f.admin, map[string]any{"p_command_type": "prune_logs"})
	if r.code != http.StatusOK {
		t.Fatalf("enqueue prune_logs = %d %s", r.code, r.body)
	}
	id := int64(r.json(t)["id"].(float64))
	deadline := time.Now().Add(30 * time.Second)
	for f.count(t, `select count(*) from nezuko.admin_commands where id = $1 and status = 'completed'`, id) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("prune_logs did not complete within 30s:\n%s", f.p.Logs())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := f.count(t, old); n != 0 {
		t.Errorf("%d raw rows older than the retention are left", n)
	}
	if n := f.count(t, `select count(*) from nezuko.verification_log where timestamp >= now() - interval '30 days'`); n != 30*20 {
		t.Errorf("recent verification rows after the prune: %d, want %d", n, 30*20)
	}
	var result string
	_ = f.conn.QueryRow(context.Background(), `select result::text from nezuko.admin_commands where id = $1`, id).Scan(&result)
	if !strings.Contains(result, `"verification_log": 1280`) || !strings.Contains(result, `"admin_logs": 70`) {
		t.Errorf("prune result %s", result)
	}
	after := answers()
	for i := range before {
		if before[i] != after[i] {
			t.Errorf("%s changed with the prune:\nbefore %s\nafter  %s", ninetyDayAnalytics[i], before[i], after[i])
		}
	}
	// Still exactly one scheduled run.
	if n := f.count(t, `select count(*) from nezuko.admin_commands where command_type = 'prune_logs' and status = 'pending'`); n != 1 {
		t.Errorf("pending prune_logs after a run: %d, want 1", n)
	}
	// A DBA's own DELETE still subtracts from the rollups: what is left
	// is exactly the pruned history.
	f.exec(t, `delete from nezuko.verification_log`)
	if n := f.count(t, `select coalesce(sum(n), 0) from nezuko.verification_daily_all`); n != 1280 {
		t.Errorf("daily rollup after a plain DELETE of the remaining rows: %d, want the 1280 pruned", n)
	}
}
