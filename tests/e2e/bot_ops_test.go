package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nezuko-bot/nezuko/tests/fakebot"
)

func TestTwoBotsRunInOneProcess(t *testing.T) {
	w := newBotWorld(t)
	tok2 := newTokenString()
	const bot2User int64 = 7000002
	bot2 := w.fake.AddBot(tok2, bot2User, "second_bot")
	w.fake.AddChat(group2ID, "supergroup", "G2", "")
	w.fake.SetMember(group2ID, bot2User, fakebot.Member{Status: "administrator", Rights: fakebot.AdminRights()})
	w.fake.SetMember(chanA, bot2User, fakebot.Member{Status: "administrator"})
	w.fake.SetMember(group2ID, userID, fakebot.Member{Status: "member"})
	id2 := w.addBot(tok2, bot2User, "second_bot", "polling", "")
	w.protect(groupID, "", chanA)
	w.protectFor(id2, group2ID, "", chanA)
	w.serve()
	w.processed(w.bot.Push(w.message(groupID, userID, "one")))
	bot2.Push(w.message(group2ID, userID, "two"))
	waitFor(t, "second bot acted", func() bool {
		for _, c := range w.fake.Calls("restrictChatMember") {
			if c.Token == tok2 && c.Status == 200 {
				return true
			}
		}
		return false
	})
	for _, c := range w.fake.Calls("restrictChatMember") {
		chat := fmt.Sprint(c.Params["chat_id"])
		if (c.Token == w.token) != (chat == fmt.Sprint(groupID)) {
			t.Fatalf("a bot acted in the other bot's group: %s", chat)
		}
	}
}

func TestTwoServeProcessesPollEachBotExactlyOnce(t *testing.T) {
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"delete"}`, chanA)
	p1 := w.serve()
	p2 := w.serve()
	var ids []int64
	for i := 0; i < 20; i++ {
		ids = append(ids, w.bot.Push(w.message(groupID, userID, fmt.Sprint("m", i))))
	}
	for _, id := range ids {
		w.processed(id)
	}
	for _, c := range w.fake.Calls("getUpdates") {
		if c.Status == 409 {
			t.Fatal("two processes polled the same bot at once (409 Conflict)")
		}
	}
	if n := len(w.calls("deleteMessage", groupID, 0)); n != 20 {
		t.Fatalf("deleteMessage calls %d, want exactly 20", n)
	}
	polling := 0
	for _, p := range []*process{p1, p2} {
		if strings.Contains(p.Logs(), "bot polling") {
			polling++
		}
	}
	if polling != 1 {
		t.Fatalf("%d processes poll the bot, want 1", polling)
	}
	// The poller goes away: the other takes over.
	first, other := p1, p2
	if !strings.Contains(p1.Logs(), "bot polling") {
		first, other = p2, p1
	}
	first.stop(t)
	id := w.bot.Push(w.message(groupID, userID, "after failover"))
	w.processed(id)
	if !strings.Contains(other.Logs(), "bot polling") {
		t.Fatal("the standby process did not take over")
	}
}

func TestBotTokenNeverAppearsInLogs(t *testing.T) {
	w := newBotWorld(t)
	w.protect(groupID, "", chanA)
	// The API URL points at a closed port first: net/http errors quote the URL.
	closed := freeAddr(t)
	p := startServe(t, append(w.env(), "NEZUKO_TELEGRAM_API_URL=http://"+closed)...)
	waitFor(t, "a failed getUpdates logged", func() bool { return strings.Contains(p.Logs(), "getUpdates failed") })
	p.stop(t)
	logs := p.Logs()
	p2 := w.serve()
	w.fake.Inject(fakebot.Fault{Method: "restrictChatMember", Count: 1, Code: 400, Description: "Bad Request: not enough rights to restrict/unrestrict chat member"})
	w.processed(w.bot.Push(w.message(groupID, userID, "x")))
	p2.stop(t)
	logs += p2.Logs()
	secret := w.token[strings.Index(w.token, ":")+1:]
	if strings.Contains(logs, secret) {
		t.Fatalf("the bot token appears in the logs")
	}
	if !strings.Contains(logs, "<token>") {
		t.Fatalf("expected the scrubbed URL in the network error log:\n%s", logs)
	}
	var n int
	_ = w.pool.QueryRow(context.Background(), "select count(*) from nezuko.admin_logs where attributes::text like '%' || $1 || '%'", secret).Scan(&n)
	if n != 0 {
		t.Fatal("token in admin_logs")
	}
}

func TestWebhookChecksTheSecretAndAcknowledgesAfterCommit(t *testing.T) {
	w := newBotWorld(t)
	tok := newTokenString()
	const hookUser int64 = 7000003
	hb := w.fake.AddBot(tok, hookUser, "hook_bot")
	w.fake.SetMember(groupID, hookUser, fakebot.Member{Status: "administrator", Rights: fakebot.AdminRights()})
	w.fake.SetMember(chanA, hookUser, fakebot.Member{Status: "administrator"})
	w.exec("update nezuko.bot_instances set is_active = false") // only the webhook bot
	id := w.addBot(tok, hookUser, "hook_bot", "webhook", "s3cret-hook")
	w.protectFor(id, groupID, "", chanA)
	p := w.serve()
	url := fmt.Sprintf("%s/telegram/%d/webhook", p.URL(), id)
	waitFor(t, "webhook route", func() bool {
		resp, err := http.Post(url, "application/json", strings.NewReader(`{}`))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 401
	})
	hb.Push(w.message(groupID, userID, "via webhook"))
	codes, err := w.fake.DeliverWebhook(hb, url, "wrong")
	if err != nil || len(codes) != 1 || codes[0] != 401 {
		t.Fatalf("wrong secret: %v %v", codes, err)
	}
	if hb.Pending() != 1 {
		t.Fatal("update dropped after a refused delivery")
	}
	codes, err = w.fake.DeliverWebhook(hb, url, "s3cret-hook")
	if err != nil || len(codes) != 1 || codes[0] != 200 {
		t.Fatalf("right secret: %v %v", codes, err)
	}
	// The 200 says the decision is committed: its mute is a durable effect
	// by then (whether or not Telegram has carried it out yet), and it is
	// carried out once.
	if n := w.scalar("select count(*) from nezuko.bot_effects where method = 'restrictChatMember' and chat_id = $1", groupID); n != "1" {
		t.Fatalf("the 200 came before the decision was committed: %s mute effects", n)
	}
	waitFor(t, "the mute carried out", func() bool {
		restricted := 0
		for _, c := range w.fake.Calls("restrictChatMember") {
			if c.Token == tok && c.Status == 200 {
				restricted++
			}
		}
		return restricted == 1
	})
	// Malformed body: logged, 200 (Telegram must not redeliver it forever).
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{not json`))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret-hook")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("malformed: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestBotsAddedAndDisabledInTheDatabaseStartAndStopWithoutRestart(t *testing.T) {
	w := newBotWorld(t)
	w.exec("update nezuko.bot_instances set is_active = false")
	w.protect(groupID, "", chanA)
	p := w.serve()
	time.Sleep(500 * time.Millisecond)
	if len(w.fake.Calls("getUpdates")) != 0 {
		t.Fatal("an inactive bot polls")
	}
	w.exec("update nezuko.bot_instances set is_active = true")
	w.processed(w.bot.Push(w.message(groupID, userID, "x")))
	w.exec("update nezuko.bot_instances set is_active = false")
	waitFor(t, "bot stopped", func() bool { return strings.Contains(p.Logs(), "bot stopped") })
	time.Sleep(300 * time.Millisecond)
	n := len(w.fake.Calls("getUpdates"))
	time.Sleep(1500 * time.Millisecond)
	if m := len(w.fake.Calls("getUpdates")); m != n {
		t.Fatalf("a disabled bot still polls (%d → %d)", n, m)
	}
}

func TestBotsOwnMessagesAreDeletedAfterAutoDeleteSeconds(t *testing.T) {
	w := newBotWorld(t)
	w.protect(groupID, `{"auto_delete_seconds":1}`, chanA)
	w.serve()
	w.processed(w.bot.Push(w.message(groupID, adminID, "/status")))
	reply := w.okCalls("sendMessage", groupID, 0)
	if len(reply) != 1 {
		t.Fatal("no /status reply")
	}
	var res struct {
		Result struct {
			MessageID int64 `json:"message_id"`
		} `json:"result"`
	}
	if err := jsonUnmarshal(reply[0].Body, &res); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "reply auto-deleted", func() bool { return !w.fake.MessageExists(groupID, res.Result.MessageID) })
}

func TestBotKickedFromAGroupShowsInHealthAndOtherGroupsKeepWorking(t *testing.T) {
	w := newBotWorld(t)
	w.fake.AddChat(group2ID, "supergroup", "G2", "")
	w.fake.SetMember(group2ID, botUserID, fakebot.Member{Status: "administrator", Rights: fakebot.AdminRights()})
	w.fake.SetMember(group2ID, user2ID, fakebot.Member{Status: "member"})
	w.protect(groupID, `{"mode":"delete"}`, chanA)
	w.protect(group2ID, `{"mode":"mute"}`, chanA)
	w.serve()
	w.fake.SetMember(groupID, userID, fakebot.Member{Status: "member"})
	w.fake.SetMember(groupID, botUserID, fakebot.Member{Status: "kicked"})
	w.processed(w.bot.Push(w.message(groupID, userID, "x")))
	waitFor(t, "group health error", func() bool {
		return w.scalar("select health || ':' || coalesce(health_reason, '') from nezuko.protected_groups where group_id = $1", groupID) ==
			"error:the bot was kicked from this group"
	})
	if w.scalar("select count(*) from nezuko.admin_logs where level = 'WARNING' and message like '%bot_kicked%'") == "0" {
		t.Fatal("no admin_logs warning")
	}
	w.processed(w.bot.Push(w.message(group2ID, user2ID, "y")))
	if len(w.okCalls("restrictChatMember", group2ID, user2ID)) != 1 {
		t.Fatal("the other group stopped being served")
	}
}

func TestTokensSealedWithAnOlderKeyStillRunAfterKeyRotation(t *testing.T) {
	w := newBotWorld(t)
	w.protect(groupID, "", chanA)
	w.fake.SetMember(chanA, botUserID, fakebot.Member{Status: "administrator"})
	// The bot's token was sealed with w.key; a new key now comes first.
	w.bot.Push(w.message(groupID, userID, "x"))
	w.fake.SetMember(groupID, userID, fakebot.Member{Status: "member"})
	startServe(t, append(w.env(), "NEZUKO_FERNET_KEYS="+newKey(t)+","+w.key)...)
	waitFor(t, "bot acting with the rotated keys", func() bool { return len(w.okCalls("restrictChatMember", groupID, userID)) == 1 })
}

func TestPollingBotRemovesALeftoverWebhook(t *testing.T) {
	w := newBotWorld(t)
	w.protect(groupID, "", chanA)
	w.fake.SetMember(chanA, userID, fakebot.Member{Status: "member"})
	if _, err := http.Post(w.fake.URL+"/bot"+w.token+"/setWebhook", "application/json", strings.NewReader(`{"url":"https://example.invalid/hook"}`)); err != nil {
		t.Fatal(err)
	}
	w.serve()
	w.processed(w.bot.Push(w.message(groupID, userID, "x")))
	if u, _ := w.bot.Webhook(); u != "" {
		t.Fatal("webhook still set")
	}
}

func TestBotDemotedOrRemovedShowsInGroupAndChannelHealth(t *testing.T) {
	w := newBotWorld(t)
	w.protect(groupID, "", chanA)
	w.serve()
	my := func(chat int64, typ, status string) map[string]any {
		u := chatMemberUpdate(chat, typ, botUserID, "administrator", status)
		u["my_chat_member"] = u["chat_member"]
		delete(u, "chat_member")
		return u
	}
	w.processed(w.bot.Push(my(groupID, "supergroup", "member")))
	if got := w.scalar("select health || ':' || health_reason from nezuko.protected_groups"); !strings.Contains(got, "error:the bot is no longer an admin") {
		t.Fatalf("group health after demotion: %s", got)
	}
	w.processed(w.bot.Push(my(chanA, "channel", "left")))
	if got := w.scalar("select bot_is_admin::text || ':' || health from nezuko.enforced_channels where channel_id = $1", chanA); got != "false:error" {
		t.Fatalf("channel health after removal: %s", got)
	}
	w.processed(w.bot.Push(my(groupID, "supergroup", "administrator")))
	if got := w.scalar("select health from nezuko.protected_groups"); got != "ok" {
		t.Fatalf("group health after promotion: %s", got)
	}
}

func TestTelegramServerErrorsAreRetriedUntilTheActionLands(t *testing.T) {
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"mute"}`, chanA)
	w.fake.Inject(fakebot.Fault{Method: "restrictChatMember", Count: 3, Code: 502, Description: "Bad Gateway"})
	w.serve()
	w.processed(w.bot.Push(w.message(groupID, userID, "x")))
	if len(w.okCalls("restrictChatMember", groupID, userID)) != 1 {
		t.Fatal("the mute was dropped after server errors")
	}
}
