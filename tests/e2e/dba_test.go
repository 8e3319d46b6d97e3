package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// copyCheckout copies the SQL of this checkout (sql/, functions/,
// triggers/) to a temporary folder a test may edit, as a DBA edits theirs.
func copyCheckout(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	for _, dir := range []string{"sql", "functions", "triggers"} {
		src := filepath.Join("..", "..", dir)
		err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(filepath.Join("..", ".."), p)
			if d.IsDir() {
				return os.MkdirAll(filepath.Join(dst, rel), 0o755)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The DBA's loop without a Go rebuild: a new file under functions/api/ in
// a checkout, `nezuko migrate --dir` (what `just migrate` runs), and the
// running server answers it. A file install.sql does not list is an error
// naming it (never silently skipped); an install error names the file the
// DBA edited and its line, not a line of the rendered package.
func TestDBALoopNewFunctionFileGoesLiveWithMigrateDir(t *testing.T) {
	f := newAPI(t)
	dir := copyCheckout(t)
	env := []string{"DATABASE_URL=" + f.url}
	writeFile(t, filepath.Join(dir, "functions", "api", "zz_hello.sql"), `-- api.zz_hello: a DBA's new function.
create function api.zz_hello(p_name text default 'world', out greeting text)
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$ select 'hello ' || p_name $$;
comment on function api.zz_hello(text) is 'Greets.';
grant execute on function api.zz_hello(text) to nezuko_viewer, nezuko_admin;
`)
	r := runNezuko(t, env, "migrate", "--dir", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "functions/api/zz_hello.sql is not installed") ||
		!strings.Contains(r.stderr, `{{ template "api/zz_hello.sql" . }}`) || !singleLine(r.stderr) {
		t.Fatalf("a file install.sql does not list: exit %d, stderr %q", r.code, r.stderr)
	}
	install := filepath.Join(dir, "functions", "install.sql")
	b, _ := os.ReadFile(install)
	text := strings.Replace(string(b), "-- End block: admin API.", "{{ template \"api/zz_hello.sql\" . }}\n-- End block: admin API.", 1)
	writeFile(t, install, text)
	r = runNezuko(t, env, "migrate", "--dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "code package functions: installed") {
		t.Fatalf("migrate --dir: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	f.waitFor(t, "zz_hello") // no restart
	if r := f.get(t, "/v1/rpc/zz_hello?p_name=dba", f.viewer); r.code != 200 || !strings.Contains(r.body, `"hello dba"`) {
		t.Fatalf("new function = %d %s", r.code, r.body)
	}

	// An edit with a mistake on line 4 of the file.
	writeFile(t, filepath.Join(dir, "functions", "api", "zz_hello.sql"), `-- api.zz_hello: a DBA's new function.
create function api.zz_hello(p_name text default 'world', out greeting text)
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$ selec 'hello ' || p_name $$;
comment on function api.zz_hello(text) is 'Greets.';
grant execute on function api.zz_hello(text) to nezuko_viewer, nezuko_admin;
`)
	r = runNezuko(t, env, "migrate", "--dir", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "functions/api/zz_hello.sql:4:") || !strings.Contains(r.stderr, "42601") || !singleLine(r.stderr) {
		t.Fatalf("install error: exit %d, stderr %q; want one line naming functions/api/zz_hello.sql:4", r.code, r.stderr)
	}
	// The failed install changed nothing: the old function still answers.
	if r := f.get(t, "/v1/rpc/zz_hello", f.viewer); r.code != 200 {
		t.Fatalf("after a failed install = %d %s", r.code, r.body)
	}
}

// A reinstall of the code packages never fails a request: 5 `nezuko
// migrate --force` while 8 clients call reads and a mutation, at least
// 1,000 requests in all, every answer 2xx.
func TestReinstallUnderConcurrentLoadFailsNoRequest(t *testing.T) {
	f := newAPI(t)
	f.exec(t, `insert into nezuko.protected_groups (group_id, title) values (-1001, 'G')`)
	paths := []string{
		"/v1/rpc/list_groups", "/v1/rpc/get_dashboard_stats", "/v1/rpc/list_config",
		"/v1/rpc/get_verification_trends?p_granularity=hour", "/v1/rpc/list_bots", "/v1/rpc/get_group?p_group_id=-1001",
		"/v1/rpc/get_bot_health", "/v1/rpc/list_commands",
	}
	var (
		total, bad atomic.Int64
		mu         sync.Mutex
		failures   []string
		stop       atomic.Bool
		wg         sync.WaitGroup
	)
	client := &http.Client{Timeout: 30 * time.Second}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; !stop.Load(); i++ {
				var req *http.Request
				if i%10 == 9 {
					req, _ = http.NewRequest(http.MethodPost, f.p.URL()+"/v1/rpc/update_group",
						strings.NewReader(`{"p_group_id": -1001, "p_title": "G"}`))
					req.Header.Set("Content-Type", "application/json")
				} else {
					req, _ = http.NewRequest(http.MethodGet, f.p.URL()+paths[i%len(paths)], nil)
				}
				req.Header.Set("Authorization", "Bearer "+f.admin)
				resp, err := client.Do(req)
				total.Add(1)
				if err != nil || resp.StatusCode >= 300 {
					bad.Add(1)
					msg := ""
					if err != nil {
						msg = err.Error()
					} else {
						b := make([]byte, 300)
						n, _ := resp.Body.Read(b)
						msg = resp.Status + " " + string(b[:n])
					}
					mu.Lock()
					failures = append(failures, req.URL.Path+": "+msg)
					mu.Unlock()
				}
				if resp != nil {
					resp.Body.Close()
				}
			}
		}()
	}
	start := time.Now()
	for i := 0; i < 5; i++ {
		r := runNezuko(t, []string{"DATABASE_URL=" + f.url}, "migrate", "--force")
		if r.code != 0 {
			stop.Store(true)
			wg.Wait()
			t.Fatalf("reinstall %d: exit %d: %s", i+1, r.code, r.stderr)
		}
	}
	for total.Load() < 1000 && time.Since(start) < 2*time.Minute {
		time.Sleep(20 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("%d requests across 5 reinstalls in %v, %d not 2xx", total.Load(), time.Since(start).Round(time.Millisecond), bad.Load())
	if total.Load() < 1000 {
		t.Errorf("only %d requests", total.Load())
	}
	if bad.Load() > 0 {
		t.Errorf("%d of %d requests failed during reinstalls, e.g. %v", bad.Load(), total.Load(), failures[:min(len(failures), 5)])
	}
}

// Every subcommand's --help lists its flags and exits 0, whatever the
// environment holds.
func TestEverySubcommandHelpListsItsFlagsAndExitsZero(t *testing.T) {
	for _, c := range []struct {
		args  []string
		flags []string
	}{
		{[]string{"migrate", "--help"}, []string{"-force", "-dir"}},
		{[]string{"serve", "--help"}, []string{"flags: none"}},
		{[]string{"seed", "-h"}, []string{"-rows", "-days"}},
		{[]string{"openapi", "--help"}, []string{"-dir"}},
		{[]string{"token", "create", "--help"}, []string{"-name", "-role", "-ttl", "-if-no-admin"}},
		{[]string{"bot", "add", "--help"}, []string{"-token"}},
		{[]string{"keygen", "--help"}, []string{"Fernet"}},
		{[]string{"version", "--help"}, []string{"version"}},
	} {
		r := runNezuko(t, []string{"NEZUKO_LOG_LEVEL=loud"}, c.args...)
		if r.code != 0 {
			t.Errorf("nezuko %v: exit %d, stderr %q", c.args, r.code, r.stderr)
		}
		for _, want := range c.flags {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("nezuko %v: output lacks %q:\n%s", c.args, want, r.stdout)
			}
		}
	}
}
