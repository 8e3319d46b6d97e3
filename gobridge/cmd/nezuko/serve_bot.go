package main

import (
	"context"
	"os"
	"strconv"
	"time"

	"github.com/nezuko-bot/nezuko/gobridge/metrics"
	"github.com/nezuko-bot/nezuko/gobridge/telegram"
)

// attachBots runs every active bot of bot_instances in this process
// (polling or webhook) and serves POST /telegram/{bot}/webhook.
// a.bots is the executor the command-queue worker runs its plans through;
// a.botManager.OnBotStart is where a per-bot heartbeat hooks in.
func attachBots(a *app) error {
	keys, err := telegram.ParseKeys(a.cfg.FernetKeys)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		a.log.Warn("NEZUKO_FERNET_KEYS is not set: no bot can run (their tokens cannot be decrypted)")
	}
	exec := telegram.NewExecutor(a.pool, a.log, a.cfg.TelegramAPIURL, keys)
	m := &telegram.Manager{Pool: a.pool, Log: a.log, Exec: exec}
	// Test and operator knobs (durations such as 500ms): how often
	// bot_instances is re-read and getUpdates' long-poll timeout.
	if d, err := time.ParseDuration(os.Getenv("NEZUKO_BOT_RELOAD")); err == nil && d > 0 {
		m.Reload = d
	}
	if d, err := time.ParseDuration(os.Getenv("NEZUKO_BOT_POLL_TIMEOUT")); err == nil && d >= 0 {
		m.PollTimeout = max(d, time.Second)
	}
	if n, err := strconv.Atoi(os.Getenv("NEZUKO_BOT_WORKERS")); err == nil && n > 0 {
		m.Workers = n
	}
	m.OnUpdate = metrics.UpdateProcessed
	a.bots, a.botManager = exec, m
	a.srv.Mux.Handle("POST /telegram/{bot}/webhook", m.WebhookHandler())
	a.run(func(ctx context.Context) error { return m.Run(ctx) })
	return nil
}
