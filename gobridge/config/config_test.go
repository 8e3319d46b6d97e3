package config_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/gobridge/config"
	"github.com/nezuko-bot/nezuko/tests/testdb"
)

// A context that ends while a statement runs (an API client hanging up)
// must not cost the pool its connection: a short statement finishes, a
// long one is cancelled on the server, and the same backend serves on.
func TestPoolKeepsConnectionWhenContextEnds(t *testing.T) {
	ctx := context.Background()
	pc, err := (&config.Config{DatabaseURL: testdb.NewEmpty(t)}).PoolConfig()
	if err != nil {
		t.Fatal(err)
	}
	pc.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	backend := func() int32 {
		t.Helper()
		var pid int32
		if err := pool.QueryRow(ctx, "select pg_backend_pid()").Scan(&pid); err != nil {
			t.Fatal(err)
		}
		return pid
	}
	first := backend()

	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	_, _ = pool.Exec(short, "select pg_sleep(0.05)")
	cancel()
	if pid := backend(); pid != first {
		t.Errorf("after a short statement outlived its context: backend %d, want %d (connection replaced)", pid, first)
	}

	long, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	start := time.Now()
	_, err = pool.Exec(long, "select pg_sleep(30)")
	cancel()
	if err == nil {
		t.Fatal("a 30 s statement whose context ended after 10 ms succeeded")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the cancelled statement returned after %v", d)
	}
	if pid := backend(); pid != first {
		t.Errorf("after a cancelled statement: backend %d, want %d (connection replaced)", pid, first)
	}
	if n := pool.Stat().NewConnsCount(); n != 1 {
		t.Errorf("the pool opened %d connections, want 1", n)
	}
}
