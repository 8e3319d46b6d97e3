package telegram

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nezuko-bot/nezuko/gobridge/backoff"
)

// own runs a bot in this process while it holds the bot's advisory lock
// (one owner per bot across every nezuko process on the database): the
// owner runs the bot's effects, its heartbeat and its auto-deletions, and,
// for a polling bot, the one getUpdates loop Telegram allows. Webhook
// updates are taken by every process (WebhookHandler); their effects go to
// the owner through the outbox. Another process holding the lock means it
// owns the bot: stand by and try again.
func (m *Manager) own(ctx context.Context, b botRow) {
	waiting := false
	for ctx.Err() == nil {
		// A connection of its own, outside the pool: the lock lives as long
		// as it does, and a crashed process frees it with its connection.
		conn, err := pgx.ConnectConfig(ctx, m.Pool.Config().ConnConfig.Copy())
		if err != nil {
			sleep(ctx, 2*time.Second)
			continue
		}
		var got bool
		if err := conn.QueryRow(ctx, "select pg_try_advisory_lock($1)", lockSpace|b.ID).Scan(&got); err != nil || !got {
			conn.Close(context.Background())
			if !waiting && err == nil {
				m.Log.Info("bot is run by another nezuko process; standing by", "bot_instance_id", b.ID)
				waiting = true
			}
			sleep(ctx, m.Reload*2)
			continue
		}
		waiting = false
		octx, cancel := context.WithCancel(ctx)
		lost := make(chan struct{})
		go func() {
			defer close(lost)
			// Blocks on the lock's socket: a server restart or a broken
			// connection ends it at once, and with it this process's
			// ownership, before another process can take the lock and poll.
			if err := conn.PgConn().WaitForNotification(octx); err != nil && octx.Err() == nil {
				m.Log.Warn("lost the bot lock's connection; stopping this bot here", "bot_instance_id", b.ID)
				cancel()
			}
		}()
		m.serve(octx, b)
		cancel()
		<-lost
		conn.Close(context.Background()) // releases the lock
	}
}

// serve is one spell of ownership: effects, heartbeat, deletions, and the
// poller of a polling bot, until ctx ends.
func (m *Manager) serve(ctx context.Context, b botRow) {
	m.Effects.Own(ctx, b.ID)
	defer m.Effects.Disown(b.ID)
	done := make(chan struct{})
	if m.beats != nil {
		go func() { defer close(done); m.beats.run(ctx, b.ID) }()
	} else {
		close(done)
	}
	go m.deletions(ctx, b.ID)
	if b.Mode == "webhook" {
		m.Log.Info("bot serving by webhook", "bot_instance_id", b.ID, "username", b.Username)
		<-ctx.Done()
	} else {
		m.Log.Info("bot polling", "bot_instance_id", b.ID, "username", b.Username)
		m.poll(ctx, b)
	}
	<-done
}

// sleep waits d or until ctx ends (backoff.Sleep, for the package's loops).
func sleep(ctx context.Context, d time.Duration) { backoff.Sleep(ctx, d) }

// deletions turns the bot's messages due for auto-deletion into effects.
func (m *Manager) deletions(ctx context.Context, botID int64) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var n int
		if err := m.Pool.QueryRow(ctx, "select bot.due_deletions($1)", botID).Scan(&n); err == nil && n > 0 {
			m.Effects.Wake()
		}
	}
}

func (m *Manager) housekeeping(ctx context.Context) {
	for {
		if _, err := m.Pool.Exec(ctx, "select bot.housekeeping()"); err != nil && ctx.Err() == nil {
			m.Log.Warn("bot housekeeping failed", "err", err)
		}
		sleep(ctx, 10*time.Minute)
		if ctx.Err() != nil {
			return
		}
	}
}
