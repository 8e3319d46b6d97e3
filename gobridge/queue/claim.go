package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func (w *Worker) claim(ctx context.Context, n int) ([]Command, *float64, error) {
	bots := w.bots()
	var lease any
	if w.cfg.Lease > 0 {
		lease = max(1, int(w.cfg.Lease.Round(time.Second)/time.Second))
	}
	// bot.claim_commands commits asynchronously (it saves the WAL flush on
	// the pickup path): nothing reaches Telegram before bot.plan_command's
	// synchronous commit, which flushes the claim too, and a claim lost to a
	// crash is fenced off by its StartedAt (Command.StartedAt).
	b := &pgx.Batch{}
	// The claim's command_updated events are rung after its commit (ringAfterCommit).
	b.Queue(ringAfterCommit)
	b.Queue("select id, command_type, bot_instance_id, payload, attempts, max_attempts, needs_bot, started_at "+
		"from bot.claim_commands($1, $2, $3, $4)", w.cfg.Name, bots, n, lease)
	// When the next command is due, should this claim drain the queue
	// (fewer than n claimed: bot.claim_commands sets nezuko.claimed); after
	// a full claim the worker claims again at once and needs no answer.
	b.Queue("select bot.next_command_due($1) "+
		"where coalesce(nullif(current_setting('nezuko.claimed', true), ''), '-1')::integer < $2", bots, n)
	conn, err := w.claimConn(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("claim: %w", err)
	}
	br := conn.SendBatch(ctx, b)
	// Any error: the next claim takes another connection (the pool drops
	// this one if it broke).
	failed := true
	defer func() {
		if failed {
			br.Close()
			w.releaseClaimConn()
		}
	}()
	if _, err := br.Exec(); err != nil {
		return nil, nil, fmt.Errorf("claim: %w", err)
	}
	rows, err := br.Query()
	if err != nil {
		return nil, nil, fmt.Errorf("claim: %w", err)
	}
	cmds, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Command, error) {
		c := Command{Worker: w.cfg.Name}
		err := r.Scan(&c.ID, &c.Type, &c.BotInstanceID, &c.Payload, &c.Attempt, &c.MaxAttempts, &c.NeedsBot, &c.StartedAt)
		return c, err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("claim: %w", err)
	}
	var next *float64
	if err := br.QueryRow().Scan(&next); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, fmt.Errorf("claim: next due: %w", err)
	}
	// The rows arrive before the batch's transaction commits: only the
	// end of the batch (ReadyForQuery) says the claim committed. A server
	// shutting down can send the rows and then abort the commit (57P01):
	// running those commands would run them twice, once here and once for
	// whoever claims them next. If the claim did commit after all, its
	// lease expires and the rescue re-queues the commands (never dispatched).
	if err := br.Close(); err != nil {
		return nil, nil, fmt.Errorf("claim: commit: %w", err)
	}
	failed = false
	if len(cmds) > 0 {
		w.ring()
	}
	return cmds, next, nil
}

// claimConn is the connection the worker claims on, taken from the pool at
// the first claim and kept: the claim is on every pickup's path, and on a
// connection of its own it never waits behind the executors' calls for a
// free one, and finds its plans and caches warm (the first claim on a new
// connection compiles bot.claim_commands and its triggers: ~7 against ~1 ms).
// Only Run's goroutine claims.
func (w *Worker) claimConn(ctx context.Context) (*pgxpool.Conn, error) {
	if w.claimer == nil {
		c, err := w.cfg.Pool.Acquire(ctx)
		if err != nil {
			return nil, err
		}
		w.claimer = c
	}
	return w.claimer, nil
}

// releaseClaimConn gives the claim connection back to the pool.
func (w *Worker) releaseClaimConn() {
	if w.claimer != nil {
		w.claimer.Release()
		w.claimer = nil
	}
}
