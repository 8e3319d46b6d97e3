package queue_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/gobridge/plan"
	"github.com/nezuko-bot/nezuko/gobridge/queue"
)

// startWorker runs w until the test ends (then stops it and waits).
func startWorker(t *testing.T, w *queue.Worker) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("worker: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("worker did not stop within 20s")
		}
	})
}

// listen wakes ws on every doorbell of the queue, until the test ends.
func listen(t *testing.T, url string, ws ...*queue.Worker) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "listen "+queue.Channel); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, err := conn.WaitForNotification(ctx); err != nil {
				return
			}
			for _, w := range ws {
				w.Wake()
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done; conn.Close(context.Background()) })
}

func recordingExecutor(pool *pgxpool.Pool) queue.Executor {
	return queue.ExecutorFunc(func(ctx context.Context, c queue.Command) (queue.Outcome, error) {
		if _, err := pool.Exec(ctx, "insert into queue_test_executions (command_id, worker) values ($1, $2)", c.ID, c.Worker); err != nil {
			return queue.Outcome{}, err
		}
		return queue.Outcome{Result: json.RawMessage(`{"ok":true}`)}, nil
	})
}

func enqueueMessages(t *testing.T, pool *pgxpool.Pool, n int, text string) {
	t.Helper()
	execSQL(t, pool, `insert into nezuko.admin_commands (command_type, payload)
		select 'send_message', jsonb_build_object('group_id', -100, 'text', $2::text) from generate_series(1, $1)`, n, text)
}

func assertEachExecutedOnce(t *testing.T, pool *pgxpool.Pool, n int) {
	t.Helper()
	if got := queryInt(t, pool, `select count(*) from nezuko.admin_commands where status = 'completed' and attempts = 1`); got != int64(n) {
		t.Errorf("%d of %d commands completed on their first attempt", got, n)
	}
	if dup := queryInt(t, pool, `select count(*) from (select command_id from queue_test_executions group by 1 having count(*) > 1) d`); dup != 0 {
		t.Errorf("%d commands were executed more than once", dup)
	}
	if got := queryInt(t, pool, `select count(distinct command_id) from queue_test_executions`); got != int64(n) {
		t.Errorf("%d of %d commands were executed", got, n)
	}
}

func TestManyWorkerGoroutinesExecuteEachCommandOnce(t *testing.T) {
	pool, url := newDB(t)
	const n = 3000
	var ws []*queue.Worker
	for i := range 6 {
		ws = append(ws, queue.New(queue.Config{Pool: pool, Executor: recordingExecutor(pool),
			Concurrency: 8, BatchSize: 4 + i, Name: fmt.Sprintf("goroutine-worker-%d", i)}))
	}
	listen(t, url, ws...)
	for _, w := range ws {
		startWorker(t, w)
	}
	// Rows arrive in many statements while the workers run.
	for range n / 100 {
		enqueueMessages(t, pool, 100, "hello")
	}
	waitFor(t, 60*time.Second, "every command to complete", func() bool {
		return queryInt(t, pool, `select count(*) from nezuko.admin_commands where status = 'completed'`) == n
	})
	assertEachExecutedOnce(t, pool, n)
	if w := queryInt(t, pool, `select count(distinct worker) from queue_test_executions`); w < 2 {
		t.Errorf("only %d worker took commands: the test does not exercise concurrent claims", w)
	}
}

// workerProcess is a running queueworker binary.
type workerProcess struct {
	cmd  *exec.Cmd
	out  *bufio.Scanner
	done chan struct{}
}

func startWorkerProcess(t *testing.T, url, name string, env ...string) *workerProcess {
	t.Helper()
	cmd := exec.Command(workerBin)
	cmd.Env = append(os.Environ(), append([]string{"DATABASE_URL=" + url, "QUEUE_WORKER=" + name}, env...)...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &workerProcess{cmd: cmd, out: bufio.NewScanner(stdout), done: make(chan struct{})}
	if !p.out.Scan() || p.out.Text() != "ready" {
		t.Fatalf("worker %s did not start", name)
	}
	lines := make(chan string, 100)
	go func() {
		for p.out.Scan() {
			lines <- p.out.Text()
		}
		close(lines)
	}()
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("worker %s did not stop within 20s of SIGTERM", name)
		}
	})
	return p
}

func TestWorkerProcessesExecuteEachCommandOnce(t *testing.T) {
	pool, url := newDB(t)
	const n = 2000
	for i := range 3 {
		startWorkerProcess(t, url, fmt.Sprintf("process-%d", i))
	}
	for range n / 200 {
		enqueueMessages(t, pool, 200, "hello")
	}
	waitFor(t, 60*time.Second, "every command to complete", func() bool {
		return queryInt(t, pool, `select count(*) from nezuko.admin_commands where status = 'completed'`) == n
	})
	assertEachExecutedOnce(t, pool, n)
	if w := queryInt(t, pool, `select count(distinct worker) from queue_test_executions`); w < 2 {
		t.Errorf("only %d process took commands", w)
	}
}

func TestKilledWorkersCommandIsRescuedAndCompletedOnce(t *testing.T) {
	pool, url := newDB(t)
	// The victim claims the command and hangs on it, then dies by SIGKILL.
	victim := startWorkerProcess(t, url, "victim", "QUEUE_LEASE=2s")
	id := queryInt(t, pool, `select (api.enqueue_command('send_message', '{"group_id": -100, "text": "hang"}')).id`)
	waitFor(t, 10*time.Second, "the victim to start the command", func() bool {
		return queryInt(t, pool, `select count(*) from queue_test_executions where command_id = $1 and worker = 'victim'`, id) == 1
	})
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-victim.done
	// Until the lease expires, nobody else may take it.
	execSQL(t, pool, `update nezuko.admin_commands set payload = '{"group_id": -100, "text": "done"}' where id = $1`, id)
	startWorkerProcess(t, url, "rescuer", "QUEUE_LEASE=2s", "QUEUE_POLL=300ms")
	waitFor(t, 15*time.Second, "the rescued command to complete", func() bool {
		return queryInt(t, pool, `select count(*) from nezuko.admin_commands where id = $1 and status = 'completed'`, id) == 1
	})
	if a := queryInt(t, pool, `select attempts from nezuko.admin_commands where id = $1`, id); a != 2 {
		t.Errorf("attempts = %d, want 2 (the killed one and the rescue)", a)
	}
	if n := queryInt(t, pool, `select count(*) from queue_test_executions where command_id = $1 and worker = 'rescuer'`, id); n != 1 {
		t.Errorf("the rescuer executed the command %d times, want 1", n)
	}
	var gap float64
	_ = pool.QueryRow(context.Background(), `select extract(epoch from max(at) - min(at)) from queue_test_executions where command_id = $1`, id).Scan(&gap)
	if gap < 1.5 {
		t.Errorf("the command was taken again %.2fs after the victim took it, before its 2s lease expired", gap)
	}
}

func TestFailingCommandRetriesWithBackoffThenFails(t *testing.T) {
	pool, url := newDB(t)
	execSQL(t, pool, `update nezuko.admin_config set value = '1' where key = 'command_retry_backoff_seconds'`)
	var mu sync.Mutex
	var tries []time.Time
	w := queue.New(queue.Config{Pool: pool, PollEvery: 100 * time.Millisecond,
		Executor: queue.ExecutorFunc(func(ctx context.Context, c queue.Command) (queue.Outcome, error) {
			mu.Lock()
			tries = append(tries, time.Now())
			mu.Unlock()
			return queue.Outcome{}, fmt.Errorf("telegram is down (attempt %d)", c.Attempt)
		})})
	listen(t, url, w)
	startWorker(t, w)
	id := queryInt(t, pool, `select (api.enqueue_command('send_message', '{"group_id": -100, "text": "x"}', p_max_attempts => 3)).id`)
	waitFor(t, 20*time.Second, "the command to fail", func() bool {
		return queryInt(t, pool, `select count(*) from nezuko.admin_commands where id = $1 and status = 'failed'`, id) == 1
	})
	var errText string
	var attempts int
	if err := pool.QueryRow(context.Background(), `select error, attempts from nezuko.admin_commands where id = $1`, id).Scan(&errText, &attempts); err != nil {
		t.Fatal(err)
	}
	if attempts != 3 || errText != "telegram is down (attempt 3)" {
		t.Errorf("attempts=%d error=%q, want 3 and the last attempt's error", attempts, errText)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(tries) != 3 {
		t.Fatalf("executed %d times, want 3", len(tries))
	}
	// Backoff 1 s after the first failure, 2 s after the second.
	if d := tries[1].Sub(tries[0]); d < 900*time.Millisecond {
		t.Errorf("second attempt %s after the first, want >= 1s", d)
	}
	if d := tries[2].Sub(tries[1]); d < 1900*time.Millisecond {
		t.Errorf("third attempt %s after the second, want >= 2s", d)
	}
}

func TestPermanentErrorFailsAtOnce(t *testing.T) {
	pool, url := newDB(t)
	w := queue.New(queue.Config{Pool: pool,
		Executor: queue.ExecutorFunc(func(ctx context.Context, c queue.Command) (queue.Outcome, error) {
			return queue.Outcome{}, queue.Permanent(errors.New("chat not found"))
		})})
	listen(t, url, w)
	startWorker(t, w)
	id := queryInt(t, pool, `select (api.enqueue_command('leave_group', '{"group_id": -100}')).id`)
	waitFor(t, 10*time.Second, "the command to fail", func() bool {
		return queryInt(t, pool, `select count(*) from nezuko.admin_commands where id = $1 and status = 'failed' and attempts = 1`, id) == 1
	})
}

func TestWithoutBotTelegramCommandsFailAndClearCacheRuns(t *testing.T) {
	pool, url := newDB(t)
	execSQL(t, pool, `update nezuko.admin_config set value = '0' where key = 'command_retry_backoff_seconds'`)
	execSQL(t, pool, `insert into nezuko.membership_cache (channel_id, user_id, member_status, is_member, expires_at)
		values (-1001, 7, 'member', true, now() + interval '1 hour'), (-1002, 7, 'left', false, now() + interval '1 hour'),
		       (-1001, 8, 'member', true, now() + interval '1 hour')`)
	w := queue.New(queue.Config{Pool: pool, Executor: &queue.SQLExecutor{Pool: pool}})
	listen(t, url, w)
	startWorker(t, w)
	ban := queryInt(t, pool, `select (api.enqueue_command('ban_user', '{"group_id": -100, "user_id": 7}', p_max_attempts => 2)).id`)
	clear := queryInt(t, pool, `select (api.enqueue_command('clear_cache', '{"user_id": 7}')).id`)
	waitFor(t, 10*time.Second, "both commands to finish", func() bool {
		return queryInt(t, pool, `select count(*) from nezuko.admin_commands where id in ($1, $2) and finished_at is not null`, ban, clear) == 2
	})
	var st, e string
	if err := pool.QueryRow(context.Background(), `select status, error from nezuko.admin_commands where id = $1`, ban).Scan(&st, &e); err != nil {
		t.Fatal(err)
	}
	if st != "failed" || e != "no bot" {
		t.Errorf("ban_user with no bot: status %s error %q, want failed / no bot", st, e)
	}
	var res string
	if err := pool.QueryRow(context.Background(), `select status || ' ' || result::text from nezuko.admin_commands where id = $1`, clear).Scan(&res); err != nil {
		t.Fatal(err)
	}
	if res != `completed {"deleted": 2}` {
		t.Errorf("clear_cache: %s, want completed with 2 rows deleted", res)
	}
	if n := queryInt(t, pool, `select count(*) from nezuko.membership_cache`); n != 1 {
		t.Errorf("%d cache rows left, want only user 8's", n)
	}
}

// fakeRunner plays the bots' Telegram executor: it answers checks from a
// table of memberships, resumes through SQL as the real executor does, and
// answers calls from canned Bot API results.
type fakeRunner struct {
	pool    *pgxpool.Pool
	bots    []int64
	members map[[2]int64]string
	answers map[string]string
	mu      sync.Mutex
	calls   []plan.Call
}

func (f *fakeRunner) Bots() []int64 { return f.bots }

func (f *fakeRunner) Run(ctx context.Context, bot int64, p plan.Plan) ([]plan.CallResult, error) {
	if len(p.Checks) > 0 || p.Resume != "" {
		var answers []plan.CheckResult
		for _, c := range p.Checks {
			answers = append(answers, plan.CheckResult{ChatID: c.ChatID, UserID: c.UserID, Status: f.members[[2]int64{c.ChatID, c.UserID}]})
		}
		b, _ := json.Marshal(answers)
		var raw []byte
		// As gobridge/telegram's executor does: resume(bot_instance_id, state, answers).
		if err := f.pool.QueryRow(ctx, "select "+pgx.Identifier(strings.Split(p.Resume, ".")).Sanitize()+"($1, $2, $3)", bot, []byte(p.State), b).Scan(&raw); err != nil {
			return nil, err
		}
		p = plan.Plan{}
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, err
		}
	}
	var out []plan.CallResult
	for _, c := range p.Calls {
		f.mu.Lock()
		f.calls = append(f.calls, c)
		f.mu.Unlock()
		res := f.answers[c.Method]
		if res == "" {
			res = "true"
		}
		out = append(out, plan.CallResult{Method: c.Method, OK: true, Result: json.RawMessage(res)})
	}
	return out, nil
}

func TestPlanRunnerCarriesOutTelegramCommands(t *testing.T) {
	pool, url := newDB(t)
	bot := insertBot(t, pool, 999)
	execSQL(t, pool, `insert into nezuko.protected_groups (group_id, bot_instance_id, title) values (-100, $1, 'old title')`, bot)
	execSQL(t, pool, `insert into nezuko.enforced_channels (channel_id) values (-1001), (-1002)`)
	execSQL(t, pool, `insert into nezuko.group_channel_links (group_id, channel_id) values (-100, -1001), (-100, -1002)`)
	execSQL(t, pool, `insert into nezuko.group_restrictions (group_id, user_id, bot_instance_id, muted, prompt_message_id) values (-100, 7, $1, true, 55)`, bot)
	r := &fakeRunner{pool: pool, bots: []int64{bot},
		members: map[[2]int64]string{{-1001, 7}: "member", {-1002, 7}: "administrator", {-1001, 8}: "member", {-1002, 8}: "left"},
		answers: map[string]string{"getChat": `{"id": -100, "title": "New title", "type": "supergroup"}`,
			"getChatMemberCount": `42`, "getChatMember": `{"status": "administrator", "can_restrict_members": true}`}}
	w := queue.New(queue.Config{Pool: pool, Executor: &queue.SQLExecutor{Pool: pool, Runner: r}, Bots: r.Bots})
	listen(t, url, w)
	startWorker(t, w)
	execSQL(t, pool, `select api.enqueue_command('sync_group', '{"group_id": -100}')`)
	execSQL(t, pool, `select api.enqueue_command('unmute_user', '{"group_id": -100, "user_id": 7}')`)
	execSQL(t, pool, `select api.enqueue_command('unmute_user', '{"group_id": -100, "user_id": 8}')`)
	waitFor(t, 10*time.Second, "the commands to complete", func() bool {
		return queryInt(t, pool, `select count(*) from nezuko.admin_commands where status = 'completed'`) == 3
	})
	var title string
	var count int
	if err := pool.QueryRow(context.Background(), `select title, member_count from nezuko.protected_groups where group_id = -100`).Scan(&title, &count); err != nil {
		t.Fatal(err)
	}
	if title != "New title" || count != 42 {
		t.Errorf("sync_group stored %q / %d, want New title / 42", title, count)
	}
	// The subscribed user is unmuted (and the prompt deleted); the other is not.
	r.mu.Lock()
	var unmuted []string
	for _, c := range r.calls {
		if c.Method == "restrictChatMember" || c.Method == "deleteMessage" {
			unmuted = append(unmuted, c.Method+string(c.Params))
		}
	}
	r.mu.Unlock()
	if len(unmuted) != 2 || !strings.Contains(unmuted[0], `"user_id": 7`) || !strings.Contains(unmuted[1], `"message_id": 55`) {
		t.Errorf("unmute calls = %v, want restrictChatMember for user 7 and deleteMessage of prompt 55 only", unmuted)
	}
	if n := queryInt(t, pool, `select count(*) from nezuko.group_restrictions`); n != 0 {
		t.Errorf("user 7's restriction is still recorded")
	}
	if n := queryInt(t, pool, `select count(*) from nezuko.admin_commands where command_type = 'unmute_user' and result->'calls' = '[]'`); n != 1 {
		t.Errorf("want one unmute with no calls (user 8 is not subscribed), got %d", n)
	}
}

func TestFailedBotAPICallMakesAFailedAttempt(t *testing.T) {
	pool, url := newDB(t)
	bot := insertBot(t, pool, 999)
	r := &fakeRunner{pool: pool, bots: []int64{bot}}
	execSQL(t, pool, `update nezuko.admin_config set value = '0' where key = 'command_retry_backoff_seconds'`)
	w := queue.New(queue.Config{Pool: pool, Bots: r.Bots, Executor: queue.ExecutorFunc(func(ctx context.Context, c queue.Command) (queue.Outcome, error) {
		// A Bot API 400 as the executor reports it: SQL decides it is final.
		return queue.Outcome{Result: json.RawMessage(`{"calls": [{"method": "leaveChat", "ok": false, "error_code": 400, "description": "Bad Request: chat not found"}]}`)}, nil
	})})
	listen(t, url, w)
	startWorker(t, w)
	id := queryInt(t, pool, `select (api.enqueue_command('leave_group', '{"group_id": -100}', $1)).id`, bot)
	waitFor(t, 10*time.Second, "the command to fail", func() bool {
		return queryInt(t, pool, `select count(*) from nezuko.admin_commands where id = $1 and status = 'failed' and attempts = 1
			and error = 'leaveChat: Bad Request: chat not found'`, id) == 1
	})
}

func TestDoorbellWakesTheWorkerWithoutPolling(t *testing.T) {
	pool, url := newDB(t)
	var claimed atomic.Int64
	w := queue.New(queue.Config{Pool: pool, PollEvery: time.Hour, Executor: recordingExecutor(pool),
		OnClaim: func(c []queue.Command) { claimed.Add(int64(len(c))) }})
	listen(t, url, w)
	startWorker(t, w)
	time.Sleep(200 * time.Millisecond) // the first look finds nothing; only the doorbell can wake it now
	enqueueMessages(t, pool, 5, "ring")
	waitFor(t, 5*time.Second, "the doorbell to wake the worker", func() bool { return claimed.Load() == 5 })
}

func TestDoorbellRingsOncePerStatement(t *testing.T) {
	pool, url := newDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "listen "+queue.Channel); err != nil {
		t.Fatal(err)
	}
	enqueueMessages(t, pool, 50, "one statement")
	enqueueMessages(t, pool, 1, "another")
	var got []*pgconn.Notification
	for {
		wctx, wcancel := context.WithTimeout(ctx, 500*time.Millisecond)
		n, err := conn.WaitForNotification(wctx)
		wcancel()
		if err != nil {
			break
		}
		got = append(got, n)
	}
	if len(got) != 2 {
		t.Errorf("got %d notifications for 2 INSERT statements, want 2", len(got))
	}
}

// The worker's claims and completions write their command_updated events
// without a NOTIFY inside the transaction (which would hold PostgreSQL's
// notify lock through the commit's WAL flush) and ring nezuko_realtime once
// committed: each of the worker's rings ("commands", no txid) comes after
// the events it announces are visible, and only the INSERT rang from
// inside its transaction ("commands <txid>").
func TestWorkerRingsTheRealtimeDoorbellAfterItsCommits(t *testing.T) {
	pool, url := newDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "listen nezuko_realtime"); err != nil {
		t.Fatal(err)
	}
	w := queue.New(queue.Config{Pool: pool, PollEvery: time.Hour, Executor: recordingExecutor(pool)})
	listen(t, url, w)
	startWorker(t, w)
	enqueueMessages(t, pool, 3, "rung after commit")
	inside, after := 0, 0
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			t.Fatalf("after %d rings from inside a transaction and %d after a commit: %v", inside, after, err)
		}
		if n.Payload != "commands" {
			inside++
			continue
		}
		after++
		// The ring follows the commit: the claim's events are there when
		// it arrives, the completion's by the last ring (rings pending
		// together fold into one).
		var running, completed int
		if err := conn.QueryRow(ctx, `select count(*) filter (where (command).status = 'running'),
				count(*) filter (where (command).status = 'completed')
			from nezuko.realtime_events where kind = 'command_updated'`).Scan(&running, &completed); err != nil {
			t.Fatal(err)
		}
		if running != 3 {
			t.Fatalf("ring %d came before the claim's events were committed (%d running)", after, running)
		}
		if completed == 3 {
			break
		}
	}
	if inside != 1 {
		t.Errorf("%d rings from inside a transaction, want 1 (the INSERT's); the claim and the completion must ring after their commits", inside)
	}
}

// Results of commands that finish close together reach the database in one
// transaction (queue.Config.ReportDelay), not one commit (a WAL flush) each:
// four commands of one claim finishing 10 ms apart are completed together.
func TestResultsFinishedWithinTheReportDelayAreCompletedTogether(t *testing.T) {
	pool, url := newDB(t)
	var started atomic.Int64
	w := queue.New(queue.Config{Pool: pool, PollEvery: time.Hour, ReportDelay: 300 * time.Millisecond,
		Executor: queue.ExecutorFunc(func(ctx context.Context, c queue.Command) (queue.Outcome, error) {
			time.Sleep(time.Duration(started.Add(1)-1) * 10 * time.Millisecond)
			return queue.Outcome{Result: json.RawMessage(`{"ok":true}`)}, nil
		})})
	listen(t, url, w)
	startWorker(t, w)
	enqueueMessages(t, pool, 4, "together")
	waitFor(t, 10*time.Second, "the four commands to complete", func() bool {
		return queryInt(t, pool, `select count(*) from nezuko.admin_commands where status = 'completed'`) == 4
	})
	if got := queryInt(t, pool, `select count(distinct txid) from nezuko.realtime_events
		where kind = 'command_updated' and (command).status = 'completed'`); got != 1 {
		t.Errorf("the four results were completed in %d transactions, want 1", got)
	}
}

func TestStoppingWorkerFinishesRunningCommands(t *testing.T) {
	pool, url := newDB(t)
	started := make(chan struct{}, 1)
	w := queue.New(queue.Config{Pool: pool, Executor: queue.ExecutorFunc(func(ctx context.Context, c queue.Command) (queue.Outcome, error) {
		started <- struct{}{}
		time.Sleep(500 * time.Millisecond)
		return queue.Outcome{Result: json.RawMessage(`{"slow": true}`)}, nil
	})})
	listen(t, url, w)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	id := queryInt(t, pool, `select (api.enqueue_command('send_message', '{"group_id": -100, "text": "x"}')).id`)
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the command did not start")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("worker did not stop")
	}
	if n := queryInt(t, pool, `select count(*) from nezuko.admin_commands where id = $1 and status = 'completed'`, id); n != 1 {
		t.Error("the command running at stop was not completed")
	}
}

func TestRenewedLeaseKeepsALongCommandFromBeingRescued(t *testing.T) {
	pool, url := newDB(t)
	slow := queue.New(queue.Config{Pool: pool, Name: "slow", Lease: 2 * time.Second,
		Executor: queue.ExecutorFunc(func(ctx context.Context, c queue.Command) (queue.Outcome, error) {
			if _, err := pool.Exec(ctx, "insert into queue_test_executions (command_id, worker) values ($1, 'slow')", c.ID); err != nil {
				return queue.Outcome{}, err
			}
			select {
			case <-time.After(3500 * time.Millisecond): // longer than the lease
			case <-ctx.Done():
				return queue.Outcome{}, ctx.Err()
			}
			return queue.Outcome{Result: json.RawMessage(`{}`)}, nil
		})})
	listen(t, url, slow)
	startWorker(t, slow)
	id := queryInt(t, pool, `select (api.enqueue_command('send_message', '{"group_id": -100, "text": "long"}')).id`)
	waitFor(t, 10*time.Second, "the slow worker to start", func() bool {
		return queryInt(t, pool, `select count(*) from queue_test_executions where command_id = $1`, id) == 1
	})
	// A second worker polls and rescues eagerly the whole time.
	eager := queue.New(queue.Config{Pool: pool, Name: "eager", PollEvery: 200 * time.Millisecond, Executor: recordingExecutor(pool)})
	startWorker(t, eager)
	waitFor(t, 15*time.Second, "the long command to complete", func() bool {
		return queryInt(t, pool, `select count(*) from nezuko.admin_commands where id = $1 and status = 'completed'`, id) == 1
	})
	if n := queryInt(t, pool, `select count(*) from queue_test_executions where command_id = $1`, id); n != 1 {
		t.Errorf("executed %d times, want once: the live lease was rescued", n)
	}
	if a := queryInt(t, pool, `select attempts from nezuko.admin_commands where id = $1`, id); a != 1 {
		t.Errorf("attempts = %d, want 1", a)
	}
}

// A kill -9 with commands in flight: every attempt had been handed to
// Telegram (bot.plan_command). After the lease, the rescue re-runs the
// commands that may repeat (bans) and ends the messages as "unknown", with
// an event: no message is sent twice.
func TestKilledWorkerNeverSendsAMessageTwice(t *testing.T) {
	pool, url := newDB(t)
	bot := insertBot(t, pool, 777)
	victim := startWorkerProcess(t, url, "victim", "QUEUE_LEASE=2s", "QUEUE_DISPATCH=1")
	execSQL(t, pool, `insert into nezuko.admin_commands (command_type, payload, bot_instance_id)
		select 'send_message', '{"group_id": -100, "text": "hang"}', $1::bigint from generate_series(1, 4)
		union all
		select 'ban_user', jsonb_build_object('group_id', -100, 'user_id', g), $1::bigint from generate_series(1, 4) g`, bot)
	waitFor(t, 10*time.Second, "the victim to start the messages", func() bool {
		return queryInt(t, pool, `select count(*) from queue_test_executions e join nezuko.admin_commands c on c.id = e.command_id
			where c.command_type = 'send_message'`) == 4
	})
	waitFor(t, 10*time.Second, "the victim to complete the bans", func() bool {
		return queryInt(t, pool, `select count(*) from nezuko.admin_commands where command_type = 'ban_user' and status = 'completed'`) == 4
	})
	// Four bans completed; put them back in flight as the victim's, dispatched, to be rescued with the messages.
	execSQL(t, pool, `update nezuko.admin_commands set status = 'running', lease_owner = 'victim',
		lease_expires_at = now() + interval '2 seconds', dispatched_at = now(), finished_at = null
		where command_type = 'ban_user'`)
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-victim.done
	startWorkerProcess(t, url, "rescuer", "QUEUE_LEASE=2s", "QUEUE_POLL=300ms", "QUEUE_DISPATCH=1")
	waitFor(t, 15*time.Second, "every command to be settled", func() bool {
		return queryInt(t, pool, `select count(*) from nezuko.admin_commands where status in ('completed', 'unknown')`) == 8
	})
	if n := queryInt(t, pool, `select count(*) from queue_test_executions e join nezuko.admin_commands c on c.id = e.command_id
		where c.command_type = 'send_message' and e.worker = 'rescuer'`); n != 0 {
		t.Errorf("the rescuer sent %d messages again, want 0", n)
	}
	if n := queryInt(t, pool, `select count(*) from nezuko.admin_commands where command_type = 'send_message' and status = 'unknown'
		and error like 'outcome unknown: worker victim stopped answering%'`); n != 4 {
		t.Errorf("%d of 4 messages ended as unknown, with the reason", n)
	}
	if n := queryInt(t, pool, `select count(*) from nezuko.admin_commands c where command_type = 'ban_user' and status = 'completed'
		and exists (select from queue_test_executions e where e.command_id = c.id and e.worker = 'rescuer')`); n != 4 {
		t.Errorf("%d of 4 bans were re-run and completed by the rescuer, want 4 (a ban may repeat)", n)
	}
	if n := queryInt(t, pool, `select count(*) from nezuko.realtime_events e join nezuko.admin_commands c on c.id = e.source_id
		where c.command_type = 'send_message' and (e.command).status = 'unknown'`); n != 4 {
		t.Errorf("%d command_updated events with status unknown, want 4", n)
	}
}

// The worker claims on a connection of its own: with every other connection
// of its pool held by running commands, a new command is still picked up at
// once (a claim from the pool would wait until a command finished).
func TestClaimsDoNotWaitBehindExecutorsForAConnection(t *testing.T) {
	pool, url := newDB(t)
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	pc.MaxConns = 3
	wpool, err := pgxpool.NewWithConfig(context.Background(), pc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(wpool.Close)
	var claimed atomic.Int64
	gate := make(chan struct{})
	w := queue.New(queue.Config{Pool: wpool, Concurrency: 8, BatchSize: 1, PollEvery: time.Hour,
		OnClaim: func(cmds []queue.Command) { claimed.Add(int64(len(cmds))) },
		Executor: queue.ExecutorFunc(func(ctx context.Context, c queue.Command) (queue.Outcome, error) {
			// A command busy with the database: it holds a connection.
			if conn, err := wpool.Acquire(ctx); err == nil {
				defer conn.Release()
			}
			select {
			case <-gate:
			case <-ctx.Done():
			}
			return queue.Outcome{Result: json.RawMessage(`{"ok":true}`)}, nil
		})})
	listen(t, url, w)
	startWorker(t, w)
	t.Cleanup(func() { close(gate) }) // runs before the worker is stopped
	enqueueMessages(t, pool, 3, "hold")
	waitFor(t, 10*time.Second, "three commands running and the pool's three connections taken", func() bool {
		return claimed.Load() == 3 && wpool.Stat().AcquiredConns() == 3
	})
	enqueueMessages(t, pool, 1, "next")
	waitFor(t, 5*time.Second, "the fourth command claimed while the others hold the pool", func() bool {
		return claimed.Load() == 4
	})
}
