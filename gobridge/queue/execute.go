package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

func (w *Worker) execute(ctx context.Context, c Command) {
	out, err := w.safeExecute(ctx, c)
	if err == nil {
		if !out.Finished {
			res := out.Result
			if len(res) == 0 {
				res = json.RawMessage("{}")
			}
			w.done <- result{c.ID, c.Attempt, c.StartedAt, res}
			return
		}
		w.release(c.ID, c.StartedAt)
		return
	}
	defer w.release(c.ID, c.StartedAt)
	retry := !IsPermanent(err)
	var maybeDone *bool // null: SQL decides from dispatched_at
	if IsNotDispatched(err) {
		f := false
		maybeDone = &f
	}
	var st *string
	ferr := w.report(func(ctx context.Context) error {
		return w.cfg.Pool.QueryRow(ctx, "select bot.fail_command($1, $2, $3, $4, $5, $6, $7)",
			c.ID, w.cfg.Name, err.Error(), retry, maybeDone, c.Attempt, c.StartedAt).Scan(&st)
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

// release forgets the attempt of command id claimed at started, whose fate
// the database has (or will never have) from this worker: its lease is no
// longer renewed, unless the command was claimed again since.
func (w *Worker) release(id int64, started time.Time) {
	w.mu.Lock()
	if w.held[id].Equal(started) {
		delete(w.held, id)
	}
	w.mu.Unlock()
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

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
