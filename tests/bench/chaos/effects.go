package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fernet/fernet-go"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/tests/fakebot"
)

// --- effect scenarios (the bots' outbox, issue 12) ---
//
// A bot served by `nezuko serve` against the fake Bot API on loopback gets
// a steady stream of non-subscribers (mode both: a delete, a mute and a
// prompt each) while a fault is injected. Afterwards, per message, what the
// fake received is counted: an effect lost is a message not deleted, a
// member not muted, or a prompt neither sent nor ended "unknown" (a send
// interrupted in flight, never repeated); an effect duplicated is a prompt
// sent twice or a message deleted twice. Two processes polling the bot at
// once (Telegram's 409) count as duplicates too.

const (
	chaosBotUser int64 = 9090001
	chaosChan    int64 = -1009090000000
	chaosGroups        = 8
	chaosFirst   int64 = -1009090000001
)

type botWorld struct {
	ctx   context.Context
	url   string
	pool  *pgxpool.Pool
	fake  *fakebot.Server
	bot   *fakebot.Bot
	token string
	env   []string

	mu   sync.Mutex
	sent []struct{ group, msg, user int64 }
	next int64
}

func newBotWorld(name string) (*botWorld, error) {
	ctx := context.Background()
	dbURL, pool, err := freshDB(ctx, name)
	if err != nil {
		return nil, err
	}
	w := &botWorld{ctx: ctx, url: dbURL, pool: pool, fake: fakebot.New(), token: "9090001:chaos-effects-token", next: 30_000_000}
	w.bot = w.fake.AddBot(w.token, chaosBotUser, "chaos_effects_bot")
	w.fake.AddChat(chaosChan, "channel", "Chaos channel", "chaos_chan")
	w.fake.SetMember(chaosChan, chaosBotUser, fakebot.Member{Status: "administrator"})
	var k fernet.Key
	if err := k.Generate(); err != nil {
		return nil, err
	}
	sealed, err := fernet.EncryptAndSign([]byte(w.token), &k)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(w.token))
	var botID int64
	if err := pool.QueryRow(ctx, `insert into nezuko.bot_instances (bot_user_id, username, token_encrypted, token_sha256)
		values ($1, 'chaos_effects_bot', $2, $3) returning id`, chaosBotUser, string(sealed), sum[:]).Scan(&botID); err != nil {
		return nil, err
	}
	stmts := []string{
		`insert into nezuko.enforced_channels (channel_id, username, title) values (-1009090000000, 'chaos_chan', 'Chaos channel')`,
		`update nezuko.admin_config set value = '1000' where key = 'rate_limit_global_per_second'`,
		`update nezuko.admin_config set value = '600' where key = 'rate_limit_per_chat_per_minute'`,
		`update nezuko.admin_config set value = '5' where key = 'effect_lease_seconds'`,
		`update nezuko.admin_config set value = '20' where key = 'effect_max_attempts'`,
	}
	for _, s := range stmts {
		if _, err := pool.Exec(ctx, s); err != nil {
			return nil, err
		}
	}
	for g := range chaosGroups {
		gid := chaosFirst - int64(g)
		w.fake.AddChat(gid, "supergroup", "Chaos", "")
		w.fake.SetMember(gid, chaosBotUser, fakebot.Member{Status: "administrator", Rights: fakebot.AdminRights()})
		if _, err := pool.Exec(ctx, `insert into nezuko.protected_groups (group_id, bot_instance_id, title, params) values ($1, $2, 'Chaos', '{"mode": "both"}')`, gid, botID); err != nil {
			return nil, err
		}
		if _, err := pool.Exec(ctx, `insert into nezuko.group_channel_links (group_id, channel_id) values ($1, $2)`, gid, chaosChan); err != nil {
			return nil, err
		}
	}
	w.env = []string{"NEZUKO_FERNET_KEYS=" + k.Encode(), "NEZUKO_TELEGRAM_API_URL=" + w.fake.URL,
		"NEZUKO_BOT_RELOAD=200ms", "NEZUKO_BOT_POLL_TIMEOUT=1s"}
	return w, nil
}

func (w *botWorld) close() {
	w.fake.Close()
	w.pool.Close()
}

// stream pushes rate non-subscriber messages a second until stop closes.
func (w *botWorld) stream(rate int, stop <-chan struct{}) {
	t := time.NewTicker(time.Second / time.Duration(rate))
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		w.mu.Lock()
		w.next++
		u := w.next
		w.mu.Unlock()
		gid := chaosFirst - u%chaosGroups
		w.fake.SetMember(gid, u, fakebot.Member{Status: "member"})
		msg := w.fake.NewMessageID(gid)
		w.bot.Push(map[string]any{"message": map[string]any{"message_id": msg, "date": 0, "text": "spam",
			"chat": map[string]any{"id": gid, "type": "supergroup"},
			"from": map[string]any{"id": u, "is_bot": false, "first_name": "C"}}})
		w.mu.Lock()
		w.sent = append(w.sent, struct{ group, msg, user int64 }{gid, msg, u})
		w.mu.Unlock()
	}
}

// account waits for the outbox to drain and every update to be taken in,
// then counts effects lost and duplicated.
func (w *botWorld) account(d time.Duration) (lost, dup, unknown int, note string) {
	w.mu.Lock()
	sent := append([]struct{ group, msg, user int64 }(nil), w.sent...)
	w.mu.Unlock()
	var pending int
	untilOK(w.ctx, d, func() bool {
		err := w.pool.QueryRow(w.ctx, `select (select count(*) from nezuko.bot_effects where status in ('pending', 'running'))
			+ ($1::int - (select count(*) from nezuko.processed_updates))`, len(sent)).Scan(&pending)
		return err == nil && pending == 0
	})
	key := func(a, b any) string { return fmt.Sprint(a) + "/" + fmt.Sprint(b) }
	deleted, muted, prompted := map[string]int{}, map[string]int{}, map[string]int{}
	conflicts := 0
	for _, c := range w.fake.Calls("") {
		switch {
		case c.Method == "deleteMessage" && c.Status == 200:
			deleted[key(c.Params["chat_id"], c.Params["message_id"])]++
		case c.Method == "restrictChatMember" && c.Status == 200:
			muted[key(c.Params["chat_id"], c.Params["user_id"])]++
		case c.Method == "sendMessage" && c.Status == 200:
			if s, ok := c.Params["text"].(string); ok {
				prompted[key(c.Params["chat_id"], mentioned(s))]++
			}
		case c.Method == "getUpdates" && c.Status == 409:
			conflicts++
		}
	}
	unknownPrompt := map[string]bool{}
	rows, err := w.pool.Query(w.ctx, `select chat_id, (outcome->0->>'user_id')::bigint from nezuko.bot_effects
		where status = 'unknown' and method = 'sendMessage'`)
	if err == nil {
		for rows.Next() {
			var g, u int64
			if rows.Scan(&g, &u) == nil {
				unknownPrompt[key(g, u)] = true
			}
		}
		rows.Close()
	}
	for _, s := range sent {
		p := prompted[key(s.group, s.user)]
		if deleted[key(s.group, s.msg)] == 0 || muted[key(s.group, s.user)] == 0 || (p == 0 && !unknownPrompt[key(s.group, s.user)]) {
			lost++
		}
		if p > 1 || deleted[key(s.group, s.msg)] > 1 {
			dup++
		}
	}
	dup += conflicts
	note = fmt.Sprintf("%d updates", len(sent))
	if pending > 0 {
		note += fmt.Sprintf(", %d still pending", pending)
		lost += pending
	}
	if conflicts > 0 {
		note += fmt.Sprintf(", %d getUpdates 409 (two pollers)", conflicts)
	}
	return lost, dup, len(unknownPrompt), note
}

// mentioned finds the user id in a prompt's mention (tg://user?id=N).
func mentioned(text string) int64 {
	const m = "tg://user?id="
	i := strings.Index(text, m)
	if i < 0 {
		return 0
	}
	var n int64
	for _, r := range text[i+len(m):] {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int64(r-'0')
	}
	return n
}

// effectsScenario runs the stream for about 6 s with fault injected after
// 2 s; fault returns how many faults it injected, the moment recovery is
// counted from (the kill, or PostgreSQL answering again) and when the bot
// was carrying out effects again (zero: not measured).
func effectsScenario(name, db string, serves int, fault func(w *botWorld, procs []*serveProc) (int, time.Time, time.Time, []*serveProc, error), extraEnv ...string) (row, error) {
	w, err := newBotWorld(db)
	if err != nil {
		return row{}, err
	}
	defer w.close()
	w.env = append(w.env, extraEnv...)
	var procs []*serveProc
	for range serves {
		p, err := startServe(w.url, w.env...)
		if err != nil {
			return row{}, err
		}
		procs = append(procs, p)
		time.Sleep(300 * time.Millisecond) // the first to start owns the bot
	}
	defer func() {
		for _, p := range procs {
			p.close()
		}
	}()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { defer close(done); w.stream(50, stop) }()
	time.Sleep(2 * time.Second)
	injected, from, back, procs2, err := fault(w, procs)
	procs = procs2
	if err != nil {
		close(stop)
		<-done
		return row{}, err
	}
	time.Sleep(4 * time.Second)
	close(stop)
	<-done
	lost, dup, unknown, note := w.account(90 * time.Second)
	r := row{fault: name, injected: injected, effLost: lost, effDup: dup, unknown: unknown, note: note + fmt.Sprintf(", %d prompts ended unknown", unknown), countsEffects: true}
	if !back.IsZero() {
		r.recovery = back.Sub(from)
		from := "the kill"
		switch {
		case strings.Contains(name, "PostgreSQL"):
			from = "PostgreSQL back"
		case strings.Contains(name, "pool"):
			from = "the API pool full"
		}
		r.note += "; recovery = " + from + " to the next mute carried out"
	}
	for _, p := range procs {
		r.peakRSSKB = max(r.peakRSSKB, int(p.peak.Load()))
	}
	return r, nil
}

// firstMuteAfter is when the fake first muted someone after t: the bot is
// carrying out effects again.
func (w *botWorld) firstMuteAfter(t time.Time, d time.Duration) time.Time {
	var at time.Time
	untilOK(w.ctx, d, func() bool {
		for _, c := range w.fake.Calls("restrictChatMember") {
			if c.Status == 200 && c.Time.After(t) {
				at = c.Time
				return true
			}
		}
		return false
	})
	return at
}

func effectsKill() (row, error) {
	return effectsScenario("kill -9 of serve, effects in flight (50 updates/s)", "chaos_eff_kill", 1,
		func(w *botWorld, procs []*serveProc) (int, time.Time, time.Time, []*serveProc, error) {
			t := time.Now()
			_ = procs[0].cmd.Process.Signal(syscall.SIGKILL)
			_ = procs[0].cmd.Wait()
			close(procs[0].stop)
			p, err := startServe(w.url, w.env...)
			if err != nil {
				return 1, t, time.Time{}, nil, err
			}
			return 1, t, w.firstMuteAfter(t, 30*time.Second), []*serveProc{p}, nil
		})
}

func effectsTakeover() (row, error) {
	return effectsScenario("kill -9 of the bot's owner, a second serve takes over", "chaos_eff_takeover", 2,
		func(w *botWorld, procs []*serveProc) (int, time.Time, time.Time, []*serveProc, error) {
			t := time.Now()
			_ = procs[0].cmd.Process.Signal(syscall.SIGKILL)
			_ = procs[0].cmd.Wait()
			close(procs[0].stop)
			return 1, t, w.firstMuteAfter(t, 30*time.Second), procs[1:], nil
		})
}

func effectsCrash() (row, error) {
	return effectsScenario("PostgreSQL crash, effects pending, two serves", "chaos_eff_crash", 2,
		func(w *botWorld, procs []*serveProc) (int, time.Time, time.Time, []*serveProc, error) {
			if err := bounce("immediate"); err != nil {
				return 1, time.Time{}, time.Time{}, procs, err
			}
			t := time.Now()
			return 1, t, w.firstMuteAfter(t, 30*time.Second), procs, nil
		})
}

func effectsStorm() (row, error) {
	return effectsScenario("429 and 5xx storm on the bot's calls", "chaos_eff_storm", 1,
		func(w *botWorld, procs []*serveProc) (int, time.Time, time.Time, []*serveProc, error) {
			w.fake.Inject(fakebot.Fault{Method: "restrictChatMember", Count: 30, Code: 429, RetryAfter: 1})
			w.fake.Inject(fakebot.Fault{Method: "sendMessage", Count: 30, Code: 502, Description: "Bad Gateway"})
			w.fake.Inject(fakebot.Fault{Method: "deleteMessage", Count: 30, Code: 500, Description: "Internal Server Error"})
			return 90, time.Time{}, time.Time{}, procs, nil
		})
}

// effectsPoolSaturation fills the API's pool (2 connections) with slow
// requests while the bot works: enforcement runs on its own pool, so no
// effect waits for the API (recovery = first mute after the flood began).
func effectsPoolSaturation() (row, error) {
	var held atomic.Int64
	r, err := effectsScenario("API pool saturated by slow requests (pool of 2, 40 clients)", "chaos_eff_pool", 1,
		func(w *botWorld, procs []*serveProc) (int, time.Time, time.Time, []*serveProc, error) {
			var token string
			if err := w.pool.QueryRow(w.ctx, "select token from auth.create_token('chaos pool', 'viewer')").Scan(&token); err != nil {
				return 0, time.Time{}, time.Time{}, procs, err
			}
			for _, q := range []string{
				`create function api.zz_slow(p_seconds double precision default 3) returns integer
				 language sql stable security definer set search_path = pg_catalog, pg_temp
				 as $$ select 1 from pg_sleep(p_seconds) $$`,
				`comment on function api.zz_slow(double precision) is 'Sleeps (a slow report). Added by just chaos.'`,
				`grant execute on function api.zz_slow(double precision) to nezuko_viewer`,
				`notify nezuko_reload`,
			} {
				if _, err := w.pool.Exec(w.ctx, q); err != nil {
					return 0, time.Time{}, time.Time{}, procs, err
				}
			}
			get := func(seconds string) int {
				req, _ := http.NewRequest(http.MethodGet, procs[0].base+"/v1/rpc/zz_slow?p_seconds="+seconds, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
				if err != nil {
					return 0
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			if !untilOK(w.ctx, 10*time.Second, func() bool { return get("0") == 200 }) {
				return 0, time.Time{}, time.Time{}, procs, errors.New("the slow operation never appeared in the API")
			}
			t := time.Now()
			for range 40 {
				go func() {
					for time.Since(t) < 6*time.Second {
						if get("2") == 200 {
							held.Add(1)
						}
					}
				}()
			}
			saturated := t.Add(300 * time.Millisecond) // every API connection asleep by then
			return 40, saturated, w.firstMuteAfter(saturated, 30*time.Second), procs, nil
		}, "NEZUKO_DB_POOL_API=2")
	if err == nil {
		r.note += fmt.Sprintf("; %d slow API calls answered during the flood", held.Load())
	}
	return r, err
}
