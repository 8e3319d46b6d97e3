package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/gobridge/metrics"
	"github.com/nezuko-bot/nezuko/gobridge/plan"
)

// AllowedUpdates is what the bots ask Telegram for. chat_member is sent
// only when asked for (and only where the bot is an admin).
var AllowedUpdates = []string{"message", "edited_message", "callback_query", "chat_member", "my_chat_member", "chat_join_request"}

// lockSpace is the high half of the advisory lock keys: one lock per bot id
// means one poller per token across every nezuko process on the database.
const lockSpace int64 = 0x6e657a75 << 32

// Manager runs every active bot of bot_instances: polling ones (one poller
// per bot across processes, by advisory lock) and webhook ones (served by
// WebhookHandler in every process). Bots added, changed or disabled in the
// database start and stop within Reload.
type Manager struct {
	Pool *pgxpool.Pool
	Log  *slog.Logger
	Exec *Executor
	// Reload is how often bot_instances and the rate limits are re-read.
	Reload time.Duration
	// PollTimeout is getUpdates' long-poll timeout.
	PollTimeout time.Duration
	// Workers bounds how many updates of one getUpdates batch are handled at
	// once (updates of one chat always in order).
	Workers int
	// OnBotStart, when set, runs (in its own goroutine) each time this
	// process starts serving a bot; ctx ends when it stops. The heartbeat
	// (bot_status) hooks in here.
	OnBotStart func(ctx context.Context, botID int64)
	// OnUpdate, when set, is told how long each handled update took from
	// receipt to committed effect (benchmarks).
	OnUpdate func(botID int64, took time.Duration)

	mu       sync.Mutex
	running  map[int64]*runningBot
	webhooks map[int64][]byte  // bot id → sha256 of the webhook secret
	badSeal  map[string]bool   // tokens already reported undecryptable
	opened   map[string]string // sealed token → token, so reloads do not decrypt again
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
	if m.Workers <= 0 {
		m.Workers = 16
	}
	m.mu.Lock()
	m.running, m.webhooks, m.badSeal, m.opened = map[int64]*runningBot{}, map[int64][]byte{}, map[string]bool{}, map[string]string{}
	m.mu.Unlock()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = m.Exec.FlushLoop(ctx) }()
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
				if b.Mode == "webhook" {
					m.serveWebhookBot(bctx, b)
				} else {
					m.pollWithLock(bctx, b)
				}
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

// serving runs what every served bot needs besides its intake: the start
// hook and the auto-deletion of its own messages.
func (m *Manager) serving(ctx context.Context, b botRow) {
	if m.OnBotStart != nil {
		go m.OnBotStart(ctx, b.ID)
	}
	go m.deletions(ctx, b.ID)
}

func (m *Manager) serveWebhookBot(ctx context.Context, b botRow) {
	m.Log.Info("bot serving by webhook", "bot_instance_id", b.ID, "username", b.Username,
		"path", fmt.Sprintf("/telegram/%d/webhook", b.ID))
	m.serving(ctx, b)
	<-ctx.Done()
}

// pollWithLock polls while holding the bot's advisory lock on a dedicated
// connection; another process holding it means someone else polls: wait.
func (m *Manager) pollWithLock(ctx context.Context, b botRow) {
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
				m.Log.Info("bot is polled by another nezuko process; standing by", "bot_instance_id", b.ID)
				waiting = true
			}
			sleep(ctx, m.Reload*2)
			continue
		}
		waiting = false
		m.Log.Info("bot polling", "bot_instance_id", b.ID, "username", b.Username)
		pctx, cancel := context.WithCancel(ctx)
		pinged := make(chan struct{})
		go func() {
			defer close(pinged)
			// Losing the lock's connection means another process may take
			// over: stop polling at once.
			for pctx.Err() == nil {
				sleep(pctx, 5*time.Second)
				if pctx.Err() == nil && conn.Ping(pctx) != nil {
					m.Log.Warn("lost the poller lock's connection; stopping this poller", "bot_instance_id", b.ID)
					cancel()
				}
			}
		}()
		m.serving(pctx, b)
		m.poll(pctx, b)
		cancel()
		<-pinged
		conn.Close(context.Background()) // releases the lock
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// poll is a small getUpdates loop with durable acknowledgement: the offset
// that confirms a batch is sent only after every update of the batch is
// committed (or was skipped as malformed).
func (m *Manager) poll(ctx context.Context, b botRow) {
	client, err := m.Exec.Client(ctx, b.ID)
	if err != nil {
		m.Log.Error("bot cannot poll", "bot_instance_id", b.ID, "err", err)
		return
	}
	var offset int64
	backoff := time.Second
	for ctx.Err() == nil {
		params, _ := json.Marshal(map[string]any{"offset": offset, "timeout": int(m.PollTimeout / time.Second),
			"limit": 100, "allowed_updates": AllowedUpdates})
		res, err := client.Call(ctx, "getUpdates", params)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			var ae *APIError
			switch {
			case errors.As(err, &ae) && ae.Code == 409 && strings.Contains(ae.Description, "webhook is active"):
				// The database says this bot polls: a webhook left over from
				// webhook mode (or another deployment) is removed.
				m.Log.Warn("a webhook is set for a polling bot; deleting it", "bot_instance_id", b.ID)
				if _, err := client.Call(ctx, "deleteWebhook", json.RawMessage(`{"drop_pending_updates":false}`)); err != nil {
					sleep(ctx, 5*time.Second)
				}
			case errors.As(err, &ae) && ae.Code == 409:
				m.Log.Warn("getUpdates refused: another poller or a webhook is active for this bot", "bot_instance_id", b.ID, "err", err)
				sleep(ctx, 5*time.Second)
			case errors.As(err, &ae) && ae.Code == 429:
				sleep(ctx, time.Duration(max(ae.RetryAfter, 1))*time.Second)
			case errors.As(err, &ae) && ae.Code == 401:
				m.Log.Error("Telegram refuses this bot's token (revoked?)", "bot_instance_id", b.ID)
				sleep(ctx, 30*time.Second)
			default:
				m.Log.Warn("getUpdates failed", "bot_instance_id", b.ID, "err", err)
				sleep(ctx, backoff)
				backoff = min(backoff*2, 30*time.Second)
			}
			continue
		}
		backoff = time.Second
		var ups []json.RawMessage
		if err := json.Unmarshal(res, &ups); err != nil {
			m.Log.Warn("getUpdates answer is not a list", "bot_instance_id", b.ID)
			sleep(ctx, time.Second)
			continue
		}
		next := m.handleBatch(ctx, b.ID, ups)
		if ctx.Err() != nil {
			return
		}
		if next > offset {
			offset = next
		}
	}
}

// handleBatch handles one getUpdates batch and returns the offset that
// confirms it. The whole batch is decided in one SQL call (one commit);
// plans with checks or calls then run concurrently across chats, in order
// within a chat. If the batch call fails, each update is handled alone.
func (m *Manager) handleBatch(ctx context.Context, botID int64, ups []json.RawMessage) int64 {
	received := time.Now()
	var next int64
	var valid []json.RawMessage
	for _, raw := range ups {
		var head struct {
			UpdateID *int64 `json:"update_id"`
		}
		if err := json.Unmarshal(raw, &head); err != nil || head.UpdateID == nil {
			m.Log.Error("malformed update skipped", "bot_instance_id", botID, "bytes", len(raw))
			continue
		}
		next = max(next, *head.UpdateID+1)
		valid = append(valid, raw)
	}
	metrics.UpdatesReceived(botID, len(valid))
	if len(valid) == 0 {
		return next
	}
	type item struct {
		raw  json.RawMessage
		plan *plan.Plan // nil: handle from scratch
	}
	lanes := map[string][]item{}
	var order []string
	add := func(it item) {
		k := laneKey(it.raw)
		if _, ok := lanes[k]; !ok {
			order = append(order, k)
		}
		lanes[k] = append(lanes[k], it)
	}
	decided, err := m.decide(ctx, botID, valid)
	if err != nil {
		if ctx.Err() != nil {
			return 0
		}
		m.Log.Warn("batch decision failed; handling the updates one by one", "bot_instance_id", botID, "err", err)
		for _, raw := range valid {
			add(item{raw: raw})
		}
	} else {
		decided = m.resumeAll(ctx, botID, decided)
		for i, d := range decided {
			switch {
			case d.Malformed != "":
				m.Log.Error("malformed update skipped", "bot_instance_id", botID, "err", d.Malformed, "bytes", len(valid[i]))
			case len(d.Plan.Checks) == 0 && len(d.Plan.Calls) == 0 && d.Plan.Finish == "":
				if m.OnUpdate != nil {
					m.OnUpdate(botID, time.Since(received))
				}
			default:
				p := d.Plan
				add(item{raw: valid[i], plan: &p})
			}
		}
	}
	sem := make(chan struct{}, m.Workers)
	var wg sync.WaitGroup
	for _, k := range order {
		wg.Add(1)
		sem <- struct{}{}
		go func(list []item) {
			defer wg.Done()
			defer func() { <-sem }()
			for _, it := range list {
				if it.plan != nil {
					if _, err := m.Exec.Run(ctx, botID, *it.plan); err == nil {
						if m.OnUpdate != nil {
							m.OnUpdate(botID, time.Since(received))
						}
						continue
					} else if ctx.Err() != nil {
						return
					} else {
						m.Log.Warn("update plan failed; deciding it again", "bot_instance_id", botID, "err", err)
					}
				}
				m.handleOne(ctx, botID, it.raw, received)
			}
		}(lanes[k])
	}
	wg.Wait()
	if ctx.Err() != nil {
		return 0
	}
	return next
}

// decide splits a batch into up to 4 parts by chat (so one chat's updates
// stay in one part, in order) and decides the parts concurrently: one SQL
// call and one commit per part.
func (m *Manager) decide(ctx context.Context, botID int64, valid []json.RawMessage) ([]Decided, error) {
	parts := min(4, m.Workers, (len(valid)+24)/25)
	if parts <= 1 {
		return m.Exec.DecideBatch(ctx, botID, valid)
	}
	idx := make([][]int, parts)
	for i, raw := range valid {
		h := fnv32(laneKey(raw)) % uint32(parts)
		idx[h] = append(idx[h], i)
	}
	out := make([]Decided, len(valid))
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for p := range parts {
		if len(idx[p]) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			raws := make([]json.RawMessage, len(idx[p]))
			for j, i := range idx[p] {
				raws[j] = valid[i]
			}
			d, err := m.Exec.DecideBatch(ctx, botID, raws)
			if err != nil {
				errs[p] = err
				return
			}
			for j, i := range idx[p] {
				out[i] = d[j]
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		// Parts that succeeded are committed; deciding their updates again
		// is harmless (processed ones are skipped as duplicates).
		return nil, err
	}
	return out, nil
}

// resumeAll answers and resumes, a round at a time, every plan of the
// batch that has checks (one SQL call per round). If a round fails, the
// plans are left as they are and Run answers them one by one.
func (m *Manager) resumeAll(ctx context.Context, botID int64, ds []Decided) []Decided {
	for round := 0; round < maxRounds; round++ {
		var idx []int
		var plans []plan.Plan
		for i, d := range ds {
			if d.Malformed == "" && len(d.Plan.Checks) > 0 && d.Plan.Resume == "bot.resume_update" {
				idx = append(idx, i)
				plans = append(plans, d.Plan)
			}
		}
		if len(plans) < 2 { // one plan: Run does the same in one round trip
			return ds
		}
		next, err := m.Exec.ResumeBatch(ctx, botID, plans)
		if err != nil {
			if ctx.Err() == nil {
				m.Log.Warn("batch resume failed; resuming one by one", "bot_instance_id", botID, "err", err)
			}
			return ds
		}
		for j, i := range idx {
			ds[i].Plan = next[j]
		}
	}
	return ds
}

func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// handleOne retries an update until its effect is committed, it proves
// malformed, SQL keeps refusing it (a bug: logged as an error and skipped
// after a few attempts, so one update cannot stall every group), or the
// bot stops (then it is not acknowledged: redelivered).
func (m *Manager) handleOne(ctx context.Context, botID int64, raw []byte, start time.Time) {
	backoff := 200 * time.Millisecond
	sqlErrors := 0
	for ctx.Err() == nil {
		err := m.Exec.HandleUpdate(ctx, botID, raw)
		if err == nil {
			if m.OnUpdate != nil {
				m.OnUpdate(botID, time.Since(start))
			}
			return
		}
		if errors.Is(err, ErrMalformed) {
			m.Log.Error("malformed update skipped", "bot_instance_id", botID, "err", err, "bytes", len(raw))
			return
		}
		if ctx.Err() != nil {
			return
		}
		if IsSQLError(err) {
			if sqlErrors++; sqlErrors >= 3 {
				m.Log.Error("update skipped: SQL refused it 3 times", "bot_instance_id", botID, "err", err, "bytes", len(raw))
				return
			}
		}
		m.Log.Warn("update not handled yet, retrying", "bot_instance_id", botID, "err", err)
		sleep(ctx, backoff)
		backoff = min(backoff*2, 10*time.Second)
	}
}

// laneKey orders updates of one chat (and of one user in a channel).
func laneKey(raw []byte) string {
	var u map[string]json.RawMessage
	if json.Unmarshal(raw, &u) != nil {
		return ""
	}
	for _, k := range []string{"message", "edited_message", "chat_member", "my_chat_member", "chat_join_request"} {
		if v, ok := u[k]; ok {
			var x struct {
				Chat struct {
					ID int64 `json:"id"`
				} `json:"chat"`
			}
			_ = json.Unmarshal(v, &x)
			return "c" + strconv.FormatInt(x.Chat.ID, 10)
		}
	}
	if v, ok := u["callback_query"]; ok {
		var x struct {
			Message struct {
				Chat struct {
					ID int64 `json:"id"`
				} `json:"chat"`
			} `json:"message"`
		}
		_ = json.Unmarshal(v, &x)
		return "c" + strconv.FormatInt(x.Message.Chat.ID, 10)
	}
	return ""
}

// deletions deletes the bot's own messages when their auto-delete time comes.
func (m *Manager) deletions(ctx context.Context, botID int64) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var body []byte
		if err := m.Pool.QueryRow(ctx, "select bot.due_deletions($1)", botID).Scan(&body); err != nil {
			continue
		}
		if string(body) == "{}" {
			continue
		}
		var p plan.Plan
		if json.Unmarshal(body, &p) == nil {
			if _, err := m.Exec.Run(ctx, botID, p); err != nil && ctx.Err() == nil {
				m.Log.Warn("auto-delete failed", "bot_instance_id", botID, "err", err)
			}
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

// WebhookHandler serves POST /telegram/{bot}/webhook: the secret header
// must match (401 otherwise); 200 only once the update's effect is
// committed (or it was malformed: logged and skipped); 500 makes Telegram
// deliver it again.
func (m *Manager) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("bot"), 10, 64)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		m.mu.Lock()
		want, ok := m.webhooks[id]
		m.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		got := sha256.Sum256([]byte(r.Header.Get("X-Telegram-Bot-Api-Secret-Token")))
		if len(want) != 32 || subtle.ConstantTimeCompare(got[:], want) != 1 {
			http.Error(w, "wrong secret token", http.StatusUnauthorized)
			return
		}
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		metrics.UpdatesReceived(id, 1)
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 55*time.Second)
		defer cancel()
		start := time.Now()
		if err := m.Exec.HandleUpdate(ctx, id, raw); err != nil {
			if errors.Is(err, ErrMalformed) {
				m.Log.Error("malformed update skipped", "bot_instance_id", id, "err", err, "bytes", len(raw))
				w.WriteHeader(http.StatusOK)
				return
			}
			m.Log.Warn("webhook update not handled; Telegram will deliver it again", "bot_instance_id", id, "err", err)
			http.Error(w, "not handled, retry", http.StatusInternalServerError)
			return
		}
		if m.OnUpdate != nil {
			m.OnUpdate(id, time.Since(start))
		}
		w.WriteHeader(http.StatusOK)
	})
}

// SecretHash is the sha256 stored in bot_instances.webhook_secret_sha256.
func SecretHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}
