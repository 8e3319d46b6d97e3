package telegram

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nezuko-bot/nezuko/gobridge/heartbeat"
)

// heartbeats writes bot_status for every bot this process owns (package
// heartbeat): starting at once, online once it runs, a beat every
// heartbeat_interval_seconds with live counters, offline when it stops
// (the bot is disabled, or the manager stops: Run returns only after every
// offline row is written). Telegram's answers decide the bot's health
// (SQL: bot.heartbeat); a bad answer rings the bot's heartbeat at once
// instead of at its interval.
type heartbeats struct {
	m       *Manager
	mu      sync.Mutex
	handled map[int64]*atomic.Int64 // updates taken in, per bot
	live    map[int64]*heartbeat.Heartbeat
	kicked  map[int64]time.Time
}

// startHeartbeats hooks the heartbeats into the update counter and the
// executor's trouble signal (Run calls it when Heartbeats is set).
func (m *Manager) startHeartbeats() {
	hs := &heartbeats{m: m, handled: map[int64]*atomic.Int64{}, live: map[int64]*heartbeat.Heartbeat{}, kicked: map[int64]time.Time{}}
	m.beats = hs
	prevUpdate := m.OnUpdate
	m.OnUpdate = func(id int64, took time.Duration) {
		hs.counter(id).Add(1)
		if prevUpdate != nil {
			prevUpdate(id, took)
		}
	}
	prevTrouble := m.Exec.OnTrouble
	m.Exec.OnTrouble = func(id int64) {
		hs.kick(id)
		if prevTrouble != nil {
			prevTrouble(id)
		}
	}
}

func (hs *heartbeats) counter(id int64) *atomic.Int64 {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	c, ok := hs.handled[id]
	if !ok {
		c = new(atomic.Int64)
		hs.handled[id] = c
	}
	return c
}

// kick writes a beat now, at most once a second per bot.
func (hs *heartbeats) kick(id int64) {
	hs.mu.Lock()
	hb := hs.live[id]
	due := time.Since(hs.kicked[id]) >= time.Second
	if due {
		hs.kicked[id] = time.Now()
	}
	hs.mu.Unlock()
	if hb != nil && due {
		hb.Kick()
	}
}

// run beats for one owned bot until ctx ends, then writes offline.
func (hs *heartbeats) run(ctx context.Context, id int64) {
	m := hs.m
	c := hs.counter(id)
	hb, err := heartbeat.Start(ctx, m.Pool, id, heartbeat.Options{
		Version: m.Version,
		Log:     m.Log,
		Counters: func() map[string]any {
			return map[string]any{"updates_handled": c.Load(), "telegram": m.Exec.Health(id)}
		},
	})
	if err != nil {
		m.Log.Warn("heartbeat: cannot start", "bot_instance_id", id, "err", err)
		return
	}
	hb.SetStatus(heartbeat.Online)
	hs.mu.Lock()
	hs.live[id] = hb
	hs.mu.Unlock()
	<-ctx.Done()
	hb.Stop() // writes offline
	hs.mu.Lock()
	if hs.live[id] == hb {
		delete(hs.live, id)
	}
	hs.mu.Unlock()
}
