package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/gobridge/dblog"
	"github.com/nezuko-bot/nezuko/gobridge/metrics"
	"github.com/nezuko-bot/nezuko/gobridge/queue"
)

// attachQueue runs the admin command worker inside `nezuko serve`, with or
// without bots. Telegram-side commands run through the bots' executor
// (a.bots, set by attachBots, which must come first); it can act as any bot
// of bot_instances, so this worker claims every command. Without it,
// Telegram-side commands fail with "no bot" (retried with backoff) while
// SQL-only commands (clear_cache) run as usual.
//
// The worker wakes on the queue's doorbell (NOTIFY nezuko_commands) through
// the shared listener; after every (re)connect of that listener it looks
// again, since rings sent while disconnected are lost. A slow poll covers
// the rest and rescues expired leases.
func attachQueue(a *app) error {
	var runner queue.PlanRunner
	if a.bots != nil {
		runner = a.bots
	}
	cfg := queue.Config{
		Pool:     a.work,
		Executor: &queue.SQLExecutor{Pool: a.work, Runner: runner},
		Log:      a.log.With("logger", "queue"),
	}
	cfg.AnyBot = runner != nil
	cfg.Executor = countingExecutor{pruneExecutor{next: cfg.Executor, pool: a.pool, log: a.log}}
	cfg.OnClaim = func(cmds []queue.Command) {
		for _, c := range cmds {
			metrics.QueueClaimed(c.Type)
		}
	}
	w := queue.New(cfg)
	a.listen(queue.Channel, wakeHandler{w})
	a.run(w.Run)
	cfg.Log.Info("command queue: worker started", "worker", w.Name())
	// The daily prune_logs command schedules itself after each run; this
	// puts it back if it was cancelled or failed for good. Done before
	// serve answers (its command_updated event is then in the past for
	// every client), in the background only when the database is not
	// there yet.
	schedule := func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_, err := a.pool.Exec(ctx, "select bot.schedule_prune_logs()")
		return err
	}
	if schedule(context.Background()) != nil {
		a.run(func(ctx context.Context) error {
			for ctx.Err() == nil && schedule(ctx) != nil {
				select {
				case <-ctx.Done():
				case <-time.After(10 * time.Second):
				}
			}
			return nil
		})
	}
	return nil
}

// pruneExecutor runs prune_logs commands: batches of bot.prune_logs_batch,
// each its own short transaction, until nothing older than the retention
// is left (raw log rows and finished admin_commands); then bot.finish_prune_logs completes the command with the
// counts and schedules the next run. Other commands go to next.
type pruneExecutor struct {
	next queue.Executor
	pool *pgxpool.Pool
	log  *slog.Logger
}

func (p pruneExecutor) Execute(ctx context.Context, c queue.Command) (queue.Outcome, error) {
	if c.Type != "prune_logs" {
		return p.next.Execute(ctx, c)
	}
	var ver, api, adm, cmd int64
	start := time.Now()
	for {
		var v, a, d, k int64
		if err := p.pool.QueryRow(ctx, "select * from bot.prune_logs_batch($1, $2, $3)", c.ID, c.Worker, c.StartedAt).Scan(&v, &a, &d, &k); err != nil {
			return queue.Outcome{}, fmt.Errorf("prune_logs: %w", err)
		}
		ver, api, adm, cmd = ver+v, api+a, adm+d, cmd+k
		if v+a+d+k == 0 {
			break
		}
	}
	res := fmt.Sprintf(`{"verification_log": %d, "api_call_log": %d, "admin_logs": %d, "admin_commands": %d}`, ver, api, adm, cmd)
	var st *string
	if err := p.pool.QueryRow(ctx, "select bot.finish_prune_logs($1, $2, $3, $4)", c.ID, c.Worker, res, c.StartedAt).Scan(&st); err != nil {
		return queue.Outcome{}, fmt.Errorf("prune_logs: complete: %w", err)
	}
	p.log.Info("prune_logs: raw log rows older than log_retention_days deleted", "verification_log", ver,
		"api_call_log", api, "admin_logs", adm, "admin_commands", cmd, "took", time.Since(start).Round(time.Millisecond))
	return queue.Outcome{Finished: true}, nil
}

// countingExecutor counts the worker's attempts for /metrics.
type countingExecutor struct{ next queue.Executor }

func (c countingExecutor) Execute(ctx context.Context, cmd queue.Command) (queue.Outcome, error) {
	out, err := c.next.Execute(ctx, cmd)
	if err != nil {
		metrics.QueueFailed(cmd.Type)
	} else {
		metrics.QueueCompleted(cmd.Type)
	}
	return out, err
}

// wakeHandler rings the worker on a NOTIFY and after a reconnect.
type wakeHandler struct{ w *queue.Worker }

func (h wakeHandler) HandleNotification(context.Context, *pgconn.Notification, *pgx.Conn) error {
	h.w.Wake()
	return nil
}

func (h wakeHandler) HandleBacklog(context.Context, string, *pgx.Conn) error {
	h.w.Wake()
	return nil
}

// withDBLog makes serve's logger also write INFO and above into admin_logs
// (asynchronously, never blocking; see gobridge/dblog), unless
// NEZUKO_LOG_DB=off (tests that count admin_logs rows set it). The returned
// func flushes what is buffered; call it before the pool closes.
func withDBLog(e *env, pool *pgxpool.Pool) func() {
	if !e.cfg.LogDB {
		return func() {}
	}
	sink := dblog.New(pool, dblog.Options{Next: e.log.Handler()})
	e.log = slog.New(sink.Handler())
	metrics.WatchLogSink(sink.Dropped, sink.Written)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		sink.Close(ctx)
	}
}
