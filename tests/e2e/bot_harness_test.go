package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fernet/fernet-go"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/tests/fakebot"
	"github.com/nezuko-bot/nezuko/tests/testdb"
)

// Ids used across the bot tests.
const (
	groupID   int64 = -1001000000001
	group2ID  int64 = -1001000000002
	chanA     int64 = -1002000000001
	chanB     int64 = -1002000000002
	botUserID int64 = 7000001
	adminID   int64 = 500
	userID    int64 = 1001
	user2ID   int64 = 1002
)

// botWorld is one test's fake Telegram, database and bot registration.
type botWorld struct {
	t     *testing.T
	fake  *fakebot.Server
	bot   *fakebot.Bot
	pool  *pgxpool.Pool
	url   string
	key   string
	token string
	botID int64
}

var tokenSeq atomic.Int64

func newTokenString() string {
	return fmt.Sprintf("%d:AAE-secret-token-%d-%d", 7000000+tokenSeq.Add(1), time.Now().UnixNano(), tokenSeq.Load())
}

// sealToken encrypts a bot token the way bot registration stores it.
func sealToken(t testing.TB, key, token string) string {
	t.Helper()
	k, err := fernet.DecodeKey(key)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := fernet.EncryptAndSign([]byte(token), k)
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

func newKey(t testing.TB) string {
	var k fernet.Key
	if err := k.Generate(); err != nil {
		t.Fatal(err)
	}
	return k.Encode()
}

// newBotWorld: a fresh database, a fake Bot API with one bot, a supergroup
// (bot admin with full rights) and two channels (bot admin), users known.
func newBotWorld(t *testing.T) *botWorld {
	t.Helper()
	pool, url := testdb.NewPool(t)
	w := &botWorld{t: t, fake: fakebot.New(), pool: pool, url: url, key: newKey(t), token: newTokenString()}
	t.Cleanup(w.fake.Close)
	w.bot = w.fake.AddBot(w.token, botUserID, "nezuko_test_bot")
	g := w.fake.AddChat(groupID, "supergroup", "Test Group", "")
	_ = g
	w.fake.AddChat(chanA, "channel", "Channel A", "chan_a")
	w.fake.AddChat(chanB, "channel", "Channel B", "chan_b")
	for _, c := range []int64{groupID, chanA, chanB} {
		w.fake.SetMember(c, botUserID, fakebot.Member{Status: "administrator", Rights: fakebot.AdminRights()})
	}
	w.fake.SetMember(groupID, adminID, fakebot.Member{Status: "creator"})
	w.fake.SetMember(groupID, userID, fakebot.Member{Status: "member"})
	w.fake.SetMember(groupID, user2ID, fakebot.Member{Status: "member"})
	w.botID = w.addBot(w.token, botUserID, "nezuko_test_bot", "polling", "")
	return w
}

func (w *botWorld) exec(sql string, args ...any) {
	w.t.Helper()
	if _, err := w.pool.Exec(context.Background(), sql, args...); err != nil {
		w.t.Fatalf("%s: %v", sql, err)
	}
}

func (w *botWorld) addBot(token string, userID int64, username, mode, secret string) int64 {
	w.t.Helper()
	sum := sha256.Sum256([]byte(token))
	var secretHash []byte
	if secret != "" {
		s := sha256.Sum256([]byte(secret))
		secretHash = s[:]
	}
	var id int64
	err := w.pool.QueryRow(context.Background(), `insert into nezuko.bot_instances
		(bot_user_id, username, token_encrypted, token_sha256, update_mode, webhook_secret_sha256)
		values ($1, $2, $3, $4, $5, $6) returning id`,
		userID, username, sealToken(w.t, w.key, token), sum[:], mode, secretHash).Scan(&id)
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

// protect links groupID to channels for this world's bot, with params.
func (w *botWorld) protect(group int64, params string, channels ...int64) {
	w.t.Helper()
	w.protectFor(w.botID, group, params, channels...)
}

func (w *botWorld) protectFor(botID, group int64, params string, channels ...int64) {
	w.t.Helper()
	if params == "" {
		params = "{}"
	}
	w.exec(`insert into nezuko.protected_groups (group_id, bot_instance_id, title, params) values ($1, $2, 'Test Group', $3::jsonb)
		on conflict (group_id) do update set bot_instance_id = excluded.bot_instance_id, params = excluded.params`, group, botID, params)
	for _, c := range channels {
		name := map[int64]string{chanA: "chan_a", chanB: "chan_b"}[c]
		w.exec(`insert into nezuko.enforced_channels (channel_id, username, title, last_synced_at) values ($1, $2, $3, now()) on conflict do nothing`,
			c, name, "Channel "+strings.ToUpper(name[len(name)-1:]))
		w.exec(`insert into nezuko.group_channel_links (group_id, channel_id) values ($1, $2) on conflict do nothing`, group, c)
	}
}

func (w *botWorld) env(extra ...string) []string {
	return append([]string{
		"DATABASE_URL=" + w.url,
		"NEZUKO_FERNET_KEYS=" + w.key,
		"NEZUKO_TELEGRAM_API_URL=" + w.fake.URL,
		"NEZUKO_BOT_RELOAD=200ms",
		"NEZUKO_BOT_POLL_TIMEOUT=1s",
		"NEZUKO_LOG_LEVEL=debug",
	}, extra...)
}

func (w *botWorld) serve(extra ...string) *process {
	w.t.Helper()
	return startServe(w.t, w.env(extra...)...)
}

var msgSeq atomic.Int64

// message builds a message update from user in chat (the message exists in
// the fake chat so that deleting it works).
func (w *botWorld) message(chat int64, from int64, text string) map[string]any {
	mid := w.fake.NewMessageID(chat)
	return map[string]any{"message": map[string]any{
		"message_id": mid, "date": time.Now().Unix(), "text": text,
		"chat": map[string]any{"id": chat, "type": "supergroup", "title": "Test Group"},
		"from": map[string]any{"id": from, "is_bot": false, "first_name": fmt.Sprintf("User<%d>", from)},
	}}
}

func chatMemberUpdate(chat int64, chatType string, user int64, oldStatus, newStatus string) map[string]any {
	return map[string]any{"chat_member": map[string]any{
		"chat":            map[string]any{"id": chat, "type": chatType, "title": "x"},
		"from":            map[string]any{"id": user, "is_bot": false, "first_name": "U"},
		"date":            time.Now().Unix(),
		"old_chat_member": map[string]any{"status": oldStatus, "user": map[string]any{"id": user, "is_bot": false, "first_name": "U"}},
		"new_chat_member": map[string]any{"status": newStatus, "user": map[string]any{"id": user, "is_bot": false, "first_name": "U"}},
	}}
}

func callbackUpdate(chat int64, from int64, data string) map[string]any {
	return map[string]any{"callback_query": map[string]any{
		"id": fmt.Sprintf("cq%d", time.Now().UnixNano()), "chat_instance": "ci", "data": data,
		"from":    map[string]any{"id": from, "is_bot": false, "first_name": "U"},
		"message": map[string]any{"message_id": 1, "date": time.Now().Unix(), "chat": map[string]any{"id": chat, "type": "supergroup"}},
	}}
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// processed waits until the update's decision is committed and the
// effects it wrote have run (done, failed or unknown: none left pending).
func (w *botWorld) processed(updateID int64) {
	w.t.Helper()
	waitFor(w.t, fmt.Sprintf("update %d processed", updateID), func() bool {
		var ok bool
		_ = w.pool.QueryRow(context.Background(),
			`select exists (select from nezuko.processed_updates where bot_instance_id = $1 and update_id = $2)
			    and not exists (select from nezuko.bot_effects where bot_instance_id = $1
			                    and source = 'update:' || $2::bigint and status in ('pending', 'running'))`,
			w.botID, updateID).Scan(&ok)
		return ok
	})
}

// calls returns the calls of method whose chat_id (and user_id when not 0) match.
func (w *botWorld) calls(method string, chat, user int64) []fakebot.Call {
	var out []fakebot.Call
	for _, c := range w.fake.Calls(method) {
		if c.Token != w.token {
			continue
		}
		if chat != 0 && fmt.Sprint(c.Params["chat_id"]) != fmt.Sprint(chat) {
			continue
		}
		if user != 0 && fmt.Sprint(c.Params["user_id"]) != fmt.Sprint(user) {
			continue
		}
		out = append(out, c)
	}
	return out
}

func (w *botWorld) okCalls(method string, chat, user int64) []fakebot.Call {
	var out []fakebot.Call
	for _, c := range w.calls(method, chat, user) {
		if c.Status == 200 {
			out = append(out, c)
		}
	}
	return out
}

func (w *botWorld) scalar(sql string, args ...any) string {
	w.t.Helper()
	var s *string
	if err := w.pool.QueryRow(context.Background(), "select ("+sql+")::text", args...).Scan(&s); err != nil {
		w.t.Fatalf("%s: %v", sql, err)
	}
	if s == nil {
		return "<null>"
	}
	return *s
}

// perms reads a restrictChatMember call's permissions as Telegram does: a
// field left out is false. A call without a permissions object fails t.
func perms(t *testing.T, c fakebot.Call) map[string]bool {
	t.Helper()
	p, ok := c.Params["permissions"].(map[string]any)
	if !ok {
		t.Fatalf("%s without a permissions object: %v", c.Method, c.Params)
	}
	out := map[string]bool{}
	for k, v := range p {
		b, isBool := v.(bool)
		if !isBool {
			t.Fatalf("permission %s is %v, not a boolean", k, v)
		}
		out[k] = b
	}
	return out
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
