// Command queuebench measures the command queue against a real peer:
// pickup latency (commit of the INSERT → the worker has the job) and
// end-to-end throughput with a no-op executor, for
//
//   - nezuko's doorbell worker (gobridge/queue, what `nezuko serve` runs:
//     NOTIFY + batch claims), with the queue's triggers as migrated (the
//     command_updated realtime outbox and its NOTIFY, audit, validation);
//   - River (riverqueue/river, riverpgxv5) with its defaults, and tuned for
//     latency (fetch cooldown 1 ms), in a scratch database of the same
//     server, migrated with River's own migrations (rivermigrate);
//   - the seed system's design: a look at the queue once a second.
//
// The workers run one at a time, interleaved: -rounds rounds, each in a
// rotated order; the table gives each worker's medians over the rounds.
// This is a module of its own (tests/bench/queuebench/go.mod), so the main
// module does not depend on River.
//
// Usage: DATABASE_URL=... go run .  (just bench-queue). Stdout is the run's
// section of the report and one "TARGET | ..." line per target
// (tests/bench/report.sh captures both); progress goes to stderr. It creates
// (and drops) its databases.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgxlisten"

	"github.com/nezuko-bot/nezuko/gobridge/migrate"
	"github.com/nezuko-bot/nezuko/gobridge/queue"
)

var (
	samples      = flag.Int("samples", 1000, "jobs for the latency run, inserted one per statement")
	gap          = flag.Duration("gap", 2*time.Millisecond, "pause between latency inserts")
	total        = flag.Int("n", 20000, "jobs for the throughput run")
	insertRows   = flag.Int("insert-rows", 500, "rows per INSERT statement in the throughput run")
	batch        = flag.Int("batch", 256, "claim batch size of nezuko's worker")
	conc         = flag.Int("concurrency", 512, "commands nezuko's worker runs at once")
	riverWorkers = flag.Int("river-workers", 10000, "River's MaxWorkers for the queue")
	rounds       = flag.Int("rounds", 3, "interleaved rounds (each worker once per round)")
	polling      = flag.Bool("polling", true, "also run the seed's 1-second poller")
	diagnose     = flag.Bool("diagnose", true, "also run nezuko with its realtime outbox triggers off, and with its claim committed synchronously (where the time goes)")
	only         = flag.String("only", "", "comma-separated workers to run (nezuko,river-tuned,river-default,nezuko-no-outbox,nezuko-sync-claim,polling); default all")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "queuebench:", err)
		os.Exit(1)
	}
}

// result is one worker's run: latency and throughput.
type result struct {
	p50, p99 time.Duration
	rate     float64
	// CPU per job of the throughput run: this process (client and worker)
	// and the database server (0: not measured)
	cpuSelf, cpuServer time.Duration
	// nezuko's pickup split: commit ack → doorbell heard, → claim returned
	ring50, ring99, claim50, claim99 time.Duration
	// the claim's part split at its transaction's start on the server
	toServer50, toServer99, fromServer50, fromServer99 time.Duration
}

// contender is one worker under test.
type contender struct {
	key, name string
	measure   func(ctx context.Context) (result, error)
	runs      []result
}

func run() error {
	ctx := context.Background()
	admin := os.Getenv("DATABASE_URL")
	if admin == "" {
		return fmt.Errorf("DATABASE_URL is not set (just bench-queue sets it)")
	}
	dbURL, cleanup, err := freshDB(ctx, admin)
	if err != nil {
		return err
	}
	defer cleanup()
	riverURL, riverCleanup, err := freshRiverDB(ctx, admin)
	if err != nil {
		return err
	}
	defer riverCleanup()
	pc, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return err
	}
	pc.MaxConns = 16
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return err
	}
	defer pool.Close()
	rpc, err := pgxpool.ParseConfig(riverURL)
	if err != nil {
		return err
	}
	rpc.MaxConns = 16
	rpool, err := pgxpool.NewWithConfig(ctx, rpc)
	if err != nil {
		return err
	}
	defer rpool.Close()

	cs := []*contender{
		{key: "nezuko", name: "nezuko: doorbell + batch claims, realtime outbox and audit on",
			measure: func(ctx context.Context) (result, error) { return measure(ctx, pool, pc, true) }},
		{key: "river-tuned", name: "River v0.51.2, fetch cooldown 1 ms",
			measure: func(ctx context.Context) (result, error) { return measureRiver(ctx, rpool, time.Millisecond) }},
		{key: "river-default", name: "River v0.51.2, defaults (fetch cooldown 100 ms)",
			measure: func(ctx context.Context) (result, error) { return measureRiver(ctx, rpool, 0) }},
	}
	if *diagnose {
		cs = append(cs, &contender{key: "nezuko-no-outbox", name: "nezuko with the realtime outbox off (diagnosis only, not a product setting)",
			measure: func(ctx context.Context) (result, error) {
				const t = "alter table nezuko.admin_commands %s trigger realtime_command_insert, %[1]s trigger realtime_command_update"
				if _, err := pool.Exec(ctx, fmt.Sprintf(t, "disable")); err != nil {
					return result{}, err
				}
				defer func() { _, _ = pool.Exec(context.Background(), fmt.Sprintf(t, "enable")) }()
				return measure(ctx, pool, pc, true)
			}})
	}
	if *diagnose {
		// The claim as it was before it committed asynchronously: a SET
		// clause on the function keeps its set_config('synchronous_commit',
		// 'off', true) inside it, so the claim's transaction commits with the
		// session's synchronous_commit (on).
		cs = append(cs, &contender{key: "nezuko-sync-claim", name: "nezuko with the claim committed synchronously (diagnosis: before the claim's fsync was folded into the plan's)",
			measure: func(ctx context.Context) (result, error) {
				const t = "alter function bot.claim_commands(text, bigint[], integer, integer) %s"
				if _, err := pool.Exec(ctx, fmt.Sprintf(t, "set synchronous_commit = on")); err != nil {
					return result{}, err
				}
				defer func() { _, _ = pool.Exec(context.Background(), fmt.Sprintf(t, "reset synchronous_commit")) }()
				return measure(ctx, pool, pc, true)
			}})
	}
	if *polling {
		cs = append(cs, &contender{key: "polling", name: "polling every 1 s (seed design)",
			measure: func(ctx context.Context) (result, error) { return measure(ctx, pool, pc, false) }})
	}
	if *only != "" {
		keep := strings.Split(*only, ",")
		cs = slices.DeleteFunc(cs, func(c *contender) bool { return !slices.Contains(keep, c.key) })
	}
	for round := range *rounds {
		// Rotate the order each round so no worker always follows the same one.
		for i := range cs {
			c := cs[(i+round)%len(cs)]
			r, err := c.measure(ctx)
			if err != nil {
				return fmt.Errorf("%s: %w", c.key, err)
			}
			fmt.Fprintf(os.Stderr, "round %d, %s: pickup p50 %s p99 %s, %.0f jobs/s, CPU per job %s µs\n",
				round+1, c.key, ms(r.p50), ms(r.p99), r.rate, cpu(r))
			c.runs = append(c.runs, r)
		}
	}
	md, targets := report(cs)
	fmt.Print(md)
	fmt.Println()
	for _, t := range targets {
		fmt.Println(t)
	}

	return nil
}

func median[T int64 | float64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// medians is a contender's medians over its rounds.
func (c *contender) medians() result {
	var p50, p99, self, server []time.Duration
	var rate []float64
	for _, r := range c.runs {
		p50, p99, rate = append(p50, r.p50), append(p99, r.p99), append(rate, r.rate)
		self, server = append(self, r.cpuSelf), append(server, r.cpuServer)
	}
	return result{p50: median(p50), p99: median(p99), rate: median(rate), cpuSelf: median(self), cpuServer: median(server)}
}

// report renders the section of tests/bench/README.md and the target lines
// ("TARGET | target | met or NOT met | figure", for tests/bench/report.sh).
func report(cs []*contender) (string, []string) {
	var b strings.Builder
	var flags []string
	flag.Visit(func(f *flag.Flag) {
		flags = append(flags, "-"+f.Name+" "+f.Value.String())
	})
	if len(flags) > 0 {
		fmt.Fprintf(&b, "Flags: `%s`.\n\n", strings.Join(flags, " "))
	}
	fmt.Fprintf(&b, "Workload, the same for every worker: %d latency samples, one INSERT statement and commit each, %s apart "+
		"(pickup = from the inserting client's commit acknowledgement to the worker holding the job, same process and clock); "+
		"%d no-op jobs inserted in statements of %d rows while the worker runs, the clock stopping when the last is completed. "+
		"%d interleaved rounds (rotated order); each figure is the median of the rounds, the rounds' values in brackets. "+
		"nezuko: concurrency %d, claim batch %d, results reported in batches of up to %[7]d within 20 ms (queue.Config.ReportDelay). River: MaxWorkers %d, riverpgxv5, its own schema in a scratch database of the same server. "+
		"CPU per job: the throughput run's CPU time (user + system) of this process (the inserting client and the worker) and of the "+
		"database server's processes (/proc), divided by the jobs: unlike the wall-clock figures, it does not swing with the neighbours' load.\n\n",
		*samples, *gap, *total, *insertRows, *rounds, *conc, *batch, *riverWorkers)
	b.WriteString("| worker | pickup p50 | pickup p99 | throughput (jobs/s) | CPU per job, client + server (µs) |\n| --- | ---: | ---: | ---: | ---: |\n")
	list := func(c *contender, f func(r result) string) string {
		var xs []string
		for _, r := range c.runs {
			xs = append(xs, f(r))
		}
		return strings.Join(xs, ", ")
	}
	byKey := map[string]result{}
	for _, c := range cs {
		m := c.medians()
		byKey[c.key] = m
		fmt.Fprintf(&b, "| %s | %s (%s) | %s (%s) | %.0f (%s) | %s (%s) |\n", c.name,
			ms(m.p50), list(c, func(r result) string { return fmt.Sprintf("%.1f", msf(r.p50)) }),
			ms(m.p99), list(c, func(r result) string { return fmt.Sprintf("%.1f", msf(r.p99)) }),
			m.rate, list(c, func(r result) string { return fmt.Sprintf("%.0f", r.rate) }),
			cpu(m), list(c, cpu))
	}
	// Same-round ratios against River tuned: the machine's speed changes
	// between rounds, a round's two runs are minutes apart at most.
	var nz, rv *contender
	for _, c := range cs {
		switch c.key {
		case "nezuko":
			nz = c
		case "river-tuned":
			rv = c
		}
	}
	if nz != nil && rv != nil {
		var tp, p99, cpus []string
		for i := range min(len(nz.runs), len(rv.runs)) {
			tp = append(tp, fmt.Sprintf("%.2f", nz.runs[i].rate/rv.runs[i].rate))
			p99 = append(p99, fmt.Sprintf("%.2f", float64(nz.runs[i].p99)/float64(rv.runs[i].p99)))
			if rc := rv.runs[i].cpuSelf + rv.runs[i].cpuServer; rc > 0 {
				cpus = append(cpus, fmt.Sprintf("%.2f", float64(nz.runs[i].cpuSelf+nz.runs[i].cpuServer)/float64(rc)))
			}
		}
		fmt.Fprintf(&b, "\nnezuko / River tuned, round by round: throughput %s; pickup p99 %s; CPU per job %s.\n",
			strings.Join(tp, ", "), strings.Join(p99, ", "), strings.Join(cpus, ", "))
	}
	for _, c := range cs {
		var r50, r99, c50, c99, t50, t99, f50, f99 []time.Duration
		for _, r := range c.runs {
			if r.claim50 > 0 {
				r50, r99, c50, c99 = append(r50, r.ring50), append(r99, r.ring99), append(c50, r.claim50), append(c99, r.claim99)
				t50, t99, f50, f99 = append(t50, r.toServer50), append(t99, r.toServer99), append(f50, r.fromServer50), append(f99, r.fromServer99)
			}
		}
		if len(r50) > 0 {
			fmt.Fprintf(&b, "\n%s, its pickup split (medians of the rounds): commit ack → the doorbell's NOTIFY heard p50 %s, p99 %s; "+
				"then → the claim returned (its SQL, triggers and commit) p50 %s, p99 %s; of which the doorbell → the claim's transaction "+
				"began on the server (its started_at: the worker's hand-off and the round trip there) p50 %s, p99 %s, and "+
				"from there → returned (SQL, commit, the way back) p50 %s, p99 %s.\n",
				c.key, ms(median(r50)), ms(median(r99)), ms(median(c50)), ms(median(c99)),
				ms(median(t50)), ms(median(t99)), ms(median(f50)), ms(median(f99)))
		}
	}
	n, rt := byKey["nezuko"], byKey["river-tuned"]
	met := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	targets := []string{
		fmt.Sprintf("TARGET | throughput ≥ River tuned (same run) | %s | %.0f vs %.0f jobs/s (%.2f×)",
			met(n.rate >= rt.rate), n.rate, rt.rate, n.rate/rt.rate),
		fmt.Sprintf("TARGET | pickup p99 < River tuned (same run) | %s | %s vs %s",
			met(n.p99 < rt.p99), ms(n.p99), ms(rt.p99)),
		fmt.Sprintf("TARGET | pickup p50 ≤ 5 ms | %s | %s", met(n.p50 <= 5*time.Millisecond), ms(n.p50)),
		fmt.Sprintf("TARGET | pickup p99 ≤ 25 ms | %s | %s", met(n.p99 <= 25*time.Millisecond), ms(n.p99)),
		fmt.Sprintf("TARGET | ≥ 5,000 commands/s | %s | %.0f/s", met(n.rate >= 5000), n.rate),
	}
	b.WriteString("\nTargets (issues 9 and 18): nezuko's throughput ≥ River tuned's and its pickup p99 lower, in the same run; " +
		"pickup p50 ≤ 5 ms, p99 ≤ 25 ms, ≥ 5,000 commands/s.\n\n")
	for _, t := range targets {
		f := strings.Split(t, " | ")
		fmt.Fprintf(&b, "- %s: **%s** (%s)\n", f[1], f[2], f[3])
	}
	return b.String(), targets
}

// cpu is a run's CPU per job of the throughput run: this process + the server, in µs.
func cpu(r result) string {
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	if r.cpuServer == 0 {
		return fmt.Sprintf("%.0f + ?", us(r.cpuSelf))
	}
	return fmt.Sprintf("%.0f + %.0f", us(r.cpuSelf), us(r.cpuServer))
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// measure runs the latency and the throughput run against one worker.
func measure(ctx context.Context, pool *pgxpool.Pool, pc *pgxpool.Config, doorbell bool) (result, error) {
	var mu sync.Mutex
	claimed := map[int64]time.Time{}
	began := map[int64]time.Time{} // the claim's transaction began on the server (its started_at)
	var rings []time.Time          // doorbell notifications as the listener got them
	noop := queue.ExecutorFunc(func(context.Context, queue.Command) (queue.Outcome, error) {
		return queue.Outcome{Result: json.RawMessage(`{}`)}, nil
	})
	cfg := queue.Config{Pool: pool, Executor: noop, Concurrency: *conc, BatchSize: *batch, Lease: 60 * time.Second,
		OnClaim: func(cmds []queue.Command) {
			now := time.Now()
			mu.Lock()
			for _, c := range cmds {
				claimed[c.ID] = now
				began[c.ID] = c.StartedAt
			}
			mu.Unlock()
		}}
	w := queue.New(cfg)
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if !doorbell {
		// The seed: once a second, take every pending command, run them,
		// report them. Same SQL functions, same no-op executor.
		wg.Add(1)
		go func() {
			defer wg.Done()
			pollEverySecond(wctx, pool, cfg.OnClaim)
		}()
	} else {
		l := &pgxlisten.Listener{
			Connect:        func(ctx context.Context) (*pgx.Conn, error) { return pgx.ConnectConfig(ctx, pc.ConnConfig) },
			ReconnectDelay: 100 * time.Millisecond,
		}
		l.Handle(queue.Channel, pgxlisten.HandlerFunc(func(context.Context, *pgconn.Notification, *pgx.Conn) error {
			now := time.Now()
			mu.Lock()
			rings = append(rings, now)
			mu.Unlock()
			w.Wake()
			return nil
		}))
		wg.Add(1)
		go func() { defer wg.Done(); _ = l.Listen(wctx) }()
		time.Sleep(200 * time.Millisecond) // LISTEN is in place
	}
	if doorbell {
		wg.Add(1)
		go func() { defer wg.Done(); _ = w.Run(wctx) }()
	}
	defer func() { stop(); wg.Wait() }()

	if _, err := pool.Exec(ctx, "truncate nezuko.admin_commands"); err != nil {
		return result{}, err
	}
	// Latency: one command per INSERT statement, committed one by one.
	committed := make(map[int64]time.Time, *samples)
	sent := make(map[int64]time.Time, *samples)
	for range *samples {
		var id int64
		s := time.Now()
		if err := pool.QueryRow(ctx, `insert into nezuko.admin_commands (command_type, payload)
			values ('clear_cache', '{"all": true}') returning id`).Scan(&id); err != nil {
			return result{}, err
		}
		committed[id] = time.Now()
		sent[id] = s
		time.Sleep(*gap)
	}
	if err := waitCompleted(ctx, pool, *samples, 30*time.Second); err != nil {
		return result{}, err
	}
	var lat []time.Duration
	mu.Lock()
	for id, c := range committed {
		d := claimed[id].Sub(c)
		// The claim may return before the inserting client hears its
		// commit acknowledged: that is a pickup of (about) zero.
		lat = append(lat, max(d, 0))
	}
	mu.Unlock()
	slices.Sort(lat)
	r := result{p50: lat[len(lat)/2], p99: lat[len(lat)*99/100]}
	if doorbell {
		// Where the pickup time goes: the doorbell (commit ack → the
		// listener has the NOTIFY; negative when it came first) and the
		// claim (→ the claim returned). A command's ring is the first one
		// after its INSERT was sent (one INSERT at a time).
		mu.Lock()
		var ring, claim, toServer, fromServer []time.Duration
		for id, c := range committed {
			i, _ := slices.BinarySearchFunc(rings, sent[id], func(a, b time.Time) int { return a.Compare(b) })
			if i == len(rings) {
				continue
			}
			ring = append(ring, rings[i].Sub(c))
			from := rings[i]
			if c.After(from) {
				from = c
			}
			claim = append(claim, claimed[id].Sub(from))
			toServer = append(toServer, began[id].Sub(from))
			fromServer = append(fromServer, claimed[id].Sub(began[id]))
		}
		mu.Unlock()
		if len(ring) > 0 {
			slices.Sort(ring)
			slices.Sort(claim)
			r.ring50, r.ring99 = ring[len(ring)/2], ring[len(ring)*99/100]
			r.claim50, r.claim99 = claim[len(claim)/2], claim[len(claim)*99/100]
			slices.Sort(toServer)
			slices.Sort(fromServer)
			r.toServer50, r.toServer99 = toServer[len(toServer)/2], toServer[len(toServer)*99/100]
			r.fromServer50, r.fromServer99 = fromServer[len(fromServer)/2], fromServer[len(fromServer)*99/100]
			fmt.Fprintf(os.Stderr, "  pickup: doorbell p50 %s p99 %s; claim after it p50 %s p99 %s "+
				"(doorbell → its transaction began on the server p50 %s p99 %s; → returned p50 %s p99 %s)\n",
				ms(r.ring50), ms(r.ring99), ms(r.claim50), ms(r.claim99),
				ms(r.toServer50), ms(r.toServer99), ms(r.fromServer50), ms(r.fromServer99))
		}
	}

	// Throughput: insert n commands in multi-row statements while the
	// worker runs; the clock stops when the last one is completed.
	if _, err := pool.Exec(ctx, "truncate nezuko.admin_commands"); err != nil {
		return result{}, err
	}
	pm := postmaster(ctx, pool)
	cpu0 := sampleCPU(pm, ours(ctx, pool))
	start := time.Now()
	for done := 0; done < *total; done += *insertRows {
		k := min(*insertRows, *total-done)
		if _, err := pool.Exec(ctx, `insert into nezuko.admin_commands (command_type, payload)
			select 'clear_cache', '{"all": true}' from generate_series(1, $1)`, k); err != nil {
			return result{}, err
		}
	}
	if err := waitCompleted(ctx, pool, *total, 120*time.Second); err != nil {
		return result{}, err
	}
	r.rate = float64(*total) / time.Since(start).Seconds()
	self, server := cpuSince(ctx, pool, pm, cpu0)
	r.cpuSelf, r.cpuServer = self/time.Duration(*total), server/time.Duration(*total)
	// Where the time goes: how many transactions wrote the outbox (inserts,
	// claims, completions), on stderr.
	var txs, events int64
	if err := pool.QueryRow(ctx, `select count(distinct txid), count(*) from nezuko.realtime_events
		where created_at >= $1`, start).Scan(&txs, &events); err == nil && events > 0 {
		fmt.Fprintf(os.Stderr, "  throughput run: %d outbox events from %d transactions\n", events, txs)
	}
	return r, nil
}

// pollEverySecond is the seed's worker: a look at the queue every second.
func pollEverySecond(ctx context.Context, pool *pgxpool.Pool, onClaim func([]queue.Command)) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rows, err := pool.Query(ctx, "select id from bot.claim_commands('poller', '{}', 1000000, 60)")
		var ids []int64
		if err == nil {
			ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		}
		if err != nil {
			if ctx.Err() == nil {
				fmt.Fprintln(os.Stderr, "poller: claim:", err)
			}
			continue
		}
		if len(ids) == 0 {
			continue
		}
		cmds := make([]queue.Command, len(ids))
		items := make([]map[string]any, len(ids))
		for i, id := range ids {
			cmds[i] = queue.Command{ID: id}
			items[i] = map[string]any{"id": id, "result": map[string]any{}}
		}
		onClaim(cmds)
		b, _ := json.Marshal(items)
		if _, err := pool.Exec(ctx, "select count(*) from bot.complete_commands('poller', $1)", b); err != nil && ctx.Err() == nil {
			fmt.Fprintln(os.Stderr, "poller: complete:", err)
		}
	}
}

func waitCompleted(ctx context.Context, pool *pgxpool.Pool, n int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		// Cheap: both partial indexes (pending, running) are small.
		var busy bool
		if err := pool.QueryRow(ctx, `select exists (select from nezuko.admin_commands where status = 'pending')
			or exists (select from nezuko.admin_commands where status = 'running')`).Scan(&busy); err != nil {
			return err
		}
		if !busy {
			var done int
			if err := pool.QueryRow(ctx, `select count(*) from nezuko.admin_commands where status = 'completed'`).Scan(&done); err != nil {
				return err
			}
			if done >= n {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("only %d of %d commands completed within %s", done, n, timeout)
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("commands still pending or running after %s", timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// freshDB creates a migrated nezuko database for the run and a func that drops it.
func freshDB(ctx context.Context, admin string) (string, func(), error) {
	dbURL, drop, err := createDB(ctx, admin, "nezuko_bench_queue")
	if err != nil {
		return "", nil, err
	}
	mc, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		drop()
		return "", nil, err
	}
	defer mc.Close(ctx)
	if _, err := migrate.Migrate(ctx, mc, false); err != nil {
		drop()
		return "", nil, err
	}
	return dbURL, drop, nil
}
