// Command queueworker is a queue worker process for the tests: it runs
// gobridge/queue against DATABASE_URL with an executor that records every
// execution in table queue_test_executions (created by the test) and, for a
// send_message whose text is "hang", hangs until killed. It stops cleanly on
// SIGTERM/SIGINT. With QUEUE_DISPATCH=1 it first asks bot.plan_command for
// the plan, as the production executor does before calling Telegram, which
// marks the attempt dispatched.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgxlisten"

	"github.com/nezuko-bot/nezuko/gobridge/queue"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "queueworker:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	pc, err := pgxpool.ParseConfig(os.Getenv("DATABASE_URL"))
	if err != nil {
		return err
	}
	pc.MaxConns = 12
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return err
	}
	defer pool.Close()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	lease, _ := time.ParseDuration(os.Getenv("QUEUE_LEASE"))
	poll, _ := time.ParseDuration(os.Getenv("QUEUE_POLL"))
	w := queue.New(queue.Config{
		Pool: pool, Log: log, Concurrency: 8, Lease: lease, PollEvery: poll, Name: os.Getenv("QUEUE_WORKER"),
		AnyBot: os.Getenv("QUEUE_DISPATCH") == "1",
		Executor: queue.ExecutorFunc(func(ctx context.Context, c queue.Command) (queue.Outcome, error) {
			if os.Getenv("QUEUE_DISPATCH") == "1" {
				if _, err := pool.Exec(ctx, "select bot_instance_id from bot.plan_command($1, $2, $3)", c.ID, c.Worker, c.StartedAt); err != nil {
					return queue.Outcome{}, queue.NotDispatched(err)
				}
			}
			if _, err := pool.Exec(ctx, "insert into queue_test_executions (command_id, worker) values ($1, $2)", c.ID, c.Worker); err != nil {
				return queue.Outcome{}, err
			}
			if d, err := time.ParseDuration(os.Getenv("QUEUE_DELAY")); err == nil {
				time.Sleep(d) // commands stay in flight (just chaos)
			}
			var p struct{ Text string }
			_ = json.Unmarshal(c.Payload, &p)
			if p.Text == "hang" {
				fmt.Println("hanging on", c.ID)
				<-ctx.Done()
				return queue.Outcome{}, ctx.Err()
			}
			return queue.Outcome{Result: json.RawMessage(`{"by":"queueworker"}`)}, nil
		}),
	})
	l := &pgxlisten.Listener{
		Connect:        func(ctx context.Context) (*pgx.Conn, error) { return pgx.ConnectConfig(ctx, pc.ConnConfig) },
		ReconnectDelay: 200 * time.Millisecond,
	}
	l.Handle(queue.Channel, pgxlisten.HandlerFunc(func(context.Context, *pgconn.Notification, *pgx.Conn) error {
		w.Wake()
		return nil
	}))
	go func() { _ = l.Listen(ctx) }()
	fmt.Println("ready")
	return w.Run(ctx)
}
