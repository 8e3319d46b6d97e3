// Package dbwatch keeps `nezuko serve` quiet while the database is down.
// Every loop of serve (API catalog reload, LISTEN, realtime relay, queue,
// bots, heartbeats, the admin_logs sink) retries on its own and would log
// each failed attempt: ~17 lines a second. Handler wraps the logger: the
// first record whose error says the database cannot be reached becomes one
// line ("database unreachable"), the following ones are counted, not
// written; a reminder comes with backoff (10 s, 20 s, 40 s ... 5 min); a
// probe pings the database every second meanwhile, and its first success
// writes one line ("database reachable again") and lets records through.
package dbwatch

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Watch is the shared state of one process's handlers.
type Watch struct {
	// Ping checks the database (pool.Ping with a short timeout).
	Ping func(ctx context.Context) error
	// First and Max bound the reminders' backoff (default 10 s and 5 min);
	// Probe is the ping interval while down (default 1 s).
	First, Max, Probe time.Duration

	mu         sync.Mutex
	out        slog.Handler // where the watch's own lines go
	down       bool
	since      time.Time
	reason     string
	suppressed int
	next       time.Time
	gap        time.Duration
	stop       context.CancelFunc
}

// Handler returns a handler that passes records to next unless the
// database is down and the record is about it.
func (w *Watch) Handler(next slog.Handler) slog.Handler {
	w.mu.Lock()
	if w.out == nil {
		w.out = next
	}
	w.mu.Unlock()
	return &handler{w: w, next: next}
}

// Down reports whether the database is considered unreachable now.
func (w *Watch) Down() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.down
}

// Close stops the probe.
func (w *Watch) Close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stop != nil {
		w.stop()
		w.stop = nil
	}
}

type handler struct {
	w     *Watch
	next  slog.Handler
	attrs []slog.Attr
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	return &handler{w: h.w, next: h.next.WithAttrs(as), attrs: append(append([]slog.Attr(nil), h.attrs...), as...)}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{w: h.w, next: h.next.WithGroup(name), attrs: h.attrs}
}

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	var err error
	r.Attrs(func(a slog.Attr) bool {
		if e, ok := a.Value.Any().(error); ok && Unreachable(e) {
			err = e
			return false
		}
		return true
	})
	if err == nil {
		w := h.w
		w.mu.Lock()
		down := w.down
		if down && r.Level >= slog.LevelWarn {
			// While down, warnings about the database come in many shapes
			// (a failed batch, a reload); count the ones that name no
			// other cause with the rest.
			if msg := strings.ToLower(r.Message); strings.Contains(msg, "database") || strings.Contains(msg, "connection") {
				w.suppressed++
				w.mu.Unlock()
				return nil
			}
		}
		w.mu.Unlock()
		return h.next.Handle(ctx, r)
	}
	return h.w.unreachable(ctx, r.Time, err)
}

// unreachable counts one record about the database being down; it writes
// the first and the reminders.
func (w *Watch) unreachable(ctx context.Context, t time.Time, err error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if t.IsZero() {
		t = time.Now()
	}
	if !w.down {
		w.down, w.since, w.reason, w.suppressed = true, t, reason(err), 0
		w.gap = w.first()
		w.next = t.Add(w.gap)
		w.startProbe()
		return w.emit(ctx, slog.LevelError, "database unreachable; retrying quietly until it is back",
			"err", w.reason)
	}
	w.suppressed++
	w.reason = reason(err)
	if t.Before(w.next) {
		return nil
	}
	w.gap = min(2*w.gap, w.max())
	w.next = t.Add(w.gap)
	n := w.suppressed
	w.suppressed = 0
	return w.emit(ctx, slog.LevelWarn, "database still unreachable",
		"for", t.Sub(w.since).Round(time.Second).String(), "suppressed_lines", n, "err", w.reason)
}

// emit writes one of the watch's own lines (w.mu held).
func (w *Watch) emit(ctx context.Context, l slog.Level, msg string, args ...any) error {
	if w.out == nil || !w.out.Enabled(ctx, l) {
		return nil
	}
	r := slog.NewRecord(time.Now(), l, msg, 0)
	r.Add(args...)
	return w.out.Handle(ctx, r)
}

func (w *Watch) first() time.Duration {
	if w.First > 0 {
		return w.First
	}
	return 10 * time.Second
}

func (w *Watch) max() time.Duration {
	if w.Max > 0 {
		return w.Max
	}
	return 5 * time.Minute
}

// startProbe pings until the database answers (w.mu held).
func (w *Watch) startProbe() {
	if w.Ping == nil || w.stop != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.stop = cancel
	every := w.Probe
	if every <= 0 {
		every = time.Second
	}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
			err := w.Ping(pctx)
			pcancel()
			if err != nil {
				continue
			}
			w.mu.Lock()
			if w.down {
				w.down = false
				_ = w.emit(ctx, slog.LevelInfo, "database reachable again",
					"after", time.Since(w.since).Round(time.Second).String(), "suppressed_lines", w.suppressed)
			}
			w.stop = nil
			w.mu.Unlock()
			cancel()
			return
		}
	}()
}

// Unreachable says whether err means the database cannot be reached (as
// opposed to a query it refused): pgx failing to connect, a server
// shutting down or starting up, a connection lost mid-query. Errors of
// HTTP clients (the Bot API) are not about the database, whatever their
// text.
func Unreachable(err error) bool {
	if err == nil {
		return false
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return false
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	// The server went away mid-query or while LISTENing.
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	s := err.Error()
	for _, m := range []string{"failed to connect to", "conn closed", "closed pool", "failed to receive message",
		"failed to write startup message", "the database system is", "server closed the connection unexpectedly",
		"terminating connection due to administrator command"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// reason is err on one line (pgx puts one line per connection attempt,
// and the first may not hold the cause).
func reason(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}
