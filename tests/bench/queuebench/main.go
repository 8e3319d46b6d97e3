// Command queuebench measures the command queue: pickup latency (commit of
// the INSERT → the worker's claim returns) and end-to-end throughput with a
// no-op executor, for the doorbell worker (NOTIFY + batch claims, what
// `nezuko serve` runs) side by side with a worker polling every second (the
// seed system's design). It prints a markdown table.
//
// Usage: DATABASE_URL=... go run ./tests/bench/queuebench  (just bench-queue)
// It creates (and drops) its own database on that server.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgxlisten"

	"github.com/nezuko-bot/nezuko/gobridge/queue"
	"github.com/nezuko-bot/nezuko/gobridge/schema"
)

var (
	samples    = flag.Int("samples", 1000, "commands for the latency run, inserted one per statement")
	gap        = flag.Duration("gap", 2*time.Millisecond, "pause between latency inserts")
	total      = flag.Int("n", 20000, "commands for the throughput run")
	insertRows = flag.Int("insert-rows", 500, "rows per INSERT statement in the throughput run")
	batch      = flag.Int("batch", 256, "claim batch size of the doorbell worker")
	conc       = flag.Int("concurrency", 512, "commands the doorbell worker runs at once")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "queuebench:", err)
		os.Exit(1)
	}
}

type result struct {
	name     string
	p50, p99 time.Duration
	rate     float64
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

	var results []result
	for _, doorbell := range []bool{true, false} {
		r, err := measure(ctx, pool, pc, doorbell)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	host, _ := os.Hostname()
	fmt.Printf("\nCommand queue, %d latency samples (one INSERT each, %s apart), %d commands for throughput "+
		"(INSERTs of %d rows while the worker runs), no-op executor; %s, %d CPUs, %s.\n\n",
		*samples, *gap, *total, *insertRows, host, runtime.NumCPU(), time.Now().UTC().Format("2006-01-02"))
	fmt.Println("| worker | pickup p50 | pickup p99 | throughput (commands/s) |")
	fmt.Println("| --- | ---: | ---: | ---: |")
	for _, r := range results {
		fmt.Printf("| %s | %s | %s | %.0f |\n", r.name, ms(r.p50), ms(r.p99), r.rate)
	}
	a, b := results[0], results[1]
	fmt.Printf("| ratio (polling / doorbell) | %.0f× | %.0f× | %.2f× |\n",
		float64(b.p50)/float64(max(a.p50, time.Microsecond)), float64(b.p99)/float64(max(a.p99, time.Microsecond)), b.rate/a.rate)
	fmt.Println()
	fmt.Println("Targets: p50 ≤ 5 ms, p99 ≤ 25 ms, ≥ 5,000 commands/s (aim 10,000).")
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// measure runs the latency and the throughput run against one worker.
func measure(ctx context.Context, pool *pgxpool.Pool, pc *pgxpool.Config, doorbell bool) (result, error) {
	name := "doorbell: NOTIFY + batch claims (nezuko serve)"
	if !doorbell {
		name = "polling every 1 s (seed design)"
	}
	var mu sync.Mutex
	claimed := map[int64]time.Time{}
	noop := queue.ExecutorFunc(func(context.Context, queue.Command) (queue.Outcome, error) {
		return queue.Outcome{Result: json.RawMessage(`{}`)}, nil
	})
	cfg := queue.Config{Pool: pool, Executor: noop, Concurrency: *conc, BatchSize: *batch, Lease: 60 * time.Second,
		OnClaim: func(cmds []queue.Command) {
			now := time.Now()
			mu.Lock()
			for _, c := range cmds {
				claimed[c.ID] = now
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
	for range *samples {
		var id int64
		if err := pool.QueryRow(ctx, `insert into nezuko.admin_commands (command_type, payload)
			values ('clear_cache', '{"all": true}') returning id`).Scan(&id); err != nil {
			return result{}, err
		}
		committed[id] = time.Now()
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
	r := result{name: name, p50: lat[len(lat)/2], p99: lat[len(lat)*99/100]}

	// Throughput: insert n commands in multi-row statements while the
	// worker runs; the clock stops when the last one is completed.
	if _, err := pool.Exec(ctx, "truncate nezuko.admin_commands"); err != nil {
		return result{}, err
	}
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
	fmt.Fprintf(os.Stderr, "%s: p50 %s p99 %s, %.0f commands/s\n", name, ms(r.p50), ms(r.p99), r.rate)
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

// freshDB creates a migrated database for the run and a func that drops it.
func freshDB(ctx context.Context, admin string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(ctx)
	const name = "nezuko_bench_queue"
	if _, err := conn.Exec(ctx, "drop database if exists "+name+" with (force)"); err != nil {
		return "", nil, err
	}
	if _, err := conn.Exec(ctx, "create database "+name); err != nil {
		return "", nil, err
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	mc, err := pgx.Connect(ctx, u.String())
	if err != nil {
		return "", nil, err
	}
	defer mc.Close(ctx)
	if _, err := schema.Migrate(ctx, mc, false); err != nil {
		return "", nil, err
	}
	drop := func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err == nil {
			_, _ = c.Exec(context.Background(), "drop database if exists "+name+" with (force)")
			c.Close(context.Background())
		}
	}
	return u.String(), drop, nil
}
