package e2e

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// With the API's pool saturated by slow reads, the command queue (the
// enforcement pool) keeps its latency, and /readyz says the API pool is
// exhausted while the database answers, not "database unreachable".
func TestSaturatedAPIPoolNeitherStallsTheQueueNorLooksLikeADeadDatabase(t *testing.T) {
	f := newAPI(t, "NEZUKO_DB_POOL_API=2", "NEZUKO_DB_POOL_WORK=4")
	installFunctionsWith(t, f.url, map[string]string{"zz_slow.sql": `
create function api.zz_slow(p_seconds double precision default 4) returns integer
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$ select 1 from pg_sleep(p_seconds) $$;
comment on function api.zz_slow(double precision) is 'Sleeps (a slow report). Added by a test.';
grant execute on function api.zz_slow(double precision) to nezuko_viewer;`})
	f.waitFor(t, "zz_slow")
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, f.p.URL()+"/v1/rpc/zz_slow?p_seconds=3", nil)
			req.Header.Set("Authorization", "Bearer "+f.viewer)
			if resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req); err == nil {
				resp.Body.Close()
			}
		}()
	}
	defer wg.Wait()
	time.Sleep(500 * time.Millisecond) // both API connections now sleep
	r := f.get(t, "/readyz", "")
	if r.code != 503 || !strings.Contains(r.body, "pool exhausted") || !strings.Contains(r.body, `"database":"reachable"`) {
		t.Errorf("/readyz with the API pool full: %d %s", r.code, r.body)
	}
	// The queue runs on its own pool: a command completes at once.
	start := time.Now()
	f.exec(t, `insert into nezuko.admin_commands (command_type, payload) values ('clear_cache', '{"all": true}')`)
	for f.count(t, `select count(*)::int from nezuko.admin_commands where status = 'completed'`) == 0 {
		if time.Since(start) > 2*time.Second {
			t.Fatalf("a command took over 2 s while the API pool was saturated")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("command completed %v after enqueue with the API pool saturated", time.Since(start).Round(time.Millisecond))
}
