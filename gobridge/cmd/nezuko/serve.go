package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgxlisten"

	"github.com/nezuko-bot/nezuko/gobridge/api"
	"github.com/nezuko-bot/nezuko/gobridge/config"
	"github.com/nezuko-bot/nezuko/gobridge/dbwatch"
	"github.com/nezuko-bot/nezuko/gobridge/latency"
	"github.com/nezuko-bot/nezuko/gobridge/server"
	"github.com/nezuko-bot/nezuko/gobridge/telegram"
)

// app is everything `nezuko serve` runs. Components attach to it in
// runServe: routes on srv.Mux, NOTIFY handlers on listener (one LISTEN
// connection for the whole process), and background loops in background.
type app struct {
	cfg *config.Config
	log *slog.Logger
	// Three pools, so that no kind of work starves another (config.Pools):
	// pool serves the REST API, work the bots, the command queue and the
	// heartbeats, events the realtime relay, SSE and the admin_logs sink.
	pool      *pgxpool.Pool
	work      *pgxpool.Pool
	events    *pgxpool.Pool
	readPool  *pgxpool.Pool // NEZUKO_READ_DATABASE_URL, or nil
	srv       *server.Server
	listener  *pgxlisten.Listener
	hasListen bool
	// background loops run until the serve context ends; an error from one
	// stops the process.
	background []func(ctx context.Context) error
	// shutdown hooks run, in reverse order, after HTTP has stopped.
	shutdown []func(ctx context.Context)
	// bots executes plans (Bot API calls) for any bot (see serve_bot.go).
	bots *telegram.Executor
	// latency is the /v1/rpc/ handlers' fine-grained histogram, only with
	// NEZUKO_DEBUG_ADDR (fed by the same middleware as /metrics).
	latency *latency.Histogram
}

// listen registers h for NOTIFY channel (see pgxlisten: handlers run on the
// listener's goroutine and must not block; a BacklogHandler also runs after
// every (re)connect, to catch up on what was missed while disconnected).
func (a *app) listen(channel string, h pgxlisten.Handler) {
	a.listener.Handle(channel, h)
	a.hasListen = true
}

func (a *app) run(f func(ctx context.Context) error) { a.background = append(a.background, f) }

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags("serve")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// One pool per kind of work (config.Pools): slow API reads cannot take
	// the connections enforcement and the queue need.
	pool, err := openPool(ctx, e, "api", e.cfg.Pools.API)
	if err != nil {
		return err
	}
	defer pool.Close()
	work, err := openPool(ctx, e, "work", e.cfg.Pools.Work)
	if err != nil {
		return err
	}
	defer work.Close()
	events, err := openPool(ctx, e, "events", e.cfg.Pools.Events)
	if err != nil {
		return err
	}
	defer events.Close()
	// The access log goes to stderr only: a row in admin_logs per request
	// would turn every request into a write.
	access := e.log.With("logger", "access")
	flushLogs := withDBLog(e, events) // serve also logs into admin_logs (serve_queue.go)
	defer flushLogs()
	// One line when the database goes away, reminders with backoff, one
	// line when it is back (gobridge/dbwatch), instead of every retry.
	watch := &dbwatch.Watch{Ping: pool.Ping}
	defer watch.Close()
	e.log = slog.New(watch.Handler(e.log.Handler()))
	a := &app{cfg: e.cfg, log: e.log, pool: pool, work: work, events: events, srv: server.New(pool, e.log)}
	a.srv.Limits = server.Limits{ReadTimeout: e.cfg.HTTPReadTimeout, IdleTimeout: e.cfg.HTTPIdleTimeout,
		MaxBodyBytes: e.cfg.HTTPMaxBody, MaxHeaderBytes: e.cfg.HTTPMaxHeader}
	// A read replica for the API's STABLE operations (optional).
	if rc, err := e.cfg.ReadPoolConfig(); err != nil {
		return err
	} else if rc != nil {
		if !strings.Contains(e.cfg.ReadDatabaseURL, "pool_max_conns") {
			rc.MaxConns = 20
		}
		if a.readPool, err = pgxpool.NewWithConfig(ctx, rc); err != nil {
			return fmt.Errorf("NEZUKO_READ_DATABASE_URL: %w", err)
		}
		defer a.readPool.Close()
		e.log.Info("API reads (STABLE operations) go to the read replica")
	}
	if e.cfg.DebugAddr != "" {
		if err := loopbackOnly(e.cfg.DebugAddr); err != nil {
			return err
		}
		a.latency = new(latency.Histogram)
		a.run(func(ctx context.Context) error { return serveDebug(ctx, e.cfg.DebugAddr, a) })
	}
	a.listener = &pgxlisten.Listener{
		Connect: func(ctx context.Context) (*pgx.Conn, error) {
			cc := pool.Config().ConnConfig // a copy
			// A cancel request would not end a wait for notifications.
			cc.BuildContextWatcherHandler = config.BreakConnOnCancel
			return pgx.ConnectConfig(ctx, cc)
		},
		LogError: func(ctx context.Context, err error) {
			if ctx.Err() == nil {
				e.log.Warn("listen connection", "err", err)
			}
		},
		ReconnectDelay: 500 * time.Millisecond,
	}

	// Components. Each attaches its routes, NOTIFY handlers and loops.
	// (Analytics, API, realtime, command queue and bots attach here.)
	rt, err := attachRealtime(a)
	if err != nil {
		return err
	}
	attachMetrics(a, rt)
	if err := attachAPI(a, rt); err != nil {
		return err
	}
	if err := attachBots(a); err != nil {
		return err
	}
	if err := attachQueue(a); err != nil { // after attachBots: runs plans through a.bots
		return err
	}

	if a.hasListen {
		a.run(a.listener.Listen)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, len(a.background)+1)
	for _, f := range a.background {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx); err != nil && !errors.Is(err, context.Canceled) {
				errc <- err
				cancel()
			}
		}()
	}
	// CORS and the access log, then metrics, then the HTTP limits and the mux.
	front := api.Front(instrument(a), api.FrontOptions{Log: access, CORSOrigins: e.cfg.CORSOrigins})
	httpErr := server.ListenAndServe(ctx, e.cfg.HTTPAddr, front, a.srv.Limits, e.cfg.ShutdownTimeout, e.log)
	cancel()
	wg.Wait()
	sctx, scancel := context.WithTimeout(context.Background(), e.cfg.ShutdownTimeout)
	defer scancel()
	for i := len(a.shutdown) - 1; i >= 0; i-- {
		a.shutdown[i](sctx)
	}
	if httpErr != nil {
		return fmt.Errorf("http: %w", httpErr)
	}
	select {
	case err := <-errc:
		return err
	default:
	}
	e.log.Info("stopped")
	return nil
}
