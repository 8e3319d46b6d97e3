package pgrestart

import (
	"context"
	"crypto/sha256"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/fernet/fernet-go"

	"github.com/nezuko-bot/nezuko/tests/fakebot"
	"github.com/nezuko-bot/nezuko/tests/testdb"
)

func waitUntil(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A PostgreSQL crash (immediate stop) with a mute and a prompt pending in
// the outbox, under two serves: afterwards each was made exactly once, and
// at no moment did two processes poll the bot (Telegram would answer 409).
func TestEffectsPendingAcrossAPostgresCrashRunOnceWithOnePoller(t *testing.T) {
	if os.Getenv("NEZUKO_PG_RESTART") != "1" || os.Getenv("NEZUKO_PG_DATA") == "" || os.Getenv("NEZUKO_PG_BIN") == "" {
		t.Skip("restarts the whole cluster: run through `just test` (NEZUKO_PG_RESTART=1, NEZUKO_PG_DATA, NEZUKO_PG_BIN)")
	}
	if os.Getenv("NEZUKO_BIN") == "" {
		t.Skip("NEZUKO_BIN is not set")
	}
	t.Cleanup(func() {
		data, pgbin := os.Getenv("NEZUKO_PG_DATA"), os.Getenv("NEZUKO_PG_BIN")
		status := append(strings.Fields(os.Getenv("NEZUKO_AS_PG")), pgbin+"/pg_ctl", "-D", data, "status")
		if exec.Command(status[0], status[1:]...).Run() != nil {
			pgCtl(t, "-w", "start")
		}
	})
	const (
		botUser int64 = 5550001
		group   int64 = -1005550000001
		channel int64 = -1005550000002
		user    int64 = 5550101
	)
	ctx := context.Background()
	pool, url := testdb.NewPool(t)
	fake := fakebot.New()
	t.Cleanup(fake.Close)
	token := "5550001:restart-test-token-abcdefghijklmnopqrstu"
	b := fake.AddBot(token, botUser, "restart_bot")
	fake.AddChat(group, "supergroup", "Restart Group", "")
	fake.AddChat(channel, "channel", "Restart Channel", "restart_chan")
	for _, c := range []int64{group, channel} {
		fake.SetMember(c, botUser, fakebot.Member{Status: "administrator", Rights: fakebot.AdminRights()})
	}
	fake.SetMember(group, user, fakebot.Member{Status: "member"})
	key := fernet.Key{}
	if err := key.Generate(); err != nil {
		t.Fatal(err)
	}
	sealed, err := fernet.EncryptAndSign([]byte(token), &key)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(token))
	for _, q := range []string{
		`insert into nezuko.bot_instances (bot_user_id, username, token_encrypted, token_sha256) values (5550001, 'restart_bot', $1, $2)`,
		`insert into nezuko.protected_groups (group_id, bot_instance_id, title, params) values (-1005550000001, (select id from nezuko.bot_instances), 'Restart Group', '{"mode": "mute"}')`,
		`insert into nezuko.enforced_channels (channel_id, username, title) values (-1005550000002, 'restart_chan', 'Restart Channel')`,
		`insert into nezuko.group_channel_links (group_id, channel_id) values (-1005550000001, -1005550000002)`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = []any{string(sealed), sum[:]}
		}
		if _, err := pool.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	env := []string{"NEZUKO_FERNET_KEYS=" + key.Encode(), "NEZUKO_TELEGRAM_API_URL=" + fake.URL,
		"NEZUKO_BOT_RELOAD=200ms", "NEZUKO_BOT_POLL_TIMEOUT=1s"}
	_, l1 := serveWithLogs(t, url, env...)
	waitUntil(t, "the first serve polls", 20*time.Second, func() bool { return strings.Contains(l1.String(), "bot polling") })
	_, l2 := serveWithLogs(t, url, env...)
	waitUntil(t, "the second stands by", 20*time.Second, func() bool { return strings.Contains(l2.String(), "standing by") })

	// The mute meets a 429: it and the prompt after it wait in the outbox.
	fake.Inject(fakebot.Fault{Method: "restrictChatMember", Count: 1, Code: 429, RetryAfter: 3})
	b.Push(map[string]any{"message": map[string]any{"message_id": fake.NewMessageID(group), "date": time.Now().Unix(),
		"chat": map[string]any{"id": group, "type": "supergroup", "title": "Restart Group"},
		"from": map[string]any{"id": user, "is_bot": false, "first_name": "Spam"}, "text": "spam"}})
	waitUntil(t, "the 429 on the mute", 20*time.Second, func() bool { return len(fake.Calls("restrictChatMember")) == 1 })
	pgCtl(t, "-m", "immediate", "-w", "-t", "60", "restart")

	okCalls := func(method string) int {
		n := 0
		for _, c := range fake.Calls(method) {
			if c.Status == 200 && c.Token == token {
				n++
			}
		}
		return n
	}
	waitUntil(t, "the mute and the prompt after the crash", 40*time.Second, func() bool {
		return okCalls("restrictChatMember") >= 1 && okCalls("sendMessage") >= 1
	})
	time.Sleep(time.Second)
	if n := okCalls("restrictChatMember"); n != 1 {
		t.Fatalf("restrictChatMember made %d times across the crash, want 1", n)
	}
	if n := len(fake.Calls("sendMessage")); n != 1 {
		t.Fatalf("the prompt was sent %d times across the crash, want 1", n)
	}
	for _, c := range fake.Calls("getUpdates") {
		if c.Status == 409 {
			t.Fatalf("two processes polled the bot at once (a 409 at %v)", c.Time)
		}
	}
}
