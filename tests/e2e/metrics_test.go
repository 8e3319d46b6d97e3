package e2e

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// metric returns the value of the first sample of /metrics whose line
// starts with prefix (name and labels), or -1.
func metric(t *testing.T, base, prefix string) float64 {
	t.Helper()
	code, body := get(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d %s", code, body)
	}
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, prefix) {
			f := strings.Fields(l)
			v, err := strconv.ParseFloat(f[len(f)-1], 64)
			if err != nil {
				t.Fatalf("bad sample %q", l)
			}
			return v
		}
	}
	return -1
}

func TestMetricsCountRequestsByRouteAndStatusWithRuntimeAndPoolFamilies(t *testing.T) {
	f := newAPI(t, "NEZUKO_LOG_DB=on")
	for range 3 {
		if r := f.get(t, "/v1/rpc/list_config", f.viewer); r.code != http.StatusOK {
			t.Fatalf("list_config: %d", r.code)
		}
	}
	f.get(t, "/v1/rpc/list_config", "")           // 401
	f.get(t, "/v1/rpc/no_such_function", f.admin) // 404: one bounded route
	code, body := get(t, f.p.URL()+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	for _, fam := range []string{"go_goroutines", "process_resident_memory_bytes", "nezuko_http_request_duration_seconds_bucket",
		"nezuko_pool_connections{pool=\"primary\"}", "nezuko_sse_clients", "nezuko_queue_depth{state=\"pending\"}",
		"nezuko_queue_pickup_seconds_count", "nezuko_log_records_dropped_total", "nezuko_effects_pending",
		"nezuko_queue_scrape_ok 1"} {
		if !strings.Contains(body, fam) {
			t.Errorf("/metrics lacks %s", fam)
		}
	}
	if v := metric(t, f.p.URL(), `nezuko_http_requests_total{method="GET",route="/v1/rpc/list_config",status="200"}`); v != 3 {
		t.Errorf("list_config 200s = %v, want 3", v)
	}
	if v := metric(t, f.p.URL(), `nezuko_http_requests_total{method="GET",route="/v1/rpc/list_config",status="401"}`); v != 1 {
		t.Errorf("list_config 401s = %v, want 1", v)
	}
	if strings.Contains(body, "no_such_function") {
		t.Errorf("an unknown path made its own series")
	}
	if v := metric(t, f.p.URL(), `nezuko_http_requests_total{method="GET",route="/v1/*",status="404"}`); v != 1 {
		t.Errorf("404s under /v1/* = %v, want 1", v)
	}
}

func TestMetricsCountQueuePickupsAndTelegramCallsAndUpdates(t *testing.T) {
	w := newBotWorld(t)
	w.protect(groupID, "", chanA)
	p := w.serve()
	w.processed(w.bot.Push(w.message(groupID, userID, "hello")))
	// a command through the queue, picked up by the worker
	w.exec(`insert into nezuko.admin_commands (command_type, payload) values ('clear_cache', '{"all": true}')`)
	bot := strconv.FormatInt(w.botID, 10)
	deadline := time.Now().Add(15 * time.Second)
	for {
		recv := metric(t, p.URL(), `nezuko_updates_received_total{bot="`+bot+`"}`)
		done := metric(t, p.URL(), `nezuko_updates_processed_total{bot="`+bot+`"}`)
		calls := metric(t, p.URL(), `nezuko_telegram_calls_total{method="getChatMember",result="ok"}`)
		claimed := metric(t, p.URL(), `nezuko_queue_claimed_total{type="clear_cache"}`)
		pickups := metric(t, p.URL(), `nezuko_queue_pickup_seconds_count`)
		if recv >= 1 && done >= 1 && calls >= 1 && claimed == 1 && pickups == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("received %v processed %v getChatMember %v claimed %v pickups %v", recv, done, calls, claimed, pickups)
		}
		time.Sleep(200 * time.Millisecond)
	}
	_, body := get(t, p.URL()+"/metrics")
	if !regexp.MustCompile(`nezuko_telegram_call_duration_seconds_count\{method="getChatMember"\} [1-9]`).MatchString(body) {
		t.Errorf("no getChatMember latency observed")
	}
}
