package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Config tunes a Worker. Zero values take the defaults.
type Config struct {
	Pool     *pgxpool.Pool
	Executor Executor
	// Bots lists the bots this process can act as (nil: none; the worker
	// then claims only commands bound to no bot). AnyBot: it can act as
	// any bot (the bots' executor loads any bot_instances row), so it
	// claims every command.
	Bots   func() []int64
	AnyBot bool
	// Name is the lease owner; default host:pid:random.
	Name string
	// Concurrency bounds the commands running at once (default 32).
	Concurrency int
	// BatchSize bounds one claim (default Concurrency).
	BatchSize int
	// Lease is how long a claim holds a command before others may rescue
	// it; 0 = admin_config command_lease_seconds. Leases are renewed every
	// RenewEvery (default Lease/3, or 2 s when Lease is 0) while running.
	Lease      time.Duration
	RenewEvery time.Duration
	// PollEvery is the safety poll (and expired-lease rescue) period, for a
	// doorbell missed while the LISTEN connection was down (default 10 s).
	PollEvery time.Duration
	// DrainTimeout is how long a stopping worker lets running commands
	// finish before cancelling them (default 10 s).
	DrainTimeout time.Duration
	// ReportDelay is how long a finished command's result may wait to be
	// reported with others (default 20 ms): results are written in one
	// transaction per BatchSize results or per ReportDelay, and the realtime
	// doorbell for the claims' and completions' events is rung at most once
	// per ReportDelay. Reporting each result at once cost a synchronous
	// commit (a WAL flush) and a doorbell transaction per command when
	// commands come one at a time, and those commits queued with the next
	// claim's (tests/bench/README.md, command queue). A worker that stops
	// reports at once.
	ReportDelay time.Duration
	// ReportTimeout bounds, once the worker is stopping, how long it keeps
	// retrying the reports of finished commands while the database does not
	// answer (default 10 s). While running it retries until the database
	// answers, renewing the leases meanwhile: a result is never dropped
	// because PostgreSQL restarted.
	ReportTimeout time.Duration
	Log           *slog.Logger
	// OnClaim, when set, is called with each claimed batch (benchmarks).
	OnClaim func(cmds []Command)
}

// Worker claims and executes commands. Create with New, start with Run,
// ring with Wake (the NOTIFY handler).
type Worker struct {
	cfg  Config
	wake chan struct{}
	done chan result
	free chan struct{}

	mu sync.Mutex
	// running: the cancel of each command executing, by id.
	running map[int64]*execution
	// held: every command whose lease this worker holds, running or
	// finished and waiting for its report to reach the database, with the
	// started_at of its claim; renew extends them all.
	held map[int64]time.Time
	// stopping is closed when Run's context ends: reports then give up
	// after ReportTimeout.
	stopping chan struct{}
	// rings asks ringer for a realtime doorbell (capacity 1: rings fold).
	rings chan struct{}
	// claimer: the connection Run's goroutine claims on (claimConn).
	claimer *pgxpool.Conn
}

type result struct {
	id      int64
	attempt int
	started time.Time
	res     json.RawMessage
}

// execution is one command executing (a pointer: an attempt's identity in
// running).
type execution struct {
	cancel context.CancelFunc
}

// New returns a worker for cfg.
func New(cfg Config) *Worker {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 32
	}
	if cfg.BatchSize <= 0 || cfg.BatchSize > cfg.Concurrency {
		cfg.BatchSize = cfg.Concurrency
	}
	if cfg.RenewEvery <= 0 {
		cfg.RenewEvery = 2 * time.Second
		if cfg.Lease > 0 {
			cfg.RenewEvery = cfg.Lease / 3
		}
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = 10 * time.Second
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = 10 * time.Second
	}
	if cfg.ReportDelay <= 0 {
		cfg.ReportDelay = 20 * time.Millisecond
	}
	if cfg.ReportTimeout <= 0 {
		cfg.ReportTimeout = 10 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Name == "" {
		cfg.Name = DefaultName()
	}
	return &Worker{
		cfg:      cfg,
		wake:     make(chan struct{}, 1),
		done:     make(chan result, cfg.Concurrency),
		free:     make(chan struct{}, cfg.Concurrency),
		running:  map[int64]*execution{},
		held:     map[int64]time.Time{},
		stopping: make(chan struct{}),
		rings:    make(chan struct{}, 1),
	}
}

// DefaultName is host:pid:random, unique per worker.
func DefaultName() string {
	host, _ := os.Hostname()
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Name is the worker's lease owner name.
func (w *Worker) Name() string { return w.cfg.Name }

// Wake makes the worker look for due commands now. It never blocks: rings
// while the worker is busy fold into one.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run claims and executes commands until ctx ends, then stops claiming,
// lets running commands finish (DrainTimeout) and reports their results.
func (w *Worker) Run(ctx context.Context) error {
	execCtx, cancelExec := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelExec()
	var wg sync.WaitGroup // executions
	completerDone := make(chan struct{})
	go func() { defer close(completerDone); w.complete() }()
	renewCtx, stopRenew := context.WithCancel(context.WithoutCancel(ctx))
	renewDone := make(chan struct{})
	go func() { defer close(renewDone); w.renew(renewCtx) }()
	ringCtx, stopRing := context.WithCancel(context.WithoutCancel(ctx))
	ringDone := make(chan struct{})
	go func() { defer close(ringDone); w.ringer(ringCtx) }()

	go func() { <-ctx.Done(); close(w.stopping) }()

	defer w.releaseClaimConn()
	slots := w.cfg.Concurrency
	w.rescue(ctx)
	poll := time.NewTicker(w.cfg.PollEvery)
	defer poll.Stop()
	due := time.NewTimer(time.Hour) // the next pending command's run_after
	due.Stop()
	defer due.Stop()
	more := true // look now: something may be due already
	for ctx.Err() == nil {
		if !more || slots == 0 {
			select {
			case <-ctx.Done():
				continue
			case <-w.wake:
				more = true
			case <-due.C:
				more = true
			case <-w.free:
				slots++
				continue
			case <-poll.C:
				w.rescue(ctx)
				more = true
			}
		}
		// Collect slots freed meanwhile without waiting.
		for drained := false; !drained; {
			select {
			case <-w.free:
				slots++
			default:
				drained = true
			}
		}
		// Claim in batches: with commands still running, wait until at
		// least half a batch of slots is free rather than claiming a
		// handful at a time (each claim is a round trip and a transaction).
		if slots == 0 || (slots < w.cfg.Concurrency && slots < (w.cfg.BatchSize+1)/2) {
			select {
			case <-ctx.Done():
			case <-w.free:
				slots++
			}
			continue
		}
		n := min(slots, w.cfg.BatchSize)
		cmds, next, err := w.claim(ctx, n)
		if err != nil {
			if ctx.Err() == nil {
				w.cfg.Log.Warn("command queue: claim", "err", err)
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
			continue
		}
		// A full batch means more may be waiting; a short one means the
		// queue is drained until the next ring.
		more = len(cmds) == n
		if !more {
			w.scheduleNext(next, due)
		}
		if len(cmds) > 0 && w.cfg.OnClaim != nil {
			w.cfg.OnClaim(cmds)
		}
		for _, c := range cmds {
			slots--
			cctx, cancel := context.WithCancel(execCtx)
			e := &execution{cancel}
			w.mu.Lock()
			// An earlier attempt still running here is over: a PostgreSQL
			// crash lost its claim (or its lease expired) and the command was
			// claimed again. Its SQL calls name it and change nothing any more.
			if old := w.running[c.ID]; old != nil {
				w.cfg.Log.Warn("command queue: command claimed again while an earlier attempt still runs here (its claim was lost in a crash or its lease expired); cancelling that attempt",
					"command_id", c.ID)
				old.cancel()
			}
			w.running[c.ID] = e
			w.held[c.ID] = c.StartedAt
			w.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.execute(cctx, c)
				cancel()
				w.mu.Lock()
				if w.running[c.ID] == e {
					delete(w.running, c.ID)
				}
				w.mu.Unlock()
				w.free <- struct{}{}
			}()
		}
	}
	// Stopping: let running commands finish, within the drain timeout.
	idle := make(chan struct{})
	go func() { wg.Wait(); close(idle) }()
	select {
	case <-idle:
	case <-time.After(w.cfg.DrainTimeout):
		w.cfg.Log.Warn("command queue: cancelling commands still running at shutdown")
		cancelExec()
		<-idle
	}
	close(w.done)
	<-completerDone
	stopRenew()
	<-renewDone
	stopRing()
	<-ringDone
	return nil
}

// scheduleNext arms due for the next pending command that is not yet due
// (a retry after backoff, a command enqueued with run_after); secs comes
// from bot.next_command_due, asked in the claim's round trip.
func (w *Worker) scheduleNext(secs *float64, due *time.Timer) {
	due.Stop()
	if secs == nil {
		return
	}
	d := time.Duration(*secs*float64(time.Second)) + time.Millisecond
	if d < w.cfg.PollEvery {
		due.Reset(d)
	}
}

func (w *Worker) bots() []int64 {
	if w.cfg.AnyBot {
		return nil // SQL null: any bot
	}
	var bots []int64
	if w.cfg.Bots != nil {
		bots = w.cfg.Bots()
	}
	if bots == nil {
		bots = []int64{}
	}
	return bots
}
