// Package heartbeat keeps a running bot's row of nezuko.bot_status fresh:
// every heartbeat_interval_seconds (admin_config, re-read on every beat) it
// calls bot.heartbeat with the bot's status, start time, version, this
// process and live counters. A clean stop writes status offline. A row older
// than two intervals means the bot is down.
package heartbeat

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Statuses a bot may report.
const (
	Starting = "starting"
	Online   = "online"
	Degraded = "degraded"
	Offline  = "offline"
	Error    = "error"
)

// Options tunes a heartbeat. Zero values take the defaults.
type Options struct {
	// Version is reported in bot_status.version.
	Version string
	// Instance names this process (default host:pid).
	Instance string
	// Counters, when set, is called on every beat; its map becomes
	// bot_status.metadata (SQL adds queue_depth). It must be quick and safe
	// for concurrent use.
	Counters func() map[string]any
	// Interval overrides admin_config heartbeat_interval_seconds (tests).
	Interval time.Duration
	Log      *slog.Logger
}

// Heartbeat is one bot's running heartbeat.
type Heartbeat struct {
	pool    *pgxpool.Pool
	bot     int64
	opts    Options
	started time.Time
	kick    chan struct{}
	cancel  context.CancelFunc
	done    chan struct{}

	mu     sync.Mutex
	status string
}

// Start writes status starting for botInstanceID at once, then beats until
// ctx ends or Stop is called; either way it finishes by writing offline.
// Call SetStatus(Online) once the bot is running.
func Start(ctx context.Context, pool *pgxpool.Pool, botInstanceID int64, opts Options) (*Heartbeat, error) {
	if opts.Instance == "" {
		host, _ := os.Hostname()
		opts.Instance = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(ctx)
	h := &Heartbeat{pool: pool, bot: botInstanceID, opts: opts, started: time.Now(), status: Starting,
		kick: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	interval, err := h.beat(ctx, Starting)
	if err != nil {
		cancel()
		return nil, err
	}
	go h.loop(ctx, interval)
	return h, nil
}

// SetStatus changes the reported status and writes it at once.
func (h *Heartbeat) SetStatus(status string) {
	h.mu.Lock()
	h.status = status
	h.mu.Unlock()
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// Kick writes a beat now, with the current status and counters (SQL may
// change the status from what the counters say).
func (h *Heartbeat) Kick() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// Stop ends the heartbeat and waits until offline is written.
func (h *Heartbeat) Stop() {
	h.cancel()
	<-h.done
}

func (h *Heartbeat) loop(ctx context.Context, interval time.Duration) {
	defer close(h.done)
	t := time.NewTimer(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			octx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if _, err := h.beat(octx, Offline); err != nil {
				h.opts.Log.Warn("heartbeat: cannot write offline", "bot_instance_id", h.bot, "err", err)
			}
			cancel()
			return
		case <-h.kick:
		case <-t.C:
		}
		h.mu.Lock()
		st := h.status
		h.mu.Unlock()
		if next, err := h.beat(ctx, st); err != nil {
			if ctx.Err() == nil {
				h.opts.Log.Warn("heartbeat", "bot_instance_id", h.bot, "err", err)
			}
		} else {
			interval = next
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(interval)
	}
}

func (h *Heartbeat) beat(ctx context.Context, status string) (time.Duration, error) {
	meta := map[string]any{}
	if h.opts.Counters != nil {
		if m := h.opts.Counters(); m != nil {
			meta = m
		}
	}
	b, err := json.Marshal(meta)
	if err != nil {
		return 0, fmt.Errorf("heartbeat counters: %w", err)
	}
	var secs int
	if err := h.pool.QueryRow(ctx, "select bot.heartbeat($1, $2, $3, $4, $5, $6)",
		h.bot, status, h.started, h.opts.Version, h.opts.Instance, b).Scan(&secs); err != nil {
		return 0, fmt.Errorf("heartbeat of bot %d: %w", h.bot, err)
	}
	if h.opts.Interval > 0 {
		return h.opts.Interval, nil
	}
	return time.Duration(max(secs, 1)) * time.Second, nil
}
