package queue

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

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
			if e, ok := w.running[id]; ok && !keep[id] {
				w.cfg.Log.Warn("command queue: lease lost, cancelling", "command_id", id)
				e.cancel()
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
