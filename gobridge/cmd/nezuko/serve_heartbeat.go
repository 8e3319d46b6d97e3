package main

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nezuko-bot/nezuko/gobridge/heartbeat"
)

// attachHeartbeats writes bot_status for every bot this process serves:
// starting at once, online once it runs, a beat every
// heartbeat_interval_seconds with live counters, offline when it stops (the
// bot is disabled, or serve shuts down). Call after attachBots.
func attachHeartbeats(a *app) {
	var (
		mu      sync.Mutex
		handled = map[int64]*atomic.Int64{}
		beats   = map[*heartbeat.Heartbeat]struct{}{}
		live    = map[int64]*heartbeat.Heartbeat{}
	)
	counter := func(id int64) *atomic.Int64 {
		mu.Lock()
		defer mu.Unlock()
		c, ok := handled[id]
		if !ok {
			c = new(atomic.Int64)
			handled[id] = c
		}
		return c
	}
	prev := a.botManager.OnUpdate
	a.botManager.OnUpdate = func(id int64, took time.Duration) {
		counter(id).Add(1)
		if prev != nil {
			prev(id, took)
		}
	}
	// Telegram's answers decide the bot's health (SQL: bot.heartbeat); a
	// bad answer rings the heartbeat at once instead of at its interval.
	kicked := map[int64]time.Time{}
	a.bots.OnTrouble = func(id int64) {
		mu.Lock()
		hb := live[id]
		due := time.Since(kicked[id]) >= time.Second // at most one early beat a second
		if due {
			kicked[id] = time.Now()
		}
		mu.Unlock()
		if hb != nil && due {
			hb.Kick()
		}
	}
	a.botManager.OnBotStart = func(ctx context.Context, id int64) {
		c := counter(id)
		hb, err := heartbeat.Start(ctx, a.work, id, heartbeat.Options{
			Version: version,
			Log:     a.log,
			Counters: func() map[string]any {
				return map[string]any{"updates_handled": c.Load(), "telegram": a.bots.Health(id)}
			},
		})
		if err != nil {
			a.log.Warn("heartbeat: cannot start", "bot_instance_id", id, "err", err)
			return
		}
		hb.SetStatus(heartbeat.Online)
		mu.Lock()
		beats[hb] = struct{}{}
		live[id] = hb
		mu.Unlock()
		<-ctx.Done()
		hb.Stop() // writes offline
		mu.Lock()
		delete(beats, hb)
		if live[id] == hb {
			delete(live, id)
		}
		mu.Unlock()
	}
	// On shutdown the bots' contexts end with serve's; wait for every
	// offline row before the pool closes.
	a.shutdown = append(a.shutdown, func(context.Context) {
		mu.Lock()
		list := make([]*heartbeat.Heartbeat, 0, len(beats))
		for hb := range beats {
			list = append(list, hb)
		}
		mu.Unlock()
		for _, hb := range list {
			hb.Stop()
		}
	})
}
