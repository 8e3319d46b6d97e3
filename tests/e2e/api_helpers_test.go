package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"

	"github.com/nezuko-bot/nezuko"
	"github.com/nezuko-bot/nezuko/tests/testdb"
)

// apiFixture is a running `nezuko serve` on its own database, with an
// admin and a viewer token.
type apiFixture struct {
	p             *process
	url           string // database
	conn          *pgx.Conn
	admin, viewer string
}

func newAPI(t *testing.T, env ...string) *apiFixture {
	t.Helper()
	f := &apiFixture{url: testdb.New(t)}
	f.conn = connect(t, f.url)
	f.admin = f.token(t, "admin")
	f.viewer = f.token(t, "viewer")
	f.p = startServe(t, append([]string{"DATABASE_URL=" + f.url}, env...)...)
	f.waitFor(t, "list_config")
	return f
}

func (f *apiFixture) token(t *testing.T, role string) string {
	t.Helper()
	var tok string
	if err := f.conn.QueryRow(context.Background(), `select token from auth.create_token($1, $2)`, "test "+role, role).Scan(&tok); err != nil {
		t.Fatal(err)
	}
	return tok
}

// waitFor waits until the API lists the operation in /openapi.json.
func (f *apiFixture) waitFor(t *testing.T, op string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if f.hasOperation(t, op) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("operation %s did not appear in /openapi.json within 15s:\n%s", op, f.p.Logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (f *apiFixture) hasOperation(t *testing.T, op string) bool {
	t.Helper()
	code, body := get(t, f.p.URL()+"/openapi.json")
	return code == http.StatusOK && strings.Contains(body, `"operationId":"`+op+`"`)
}

// reply is one HTTP answer.
type reply struct {
	code   int
	header http.Header
	body   string
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("not a JSON object (%d): %s", r.code, r.body)
	}
	return m
}

// problem checks an RFC 9457 answer with the given status and returns it.
func (r reply) problem(t *testing.T, status int) map[string]any {
	t.Helper()
	if r.code != status {
		t.Fatalf("status %d, want %d: %s", r.code, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json: %s", ct, r.body)
	}
	m := r.json(t)
	if int(m["status"].(float64)) != status || m["title"] == nil {
		t.Fatalf("problem without status/title: %s", r.body)
	}
	return m
}

func (f *apiFixture) do(t *testing.T, method, path, token string, body io.Reader, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, f.p.URL()+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{Timeout: 20 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{code: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (f *apiFixture) get(t *testing.T, path, token string) reply {
	t.Helper()
	return f.do(t, http.MethodGet, path, token, nil)
}

func (f *apiFixture) post(t *testing.T, path, token string, body any) reply {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	case nil:
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
	}
	return f.do(t, http.MethodPost, path, token, r)
}

func (f *apiFixture) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := f.conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func (f *apiFixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.conn.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// installFunctionsWith reinstalls the real functions code package (tern,
// one transaction, its NOTIFY nezuko_reload) with extra api function files
// added to the admin API block, as a DBA adding a file and running
// `nezuko migrate` would.
func installFunctionsWith(t *testing.T, dbURL string, extra map[string]string) {
	t.Helper()
	m := fstest.MapFS{}
	src := nezuko.Functions()
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(src, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	install := string(m["install.sql"].Data)
	var lines strings.Builder
	for name, sql := range extra {
		m["api/"+name] = &fstest.MapFile{Data: []byte(sql)}
		fmt.Fprintf(&lines, "{{ template \"api/%s\" . }}\n", name)
	}
	install = strings.Replace(install, "-- End block: admin API.", lines.String()+"-- End block: admin API.", 1)
	m["install.sql"] = &fstest.MapFile{Data: []byte(install)}
	cp, err := migrate.LoadCodePackage(m)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := migrate.InstallCodePackage(ctx, conn, map[string]any{"sha256": "test"}, cp); err != nil {
		t.Fatalf("install functions package: %v", err)
	}
}
