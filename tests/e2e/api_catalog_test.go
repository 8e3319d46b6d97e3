package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A function added by reinstalling the functions package is served, with
// its types, and listed in /openapi.json, without a restart; a function
// whose result shape changes keeps answering (stale cached plans, 0A000).
func TestReinstalledFunctionAppearsWithoutRestart(t *testing.T) {
	f := newAPI(t)
	if f.hasOperation(t, "zz_echo") {
		t.Fatal("zz_echo exists before it was installed")
	}
	// Warm a cached plan of list_config on pooled connections.
	for i := 0; i < 8; i++ {
		f.get(t, "/v1/rpc/list_config", f.viewer)
	}
	installFunctionsWith(t, f.url, map[string]string{"zz_echo.sql": `
create type api.zz_mood as enum ('calm', 'angry');
create function api.zz_echo(p_n integer, p_when date, p_mood api.zz_mood default 'calm', p_tags text[] default '{}',
                            out n bigint, out tomorrow date, out mood api.zz_mood, out tags text[], out span interval)
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$ select p_n::bigint * 2, p_when + 1, p_mood, p_tags, interval '1 day 2 hours' $$;
comment on function api.zz_echo(integer, date, api.zz_mood, text[]) is 'Echoes its arguments. Added by a test.
@tag testing';
grant execute on function api.zz_echo(integer, date, api.zz_mood, text[]) to nezuko_viewer;`})
	f.waitFor(t, "zz_echo")
	r := f.get(t, "/v1/rpc/zz_echo?p_n=21&p_when=2026-02-28&p_mood=angry&p_tags=a&p_tags=b%2Cc", f.viewer)
	want := `{"n":42,"tomorrow":"2026-03-01","mood":"angry","tags":["a","b,c"],"span":"P1DT2H"}`
	if r.code != 200 || r.body != want {
		t.Fatalf("zz_echo = %d %s, want %s", r.code, r.body, want)
	}
	p := f.get(t, "/v1/rpc/zz_echo?p_n=1&p_when=2026-02-28&p_mood=sleepy", f.viewer).problem(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p["detail"].(string), "p_mood") {
		t.Errorf("enum violation not named: %v", p)
	}
	f.get(t, "/v1/rpc/zz_echo?p_n=1&p_when=yesterday", f.viewer).problem(t, http.StatusUnprocessableEntity)
	var doc struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	_ = json.Unmarshal([]byte(f.get(t, "/openapi.json", "").body), &doc)
	if !strings.Contains(string(doc.Components.Schemas["ZzMood"]), `"enum":["calm","angry"]`) {
		t.Errorf("enum type not in the document: %s", doc.Components.Schemas["ZzMood"])
	}
	if r := f.get(t, "/v1/rpc/list_config", f.viewer); r.code != 200 {
		t.Errorf("list_config after the reinstall = %d %s", r.code, r.body)
	}
	// The same function with another result shape: cached plans of the old
	// one fail once with 0A000, which the API retries.
	installFunctionsWith(t, f.url, map[string]string{"zz_echo.sql": `
create function api.zz_echo(p_n integer, out n bigint, out doubled bigint)
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$ select p_n::bigint, p_n::bigint * 2 $$;
grant execute on function api.zz_echo(integer) to nezuko_viewer;`})
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(f.get(t, "/openapi.json", "").body, `"doubled"`) {
		if time.Now().After(deadline) {
			t.Fatal("new shape of zz_echo not served within 10s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i := 0; i < 8; i++ {
		if r := f.get(t, "/v1/rpc/zz_echo?p_n=4", f.viewer); r.code != 200 || r.body != `{"n":4,"doubled":8}` {
			t.Fatalf("zz_echo after the shape change = %d %s", r.code, r.body)
		}
	}
}

// Overloaded names are refused with a log line; the rest is served.
func TestOverloadedFunctionIsRefusedWithALogLine(t *testing.T) {
	f := newAPI(t)
	installFunctionsWith(t, f.url, map[string]string{"zz_twice.sql": `
create function api.zz_twice(p integer) returns integer language sql immutable return p * 2;
create function api.zz_twice(p text) returns text language sql immutable return p || p;
grant execute on function api.zz_twice(integer), api.zz_twice(text) to nezuko_viewer;`})
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(f.p.Logs(), "overloaded") {
		if time.Now().After(deadline) {
			t.Fatalf("no log line about the overloaded function:\n%s", f.p.Logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(f.p.Logs(), "api.zz_twice") || f.hasOperation(t, "zz_twice") {
		t.Errorf("overloaded zz_twice was served or not named in the log")
	}
	if r := f.get(t, "/v1/rpc/list_config", f.viewer); r.code != 200 {
		t.Errorf("the rest of the API is gone: %d", r.code)
	}
}

// A 500 shows only a request id, which the log carries with the real
// error; a statement over the timeout is a 504.
func TestInternalErrorsShowOnlyARequestIDAndTimeoutsAre504(t *testing.T) {
	f := newAPI(t)
	installFunctionsWith(t, f.url, map[string]string{"zz_fail.sql": `
create function api.zz_fail() returns integer language plpgsql stable as $$
begin raise exception 'secret internal detail 8c1f' using errcode = 'XX000'; end $$;
grant execute on function api.zz_fail() to nezuko_viewer;
create function api.zz_slow() returns integer language sql stable as $$ select 1 from pg_sleep(2) $$;
grant execute on function api.zz_slow() to nezuko_viewer;`})
	f.waitFor(t, "zz_slow")
	p := f.get(t, "/v1/rpc/zz_fail", f.viewer).problem(t, http.StatusInternalServerError)
	body, _ := json.Marshal(p)
	if strings.Contains(string(body), "8c1f") {
		t.Fatalf("500 shows internal text: %s", body)
	}
	id := regexp.MustCompile(`[0-9a-f]{16}`).FindString(p["detail"].(string))
	if id == "" || !strings.Contains(p["instance"].(string), id) {
		t.Fatalf("500 without a request id: %s", body)
	}
	// The log reaches us through a pipe: give it a moment.
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		logs := f.p.Logs()
		if strings.Contains(logs, id) && strings.Contains(logs, "8c1f") {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the log has no line with request id %s and the error", id)
			break
		}
	}
	f.exec(t, `update nezuko.admin_config set value = '200' where key = 'api_statement_timeout_ms'`)
	start := time.Now()
	f.get(t, "/v1/rpc/zz_slow", f.viewer).problem(t, http.StatusGatewayTimeout)
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("timeout took %v, want about 200ms", d)
	}
}

// The committed documents are what the server serves for the catalog of a
// freshly migrated database.
func TestCommittedOpenAPIMatchesWhatIsServed(t *testing.T) {
	f := newAPI(t)
	for file, path := range map[string]string{"openapi.yaml": "/openapi.yaml", "openapi-3.0.yaml": "/openapi-3.0.yaml"} {
		want, err := os.ReadFile(filepath.Join("..", "..", "openapi", file))
		if err != nil {
			t.Fatal(err)
		}
		got := f.get(t, path, "")
		if got.code != 200 {
			t.Fatalf("GET %s = %d", path, got.code)
		}
		if got.body != string(want) {
			t.Errorf("openapi/%s differs from what the server serves: run `just openapi` and commit the result", file)
		}
	}
	if r := f.get(t, "/openapi-3.0.json", ""); r.code != 200 || !strings.Contains(r.body, `"openapi":"3.0.3"`) {
		t.Errorf("/openapi-3.0.json = %d %.100s", r.code, r.body)
	}
	// /docs works offline: the page and its assets come from the binary.
	page := f.get(t, "/docs/", "")
	if page.code != 200 || !strings.Contains(page.body, "swagger") {
		t.Fatalf("/docs/ = %d %.200s", page.code, page.body)
	}
	if regexp.MustCompile(`(src|href)="https?://`).MatchString(page.body) {
		t.Errorf("/docs/ loads assets from the internet")
	}
	for _, asset := range regexp.MustCompile(`(?:src|href)="([^"]+\.(?:js|css))"`).FindAllStringSubmatch(page.body, -1) {
		u := asset[1]
		if !strings.HasPrefix(u, "/") {
			u = "/docs/" + u
		}
		if r := f.get(t, u, ""); r.code != 200 || len(r.body) < 100 {
			t.Errorf("docs asset %s = %d", u, r.code)
		}
	}
	_ = context.Background
}
