// Command chaos runs the fault matrix of issue 14 against the project-local
// cluster, bounded in time (about 3 minutes), and prints one markdown
// table: the fault, how many times it was injected, the recovery time,
// commands lost / duplicated / ended "outcome unknown", phantom and skipped
// events, and the peak RSS of the process under test. Every cell that
// counts a loss or a duplicate must read 0; the command exits 1 otherwise.
//
// It bounces the whole cluster, so it runs alone: `just chaos` (needs
// DATABASE_URL on the project-local cluster, NEZUKO_BIN, NEZUKO_PG_DATA,
// NEZUKO_PG_BIN and NEZUKO_AS_PG when root).
//
// Effects (Telegram calls through the bots' outbox, effects.go) have their
// own columns: a bot under a steady stream of non-subscribers through a
// kill -9, a takeover by a second serve, a PostgreSQL crash, and a 429/5xx
// storm.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/gobridge/queue"
)

type row struct {
	fault          string
	injected       int
	recovery       time.Duration
	lost, dup      int
	unknown        int
	phantom, skip  int
	peakRSSKB      int
	note           string
	countsCommands bool
	countsEvents   bool
	effLost        int
	effDup         int
	countsEffects  bool
}

var (
	adminURL = os.Getenv("DATABASE_URL")
	bin      = os.Getenv("NEZUKO_BIN")
	log      = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
)

func main() {
	if adminURL == "" || bin == "" || os.Getenv("NEZUKO_PG_DATA") == "" || os.Getenv("NEZUKO_PG_BIN") == "" {
		fmt.Fprintln(os.Stderr, "chaos: set DATABASE_URL (project-local cluster), NEZUKO_BIN, NEZUKO_PG_DATA, NEZUKO_PG_BIN (use `just chaos`)")
		os.Exit(2)
	}
	start := time.Now()
	var rows []row
	only := os.Getenv("CHAOS_ONLY") // a substring of the fault names to run (debugging)
	run := func(name string, f func() (row, error)) {
		if only != "" && !strings.Contains(name, only) {
			return
		}
		fmt.Fprintf(os.Stderr, "chaos: %s ...\n", name)
		r, err := f()
		if err != nil {
			fmt.Fprintf(os.Stderr, "chaos: %s: %v\n", name, err)
			r = row{fault: name, note: "error: " + err.Error(), lost: -1}
		}
		rows = append(rows, r)
	}
	run("PostgreSQL fast restart, commands in flight", func() (row, error) { return queueThroughRestart("fast") })
	run("PostgreSQL crash (immediate stop), commands in flight", func() (row, error) { return queueThroughRestart("immediate") })
	run("kill -9 of a worker mid-work", killWorker)
	run("SIGTERM of a worker mid-work", termWorker)
	run("PostgreSQL crash under SSE, 4 writers", eventsThroughCrash)
	run("replay flood: 80 streams resume 20 MB each, never read", replayFlood)
	run("slow-body flood: 150 bodies at 1 byte/300 ms", slowBodies)
	run("kill -9 of serve, effects in flight", effectsKill)
	run("second serve takes over a bot", effectsTakeover)
	run("PostgreSQL crash, effects pending", effectsCrash)
	run("429 and 5xx storm", effectsStorm)
	run("API pool saturated", effectsPoolSaturation)

	fmt.Printf("\n### Fault matrix (`just chaos`, %s, %s)\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), machine())
	fmt.Println("| fault | injected | recovery | commands lost | commands duplicated | outcome unknown | phantom events | skipped events | effects lost | effects duplicated | peak RSS | note |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	var bad []string
	for _, r := range rows {
		cmd := func(n int) string {
			if !r.countsCommands {
				return "—"
			}
			return strconv.Itoa(n)
		}
		ev := func(n int) string {
			if !r.countsEvents {
				return "—"
			}
			return strconv.Itoa(n)
		}
		eff := func(n int) string {
			if !r.countsEffects {
				return "—"
			}
			return strconv.Itoa(n)
		}
		rec := "—"
		if r.recovery > 0 {
			rec = r.recovery.Round(10 * time.Millisecond).String()
		}
		rss := "—"
		if r.peakRSSKB > 0 {
			rss = fmt.Sprintf("%d MB", r.peakRSSKB/1024)
		}
		unknown := cmd(r.unknown)
		if r.countsEffects {
			unknown = eff(r.unknown)
		}
		fmt.Printf("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.fault, r.injected, rec,
			cmd(r.lost), cmd(r.dup), unknown, ev(r.phantom), ev(r.skip), eff(r.effLost), eff(r.effDup), rss, r.note)
		if r.lost != 0 || r.dup != 0 || r.phantom != 0 || r.skip != 0 || r.effLost != 0 || r.effDup != 0 {
			bad = append(bad, r.fault)
		}
	}
	total := time.Since(start).Round(time.Second)
	fmt.Printf("\ntotal %s\n", total)
	// One line for tests/bench/report.sh (the report's targets table, just bench-summary).
	const target = "TARGET | every loss, duplicate, phantom or skipped-event cell reads 0 (issue 14; effects, issue 12)"
	if len(bad) > 0 {
		fmt.Printf("%s | NOT met | %d of %d rows: %s\n", target, len(bad), len(rows), strings.Join(bad, "; "))
		os.Exit(1)
	}
	fmt.Printf("%s | met | 0 in all %d rows (%s)\n", target, len(rows), total)
}

func machine() string {
	out, _ := exec.Command("nproc").Output()
	return strings.TrimSpace(string(out)) + " cores"
}

// --- cluster and databases ---

func pgCtl(args ...string) error {
	data, pgbin := os.Getenv("NEZUKO_PG_DATA"), os.Getenv("NEZUKO_PG_BIN")
	cmdline := append(strings.Fields(os.Getenv("NEZUKO_AS_PG")), filepath.Join(pgbin, "pg_ctl"), "-D", data, "-l", filepath.Join(data, "server.log"))
	cmdline = append(cmdline, args...)
	out, err := exec.Command(cmdline[0], cmdline[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %v: %s", args, err, out)
	}
	return nil
}

// bounce restarts the cluster: mode fast (clean) or immediate (a crash).
func bounce(mode string) error {
	if err := pgCtl("-m", mode, "-w", "stop"); err != nil {
		return err
	}
	return pgCtl("-w", "-t", "60", "start")
}

// freshDB is a migrated database of its own.
func freshDB(ctx context.Context, name string) (string, *pgxpool.Pool, error) {
	admin, err := pgxpool.New(ctx, adminURL)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close()
	if _, err := admin.Exec(ctx, "drop database if exists "+name+" with (force)"); err != nil {
		return "", nil, err
	}
	if _, err := admin.Exec(ctx, "create database "+name); err != nil {
		return "", nil, err
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	dbURL := u.String()
	cmd := exec.Command(bin, "migrate")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", nil, fmt.Errorf("migrate: %v: %s", err, out)
	}
	pc, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return "", nil, err
	}
	pc.MaxConns = 16
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	return dbURL, pool, err
}

func untilOK(ctx context.Context, d time.Duration, f func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if f() {
			return true
		}
	}
	return false
}

// --- queue scenarios ---

func enqueue(ctx context.Context, pool *pgxpool.Pool, n int) (int64, error) {
	var bot int64
	err := pool.QueryRow(ctx, `insert into nezuko.bot_instances (bot_user_id, username, token_encrypted, token_sha256)
		values (7070, 'chaos_bot', 'x', sha256('7070')) on conflict do nothing returning id`).Scan(&bot)
	if err != nil {
		if err := pool.QueryRow(ctx, `select id from nezuko.bot_instances where bot_user_id = 7070`).Scan(&bot); err != nil {
			return 0, err
		}
	}
	_, err = pool.Exec(ctx, `insert into nezuko.admin_commands (command_type, payload, bot_instance_id)
		select 'send_message', jsonb_build_object('group_id', -100, 'text', 'm' || g), $1::bigint from generate_series(1, $2) g`, bot, n)
	return bot, err
}

// settle waits until every command is completed, unknown or failed and
// returns the counts.
func settle(ctx context.Context, pool *pgxpool.Pool, n int, d time.Duration) (completed, unknown int) {
	untilOK(ctx, d, func() bool {
		var settled int
		err := pool.QueryRow(ctx, `select count(*) filter (where status in ('completed', 'unknown', 'failed')),
			count(*) filter (where status = 'completed'), count(*) filter (where status = 'unknown') from nezuko.admin_commands`).
			Scan(&settled, &completed, &unknown)
		return err == nil && settled == n
	})
	return
}

// queueThroughRestart: an in-process worker sends messages (the executor
// counts what "Telegram" received) while the cluster is bounced twice.
func queueThroughRestart(mode string) (row, error) {
	ctx := context.Background()
	_, pool, err := freshDB(ctx, "nezuko_chaos")
	if err != nil {
		return row{}, err
	}
	defer pool.Close()
	const n = 400
	if _, err := enqueue(ctx, pool, n); err != nil {
		return row{}, err
	}
	var mu sync.Mutex
	sent := map[int64]int{}
	var lastDone atomic.Int64
	exec := queue.ExecutorFunc(func(ctx context.Context, c queue.Command) (queue.Outcome, error) {
		if _, err := pool.Exec(ctx, "select bot_instance_id from bot.plan_command($1, $2, $3)", c.ID, c.Worker, c.StartedAt); err != nil {
			return queue.Outcome{}, queue.NotDispatched(err) // nothing was sent
		}
		mu.Lock()
		sent[c.ID]++
		mu.Unlock()
		time.Sleep(40 * time.Millisecond)
		lastDone.Store(time.Now().UnixNano())
		return queue.Outcome{Result: json.RawMessage(`{"calls": [{"method": "sendMessage", "ok": true}]}`)}, nil
	})
	w := queue.New(queue.Config{Pool: pool, Executor: exec, AnyBot: true, Concurrency: 8, Lease: 6 * time.Second,
		RenewEvery: 500 * time.Millisecond, PollEvery: 200 * time.Millisecond, Name: "chaos-" + mode, Log: log})
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = w.Run(wctx); close(done) }()
	var recovery time.Duration
	for i := range 2 {
		time.Sleep(time.Duration(700+300*i) * time.Millisecond)
		if err := bounce(mode); err != nil {
			stop()
			<-done
			return row{}, err
		}
		up := time.Now()
		untilOK(ctx, 20*time.Second, func() bool { return lastDone.Load() > up.UnixNano() })
		recovery = max(recovery, time.Since(up))
	}
	completed, unknown := settle(ctx, pool, n, 60*time.Second)
	stop()
	<-done
	mu.Lock()
	defer mu.Unlock()
	r := row{fault: "PostgreSQL " + map[string]string{"fast": "fast restart", "immediate": "crash (immediate stop)"}[mode] + ", commands in flight",
		injected: 2, recovery: recovery, unknown: unknown, countsCommands: true}
	for id, k := range sent {
		if k > 1 {
			r.dup++
			var st, e string
			var a int
			_ = pool.QueryRow(ctx, "select status, attempts, coalesce(error, '') from nezuko.admin_commands where id = $1", id).Scan(&st, &a, &e)
			fmt.Fprintf(os.Stderr, "chaos: command %d sent %d times: %s after %d attempts (%s)\n", id, k, st, a, e)
		}
	}
	neverSent, completedUnsent := 0, 0
	rows, err := pool.Query(ctx, "select id, status from nezuko.admin_commands")
	if err != nil {
		return row{}, err
	}
	for rows.Next() {
		var id int64
		var st string
		_ = rows.Scan(&id, &st)
		if sent[id] == 0 {
			neverSent++
			if st == "completed" {
				completedUnsent++
			}
		}
	}
	rows.Close()
	// Lost: never settled, failed, or completed without being sent.
	r.lost = (n - completed - unknown) + completedUnsent
	r.note = fmt.Sprintf("%d send_message commands, %d completed, %d never sent (%d of them unknown); recovery = first command finished after the restart",
		n, completed, neverSent, neverSent-completedUnsent)
	return r, nil
}

// workerProc runs tests/queue/cmd/queueworker (built by `just chaos`).
func workerProc(dbURL, name string, env ...string) (*exec.Cmd, error) {
	cmd := exec.Command(os.Getenv("CHAOS_QUEUEWORKER"))
	cmd.Env = append(os.Environ(), append([]string{"DATABASE_URL=" + dbURL, "QUEUE_WORKER=" + name, "QUEUE_DISPATCH=1"}, env...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(out)
	if !sc.Scan() || sc.Text() != "ready" {
		return nil, errors.New("queueworker did not start")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	return cmd, nil
}

func workerScenario(sig syscall.Signal) (row, error) {
	ctx := context.Background()
	dbURL, pool, err := freshDB(ctx, "nezuko_chaos")
	if err != nil {
		return row{}, err
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `create table queue_test_executions (command_id bigint not null, worker text not null, at timestamptz not null default clock_timestamp())`); err != nil {
		return row{}, err
	}
	const n = 300
	if _, err := enqueue(ctx, pool, n); err != nil {
		return row{}, err
	}
	victim, err := workerProc(dbURL, "victim", "QUEUE_LEASE=2s", "QUEUE_DELAY=50ms")
	if err != nil {
		return row{}, err
	}
	time.Sleep(800 * time.Millisecond)
	_ = victim.Process.Signal(sig)
	killed := time.Now()
	_ = victim.Wait()
	rescuer, err := workerProc(dbURL, "rescuer", "QUEUE_LEASE=2s", "QUEUE_POLL=300ms", "QUEUE_DELAY=5ms")
	if err != nil {
		return row{}, err
	}
	var recovery time.Duration
	untilOK(ctx, 20*time.Second, func() bool {
		var k int
		_ = pool.QueryRow(ctx, `select count(*) from queue_test_executions where worker = 'rescuer'`).Scan(&k)
		return k > 0
	})
	recovery = time.Since(killed)
	completed, unknown := settle(ctx, pool, n, 60*time.Second)
	_ = rescuer.Process.Signal(syscall.SIGTERM)
	_ = rescuer.Wait()
	var dup, completedUnsent, unknownUnsent int
	_ = pool.QueryRow(ctx, `select (select count(*) from (select command_id from queue_test_executions group by 1 having count(*) > 1) x),
		(select count(*) from nezuko.admin_commands c where status = 'completed' and not exists (select from queue_test_executions e where e.command_id = c.id)),
		(select count(*) from nezuko.admin_commands c where status = 'unknown' and not exists (select from queue_test_executions e where e.command_id = c.id))`).
		Scan(&dup, &completedUnsent, &unknownUnsent)
	name := map[syscall.Signal]string{syscall.SIGKILL: "kill -9", syscall.SIGTERM: "SIGTERM"}[sig]
	r := row{fault: name + " of a worker mid-work", injected: 1, recovery: recovery, dup: dup, unknown: unknown,
		countsCommands: true, lost: (n - completed - unknown) + completedUnsent,
		note: fmt.Sprintf("%d send_message commands, %d completed; unknown = dispatched by the victim, never re-sent (%d of them had not reached the fake Telegram); recovery = signal to the rescuer's first command",
			n, completed, unknownUnsent)}
	return r, nil
}

func killWorker() (row, error) { return workerScenario(syscall.SIGKILL) }
func termWorker() (row, error) { return workerScenario(syscall.SIGTERM) }

// --- serve scenarios ---

type serveProc struct {
	cmd  *exec.Cmd
	base string
	peak atomic.Int64
	stop chan struct{}
}

func startServe(dbURL string, env ...string) (*serveProc, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(append(os.Environ(), "DATABASE_URL="+dbURL, "NEZUKO_HTTP_ADDR="+addr, "NEZUKO_LOG_DB=off", "NEZUKO_LOG_LEVEL=error"), env...)
	if path := os.Getenv("CHAOS_SERVE_LOG"); path != "" { // debugging: every serve's log, at info
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		cmd.Env = append(cmd.Env, "NEZUKO_LOG_LEVEL=info")
		cmd.Stdout, cmd.Stderr = f, f
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &serveProc{cmd: cmd, base: "http://" + addr, stop: make(chan struct{})}
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				if kb := rssKB(cmd.Process.Pid); int64(kb) > p.peak.Load() {
					p.peak.Store(int64(kb))
				}
			}
		}
	}()
	if !untilOK(context.Background(), 20*time.Second, func() bool {
		resp, err := http.Get(p.base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}) {
		p.close()
		return nil, errors.New("serve did not become ready")
	}
	return p, nil
}

func (p *serveProc) close() {
	close(p.stop)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	_ = p.cmd.Wait()
}

func rssKB(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// sseIDs reads a stream and collects the admin_logs ids it delivers.
type sseReader struct {
	mu     sync.Mutex
	ids    map[int64]int
	resets int
}

func openSSE(ctx context.Context, base, token, channels string, rd *sseReader) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/events?channels="+channels, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		resp.Body.Close()
		return fmt.Errorf("stream: %s", resp.Status)
	}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var event string
		for sc.Scan() {
			l := sc.Text()
			switch {
			case strings.HasPrefix(l, "event: "):
				event = l[7:]
			case strings.HasPrefix(l, "data: "):
				var v struct{ ID int64 }
				_ = json.Unmarshal([]byte(l[6:]), &v)
				rd.mu.Lock()
				if event == "reset" {
					rd.resets++
				} else {
					rd.ids[v.ID]++
				}
				rd.mu.Unlock()
			}
		}
	}()
	return nil
}

func eventsThroughCrash() (row, error) {
	ctx := context.Background()
	dbURL, pool, err := freshDB(ctx, "nezuko_chaos")
	if err != nil {
		return row{}, err
	}
	defer pool.Close()
	var token string
	if err := pool.QueryRow(ctx, "select token from auth.create_token('chaos', 'viewer')").Scan(&token); err != nil {
		return row{}, err
	}
	p, err := startServe(dbURL)
	if err != nil {
		return row{}, err
	}
	defer p.close()
	rd := &sseReader{ids: map[int64]int{}}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := openSSE(sctx, p.base, token, "logs", rd); err != nil {
		return row{}, err
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				c, cancel := context.WithTimeout(ctx, 2*time.Second)
				_, err := pool.Exec(c, "insert into nezuko.admin_logs (level, message) values ('INFO', $1)", fmt.Sprintf("w%d-%d", w, i))
				cancel()
				if err != nil {
					time.Sleep(20 * time.Millisecond)
				}
				time.Sleep(3 * time.Millisecond)
			}
		}()
	}
	time.Sleep(800 * time.Millisecond)
	if err := bounce("immediate"); err != nil {
		return row{}, err
	}
	up := time.Now()
	var recovery time.Duration
	var before int
	rd.mu.Lock()
	before = len(rd.ids)
	rd.mu.Unlock()
	untilOK(ctx, 20*time.Second, func() bool {
		rd.mu.Lock()
		defer rd.mu.Unlock()
		return len(rd.ids) > before
	})
	recovery = time.Since(up)
	time.Sleep(1500 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	rows, err := pool.Query(ctx, "select id from nezuko.admin_logs")
	if err != nil {
		return row{}, err
	}
	inTable := map[int64]bool{}
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		inTable[id] = true
	}
	rows.Close()
	time.Sleep(2 * time.Second) // let the stream drain
	rd.mu.Lock()
	defer rd.mu.Unlock()
	r := row{fault: "PostgreSQL crash under a live SSE stream, 4 writers", injected: 1, recovery: recovery, countsEvents: true,
		peakRSSKB: int(p.peak.Load())}
	for id, k := range rd.ids {
		if !inTable[id] {
			r.phantom++
		}
		if k > 1 {
			r.dup++
		}
	}
	r.note = fmt.Sprintf("%d rows, %d delivered twice, %d resets; recovery = restart to the next event delivered", len(inTable), r.dup, rd.resets)
	for id := range inTable {
		if rd.ids[id] == 0 {
			r.skip++
		}
	}
	return r, nil
}

func replayFlood() (row, error) {
	ctx := context.Background()
	dbURL, pool, err := freshDB(ctx, "nezuko_chaos")
	if err != nil {
		return row{}, err
	}
	defer pool.Close()
	var token string
	if err := pool.QueryRow(ctx, "select token from auth.create_token('chaos', 'viewer')").Scan(&token); err != nil {
		return row{}, err
	}
	if _, err := pool.Exec(ctx, "insert into nezuko.admin_logs (level, message) values ('INFO', 'first')"); err != nil {
		return row{}, err
	}
	var first string
	if err := pool.QueryRow(ctx, "select txid::text || '-4-' || id from nezuko.admin_logs where message = 'first'").Scan(&first); err != nil {
		return row{}, err
	}
	if _, err := pool.Exec(ctx, "insert into nezuko.admin_logs (level, message) select 'INFO', repeat('x', 2000) || g from generate_series(1, 9000) g"); err != nil {
		return row{}, err
	}
	p, err := startServe(dbURL, "NEZUKO_SSE_STREAMS_PER_TOKEN=1000")
	if err != nil {
		return row{}, err
	}
	defer p.close()
	time.Sleep(500 * time.Millisecond)
	base := rssKB(p.cmd.Process.Pid)
	addr := strings.TrimPrefix(p.base, "http://")
	const clients = 80
	for range clients {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return row{}, err
		}
		defer c.Close()
		_ = c.(*net.TCPConn).SetReadBuffer(4096)
		fmt.Fprintf(c, "GET /v1/events?channels=logs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nLast-Event-ID: %s\r\n\r\n", token, first)
	}
	time.Sleep(8 * time.Second)
	// The server still answers.
	t0 := time.Now()
	resp, err := http.Get(p.base + "/readyz")
	if err != nil {
		return row{}, err
	}
	resp.Body.Close()
	return row{fault: "replay flood: 80 streams resume ~20 MB each and never read", injected: 1, recovery: time.Since(t0),
		peakRSSKB: int(p.peak.Load()),
		note: fmt.Sprintf("RSS %d MB before; +%d KB per replaying client (32 MiB budget); recovery = /readyz latency during the flood",
			base/1024, (int(p.peak.Load())-base)/clients)}, nil
}

func slowBodies() (row, error) {
	ctx := context.Background()
	dbURL, pool, err := freshDB(ctx, "nezuko_chaos")
	if err != nil {
		return row{}, err
	}
	defer pool.Close()
	var token string
	if err := pool.QueryRow(ctx, "select token from auth.create_token('chaos', 'admin')").Scan(&token); err != nil {
		return row{}, err
	}
	p, err := startServe(dbURL, "NEZUKO_HTTP_READ_TIMEOUT=5s")
	if err != nil {
		return row{}, err
	}
	defer p.close()
	addr := strings.TrimPrefix(p.base, "http://")
	const n = 150
	var open atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return row{}, err
		}
		open.Add(1)
		fmt.Fprintf(c, "POST /v1/rpc/enqueue_command HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{", token)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			for time.Since(start) < 15*time.Second {
				if _, err := c.Write([]byte(" ")); err != nil {
					open.Add(-1)
					return
				}
				time.Sleep(300 * time.Millisecond)
			}
		}()
	}
	var cut time.Duration
	untilOK(ctx, 14*time.Second, func() bool { return open.Load() == 0 })
	cut = time.Since(start)
	held := open.Load()
	wg.Wait()
	return row{fault: "slow-body flood: 150 bodies at 1 byte / 300 ms", injected: 1, recovery: cut, peakRSSKB: int(p.peak.Load()),
		note: fmt.Sprintf("read timeout 5 s: %d of %d connections still held after %s (recovery = all cut)", held, n, cut.Round(100*time.Millisecond))}, nil
}
