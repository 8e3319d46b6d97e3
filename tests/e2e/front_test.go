package e2e

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

const devOrigin = "http://localhost:5173"

// A page on an allowed origin (a Vite dev server) may call the API and open
// the event stream: preflights answer with the methods and headers the API
// uses, answers name the origin and expose X-Request-Id. Any other origin
// gets no CORS header at all, and without NEZUKO_CORS_ORIGINS nobody does.
func TestCORSAnswersAllowedOriginsOnlyIncludingTheEventStream(t *testing.T) {
	f := newAPI(t, "NEZUKO_CORS_ORIGINS="+devOrigin+", https://dash.example.com")
	for _, path := range []string{"/v1/rpc/list_groups", "/v1/events", "/openapi.json", "/v1/auth/login"} {
		r := f.do(t, http.MethodOptions, path, "", nil, "Origin", devOrigin,
			"Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization,last-event-id")
		if r.code != http.StatusNoContent || r.header.Get("Access-Control-Allow-Origin") != devOrigin {
			t.Fatalf("preflight %s from %s = %d %v", path, devOrigin, r.code, r.header)
		}
		allow := strings.ToLower(r.header.Get("Access-Control-Allow-Headers"))
		if !strings.Contains(allow, "authorization") || !strings.Contains(allow, "last-event-id") ||
			!strings.Contains(r.header.Get("Access-Control-Allow-Methods"), "POST") {
			t.Errorf("preflight %s allows headers %q methods %q", path, allow, r.header.Get("Access-Control-Allow-Methods"))
		}
	}
	r := f.do(t, http.MethodGet, "/v1/rpc/list_groups", f.viewer, nil, "Origin", devOrigin)
	if r.code != 200 || r.header.Get("Access-Control-Allow-Origin") != devOrigin ||
		!strings.Contains(r.header.Get("Access-Control-Expose-Headers"), "X-Request-Id") {
		t.Errorf("GET from the allowed origin = %d %v", r.code, r.header)
	}
	// The event stream answers the origin too (checked on its 401, which
	// needs no open stream).
	if r := f.do(t, http.MethodGet, "/v1/events", "", nil, "Origin", "https://dash.example.com"); r.header.Get("Access-Control-Allow-Origin") != "https://dash.example.com" {
		t.Errorf("/v1/events from an allowed origin = %d %v", r.code, r.header)
	}

	evil := "http://evil.example"
	r = f.do(t, http.MethodOptions, "/v1/rpc/list_groups", "", nil, "Origin", evil, "Access-Control-Request-Method", "GET")
	if r.code != http.StatusForbidden || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from a refused origin = %d %v", r.code, r.header)
	}
	r = f.do(t, http.MethodGet, "/v1/rpc/list_groups", f.viewer, nil, "Origin", evil)
	if r.code != 200 || r.header.Get("Access-Control-Allow-Origin") != "" || r.header.Get("Access-Control-Expose-Headers") != "" {
		t.Errorf("GET from a refused origin carries CORS headers: %v", r.header)
	}

	off := newAPI(t)
	r = off.do(t, http.MethodGet, "/v1/rpc/list_groups", off.viewer, nil, "Origin", devOrigin)
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("without NEZUKO_CORS_ORIGINS: %v", r.header)
	}
}

// Every request leaves one access log line: method, route, status,
// duration, request id and token id; 401s and 404s included; never the
// token itself, never the query string (an events ticket travels there).
func TestAccessLogHasALinePerRequestWithoutTheToken(t *testing.T) {
	f := newAPI(t)
	ok := f.get(t, "/v1/rpc/list_groups?p_limit=5", f.viewer)
	f.get(t, "/v1/rpc/list_groups", "")
	f.get(t, "/v1/rpc/no_such_function", f.viewer)
	f.get(t, "/v1/events?access_token=secret-in-query", "")
	id := ok.header.Get("X-Request-Id")
	deadline := time.Now().Add(5 * time.Second)
	var logs string
	for time.Now().Before(deadline) {
		logs = f.p.Logs()
		if strings.Count(logs, `msg="http: request"`) >= 4 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	var line string
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, "request_id="+id) && strings.Contains(l, `msg="http: request"`) {
			line = l
		}
	}
	for _, want := range []string{"method=GET", "path=/v1/rpc/list_groups", "status=200", "duration=", "token_id=", "level=INFO"} {
		if !strings.Contains(line, want) {
			t.Errorf("access log line %q lacks %s", line, want)
		}
	}
	for _, want := range []string{"status=401", "status=404"} {
		if !strings.Contains(logs, want) {
			t.Errorf("no access log line with %s:\n%s", want, logs)
		}
	}
	for _, secret := range []string{f.viewer, "secret-in-query", "p_limit=5"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

// Every environment variable is checked the same way: a malformed value
// stops the binary with one line naming the variable.
func TestEveryBadEnvValueIsAOneLineErrorNamingTheVariable(t *testing.T) {
	for _, kv := range []string{
		"NEZUKO_CORS_ORIGINS=localhost:5173",
		"NEZUKO_BOT_RELOAD=soon",
		"NEZUKO_SSE_KEEPALIVE=-1s",
		"NEZUKO_SSE_CLIENT_BUFFER=0",
		"NEZUKO_LOG_DB=maybe",
		"NEZUKO_LOG_LEVEL=loud",
		"NEZUKO_SHUTDOWN_TIMEOUT=10",
		"NEZUKO_HTTP_ADDR=8080",
		"NEZUKO_TELEGRAM_API_URL=api.telegram.org",
		"NEZUKO_FERNET_KEYS=short",
	} {
		name := kv[:strings.IndexByte(kv, '=')]
		r := runNezuko(t, []string{"DATABASE_URL=postgres://127.0.0.1:1/x", kv}, "serve")
		if r.code != 1 || !strings.Contains(r.stderr, name+": want ") || !singleLine(r.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want 1 and one line naming %s", kv, r.code, r.stderr, name)
		}
	}
}

// Wrong passwords are throttled per account and per client address: 429
// with Retry-After, decided before any password hashing (so a throttled
// attempt is much cheaper than a checked one), and a correct password does
// not get through a throttled account until the window passes.
func TestLoginIsThrottledPerAccountAndPerAddressBeforeHashing(t *testing.T) {
	f := newAPI(t)
	f.exec(t, `update nezuko.admin_config set value = '3' where key = 'login_max_failures_per_account'`)
	f.exec(t, `update nezuko.admin_config set value = '8' where key = 'login_max_failures_per_address'`)
	user := map[string]any{"p_email": "tess@example.com", "p_password": "correct horse battery"}
	if r := f.post(t, "/v1/rpc/create_admin_user", f.admin, user); r.code != 200 {
		t.Fatalf("create_admin_user = %d %s", r.code, r.body)
	}
	login := func(email, password string) (reply, time.Duration) {
		start := time.Now()
		r := f.post(t, "/v1/auth/login", "", map[string]any{"email": email, "password": password})
		return r, time.Since(start)
	}
	var checked []time.Duration
	for i := 0; i < 3; i++ {
		r, d := login("tess@example.com", "wrong")
		r.problem(t, http.StatusUnauthorized)
		checked = append(checked, d)
	}
	r, _ := login("TESS@example.com", "correct horse battery")
	p := r.problem(t, http.StatusTooManyRequests)
	if p["code"] != "too_many_requests" || r.header.Get("Retry-After") == "" || r.header.Get("Retry-After") == "0" {
		t.Fatalf("throttled login: code %v, Retry-After %q", p["code"], r.header.Get("Retry-After"))
	}
	var throttled []time.Duration
	for i := 0; i < 5; i++ {
		r, d := login("tess@example.com", "wrong")
		r.problem(t, http.StatusTooManyRequests)
		throttled = append(throttled, d)
	}
	if a, b := median(throttled), median(checked); a*2 > b {
		t.Errorf("a throttled login takes %v, a checked one %v: the throttle should come before the bcrypt work", a, b)
	}
	// Per address: failures on other accounts from this address add up.
	for i := 0; i < 5; i++ { // 3 + 5 = 8 failures from 127.0.0.1
		r, _ := login("nobody"+strconv.Itoa(i)+"@example.com", "x")
		r.problem(t, http.StatusUnauthorized)
	}
	r, _ = login("someone-else@example.com", "x")
	r.problem(t, http.StatusTooManyRequests)
	// Once the window is over (rows aged by hand), the right password works.
	f.exec(t, `update nezuko.login_failures set failed_at = failed_at - interval '1 hour'`)
	r, _ = login("tess@example.com", "correct horse battery")
	if r.code != 200 {
		t.Fatalf("login after the window = %d %s", r.code, r.body)
	}
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
