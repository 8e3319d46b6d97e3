package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// AllowedUpdates is what the bots ask Telegram for. chat_member is sent
// only when asked for (and only where the bot is an admin).
var AllowedUpdates = []string{"message", "edited_message", "callback_query", "chat_member", "my_chat_member", "chat_join_request"}

// lockSpace is the high half of the advisory lock keys: one lock per bot id
// means one owner (poller, effect runner, heartbeat) per bot across every
// nezuko process on the database.
const lockSpace int64 = 0x6e657a75 << 32

// Manager runs every active bot of bot_instances. Each bot has one owner
// process at a time (advisory lock, owner.go) that runs its effects, its
// heartbeat and, for a polling bot, its getUpdates loop (poller.go); webhook
// updates are taken in by every process (webhook.go). Both feed intake
// (intake.go). Bots added, changed or disabled in the database start and
// stop within Reload.
type Manager struct {
	Pool    *pgxpool.Pool
	Log     *slog.Logger
	Exec    *Executor
	Effects *Effects
	// Problem writes an error answer of the webhook (problem+json).
	Problem func(w http.ResponseWriter, r *http.Request, status int, detail string)
	// Reload is how often bot_instances and the rate limits are re-read.
	Reload time.Duration
	// PollTimeout is getUpdates' long-poll timeout.
	PollTimeout time.Duration
	// Heartbeats makes the owner of each bot keep its bot_status row
	// fresh (heartbeats.go), reporting Version.
	Heartbeats bool
	Version    string
	// OnUpdate, when set, is told how long each update took from receipt to
	// its committed decision (benchmarks, counters).
	OnUpdate func(botID int64, took time.Duration)

	mu       sync.Mutex
	running  map[int64]*runningBot
	webhooks map[int64][]byte  // bot id → sha256 of the webhook secret
	badSeal  map[string]bool   // tokens already reported undecryptable
	opened   map[string]string // sealed token → token, so reloads do not decrypt again
	beats    *heartbeats       // nil unless Heartbeats
}

type runningBot struct {
	sealed string
	mode   string
	cancel context.CancelFunc
	done   chan struct{}
}

type botRow struct {
	ID         int64
	BotUserID  int64
	Username   string
	Sealed     string
	Mode       string
	SecretHash []byte
}

// Run supervises the bots until ctx ends.
func (m *Manager) Run(ctx context.Context) error {
	if m.Reload <= 0 {
		m.Reload = time.Second
	}
	if m.PollTimeout <= 0 {
		m.PollTimeout = 25 * time.Second
	}
	m.mu.Lock()
	m.running, m.webhooks, m.badSeal, m.opened = map[int64]*runningBot{}, map[int64][]byte{}, map[string]bool{}, map[string]string{}
	m.mu.Unlock()
	if m.Effects == nil {
		m.Effects = &Effects{Exec: m.Exec, Log: m.Log}
	}
	if m.Heartbeats {
		m.startHeartbeats()
	}
	var wg sync.WaitGroup
	// The effect runner outlives the bots' loops, and api_call_log's
	// writer outlives it, so calls in flight at shutdown are reported and
	// logged.
	flushCtx, stopFlush := context.WithCancel(context.WithoutCancel(ctx))
	wg.Add(1)
	go func() { defer wg.Done(); _ = m.Exec.FlushLoop(flushCtx) }()
	effCtx, stopEffects := context.WithCancel(context.WithoutCancel(ctx))
	effDone := make(chan struct{})
	go func() { defer close(effDone); m.Effects.Run(effCtx) }()
	wg.Add(1)
	go func() { defer wg.Done(); m.housekeeping(ctx) }()
	tick := time.NewTicker(m.Reload)
	defer tick.Stop()
	for {
		if err := m.reload(ctx); err != nil && ctx.Err() == nil {
			m.Log.Warn("bots: reload failed", "err", err)
		}
		select {
		case <-ctx.Done():
			m.mu.Lock()
			for id, r := range m.running {
				r.cancel()
				<-r.done
				delete(m.running, id)
			}
			m.mu.Unlock()
			stopEffects()
			<-effDone
			stopFlush()
			wg.Wait()
			return nil
		case <-tick.C:
		}
	}
}

func (m *Manager) reload(ctx context.Context) error {
	var g, pc int
	if err := m.Pool.QueryRow(ctx, "select global_per_second, per_chat_per_minute from bot.rate_limits()").Scan(&g, &pc); err != nil {
		return fmt.Errorf("rate limits: %w", err)
	}
	m.Exec.SetLimits(g, pc)
	rows, err := m.Pool.Query(ctx, "select id, bot_user_id, username, token_encrypted, update_mode, webhook_secret_sha256 from bot.active_bots()")
	if err != nil {
		return fmt.Errorf("active bots: %w", err)
	}
	var want []botRow
	for rows.Next() {
		var b botRow
		if err := rows.Scan(&b.ID, &b.BotUserID, &b.Username, &b.Sealed, &b.Mode, &b.SecretHash); err != nil {
			rows.Close()
			return err
		}
		want = append(want, b)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := map[int64]bool{}
	hooks := map[int64][]byte{}
	for _, b := range want {
		tok, ok := m.opened[b.Sealed]
		var err error
		if !ok {
			if tok, err = Decrypt(b.Sealed, m.Exec.keys); err == nil {
				m.opened[b.Sealed] = tok
			}
		}
		if err != nil {
			if !m.badSeal[b.Sealed] {
				m.badSeal[b.Sealed] = true
				m.Log.Error("bot not started: its token does not decrypt", "bot_instance_id", b.ID, "username", b.Username, "err", err)
			}
			continue
		}
		seen[b.ID] = true
		if r := m.running[b.ID]; r != nil && (r.sealed != b.Sealed || r.mode != b.Mode) {
			r.cancel()
			<-r.done
			delete(m.running, b.ID)
		}
		if err := m.Exec.register(b.ID, b.Sealed, tok); err != nil {
			m.Log.Error("bot not started", "bot_instance_id", b.ID, "username", b.Username, "err", err)
			continue
		}
		if b.Mode == "webhook" {
			hooks[b.ID] = b.SecretHash
		}
		if m.running[b.ID] == nil {
			bctx, cancel := context.WithCancel(ctx)
			r := &runningBot{sealed: b.Sealed, mode: b.Mode, cancel: cancel, done: make(chan struct{})}
			m.running[b.ID] = r
			go func(b botRow) {
				defer close(r.done)
				m.own(bctx, b)
			}(b)
		}
	}
	for id, r := range m.running {
		if !seen[id] {
			r.cancel()
			<-r.done
			delete(m.running, id)
			m.Log.Info("bot stopped", "bot_instance_id", id)
		}
	}
	m.webhooks = hooks
	return nil
}
