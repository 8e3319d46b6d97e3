package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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

	mu      sync.Mutex
	running map[int64]context.CancelFunc
	// held: every command whose lease this worker holds, running or
	// finished and waiting for its report to reach the database; renew
	// extends them all.
	held map[int64]bool
	// stopping is closed when Run's context ends: reports then give up
	// after ReportTimeout.
	stopping chan struct{}
	// rings asks ringer for a realtime doorbell (capacity 1: rings fold).
	rings chan struct{}
}

type result struct {
	id      int64
	attempt int
	res     json.RawMessage
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
		running:  map[int64]context.CancelFunc{},
		held:     map[int64]bool{},
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
			w.mu.Lock()
			w.running[c.ID] = cancel
			w.held[c.ID] = true
			w.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.execute(cctx, c)
				cancel()
				w.mu.Lock()
				delete(w.running, c.ID)
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

func (w *Worker) claim(ctx context.Context, n int) ([]Command, *float64, error) {
	bots := w.bots()
	var lease any
	if w.cfg.Lease > 0 {
		lease = max(1, int(w.cfg.Lease.Round(time.Second)/time.Second))
	}
	// The claim is committed synchronously (the server's default): with an
	// asynchronous commit, a crash right after it lost the claim while this
	// worker was already sending the command, which then ran twice.
	b := &pgx.Batch{}
	// The claim's command_updated events are rung after its commit (ringAfterCommit).
	b.Queue(ringAfterCommit)
	b.Queue("select id, command_type, bot_instance_id, payload, attempts, max_attempts, needs_bot "+
		"from bot.claim_commands($1, $2, $3, $4)", w.cfg.Name, bots, n, lease)
	// When the next command is due, should this claim drain the queue.
	b.Queue("select bot.next_command_due($1)", bots)
	br := w.cfg.Pool.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, nil, fmt.Errorf("claim: %w", err)
	}
	rows, err := br.Query()
	if err != nil {
		return nil, nil, fmt.Errorf("claim: %w", err)
	}
	cmds, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Command, error) {
		c := Command{Worker: w.cfg.Name}
		err := r.Scan(&c.ID, &c.Type, &c.BotInstanceID, &c.Payload, &c.Attempt, &c.MaxAttempts, &c.NeedsBot)
		return c, err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("claim: %w", err)
	}
	var next *float64
	if err := br.QueryRow().Scan(&next); err != nil {
		return nil, nil, fmt.Errorf("claim: next due: %w", err)
	}
	// The rows arrive before the batch's transaction commits: only the
	// end of the batch (ReadyForQuery) says the claim is durable. A server
	// shutting down can send the rows and then abort the commit (57P01):
	// running those commands would run them twice, once here and once for
	// whoever claims them next. If the claim did commit after all, its
	// lease expires and the rescue re-queues the commands (never dispatched).
	if err := br.Close(); err != nil {
		return nil, nil, fmt.Errorf("claim: commit: %w", err)
	}
	if len(cmds) > 0 {
		w.ring()
	}
	return cmds, next, nil
}

func (w *Worker) execute(ctx context.Context, c Command) {
	out, err := w.safeExecute(ctx, c)
	if err == nil {
		if !out.Finished {
			res := out.Result
			if len(res) == 0 {
				res = json.RawMessage("{}")
			}
			w.done <- result{c.ID, c.Attempt, res}
			return
		}
		w.release(c.ID)
		return
	}
	defer w.release(c.ID)
	retry := !IsPermanent(err)
	var maybeDone *bool // null: SQL decides from dispatched_at
	if IsNotDispatched(err) {
		f := false
		maybeDone = &f
	}
	var st *string
	ferr := w.report(func(ctx context.Context) error {
		return w.cfg.Pool.QueryRow(ctx, "select bot.fail_command($1, $2, $3, $4, $5, $6)",
			c.ID, w.cfg.Name, err.Error(), retry, maybeDone, c.Attempt).Scan(&st)
	})
	if ferr != nil {
		w.cfg.Log.Error("command queue: cannot record a failure; the lease will expire and the command be rescued",
			"command_id", c.ID, "err", ferr)
		return
	}
	lvl := slog.LevelInfo
	if st != nil && *st != "pending" {
		lvl = slog.LevelWarn
	}
	w.cfg.Log.Log(context.Background(), lvl, "command queue: command failed", "command_id", c.ID, "type", c.Type,
		"attempt", c.Attempt, "max_attempts", c.MaxAttempts, "status", deref(st), "err", err)
}

// release forgets a command whose fate the database has (or will never
// have) from this worker: its lease is no longer renewed.
func (w *Worker) release(ids ...int64) {
	w.mu.Lock()
	for _, id := range ids {
		delete(w.held, id)
	}
	w.mu.Unlock()
}

// report runs f until the database answers: a connection error, a restart
// (57P01...), a deadlock or a serialization failure is retried with a
// backoff up to 2 s, while renew keeps the leases of the commands waiting
// for it. Any other error is returned. Once the worker is stopping, it gives
// up after ReportTimeout (the leases then expire and the rescue applies the
// rules of bot.rescue_expired_commands).
func (w *Worker) report(f func(ctx context.Context) error) error {
	backoff := 50 * time.Millisecond
	var giveUp <-chan time.Time
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := f(ctx)
		cancel()
		if err == nil || !retryable(err) {
			return err
		}
		if giveUp == nil {
			select {
			case <-w.stopping:
				giveUp = time.After(w.cfg.ReportTimeout)
			default:
			}
		}
		select {
		case <-time.After(backoff):
		case <-giveUp:
			return err
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// retryable: the database did not answer, is restarting or chose this
// transaction as a deadlock or serialization victim.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return true // network, connect, timeout
	}
	switch {
	case pe.Code == "40P01", pe.Code == "40001":
		return true
	case len(pe.Code) == 5 && (pe.Code[:2] == "08" || pe.Code[:2] == "53" || pe.Code[:3] == "57P"):
		return true
	}
	return false
}

// safeExecute turns an executor's panic into a failed attempt.
func (w *Worker) safeExecute(ctx context.Context, c Command) (out Outcome, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("executor panicked: %v", p)
		}
	}()
	return w.cfg.Executor.Execute(ctx, c)
}

// complete reports finished commands in batches: whatever finished while
// the previous batch was being written goes in the next one.
func (w *Worker) complete() {
	gather := time.NewTimer(time.Hour)
	gather.Stop()
	for r := range w.done {
		batch := []result{r}
		// Commands of one claim tend to finish together: gather them for
		// up to half a millisecond of quiet, so one call reports many.
	fill:
		for len(batch) < 1000 {
			gather.Reset(500 * time.Microsecond)
			select {
			case r, ok := <-w.done:
				gather.Stop()
				if !ok {
					break fill
				}
				batch = append(batch, r)
			case <-gather.C:
				break fill
			}
		}
		w.flush(batch)
	}
}

func (w *Worker) flush(batch []result) {
	type item struct {
		ID      int64           `json:"id"`
		Attempt int             `json:"attempt"`
		Result  json.RawMessage `json:"result"`
	}
	items := make([]item, len(batch))
	ids := make([]int64, len(batch))
	for i, r := range batch {
		items[i] = item{r.id, r.attempt, r.res}
		ids[i] = r.id
	}
	defer w.release(ids...)
	body, err := json.Marshal(items)
	if err != nil {
		w.cfg.Log.Error("command queue: encode results", "err", err)
		return
	}
	var done []int64
	err = w.report(func(ctx context.Context) error {
		b := &pgx.Batch{}
		b.Queue(ringAfterCommit)
		b.Queue("select bot.complete_commands($1, $2)", w.cfg.Name, body)
		br := w.cfg.Pool.SendBatch(ctx, b)
		defer br.Close()
		_, err := br.Exec()
		if err == nil {
			var rows pgx.Rows
			rows, err = br.Query()
			if err == nil {
				done, err = pgx.CollectRows(rows, pgx.RowTo[int64])
			}
		}
		if err == nil {
			err = br.Close() // the commit
		}
		return err
	})
	w.ring()
	if err != nil {
		w.cfg.Log.Error("command queue: cannot complete commands; their leases will expire and they will be rescued",
			"count", len(batch), "err", err)
		return
	}
	if len(done) < len(batch) {
		w.cfg.Log.Info("command queue: some results arrived after their lease was lost or changed their fate",
			"reported", len(batch), "completed", len(done))
	}
}

// ringAfterCommit, queued first in a claim's or a completion's batch, tells
// the realtime_command trigger not to NOTIFY inside the transaction: the
// worker rings once the transaction has committed (ring), so the commit does
// not hold PostgreSQL's notify lock through its WAL flush. See
// triggers/realtime/realtime_command.sql.
const ringAfterCommit = "select set_config('nezuko.realtime_ring', 'after_commit', true)"

// ring asks the ringer for one realtime doorbell; it never blocks, and rings
// asked while one is pending fold into it.
func (w *Worker) ring() {
	select {
	case w.rings <- struct{}{}:
	default:
	}
}

// ringer sends the realtime doorbell (NOTIFY nezuko_realtime, the relay's
// channel) for the command_updated events that claims and completions
// committed, until ctx ends; a ring still pending then is sent too. A lost
// ring only delays the events to the relay's idle poll.
func (w *Worker) ringer(ctx context.Context) {
	send := func() {
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := w.cfg.Pool.Exec(rctx, "select pg_notify('nezuko_realtime', 'commands')"); err != nil {
			w.cfg.Log.Debug("command queue: realtime ring", "err", err)
		}
	}
	for {
		select {
		case <-w.rings:
			send()
		case <-ctx.Done():
			select {
			case <-w.rings:
				send()
			default:
			}
			return
		}
	}
}

// renew extends the leases of running commands; a command whose lease was
// lost (rescued by another worker) is cancelled here.
func (w *Worker) renew(ctx context.Context) {
	t := time.NewTicker(w.cfg.RenewEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		w.mu.Lock()
		ids := make([]int64, 0, len(w.held))
		for id := range w.held {
			ids = append(ids, id)
		}
		w.mu.Unlock()
		if len(ids) == 0 {
			continue
		}
		var lease any
		if w.cfg.Lease > 0 {
			lease = max(1, int(w.cfg.Lease.Round(time.Second)/time.Second))
		}
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		rows, err := w.cfg.Pool.Query(rctx, "select bot.renew_command_leases($1, $2, $3)", w.cfg.Name, ids, lease)
		var held []int64
		if err == nil {
			held, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		}
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				w.cfg.Log.Warn("command queue: renew leases", "err", err)
			}
			continue
		}
		keep := make(map[int64]bool, len(held))
		for _, id := range held {
			keep[id] = true
		}
		w.mu.Lock()
		for _, id := range ids {
			if cancel, ok := w.running[id]; ok && !keep[id] {
				w.cfg.Log.Warn("command queue: lease lost, cancelling", "command_id", id)
				cancel()
			}
		}
		w.mu.Unlock()
	}
}

func (w *Worker) rescue(ctx context.Context) {
	var n int
	if err := w.cfg.Pool.QueryRow(ctx, "select bot.rescue_expired_commands()").Scan(&n); err != nil {
		if ctx.Err() == nil {
			w.cfg.Log.Warn("command queue: rescue expired leases", "err", err)
		}
		return
	}
	if n > 0 {
		w.cfg.Log.Info("command queue: rescued commands whose worker stopped answering", "count", n)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
