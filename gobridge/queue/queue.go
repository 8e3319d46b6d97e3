// Package queue is the worker of the admin command queue
// (nezuko.admin_commands). It only executes: every status transition is a
// bot.* SQL function (claim, complete, fail, renew, rescue), and what a
// command means is decided in SQL too (bot.plan_command for Telegram-side
// commands, bot.execute_command for those SQL runs alone).
//
// The worker is woken by the queue's doorbell (NOTIFY nezuko_commands, rung
// once per INSERT statement) and by a slow safety poll; it claims in batches
// with FOR UPDATE SKIP LOCKED, runs commands concurrently up to a limit,
// renews the leases of what it runs, rescues expired leases of crashed
// workers, and completes finished commands in batches.
package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/gobridge/plan"
)

// Channel is the NOTIFY channel an INSERT into admin_commands rings.
const Channel = "nezuko_commands"

// Command is one claimed command, as bot.claim_commands returns it.
type Command struct {
	ID            int64
	Type          string
	BotInstanceID *int64
	Payload       json.RawMessage
	Attempt       int // 1 for the first try
	MaxAttempts   int
	NeedsBot      bool   // false: SQL executes it alone (clear_cache)
	Worker        string // the lease owner, for SQL calls made on its behalf
	// StartedAt is when the claim took it (admin_commands.started_at). With
	// Worker it names this attempt in every SQL call made for it: a claim
	// commits asynchronously, so a PostgreSQL crash can lose it while this
	// worker holds the command, which is then claimed again with the same
	// attempt number; calls naming the lost attempt change nothing.
	StartedAt time.Time
}

// Outcome is what executing a command gave.
type Outcome struct {
	// Result completes the command (bot.complete_commands), unless Finished.
	Result json.RawMessage
	// Finished: SQL has already moved the command on (bot.execute_command
	// completes in the same transaction); the worker reports nothing.
	Finished bool
}

// Executor carries out one claimed command. An error is a failed attempt:
// retried with backoff until max_attempts unless marked with Permanent.
//
// The claim is committed asynchronously (see bot.claim_commands): an
// Executor whose command acts outside this database must first commit a
// transaction synchronously that names the attempt (Worker, StartedAt), as
// bot.plan_command does for Telegram, and act only once that commit
// succeeded; its WAL flush makes the claim durable too.
type Executor interface {
	Execute(ctx context.Context, c Command) (Outcome, error)
}

// ExecutorFunc adapts a function to Executor.
type ExecutorFunc func(ctx context.Context, c Command) (Outcome, error)

// Execute calls f.
func (f ExecutorFunc) Execute(ctx context.Context, c Command) (Outcome, error) { return f(ctx, c) }

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as a failure that retrying cannot fix: the command
// fails at once.
func Permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

type notDispatchedError struct{ err error }

func (e notDispatchedError) Error() string { return e.err.Error() }
func (e notDispatchedError) Unwrap() error { return e.err }

// NotDispatched marks err as a failure that happened before anything was
// sent to Telegram (no plan, no bot): the attempt certainly had no effect,
// so it is retried whatever the command type (see bot.fail_command's
// p_maybe_done).
func NotDispatched(err error) error { return notDispatchedError{err} }

// IsNotDispatched reports whether err was marked with NotDispatched.
func IsNotDispatched(err error) bool {
	var p notDispatchedError
	return errors.As(err, &p)
}

// ErrNoBot is the failure of a Telegram-side command when no bot of this
// process can run it.
var ErrNoBot = errors.New("no bot")

// PlanRunner is the seam to the Telegram executor of the bots (the same one
// that carries out the plans of update handling): it runs a plan as bot
// botInstanceID, answering the plan's checks, calling its resume function
// with the answers and making its calls, and returns the calls' results.
// An error means the plan could not be run at all (unknown bot, network).
//
// *telegram.Executor (gobridge/telegram) is one: it can act as any bot of
// bot_instances, so a worker given it claims every command (Config.AnyBot).
type PlanRunner interface {
	Run(ctx context.Context, botInstanceID int64, p plan.Plan) ([]plan.CallResult, error)
}

// SQLExecutor is the production Executor: commands that need no bot run in
// SQL (bot.execute_command); the others get their plan and bot from
// bot.plan_command and run through Runner. With a nil Runner (no bot in this
// process) they fail with ErrNoBot, and the retry rules apply.
type SQLExecutor struct {
	Pool   *pgxpool.Pool
	Runner PlanRunner
}

// Execute implements Executor.
func (e *SQLExecutor) Execute(ctx context.Context, c Command) (Outcome, error) {
	if !c.NeedsBot {
		var st *string
		if err := e.Pool.QueryRow(ctx, "select bot.execute_command($1, $2, $3)", c.ID, c.Worker, c.StartedAt).Scan(&st); err != nil {
			return Outcome{}, fmt.Errorf("execute %s in SQL: %w", c.Type, err)
		}
		return Outcome{Finished: true}, nil
	}
	if e.Runner == nil {
		return Outcome{}, NotDispatched(ErrNoBot)
	}
	var bot *int64
	var raw []byte
	// The plan's transaction commits synchronously: only then may Runner act.
	if err := e.Pool.QueryRow(ctx, "select bot_instance_id, plan from bot.plan_command($1, $2, $3)",
		c.ID, c.Worker, c.StartedAt).Scan(&bot, &raw); err != nil {
		return Outcome{}, NotDispatched(fmt.Errorf("plan %s: %w", c.Type, err))
	}
	if bot == nil {
		return Outcome{}, NotDispatched(fmt.Errorf("%w: no bot is bound to this command or its chat", ErrNoBot))
	}
	var p plan.Plan
	if err := json.Unmarshal(raw, &p); err != nil {
		return Outcome{}, Permanent(fmt.Errorf("plan %s: %w", c.Type, err))
	}
	results, err := e.Runner.Run(ctx, *bot, p)
	if err != nil {
		return Outcome{}, fmt.Errorf("run %s as bot %d: %w", c.Type, *bot, err)
	}
	if results == nil {
		results = []plan.CallResult{}
	}
	res, err := json.Marshal(map[string]any{"bot_instance_id": *bot, "calls": results})
	if err != nil {
		return Outcome{}, fmt.Errorf("encode result: %w", err)
	}
	return Outcome{Result: res}, nil
}
