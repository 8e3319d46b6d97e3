package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// noopArgs is River's job: nothing to do, like the no-op executor nezuko's
// worker gets.
type noopArgs struct{}

func (noopArgs) Kind() string { return "noop" }

type noopWorker struct {
	river.WorkerDefaults[noopArgs]
	onWork func(id int64)
}

func (w *noopWorker) Work(_ context.Context, job *river.Job[noopArgs]) error {
	w.onWork(job.ID)
	return nil
}

// measureRiver runs the latency and throughput runs against a River client
// that inserts and works (cooldown 0 = River's default fetch cooldown).
func measureRiver(ctx context.Context, pool *pgxpool.Pool, cooldown time.Duration) (result, error) {
	var mu sync.Mutex
	picked := map[int64]time.Time{}
	workers := river.NewWorkers()
	river.AddWorker(workers, &noopWorker{onWork: func(id int64) {
		now := time.Now()
		mu.Lock()
		picked[id] = now
		mu.Unlock()
	}})
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:        map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: *riverWorkers}},
		Workers:       workers,
		FetchCooldown: cooldown,
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return result{}, err
	}
	if _, err := pool.Exec(ctx, "truncate river_job"); err != nil {
		return result{}, err
	}
	if err := client.Start(ctx); err != nil {
		return result{}, err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.Stop(sctx)
	}()
	time.Sleep(200 * time.Millisecond) // its listener and producer are up

	// Latency: one job per INSERT (Insert commits before it returns).
	committed := make(map[int64]time.Time, *samples)
	for range *samples {
		res, err := client.Insert(ctx, noopArgs{}, nil)
		if err != nil {
			return result{}, err
		}
		committed[res.Job.ID] = time.Now()
		time.Sleep(*gap)
	}
	if err := waitRiver(ctx, pool, *samples, 60*time.Second); err != nil {
		return result{}, err
	}
	var lat []time.Duration
	mu.Lock()
	for id, c := range committed {
		lat = append(lat, max(picked[id].Sub(c), 0))
	}
	mu.Unlock()
	slices.Sort(lat)
	r := result{p50: lat[len(lat)/2], p99: lat[len(lat)*99/100]}

	// Throughput: InsertMany in statements of -insert-rows while it works.
	if _, err := pool.Exec(ctx, "truncate river_job"); err != nil {
		return result{}, err
	}
	pm := postmaster(ctx, pool)
	cpu0 := sampleCPU(pm, ours(ctx, pool))
	start := time.Now()
	for done := 0; done < *total; done += *insertRows {
		k := min(*insertRows, *total-done)
		params := make([]river.InsertManyParams, k)
		for i := range params {
			params[i] = river.InsertManyParams{Args: noopArgs{}}
		}
		if _, err := client.InsertMany(ctx, params); err != nil {
			return result{}, err
		}
	}
	if err := waitRiver(ctx, pool, *total, 120*time.Second); err != nil {
		return result{}, err
	}
	r.rate = float64(*total) / time.Since(start).Seconds()
	self, server := cpuSince(ctx, pool, pm, cpu0)
	r.cpuSelf, r.cpuServer = self/time.Duration(*total), server/time.Duration(*total)
	return r, nil
}

// waitRiver waits until n jobs are completed (River marks them in batches).
func waitRiver(ctx context.Context, pool *pgxpool.Pool, n int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		// Cheap while it works, like waitCompleted: River's fetch index
		// leads with state; the count runs only once nothing is left.
		var busy bool
		if err := pool.QueryRow(ctx, `select exists (select from river_job where state = 'available')
			or exists (select from river_job where state = 'running')`).Scan(&busy); err != nil {
			return err
		}
		var done int
		if !busy {
			if err := pool.QueryRow(ctx, "select count(*) from river_job where state = 'completed'").Scan(&done); err != nil {
				return err
			}
		}
		if done >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("River: only %d of %d jobs completed within %s", done, n, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// freshRiverDB creates a scratch database with River's schema (its own
// migrations, run through rivermigrate) and a func that drops it.
func freshRiverDB(ctx context.Context, admin string) (string, func(), error) {
	dbURL, drop, err := createDB(ctx, admin, "nezuko_bench_river")
	if err != nil {
		return "", nil, err
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		drop()
		return "", nil, err
	}
	defer pool.Close()
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err == nil {
		_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	}
	if err != nil {
		drop()
		return "", nil, fmt.Errorf("River migrations: %w", err)
	}
	return dbURL, drop, nil
}

// createDB (re)creates database name on admin's server; drop removes it.
func createDB(ctx context.Context, admin, name string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(ctx)
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
	drop := func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err == nil {
			_, _ = c.Exec(context.Background(), "drop database if exists "+name+" with (force)")
			c.Close(context.Background())
		}
	}
	return u.String(), drop, nil
}
