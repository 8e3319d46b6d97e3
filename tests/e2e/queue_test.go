package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/tests/testdb"
)

func queueCount(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// Two `nezuko serve` with no bot share one queue: SQL-only commands run
// exactly once each, Telegram-side ones fail with "no bot", and serve's own
// logs land in admin_logs.
func TestServeRunsTheCommandQueueWithoutABot(t *testing.T) {
	pool, url := testdb.NewPool(t)
	startServe(t, "DATABASE_URL="+url)
	startServe(t, "DATABASE_URL="+url)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `insert into nezuko.admin_commands (command_type, payload)
		select 'clear_cache', jsonb_build_object('user_id', g) from generate_series(1, 300) g`); err != nil {
		t.Fatal(err)
	}
	var ban int64
	if err := pool.QueryRow(ctx, `select (api.enqueue_command('ban_user', '{"group_id": -100, "user_id": 5}', p_max_attempts => 1)).id`).Scan(&ban); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for queueCount(t, pool, `select count(*) from nezuko.admin_commands where finished_at is not null`) < 301 {
		if time.Now().After(deadline) {
			t.Fatalf("commands not finished within 20s: %d of 301", queueCount(t, pool, `select count(*) from nezuko.admin_commands where finished_at is not null`))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := queueCount(t, pool, `select count(*) from nezuko.admin_commands where command_type = 'clear_cache' and status = 'completed' and attempts = 1`); n != 300 {
		t.Errorf("%d of 300 clear_cache commands completed on their one attempt", n)
	}
	var st, e string
	if err := pool.QueryRow(ctx, `select status, error from nezuko.admin_commands where id = $1`, ban).Scan(&st, &e); err != nil {
		t.Fatal(err)
	}
	if st != "failed" || !strings.Contains(e, "no bot") {
		t.Errorf("ban_user without a bot: %s / %q, want failed / no bot", st, e)
	}
	deadline = time.Now().Add(10 * time.Second)
	for queueCount(t, pool, `select count(*) from nezuko.admin_logs where logger = 'queue' and message = 'command queue: worker started' and instance like '%:%'`) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the two processes' start lines did not reach admin_logs")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The payload validator is a trigger of the triggers package: reinstalling
// the code packages must leave it in force.
func TestCommandValidatorSurvivesCodePackageReinstall(t *testing.T) {
	pool, url := testdb.NewPool(t)
	if r := runNezuko(t, []string{"DATABASE_URL=" + url}, "migrate", "--force"); r.code != 0 {
		t.Fatalf("migrate --force: %s", r.stderr)
	}
	_, err := pool.Exec(context.Background(), `insert into nezuko.admin_commands (command_type, payload) values ('ban_user', '{}')`)
	if err == nil || !strings.Contains(err.Error(), "ban_user payload: group_id is required") || !strings.Contains(err.Error(), "22023") {
		t.Errorf("after a reinstall, a bad payload gave %v; want 22023 naming the field", err)
	}
}
