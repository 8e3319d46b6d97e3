package main

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/nezuko-bot/nezuko/gobridge/api"
	"github.com/nezuko-bot/nezuko/gobridge/metrics"
	"github.com/nezuko-bot/nezuko/gobridge/telegram"
)

// effectsDoorbell wakes the effect runner on NOTIFY nezuko_effects and
// after every (re)connect of the listener.
type effectsDoorbell struct{ f *telegram.Effects }

func (d effectsDoorbell) HandleNotification(context.Context, *pgconn.Notification, *pgx.Conn) error {
	d.f.Wake()
	return nil
}

func (d effectsDoorbell) HandleBacklog(context.Context, string, *pgx.Conn) error {
	d.f.Wake()
	return nil
}

// attachBots runs every active bot of bot_instances in this process
// (polling or webhook), their effect outbox, and serves
// POST /telegram/{bot}/webhook.
// a.bots is the executor the command-queue worker runs its plans through.
// The manager keeps each served bot's bot_status row fresh (heartbeats).
func attachBots(a *app) error {
	keys, err := telegram.ParseKeys(a.cfg.FernetKeys)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		a.log.Warn("NEZUKO_FERNET_KEYS is not set: no bot can run (their tokens cannot be decrypted)")
	}
	exec := telegram.NewExecutor(a.work, a.log, a.cfg.TelegramAPIURL, keys)
	effects := &telegram.Effects{Exec: exec, Log: a.log}
	m := &telegram.Manager{Pool: a.work, Log: a.log, Exec: exec, Effects: effects, Problem: api.WriteProblem,
		Heartbeats: true, Version: version}
	// The outbox's doorbell: a decision of another process (a webhook taken
	// in elsewhere, an API change) or a retry now due. After a reconnect the
	// runner looks again (notifications may have been missed meanwhile).
	a.listen(telegram.EffectsChannel, effectsDoorbell{effects})
	metrics.SetEffectsPending(func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		var n float64
		_ = a.work.QueryRow(ctx, "select count(*) from nezuko.bot_effects where status in ('pending', 'running')").Scan(&n)
		return n
	})
	// Test and operator knobs (durations such as 500ms): how often
	// bot_instances is re-read and getUpdates' long-poll timeout.
	// (validated in config; zero or negative: the manager's default)
	if a.cfg.BotReload > 0 {
		m.Reload = a.cfg.BotReload
	}
	if a.cfg.BotPollTimeout >= 0 {
		m.PollTimeout = max(a.cfg.BotPollTimeout, time.Second)
	}
	m.OnUpdate = metrics.UpdateProcessed
	a.bots = exec
	a.srv.Mux.Handle("POST /telegram/{bot}/webhook", m.WebhookHandler())
	a.run(func(ctx context.Context) error { return m.Run(ctx) })
	return nil
}
