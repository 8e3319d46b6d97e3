package telegram_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/fernet/fernet-go"

	"github.com/nezuko-bot/nezuko/gobridge/plan"
	"github.com/nezuko-bot/nezuko/gobridge/telegram"
	"github.com/nezuko-bot/nezuko/tests/fakebot"
	"github.com/nezuko-bot/nezuko/tests/testdb"
)

// The command queue runs plans through Executor.Run: a re-verify plan asks
// a fresh check, resumes in SQL and unmutes to the group's defaults.
func TestRunReverifyPlanChecksResumesAndUnmutes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, _ := testdb.NewPool(t)
	fake := fakebot.New()
	defer fake.Close()
	fake.AddBot("5:T", 5, "b")
	fake.AddChat(-100, "supergroup", "G", "")
	fake.AddChat(-200, "channel", "C", "c")
	fake.SetMember(-100, 5, fakebot.Member{Status: "administrator", Rights: fakebot.AdminRights()})
	fake.SetMember(-200, 5, fakebot.Member{Status: "administrator"})
	fake.SetMember(-100, 42, fakebot.Member{Status: "restricted", IsMember: true})
	fake.SetMember(-200, 42, fakebot.Member{Status: "member"})
	var k fernet.Key
	_ = k.Generate()
	sealed, _ := fernet.EncryptAndSign([]byte("5:T"), &k)
	sum := sha256.Sum256([]byte("5:T"))
	var botID int64
	if err := pool.QueryRow(ctx, `insert into nezuko.bot_instances (bot_user_id, username, token_encrypted, token_sha256)
		values (5, 'b', $1, $2) returning id`, string(sealed), sum[:]).Scan(&botID); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`insert into nezuko.protected_groups (group_id, bot_instance_id) values (-100, $1)`,
		`insert into nezuko.enforced_channels (channel_id, username) values (-200, 'c')`,
		`insert into nezuko.group_channel_links values (-100, -200)`,
		`insert into nezuko.group_restrictions (group_id, user_id, bot_instance_id, muted) values (-100, 42, $1, true)`,
		// a stale negative answer: a re-verify must not trust it
		`insert into nezuko.membership_cache (channel_id, user_id, member_status, is_member, expires_at) values (-200, 42, 'left', false, now() + interval '1 hour')`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, botID)
		}
		if _, err := pool.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec := telegram.NewExecutor(pool, slog.New(slog.NewTextHandler(io.Discard, nil)), fake.URL, []*fernet.Key{&k})
	go exec.FlushLoop(ctx)
	var body []byte
	if err := pool.QueryRow(ctx, "select bot.reverify($1, -100, 42)", botID).Scan(&body); err != nil {
		t.Fatal(err)
	}
	var p plan.Plan
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Checks) != 1 || !p.Checks[0].Fresh {
		t.Fatalf("want one fresh check, got %s", body)
	}
	res, err := exec.Run(ctx, botID, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Method != "restrictChatMember" || !res[0].OK {
		t.Fatalf("results: %+v", res)
	}
	if m := fake.MemberOf(-100, 42); m.Status != "member" {
		t.Fatalf("user is %s, want member (group defaults restored)", m.Status)
	}
}
