package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nezuko-bot/nezuko/tests/testdb"
)

// The 13 tables of the seed system, which keep their names.
var seedTables = []string{
	"owners", "bot_instances", "protected_groups", "enforced_channels",
	"group_channel_links", "admin_users", "admin_config", "bot_status",
	"admin_commands", "verification_log", "api_call_log", "admin_logs",
	"admin_audit_log",
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// catalogSnapshot describes the schema: tables, columns, constraints,
// indexes, triggers, functions and their definitions. Two equal snapshots
// mean nothing in the schema changed.
func catalogSnapshot(t *testing.T, conn *pgx.Conn) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), `
		select 'column ' || c.oid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
		       || case when a.attnotnull then ' not null' else '' end
		       || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
		from pg_attribute a join pg_class c on c.oid = a.attrelid
		left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
		where c.relnamespace = 'nezuko'::regnamespace and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
		union all
		select 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
		from pg_constraint where connamespace = 'nezuko'::regnamespace
		union all
		select 'index ' || indexrelid::regclass || ' ' || pg_get_indexdef(indexrelid)
		from pg_index i join pg_class c on c.oid = i.indrelid where c.relnamespace = 'nezuko'::regnamespace
		union all
		select 'trigger ' || tgrelid::regclass || ' ' || pg_get_triggerdef(oid)
		from pg_trigger where not tgisinternal
		union all
		select 'function ' || p.oid::regprocedure || ' ' || md5(pg_get_functiondef(p.oid))
		from pg_proc p where p.pronamespace::regnamespace::text in ('nezuko', 'api', 'bot', 'auth', 'triggers')
		order by 1`)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func TestMigrateCreatesEveryTableConstraintAndRole(t *testing.T) {
	url := testdb.NewEmpty(t)
	r := runNezuko(t, []string{"DATABASE_URL=" + url}, "migrate")
	if r.code != 0 {
		t.Fatalf("migrate exited %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "code package functions: installed") || !strings.Contains(r.stdout, "code package triggers: installed") {
		t.Errorf("migrate did not report installing both code packages:\n%s", r.stdout)
	}
	conn := connect(t, url)
	ctx := context.Background()
	for _, tbl := range seedTables {
		var ok bool
		if err := conn.QueryRow(ctx, "select to_regclass($1) is not null", "nezuko."+tbl).Scan(&ok); err != nil || !ok {
			t.Errorf("table nezuko.%s missing (err %v)", tbl, err)
		}
	}
	for _, role := range []string{"nezuko_viewer", "nezuko_admin", "nezuko_bridge"} {
		var canLogin bool
		if err := conn.QueryRow(ctx, "select rolcanlogin from pg_roles where rolname = $1", role).Scan(&canLogin); err != nil {
			t.Errorf("role %s missing: %v", role, err)
		} else if canLogin {
			t.Errorf("role %s may log in; it must be NOLOGIN", role)
		}
	}
	// Every table has a comment, and the constraints that make bad states
	// impossible are in place.
	var uncommented []string
	rows, _ := conn.Query(ctx, `select c.relname from pg_class c where c.relnamespace = 'nezuko'::regnamespace
		and c.relkind = 'r' and obj_description(c.oid, 'pg_class') is null and c.relname <> 'schema_version'`)
	uncommented, _ = pgx.CollectRows(rows, pgx.RowTo[string])
	if len(uncommented) > 0 {
		t.Errorf("tables without COMMENT: %v", uncommented)
	}
	for _, bad := range []string{
		`insert into nezuko.verification_log (user_id, status) values (1, 'maybe')`,
		`insert into nezuko.admin_logs (level, message) values ('LOUD', 'x')`,
		`insert into nezuko.admin_config (key, value, value_type, description) values ('k', '"x"', 'integer', 'd')`,
		`insert into nezuko.protected_groups (group_id, params) values (-1, '{"mode": "explode"}')`,
		`insert into nezuko.admin_commands (command_type) values ('format_disk')`,
	} {
		if _, err := conn.Exec(ctx, bad); err == nil {
			t.Errorf("accepted a bad row: %s", bad)
		}
	}
}

func TestSecondMigrateChangesNothing(t *testing.T) {
	url := testdb.NewEmpty(t)
	env := []string{"DATABASE_URL=" + url}
	if r := runNezuko(t, env, "migrate"); r.code != 0 {
		t.Fatalf("first migrate exited %d: %s", r.code, r.stderr)
	}
	conn := connect(t, url)
	before := catalogSnapshot(t, conn)
	r := runNezuko(t, env, "migrate")
	if r.code != 0 {
		t.Fatalf("second migrate exited %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"migrations: up to date", "code package functions: up to date", "code package triggers: up to date"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("second migrate output lacks %q:\n%s", want, r.stdout)
		}
	}
	after := catalogSnapshot(t, conn)
	if strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Errorf("second migrate changed the schema")
	}
}

func TestReinstallingCodePackagesKeepsDataAndConstraints(t *testing.T) {
	url := testdb.New(t)
	conn := connect(t, url)
	ctx := context.Background()
	_, err := conn.Exec(ctx, `
		insert into nezuko.protected_groups (group_id, title, params) values (-1001, 'G', '{"mode": "mute"}');
		insert into nezuko.enforced_channels (channel_id, title) values (-1002, 'C');
		insert into nezuko.group_channel_links (group_id, channel_id) values (-1001, -1002);
		insert into nezuko.verification_log (user_id, group_id, status, latency_ms) values (7, -1001, 'verified', 12);`)
	if err != nil {
		t.Fatal(err)
	}
	before := catalogSnapshot(t, conn)
	r := runNezuko(t, []string{"DATABASE_URL=" + url}, "migrate", "--force")
	if r.code != 0 || !strings.Contains(r.stdout, "code package functions: installed") {
		t.Fatalf("migrate --force exited %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	after := catalogSnapshot(t, conn)
	if strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Errorf("reinstalling the code packages changed the schema (a constraint, default or trigger was lost?)")
	}
	var n int
	if err := conn.QueryRow(ctx, `select (select count(*) from nezuko.protected_groups) + (select count(*) from nezuko.group_channel_links)
		+ (select count(*) from nezuko.verification_log)`).Scan(&n); err != nil || n != 3 {
		t.Errorf("rows after reinstall = %d (err %v), want 3", n, err)
	}
	// The updated_at trigger came back with the package.
	var changed bool
	if err := conn.QueryRow(ctx, `with old as (select updated_at from nezuko.protected_groups where group_id = -1001)
		update nezuko.protected_groups set title = 'G2' where group_id = -1001
		returning updated_at > (select updated_at from old)`).Scan(&changed); err != nil || !changed {
		t.Errorf("updated_at not maintained after reinstall (err %v)", err)
	}
}

func TestReadyzIs503BeforeMigrateAnd200After(t *testing.T) {
	url := testdb.NewEmpty(t)
	p := startServe(t, "DATABASE_URL="+url)
	code, body := get(t, p.URL()+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "nezuko migrate") {
		t.Fatalf("before migrate: /readyz = %d %s, want 503 naming nezuko migrate", code, body)
	}
	if code, _ := get(t, p.URL()+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d, want 200 even before migrate", code)
	}
	if r := runNezuko(t, []string{"DATABASE_URL=" + url}, "migrate"); r.code != 0 {
		t.Fatalf("migrate exited %d: %s", r.code, r.stderr)
	}
	code, body = get(t, p.URL()+"/readyz")
	if code != http.StatusOK {
		t.Fatalf("after migrate: /readyz = %d %s, want 200", code, body)
	}
	var v struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil || v.Status != "ready" {
		t.Errorf("/readyz body %q", body)
	}
}

func TestReadyzIs503WhenDatabaseUnreachable(t *testing.T) {
	p := startServe(t, "DATABASE_URL=postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1")
	code, body := get(t, p.URL()+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "database unreachable") {
		t.Fatalf("/readyz = %d %s, want 503 database unreachable", code, body)
	}
}

func TestBadDatabaseURLExitsWithOneLineError(t *testing.T) {
	cases := []struct {
		name, url, want string
	}{
		{"missing", "", "DATABASE_URL is not set"},
		{"malformed", "DATABASE_URL=postgres://[::1", "not a valid PostgreSQL URL"},
		{"unreachable", "DATABASE_URL=postgres://nobody:secretpw@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", "cannot connect to the database"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var env []string
			if c.url != "" {
				env = []string{c.url}
			}
			r := runNezuko(t, env, "migrate")
			if r.code == 0 {
				t.Fatalf("exit 0, want non-zero")
			}
			if !strings.Contains(r.stderr, c.want) || !singleLine(r.stderr) {
				t.Errorf("stderr = %q, want one line containing %q", r.stderr, c.want)
			}
			if strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, "secretpw") {
				t.Errorf("stderr shows a stack trace or the password: %q", r.stderr)
			}
		})
	}
}

func TestServeStopsGracefullyOnSignal(t *testing.T) {
	url := testdb.New(t)
	p := startServe(t, "DATABASE_URL="+url)
	start := time.Now()
	p.stop(t)
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("serve exited %d after SIGINT, want 0:\n%s", code, p.Logs())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("serve took %v to stop", d)
	}
}

func TestKeygenPrintsAFernetKey(t *testing.T) {
	r := runNezuko(t, nil, "keygen")
	key := strings.TrimSpace(r.stdout)
	if r.code != 0 || len(key) != 44 || strings.ContainsAny(key, "+/") {
		t.Fatalf("keygen = %d %q, want a 44-char URL-safe base64 key", r.code, key)
	}
	if again := strings.TrimSpace(runNezuko(t, nil, "keygen").stdout); again == key {
		t.Errorf("keygen printed the same key twice")
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
