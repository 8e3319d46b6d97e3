// Package queue_test tests the operations plane against real PostgreSQL:
// the command queue (worker goroutines and separate worker processes), the
// heartbeat and the admin_logs handler.
package queue_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/tests/testdb"
)

var workerBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nezuko-queue-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workerBin = filepath.Join(dir, "queueworker")
	build := exec.Command("go", "build", "-o", workerBin, "github.com/nezuko-bot/nezuko/tests/queue/cmd/queueworker")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build queueworker:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// newDB is a fresh migrated database with the executions side table the
// test executors write to.
func newDB(t *testing.T) (*pgxpool.Pool, string) {
	t.Helper()
	u := testdb.New(t)
	pc, err := pgxpool.ParseConfig(u)
	if err != nil {
		t.Fatal(err)
	}
	pc.MaxConns = 20
	pool, err := pgxpool.NewWithConfig(context.Background(), pc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	execSQL(t, pool, `create table queue_test_executions (command_id bigint not null, worker text not null, at timestamptz not null default clock_timestamp())`)
	return pool, u
}

func execSQL(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := pool.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func queryInt(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var n int64
	if err := pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func queryText(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var s string
	if err := pool.QueryRow(ctx, sql, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// insertBot registers a bot_instances row (no real token) and returns its id.
func insertBot(t *testing.T, pool *pgxpool.Pool, botUserID int64) int64 {
	t.Helper()
	return queryInt(t, pool, `insert into nezuko.bot_instances (bot_user_id, username, token_encrypted, token_sha256)
		values ($1::bigint, 'test_bot_' || $1::bigint, 'not-a-token', sha256(($1::bigint)::text::bytea)) returning id`, botUserID)
}
