package pgrestart

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/gobridge/queue"
	"github.com/nezuko-bot/nezuko/tests/ssetest"
	"github.com/nezuko-bot/nezuko/tests/testdb"
)

func needCluster(t *testing.T) {
	t.Helper()
	if os.Getenv("NEZUKO_PG_RESTART") != "1" || os.Getenv("NEZUKO_PG_DATA") == "" || os.Getenv("NEZUKO_PG_BIN") == "" {
		t.Skip("crashes the whole cluster: run through `just test` (NEZUKO_PG_RESTART=1, NEZUKO_PG_DATA, NEZUKO_PG_BIN)")
	}
	t.Cleanup(func() {
		data, pgbin := os.Getenv("NEZUKO_PG_DATA"), os.Getenv("NEZUKO_PG_BIN")
		status := append(strings.Fields(os.Getenv("NEZUKO_AS_PG")), filepath.Join(pgbin, "pg_ctl"), "-D", data, "status")
		if exec.Command(status[0], status[1:]...).Run() != nil {
			pgCtl(t, "-w", "start")
		}
	})
}

// crash stops the cluster as a power cut would (immediate: no checkpoint,
// unflushed WAL lost) and starts it again (crash recovery).
func crash(t *testing.T) {
	t.Helper()
	pgCtl(t, "-m", "immediate", "-w", "stop")
	pgCtl(t, "-w", "-t", "60", "start")
}

// serveOn starts `nezuko serve` on url and returns its base URL.
func serveOn(t *testing.T, url string, env ...string) string {
	t.Helper()
	base, _ := serveWithLogs(t, url, env...)
	return base
}

// serveWithLogs starts `nezuko serve` on url until the test ends (SIGINT,
// then kill after 15 s; its output logged when the test fails) and returns
// its base URL once /readyz answers 200, and its output so far.
func serveWithLogs(t *testing.T, url string, env ...string) (string, *logBuf) {
	t.Helper()
	bin := os.Getenv("NEZUKO_BIN")
	if bin == "" {
		t.Skip("NEZUKO_BIN is not set")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	logs := &logBuf{}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "DATABASE_URL=" + url, "NEZUKO_HTTP_ADDR=" + addr, "NEZUKO_LOG_DB=off"}, env...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("nezuko serve output:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return "http://" + addr, logs
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// After a crash, transaction ids of commits that never reached the disk are
// handed out again. Events the relay had delivered from such commits
// (here: asynchronous commits, as any DBA session may make) are gone, and
// new events may carry txids below the relay's cursor. The relay notices
// the restart, re-scans from the tables, delivers every new event exactly
// once, and tells the client to refetch (the phantoms).
func TestRealtimeExactAfterCrashWithReusedTransactionIDs(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	pool, url := testdb.NewPool(t)
	var token string
	if err := pool.QueryRow(ctx, "select token from auth.create_token('crash test', 'viewer')").Scan(&token); err != nil {
		t.Fatal(err)
	}
	base := serveOn(t, url)
	sctx, scancel := context.WithTimeout(ctx, 2*time.Minute)
	defer scancel()
	s, err := ssetest.Open(sctx, nil, base+"/v1/events?channels=logs", token, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	insert := func(msg string, async bool) {
		t.Helper()
		c, err := pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Release()
		tx, err := c.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if async {
			if _, err := tx.Exec(ctx, "set local synchronous_commit = off"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := tx.Exec(ctx, "insert into nezuko.admin_logs (level, message) values ('INFO', $1)", msg); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := func(n int) []ssetest.Event {
		t.Helper()
		var evs []ssetest.Event
		for len(evs) < n {
			ev, err := s.Next(20 * time.Second)
			if err != nil {
				t.Fatalf("after %d of %d events: %v (stream: %v)", len(evs), n, err, s.Err())
			}
			evs = append(evs, ev)
		}
		return evs
	}
	for i := range 3 {
		insert("durable "+string(rune('a'+i)), false)
	}
	got(3)
	// Keep asynchronous commits in memory: the WAL writer waits 10 s.
	pool.Exec(ctx, "alter system set wal_writer_delay = '10s'")
	pool.Exec(ctx, "select pg_reload_conf()")
	t.Cleanup(func() {
		p, err := pgxpool.New(context.Background(), url)
		if err == nil {
			p.Exec(context.Background(), "alter system reset wal_writer_delay")
			p.Exec(context.Background(), "select pg_reload_conf()")
			p.Close()
		}
	})
	time.Sleep(300 * time.Millisecond)
	for i := range 5 {
		insert("phantom "+string(rune('a'+i)), true)
	}
	got(5) // delivered while their commits are still only in memory
	pool.Reset()
	crash(t)
	var lost int
	for deadline := time.Now().Add(30 * time.Second); ; {
		err := pool.QueryRow(ctx, "select 5 - count(*) from nezuko.admin_logs where message like 'phantom %'").Scan(&lost)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if lost == 0 {
		t.Fatalf("the crash lost none of the asynchronous commits: the test did not set up phantoms")
	}
	for i := range 8 {
		insert("after "+string(rune('a'+i)), false)
	}
	evs := got(9) // one reset, then the eight new rows, once each
	reset, after := 0, map[string]int{}
	for _, ev := range evs {
		if ev.Event == "reset" {
			reset++
			continue
		}
		var row struct{ Message string }
		if err := json.Unmarshal([]byte(ev.Data), &row); err != nil {
			t.Fatal(err)
		}
		after[row.Message]++
	}
	if ev, err := s.Next(1500 * time.Millisecond); err == nil {
		t.Fatalf("extra event %s %s", ev.Event, ev.Data)
	}
	if reset != 1 || len(after) != 8 {
		t.Fatalf("after the crash: %d reset events and %d distinct new rows (%v), want 1 and 8", reset, len(after), after)
	}
	for m, n := range after {
		if n != 1 || !strings.HasPrefix(m, "after ") {
			t.Fatalf("row %q delivered %d times", m, n)
		}
	}
	t.Logf("%d phantom events lost by the crash; the client got one reset and the 8 new rows exactly once", lost)
}

// Commands in flight through a PostgreSQL crash: a message is sent only
// after bot.plan_command's synchronous commit (which flushes the claim's
// asynchronous one), completions are committed synchronously, completion
// reports wait for the database to come back (renewing the leases
// meanwhile), so every message is sent once and every command is completed.
func TestQueueExactlyOnceThroughPostgresCrash(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	pool, _ := testdb.NewPool(t)
	const n = 120
	enqueueMessages(t, pool, 9191, n)
	var mu sync.Mutex
	sent := map[int64]int{} // what "Telegram" received
	exec := queue.ExecutorFunc(func(ctx context.Context, c queue.Command) (queue.Outcome, error) {
		// As the production executor: the plan (marks the attempt dispatched), then the call.
		if _, err := pool.Exec(ctx, "select bot_instance_id from bot.plan_command($1, $2, $3)", c.ID, c.Worker, c.StartedAt); err != nil {
			return queue.Outcome{}, queue.NotDispatched(err) // nothing was sent
		}
		mu.Lock()
		sent[c.ID]++
		mu.Unlock()
		time.Sleep(80 * time.Millisecond)
		return queue.Outcome{Result: json.RawMessage(`{"calls": [{"method": "sendMessage", "ok": true}]}`)}, nil
	})
	w := queue.New(queue.Config{Pool: pool, Executor: exec, AnyBot: true, Concurrency: 8, Lease: 6 * time.Second,
		RenewEvery: 500 * time.Millisecond, PollEvery: 200 * time.Millisecond, Name: "crash-worker",
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = w.Run(wctx); close(done) }()
	defer func() { stop(); <-done }()
	time.Sleep(500 * time.Millisecond)
	crash(t)
	var settled, completed, unknown int
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		err := pool.QueryRow(ctx, `select count(*) filter (where status in ('completed', 'unknown', 'failed')),
			count(*) filter (where status = 'completed'), count(*) filter (where status = 'unknown') from nezuko.admin_commands`).
			Scan(&settled, &completed, &unknown)
		if err == nil && settled == n {
			break
		}
	}
	mu.Lock()
	defer mu.Unlock()
	dup, lost := 0, 0
	for id, k := range sent {
		if k > 1 {
			dup++
			t.Errorf("command %d was sent %d times", id, k)
		}
	}
	lost = n - len(sent)
	if settled != n || completed != n || dup != 0 || lost != 0 {
		t.Fatalf("after the crash: %d of %d settled, %d completed, %d unknown; %d sent twice, %d never sent", settled, n, completed, unknown, dup, lost)
	}
	t.Logf("%d commands through an immediate PostgreSQL stop: each sent once and completed", n)
}

// A claim commits asynchronously, so a crash can lose a claim whose worker
// already holds the commands: they are pending again and the same worker
// claims them anew, with the same attempt numbers. The old attempts, held
// up here until the new ones have sent their messages, still ask for their
// plans and report their failures; both name the old attempt (worker,
// started_at) and change nothing: each message is sent once, by the new
// attempt, and completed.
func TestQueueClaimLostInACrashIsNotRunTwice(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	pool, _ := testdb.NewPool(t)
	const n = 40
	enqueueMessages(t, pool, 9192, n)
	// Keep the claim's asynchronous commit in memory until the crash.
	if _, err := pool.Exec(ctx, "alter system set wal_writer_delay = '10s'"); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "select pg_reload_conf()"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p, err := pgxpool.New(context.Background(), pool.Config().ConnString())
		if err == nil {
			p.Exec(context.Background(), "alter system reset wal_writer_delay")
			p.Exec(context.Background(), "select pg_reload_conf()")
			p.Close()
		}
	})
	time.Sleep(300 * time.Millisecond)

	var (
		mu               sync.Mutex
		sent             = map[int64]int{} // what "Telegram" received
		oldStarted       = map[int64]time.Time{}
		crashed          = make(chan struct{})
		oldGo            = make(chan struct{}) // the old attempts may go on
		newGo            = make(chan struct{}) // the new attempts may finish
		oldHeld, newSent sync.WaitGroup
		oldDone          sync.WaitGroup
		refused          int
	)
	oldHeld.Add(n)
	oldDone.Add(n)
	newSent.Add(n)
	exec := queue.ExecutorFunc(func(_ context.Context, c queue.Command) (queue.Outcome, error) {
		old := true
		select {
		case <-crashed:
			old = false
		default:
		}
		if old {
			mu.Lock()
			oldStarted[c.ID] = c.StartedAt
			mu.Unlock()
			defer oldDone.Done()
			oldHeld.Done()
			<-oldGo
		}
		// As the production executor: the plan (naming the attempt), then the
		// call. Not cancellable: the worker cancels an attempt it sees claimed
		// again, but one may already be past that point; the SQL must hold.
		pctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := pool.Exec(pctx, "select bot_instance_id from bot.plan_command($1, $2, $3)", c.ID, c.Worker, c.StartedAt); err != nil {
			if old {
				mu.Lock()
				refused++
				mu.Unlock()
			}
			return queue.Outcome{}, queue.NotDispatched(err) // nothing was sent
		}
		mu.Lock()
		sent[c.ID]++
		mu.Unlock()
		if !old {
			newSent.Done()
			<-newGo
		}
		return queue.Outcome{Result: json.RawMessage(`{"calls": [{"method": "sendMessage", "ok": true}]}`)}, nil
	})
	w := queue.New(queue.Config{Pool: pool, Executor: exec, AnyBot: true, Concurrency: 4 * n, Lease: time.Minute,
		PollEvery: 200 * time.Millisecond, Name: "lost-claim-worker",
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = w.Run(wctx); close(done) }()
	defer func() { stop(); <-done }()
	defer func() {
		// Let every attempt end, whatever failed.
		select {
		case <-oldGo:
		default:
			close(oldGo)
		}
		select {
		case <-newGo:
		default:
			close(newGo)
		}
	}()

	wait := func(wg *sync.WaitGroup, what string) {
		t.Helper()
		ch := make(chan struct{})
		go func() { wg.Wait(); close(ch) }()
		select {
		case <-ch:
		case <-time.After(60 * time.Second):
			t.Fatalf("timed out waiting until %s", what)
		}
	}
	wait(&oldHeld, "the worker holds every command")
	close(crashed)
	pool.Reset()
	crash(t)
	// Which claims survived: a command still under its old started_at.
	var survived int
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		rows, err := pool.Query(ctx, "select id, started_at from nezuko.admin_commands where started_at is not null")
		if err == nil {
			survived = 0
			var id int64
			var at time.Time
			_, err = pgx.ForEachRow(rows, []any{&id, &at}, func() error {
				mu.Lock()
				defer mu.Unlock()
				if at.Equal(oldStarted[id]) {
					survived++
				}
				return nil
			})
		}
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
	}
	if survived > 0 {
		t.Fatalf("the crash lost %d of %d claims: the test needs them all lost (nothing may flush the WAL before the crash)", n-survived, n)
	}
	wait(&newSent, "the commands are claimed again and their messages sent")
	close(oldGo)
	wait(&oldDone, "the old attempts end")
	close(newGo)

	var completed, firstAttempt int
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err := pool.QueryRow(ctx, `select count(*) filter (where status = 'completed'), count(*) filter (where attempts = 1)
			from nezuko.admin_commands`).Scan(&completed, &firstAttempt); err == nil && completed == n {
			break
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for id, k := range sent {
		if k != 1 {
			t.Errorf("command %d was sent %d times", id, k)
		}
	}
	if len(sent) != n || refused != n || completed != n || firstAttempt != n {
		t.Fatalf("%d of %d sent, %d old attempts refused their plan, %d completed, %d completed at attempt 1",
			len(sent), n, refused, completed, firstAttempt)
	}
	t.Logf("%d claims lost in the crash: claimed again at the same attempt; the old attempts were refused their plans, each message sent once", n)
}

// enqueueMessages adds a bot (Telegram user id botUserID) and n send_message
// commands bound to it.
func enqueueMessages(t *testing.T, pool *pgxpool.Pool, botUserID int64, n int) {
	t.Helper()
	ctx := context.Background()
	var bot int64
	if err := pool.QueryRow(ctx, `insert into nezuko.bot_instances (bot_user_id, username, token_encrypted, token_sha256)
		values ($1::bigint, 'crash_bot_' || $1::bigint, 'x', sha256($1::bigint::text::bytea)) returning id`, botUserID).Scan(&bot); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `insert into nezuko.admin_commands (command_type, payload, bot_instance_id)
		select 'send_message', jsonb_build_object('group_id', -100, 'text', 'm' || g), $1::bigint from generate_series(1, $2) g`, bot, n); err != nil {
		t.Fatal(err)
	}
}
