package e2e

import (
	"context"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/nezuko-bot/nezuko/tests/testdb"
)

// serveLogin is NEZUKO_E2E_SERVE_LOGIN: when set, every `nezuko serve` the
// tests start logs in as this role, created (LOGIN, member of nezuko_bridge
// only, owning nothing) on first use; migrations and the tests' own SQL
// keep DATABASE_URL's owner. `just test` runs the serve-touching tests a
// second time so (see the justfile's test-least-privilege).
var serveLogin = os.Getenv("NEZUKO_E2E_SERVE_LOGIN")

var loginOnce sync.Once

// asServeLogin rewrites DATABASE_URL in env to serveLogin's.
func asServeLogin(t *testing.T, env []string) []string {
	if serveLogin == "" {
		return env
	}
	loginOnce.Do(func() { ensureServeLogin(t, serveLogin) })
	out := append([]string(nil), env...)
	for i, kv := range out {
		v, ok := strings.CutPrefix(kv, "DATABASE_URL=")
		if !ok {
			continue
		}
		u, err := url.Parse(v)
		if err != nil {
			t.Fatalf("DATABASE_URL: %v", err)
		}
		u.User = url.User(serveLogin)
		out[i] = "DATABASE_URL=" + u.String()
	}
	return out
}

// ensureServeLogin creates the login role (trust auth on the local
// cluster: no password) as a member of nezuko_bridge and nothing else.
func ensureServeLogin(t *testing.T, name string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testdb.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	id := pgx.Identifier{name}.Sanitize()
	_, err = conn.Exec(ctx, `do $$ begin
		if not exists (select from pg_roles where rolname = '`+strings.ReplaceAll(name, "'", "''")+`') then
			create role `+id+` login nosuperuser nocreatedb nocreaterole inherit;
		end if;
	end $$`)
	if err != nil {
		t.Fatalf("create login %s: %v", name, err)
	}
	// nezuko_bridge may not exist yet on a fresh cluster: the first
	// migrated test database creates it.
	testdb.New(t)
	if _, err := conn.Exec(ctx, "grant nezuko_bridge to "+id); err != nil {
		t.Fatalf("grant nezuko_bridge to %s: %v", name, err)
	}
}

func TestServeLoginIsOnlyABridgeMember(t *testing.T) {
	if serveLogin == "" {
		t.Skip("NEZUKO_E2E_SERVE_LOGIN is not set (just test sets it for its least-privilege pass)")
	}
	loginOnce.Do(func() { ensureServeLogin(t, serveLogin) })
	conn := connect(t, testdb.New(t))
	var super, owns bool
	var member string
	if err := conn.QueryRow(context.Background(), `select r.rolsuper,
		exists (select from pg_class c where c.relowner = r.oid) or exists (select from pg_namespace n where n.nspowner = r.oid),
		(select string_agg(g.rolname, ',' order by g.rolname) from pg_auth_members m join pg_roles g on g.oid = m.roleid where m.member = r.oid)
		from pg_roles r where r.rolname = $1`, serveLogin).Scan(&super, &owns, &member); err != nil {
		t.Fatal(err)
	}
	if super || owns || member != "nezuko_bridge" {
		t.Fatalf("serve login %s: superuser %v, owns something %v, member of %q; want only nezuko_bridge", serveLogin, super, owns, member)
	}
}
