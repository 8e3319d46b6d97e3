package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/nezuko-bot/nezuko/tests/testdb"
)

// nezuko seed fills an empty database with demo data that looks like real
// traffic, and the rollups the dashboard reads agree with the raw log.
func TestSeedFillsRealisticDemoDataThatRollupsAgreeWith(t *testing.T) {
	url := testdb.New(t)
	r := runNezuko(t, []string{"DATABASE_URL=" + url}, "seed", "-rows", "20000", "-api-rows", "8000", "-days", "14", "-groups", "6")
	if r.code != 0 {
		t.Fatalf("seed exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "verification_log   20000") || !strings.Contains(r.stdout, "api_call_log       8000") {
		t.Fatalf("seed summary = %q", r.stdout)
	}
	conn := connect(t, url)
	ctx := context.Background()
	var (
		logRows, rollupRows, groups, channels, links int64
		hitRate, cachedMedian, apiMedian             float64
		peak, night                                  int64
		statuses, methods                            int64
		topGroups                                    int64
	)
	err := conn.QueryRow(ctx, `
		select (select count(*) from nezuko.verification_log),
		       (select sum(n) from nezuko.verification_hourly_all),
		       (select count(*) from nezuko.protected_groups),
		       (select count(*) from nezuko.enforced_channels),
		       (select count(*) from nezuko.group_channel_links),
		       (select 100.0 * count(*) filter (where cached) / count(*) from nezuko.verification_log),
		       (select percentile_cont(0.5) within group (order by latency_ms) from nezuko.verification_log where cached),
		       (select percentile_cont(0.5) within group (order by latency_ms) from nezuko.verification_log where not cached),
		       (select count(*) from nezuko.verification_log where extract(hour from timestamp at time zone 'UTC') between 13 and 16),
		       (select count(*) from nezuko.verification_log where extract(hour from timestamp at time zone 'UTC') between 1 and 4),
		       (select count(distinct status) from nezuko.verification_log),
		       (select count(distinct method) from nezuko.api_call_log),
		       (select count(*) from api.get_top_groups(100))`).
		Scan(&logRows, &rollupRows, &groups, &channels, &links, &hitRate, &cachedMedian, &apiMedian,
			&peak, &night, &statuses, &methods, &topGroups)
	if err != nil {
		t.Fatal(err)
	}
	if logRows != 20000 || rollupRows != logRows {
		t.Errorf("log rows %d, rolled up %d: want 20000 both", logRows, rollupRows)
	}
	if groups != 6 || channels != 7 || links != 8 || topGroups != 6 {
		t.Errorf("groups %d channels %d links %d top groups %d: want 6, 7 (one shared), 8, 6", groups, channels, links, topGroups)
	}
	if hitRate < 75 || hitRate > 85 {
		t.Errorf("cache hit rate %.1f %%, want about 80", hitRate)
	}
	if cachedMedian > 15 || apiMedian < 100 {
		t.Errorf("median latency cached %.0f ms, from Telegram %.0f ms: want log-normal around 6 and 180", cachedMedian, apiMedian)
	}
	if float64(peak) < 1.5*float64(night) {
		t.Errorf("afternoon %d vs night %d rows: want a daily rhythm", peak, night)
	}
	if statuses != 3 || methods < 6 {
		t.Errorf("%d statuses and %d API methods: want all 3 and a mix", statuses, methods)
	}
}

func TestSeedRefusesLogsThatAlreadyHoldRowsUnlessAppending(t *testing.T) {
	url := testdb.New(t)
	env := []string{"DATABASE_URL=" + url}
	if r := runNezuko(t, env, "seed", "-rows", "100", "-days", "1", "-groups", "2"); r.code != 0 {
		t.Fatalf("first seed exit %d: %s", r.code, r.stderr)
	}
	r := runNezuko(t, env, "seed", "-rows", "100", "-days", "1", "-groups", "2")
	if r.code != 1 || !strings.Contains(r.stderr, "already hold rows") || !singleLine(r.stderr) {
		t.Fatalf("second seed: exit %d, stderr %q: want 1 and one line saying the logs hold rows", r.code, r.stderr)
	}
	if r := runNezuko(t, env, "seed", "-rows", "100", "-days", "1", "-groups", "2", "-append"); r.code != 0 {
		t.Fatalf("seed -append exit %d: %s", r.code, r.stderr)
	}
	r = runNezuko(t, env, "seed", "-rows", "-5")
	if r.code != 2 {
		t.Fatalf("seed -rows -5: exit %d (%s), want 2", r.code, r.stderr)
	}
}

// The debug listener has no authentication: serve refuses to bind it
// anywhere but loopback, in one line, before it starts anything.
func TestServeRefusesADebugListenerOtherMachinesCouldReach(t *testing.T) {
	url := testdb.New(t)
	for _, addr := range []string{"0.0.0.0:0", ":6060", "10.1.2.3:6060"} {
		r := runNezuko(t, []string{"DATABASE_URL=" + url, "NEZUKO_HTTP_ADDR=127.0.0.1:0", "NEZUKO_DEBUG_ADDR=" + addr}, "serve")
		if r.code != 1 || !strings.Contains(r.stderr, "loopback") || !singleLine(r.stderr) {
			t.Fatalf("NEZUKO_DEBUG_ADDR=%s: exit %d, stderr %q: want 1 and one line asking for loopback", addr, r.code, r.stderr)
		}
	}
}
