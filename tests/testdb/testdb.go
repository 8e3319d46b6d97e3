// Package testdb hands each test its own PostgreSQL database, cloned from a
// migrated template (CREATE DATABASE ... TEMPLATE), so tests are isolated
// and a fresh database costs milliseconds, not a migration.
//
// It needs DATABASE_URL (any database on a server where the user may create
// databases); `just test` sets it to the project-local cluster. The template
// is named after a hash of the embedded SQL, so a changed migration or
// function builds a new one by itself.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko"
	"github.com/nezuko-bot/nezuko/gobridge/migrate"
)

// AdminURL is the server to create databases on, from DATABASE_URL.
func AdminURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		t.Fatal("DATABASE_URL is not set: run the tests with `just test`, which starts a local cluster")
	}
	return u
}

// New returns the URL of a fresh, migrated database dropped when t ends.
func New(t testing.TB) string {
	t.Helper()
	return create(t, templateName())
}

// NewEmpty returns the URL of a fresh database with nothing migrated.
func NewEmpty(t testing.TB) string {
	t.Helper()
	return create(t, "")
}

// NewPool returns a pool on a fresh, migrated database, and its URL.
func NewPool(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	u := New(t)
	pool, err := pgxpool.New(context.Background(), u)
	if err != nil {
		t.Fatalf("testdb: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool, u
}

func create(t testing.TB, template string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin := AdminURL(t)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("testdb: connect to DATABASE_URL: %v", err)
	}
	defer conn.Close(context.Background())
	if template != "" {
		if err := ensureTemplate(ctx, conn, admin, template); err != nil {
			t.Fatalf("testdb: %v", err)
		}
	}
	name := "nezuko_test_" + randomHex(6)
	q := "create database " + pgx.Identifier{name}.Sanitize()
	if template != "" {
		q += " template " + pgx.Identifier{template}.Sanitize()
	}
	// Another session may be copying the same template at this moment
	// (55006 "being accessed by other users"): wait and retry.
	for attempt := 0; ; attempt++ {
		_, err = conn.Exec(ctx, q)
		if err == nil || attempt == 50 || !strings.Contains(err.Error(), "55006") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("testdb: %s: %v", q, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Logf("testdb: drop %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "drop database if exists "+pgx.Identifier{name}.Sanitize()+" with (force)"); err != nil {
			t.Logf("testdb: drop %s: %v", name, err)
		}
	})
	u, err := WithDatabase(admin, name)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	return u
}

// ensureTemplate builds the migrated template once per SQL content, under
// an advisory lock so parallel test processes build it only once.
func ensureTemplate(ctx context.Context, conn *pgx.Conn, admin, name string) error {
	if _, err := conn.Exec(ctx, "select pg_advisory_lock(hashtext('nezuko_testdb_template'))"); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	defer conn.Exec(context.Background(), "select pg_advisory_unlock(hashtext('nezuko_testdb_template'))")
	var exists bool
	if err := conn.QueryRow(ctx, "select exists (select from pg_database where datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	build := name + "_build"
	if _, err := conn.Exec(ctx, "drop database if exists "+pgx.Identifier{build}.Sanitize()+" with (force)"); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "create database "+pgx.Identifier{build}.Sanitize()); err != nil {
		return err
	}
	bu, err := WithDatabase(admin, build)
	if err != nil {
		return err
	}
	bc, err := pgx.Connect(ctx, bu)
	if err != nil {
		return err
	}
	_, err = migrate.Migrate(ctx, bc, false)
	bc.Close(context.Background())
	if err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	if _, err := conn.Exec(ctx, "alter database "+pgx.Identifier{build}.Sanitize()+" rename to "+pgx.Identifier{name}.Sanitize()); err != nil {
		return err
	}
	// Templates of older SQL are of no further use; one in use is left.
	rows, err := conn.Query(ctx, "select datname from pg_database where datname like 'nezuko\\_tpl\\_%' and datname <> $1 and datname not like '%\\_build'", name)
	if err != nil {
		return err
	}
	stale, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, s := range stale {
		_, _ = conn.Exec(ctx, "drop database if exists "+pgx.Identifier{s}.Sanitize())
	}
	return nil
}

// templateName is nezuko_tpl_ and a hash of every embedded SQL file.
func templateName() string {
	h := sha256.New()
	for _, f := range []fs.FS{nezuko.Migrations(), nezuko.Functions(), nezuko.Triggers()} {
		_ = fs.WalkDir(f, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(f, p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
			h.Write(b)
			return nil
		})
	}
	return "nezuko_tpl_" + hex.EncodeToString(h.Sum(nil))[:12]
}

// WithDatabase returns base (a URL or a keyword=value DSN) pointing at db.
func WithDatabase(base, db string) (string, error) {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			return "", fmt.Errorf("parse DATABASE_URL: %w", err)
		}
		u.Path = "/" + db
		return u.String(), nil
	}
	// keyword=value: a later dbname overrides an earlier one.
	return base + " dbname=" + db, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
