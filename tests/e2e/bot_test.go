package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nezuko-bot/nezuko/tests/fakebot"
)

func TestNonSubscriberIsDeletedMutedAndPromptedOnce(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"both"}`, chanA, chanB)
	w.fake.SetMember(chanA, userID, fakebot.Member{Status: "member"}) // in A, not in B
	w.serve()

	m1 := w.message(groupID, userID, "hello")
	w.processed(w.bot.Push(m1))
	mid := m1["message"].(map[string]any)["message_id"].(int64)
	if w.fake.MessageExists(groupID, mid) {
		t.Fatal("the non-subscriber's message was not deleted")
	}
	r := w.okCalls("restrictChatMember", groupID, userID)
	if len(r) != 1 || perms(t, r[0])["can_send_messages"] != false {
		t.Fatalf("want one mute, got %v", r)
	}
	prompts := w.okCalls("sendMessage", groupID, 0)
	if len(prompts) != 1 {
		t.Fatalf("want one prompt, got %d", len(prompts))
	}
	text := prompts[0].Params["text"].(string)
	kb := mustJSON(prompts[0].Params["reply_markup"])
	if !strings.Contains(text, "Channel B") || strings.Contains(text, "Channel A") {
		t.Fatalf("prompt should name only the missing channel B: %q", text)
	}
	if !strings.Contains(kb, "https://t.me/chan_b") || !strings.Contains(kb, fmt.Sprintf(`"nzv:%d"`, userID)) {
		t.Fatalf("prompt keyboard lacks the join button or the bound verify button: %s", kb)
	}
	// A second message: deleted again, no second prompt, no second mute.
	m2 := w.message(groupID, userID, "again")
	w.processed(w.bot.Push(m2))
	if n := len(w.okCalls("sendMessage", groupID, 0)); n != 1 {
		t.Fatalf("a second prompt was posted (%d)", n)
	}
	if w.fake.MessageExists(groupID, m2["message"].(map[string]any)["message_id"].(int64)) {
		t.Fatal("second message not deleted")
	}
	if got := w.scalar("select count(*) from nezuko.verification_log where user_id = $1 and status = 'restricted'", userID); got != "2" {
		t.Fatalf("verification_log restricted rows = %s, want 2 (channel B, twice)", got)
	}
	waitFor(t, "api_call_log rows", func() bool {
		return w.scalar("select count(*) from nezuko.api_call_log where method = 'restrictChatMember' and success") == "1"
	})
	if got := w.scalar("select prompt_message_id is not null and muted from nezuko.group_restrictions where group_id = $1 and user_id = $2", groupID, userID); got != "true" {
		t.Fatalf("group_restrictions not recorded: %s", got)
	}
}

func TestSubscriberPassesAndSecondMessageHitsTheCache(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, "", chanA)
	w.fake.SetMember(chanA, userID, fakebot.Member{Status: "restricted", IsMember: true})
	w.serve()
	w.processed(w.bot.Push(w.message(groupID, userID, "hi")))
	w.processed(w.bot.Push(w.message(groupID, userID, "hi again")))
	if n := len(w.calls("getChatMember", chanA, userID)); n != 1 {
		t.Fatalf("getChatMember on the channel %d times, want 1 (second answer from the cache)", n)
	}
	if n := len(w.calls("deleteMessage", 0, 0)) + len(w.calls("restrictChatMember", 0, 0)) + len(w.calls("sendMessage", 0, 0)); n != 0 {
		t.Fatalf("a subscriber (restricted with is_member) was acted on: %d calls", n)
	}
	if got := w.scalar("select string_agg(cached::text, ',' order by id) from nezuko.verification_log where user_id = $1", userID); got != "false,true" {
		t.Fatalf("verification_log cached flags = %s", got)
	}
}

// muted sets up a user muted by the bot with a prompt, through a message.
func (w *botWorld) muted(group, user int64) {
	w.t.Helper()
	w.processed(w.bot.Push(w.message(group, user, "spam")))
	if len(w.okCalls("restrictChatMember", group, user)) == 0 {
		w.t.Fatalf("user %d was not muted in %d", user, group)
	}
}

func TestVerifyButtonIgnoresOtherUsers(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, "", chanA)
	w.serve()
	w.muted(groupID, userID)
	w.fake.SetMember(chanA, user2ID, fakebot.Member{Status: "member"})
	w.processed(w.bot.Push(callbackUpdate(groupID, user2ID, fmt.Sprintf("nzv:%d", userID))))
	ans := w.okCalls("answerCallbackQuery", 0, 0)
	if len(ans) != 1 || !strings.Contains(fmt.Sprint(ans[0].Params["text"]), "someone else") {
		t.Fatalf("the other user's press was not refused: %v", ans)
	}
	if n := len(w.okCalls("restrictChatMember", groupID, userID)); n != 1 {
		t.Fatalf("someone else's press changed the muted user (%d restrict calls)", n)
	}
	if n := len(w.calls("getChatMember", chanA, user2ID)); n != 0 {
		t.Fatal("someone else's press triggered a check")
	}
}

func TestVerifyButtonRechecksFreshAndUnmutesToGroupDefaults(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, "", chanA)
	w.serve()
	w.muted(groupID, userID)
	// Still not subscribed: told what is missing, stays muted.
	w.processed(w.bot.Push(callbackUpdate(groupID, userID, fmt.Sprintf("nzv:%d", userID))))
	ans := w.okCalls("answerCallbackQuery", 0, 0)
	if len(ans) != 1 || !strings.Contains(fmt.Sprint(ans[0].Params["text"]), "Channel A") || ans[0].Params["show_alert"] != true {
		t.Fatalf("want an alert naming Channel A, got %v", ans)
	}
	// Joins; the negative answer is still cached, but the press bypasses it.
	w.fake.SetMember(chanA, userID, fakebot.Member{Status: "member"})
	w.processed(w.bot.Push(callbackUpdate(groupID, userID, fmt.Sprintf("nzv:%d", userID))))
	r := w.okCalls("restrictChatMember", groupID, userID)
	if len(r) != 2 {
		t.Fatalf("want mute then unmute, got %d restrict calls", len(r))
	}
	got := perms(t, r[1])
	if got["can_send_messages"] != true || got["can_pin_messages"] != false || got["can_change_info"] != false {
		t.Fatalf("unmute did not restore the group's default permissions: %v", got)
	}
	if m := w.fake.MemberOf(groupID, userID); m.Status != "member" {
		t.Fatalf("user still %s", m.Status)
	}
	if len(w.okCalls("deleteMessage", groupID, 0)) == 0 {
		t.Fatal("the prompt was not removed")
	}
	if got := w.scalar("select count(*) from nezuko.group_restrictions"); got != "0" {
		t.Fatalf("restriction not forgotten: %s", got)
	}
}

func TestChannelJoinUnmutesAtOnceInEveryLinkedGroup(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.fake.AddChat(group2ID, "supergroup", "Group 2", "")
	w.fake.SetMember(group2ID, botUserID, fakebot.Member{Status: "administrator", Rights: fakebot.AdminRights()})
	w.fake.SetMember(group2ID, userID, fakebot.Member{Status: "member"})
	w.protect(groupID, "", chanA)
	w.protect(group2ID, "", chanA)
	w.serve()
	w.muted(groupID, userID)
	w.muted(group2ID, userID)
	w.fake.SetMember(chanA, userID, fakebot.Member{Status: "member"})
	w.processed(w.bot.Push(chatMemberUpdate(chanA, "channel", userID, "left", "member")))
	for _, g := range []int64{groupID, group2ID} {
		r := w.okCalls("restrictChatMember", g, userID)
		if len(r) != 2 || perms(t, r[1])["can_send_messages"] != true {
			t.Fatalf("group %d: not unmuted (%d restrict calls)", g, len(r))
		}
		if len(w.okCalls("deleteMessage", g, 0)) != 1 {
			t.Fatalf("group %d: prompt not removed", g)
		}
	}
	// No getChatMember needed for the channel: the update said it.
	if n := len(w.calls("getChatMember", chanA, userID)); n != 1 {
		t.Fatalf("getChatMember on channel: %d, want only the first check", n)
	}
}

func TestChannelLeaveRestrictsAgain(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, "", chanA)
	w.fake.SetMember(chanA, userID, fakebot.Member{Status: "member"})
	w.serve()
	w.processed(w.bot.Push(w.message(groupID, userID, "hi")))
	if len(w.calls("restrictChatMember", 0, 0)) != 0 {
		t.Fatal("subscriber muted")
	}
	w.fake.SetMember(chanA, userID, fakebot.Member{Status: "left"})
	w.processed(w.bot.Push(chatMemberUpdate(chanA, "channel", userID, "member", "left")))
	r := w.okCalls("restrictChatMember", groupID, userID)
	if len(r) != 1 || perms(t, r[0])["can_send_messages"] != false {
		t.Fatalf("leaving the channel did not mute again: %v", r)
	}
	if len(w.okCalls("sendMessage", groupID, 0)) != 1 {
		t.Fatal("no prompt after leaving")
	}
}

func TestJoiningTheGroupIsCheckedLikeAFirstMessage(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"both"}`, chanA)
	w.serve()
	w.processed(w.bot.Push(chatMemberUpdate(groupID, "supergroup", userID, "left", "member")))
	if len(w.okCalls("restrictChatMember", groupID, userID)) != 1 || len(w.okCalls("sendMessage", groupID, 0)) != 1 {
		t.Fatal("a joining non-subscriber was not muted and prompted")
	}
	if len(w.calls("deleteMessage", 0, 0)) != 0 {
		t.Fatal("nothing to delete on a join")
	}
	// verify_on_join off: a join is left alone.
	w.exec(`update nezuko.protected_groups set params = params || '{"verify_on_join": false}'`)
	w.processed(w.bot.Push(chatMemberUpdate(groupID, "supergroup", user2ID, "left", "member")))
	if len(w.calls("restrictChatMember", groupID, user2ID)) != 0 {
		t.Fatal("verify_on_join=false still checked the join")
	}
}

func TestJoinRequestsApprovedOnlyForSubscribers(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, `{"join_request_gating":true}`, chanA)
	w.fake.SetMember(chanA, userID, fakebot.Member{Status: "member"})
	w.fake.AddUser(user2ID, "Two", "")
	w.serve()
	req := func(u int64) map[string]any {
		return map[string]any{"chat_join_request": map[string]any{
			"chat": map[string]any{"id": groupID, "type": "supergroup"}, "from": map[string]any{"id": u, "is_bot": false, "first_name": "U"},
			"user_chat_id": u, "date": 1}}
	}
	w.fake.AddChat(user2ID, "private", "", "")
	w.processed(w.bot.Push(req(userID)))
	w.processed(w.bot.Push(req(user2ID)))
	if len(w.okCalls("approveChatJoinRequest", groupID, userID)) != 1 {
		t.Fatal("subscriber not approved")
	}
	if len(w.calls("approveChatJoinRequest", groupID, user2ID)) != 0 || len(w.okCalls("declineChatJoinRequest", groupID, user2ID)) != 1 {
		t.Fatal("non-subscriber not declined")
	}
	if len(w.okCalls("sendMessage", user2ID, 0)) != 1 {
		t.Fatal("declined user not told which channels to join")
	}
}

func TestAdminsChannelPostsBotsAndWhitelistAreNeverRestricted(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, fmt.Sprintf(`{"mode":"both","whitelist":[%d]}`, user2ID), chanA)
	w.serve()
	var ids []int64
	ids = append(ids, w.bot.Push(w.message(groupID, adminID, "admin speaking")))
	anon := w.message(groupID, 1087968824, "anonymous admin")
	anon["message"].(map[string]any)["sender_chat"] = map[string]any{"id": groupID, "type": "supergroup"}
	ids = append(ids, w.bot.Push(anon))
	post := w.message(groupID, 777000, "channel post")
	post["message"].(map[string]any)["sender_chat"] = map[string]any{"id": chanA, "type": "channel"}
	post["message"].(map[string]any)["is_automatic_forward"] = true
	ids = append(ids, w.bot.Push(post))
	botMsg := w.message(groupID, 9999, "another bot")
	botMsg["message"].(map[string]any)["from"].(map[string]any)["is_bot"] = true
	ids = append(ids, w.bot.Push(botMsg))
	ids = append(ids, w.bot.Push(w.message(groupID, user2ID, "whitelisted")))
	for _, id := range ids {
		w.processed(id)
	}
	for _, m := range []string{"deleteMessage", "restrictChatMember", "sendMessage"} {
		if n := len(w.calls(m, 0, 0)); n != 0 {
			t.Fatalf("%s called %d times on exempt senders", m, n)
		}
	}
	if n := len(w.calls("getChatMember", groupID, adminID)); n != 1 {
		t.Fatalf("the admin's status should be asked once, got %d", n)
	}
}

func TestDisabledGroupIsUntouched(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, "", chanA)
	w.exec("update nezuko.protected_groups set enabled = false")
	w.serve()
	w.processed(w.bot.Push(w.message(groupID, userID, "hi")))
	if n := len(w.fake.Calls("")) - len(w.fake.Calls("getUpdates")) - len(w.fake.Calls("getMe")); n != 0 {
		t.Fatalf("%d calls for a disabled group", n)
	}
}

func TestFailOpenAndFailClosedWhenAChannelCannotBeChecked(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.fake.SetMember(chanA, botUserID, fakebot.Member{Status: "member"}) // not admin: member list inaccessible
	w.protect(groupID, `{"fail_mode":"open"}`, chanA)
	w.serve()
	w.processed(w.bot.Push(w.message(groupID, userID, "hi")))
	if len(w.calls("restrictChatMember", 0, 0)) != 0 {
		t.Fatal("fail-open group restricted a user it could not check")
	}
	if got := w.scalar("select health || ': ' || health_reason from nezuko.protected_groups"); !strings.Contains(got, "warning: cannot check channel @chan_a") {
		t.Fatalf("group health does not say it: %s", got)
	}
	if got := w.scalar("select status || '/' || error_type from nezuko.verification_log"); got != "error/bot_not_admin" {
		t.Fatalf("verification_log: %s", got)
	}
	w.exec(`update nezuko.protected_groups set params = '{"fail_mode":"closed"}'`)
	w.processed(w.bot.Push(w.message(groupID, userID, "hi")))
	if len(w.okCalls("restrictChatMember", groupID, userID)) != 1 {
		t.Fatal("fail-closed group let an unchecked user through")
	}
	// The bot is made admin: the next check succeeds and health recovers.
	w.fake.SetMember(chanA, botUserID, fakebot.Member{Status: "administrator"})
	w.fake.SetMember(chanA, user2ID, fakebot.Member{Status: "member"})
	w.processed(w.bot.Push(w.message(groupID, user2ID, "hi")))
	if got := w.scalar("select health from nezuko.protected_groups"); got != "ok" {
		t.Fatalf("health did not recover: %s", got)
	}
}

func TestRedeliveredUpdateHasNoSecondEffect(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"mute"}`, chanA)
	w.serve()
	m := w.message(groupID, userID, "x")
	id := w.bot.Push(m)
	w.processed(id)
	m["update_id"] = id
	w.bot.Redeliver(mustJSON(m))
	waitFor(t, "redelivery acknowledged", func() bool { return w.bot.Pending() == 0 })
	// and a later update proves the loop went past it
	w.processed(w.bot.Push(w.message(groupID, adminID, "later")))
	if n := len(w.calls("restrictChatMember", groupID, userID)); n != 1 {
		t.Fatalf("redelivered update muted again: %d", n)
	}
	if n := len(w.calls("sendMessage", groupID, 0)); n != 1 {
		t.Fatalf("redelivered update prompted again: %d", n)
	}
}

func TestMalformedUpdateIsLoggedAndSkipped(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, "", chanA)
	p := w.serve()
	w.bot.PushRaw(`{"update_id": 900, "message": "not an object"}`)
	w.bot.PushRaw(`{"no_update_id": true}`)
	w.bot.PushRaw(`{"update_id": 901, "message": {"chat": {"type": "supergroup"}}}`)
	m := w.message(groupID, userID, "x")
	m["update_id"] = 902
	w.bot.PushRaw(mustJSON(m))
	w.botUpdateWait(902)
	if len(w.okCalls("restrictChatMember", groupID, userID)) != 1 {
		t.Fatal("the valid update after malformed ones was not handled")
	}
	waitFor(t, "malformed logged", func() bool { return strings.Count(p.Logs(), "malformed update skipped") >= 2 })
}

func (w *botWorld) botUpdateWait(id int64) {
	w.processed(id)
}

func (w *botWorld) lastReply(chat int64) string {
	c := w.okCalls("sendMessage", chat, 0)
	if len(c) == 0 {
		return ""
	}
	return fmt.Sprint(c[len(c)-1].Params["text"])
}

func TestProtectSaysPreciselyWhatIsMissingThenProtects(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.fake.SetMember(chanB, botUserID, fakebot.Member{Status: "member"})
	w.fake.SetMember(groupID, botUserID, fakebot.Member{Status: "administrator", Rights: map[string]bool{"can_delete_messages": true}})
	w.serve()
	// A non-admin's /protect is an ordinary message: no reply, nothing protected.
	w.processed(w.bot.Push(w.message(groupID, userID, "/protect @chan_a")))
	if w.lastReply(groupID) != "" {
		t.Fatal("a non-admin got an answer to /protect")
	}
	w.processed(w.bot.Push(w.message(groupID, adminID, "/protect@nezuko_test_bot @chan_a https://t.me/chan_b @nosuchchan")))
	reply := w.lastReply(groupID)
	for _, want := range []string{`"Ban users"`, "not an admin in @chan_b", "@nosuchchan: channel not found"} {
		if !strings.Contains(reply, want) {
			t.Fatalf("reply does not say %q:\n%s", want, reply)
		}
	}
	if strings.Contains(reply, "@chan_a") {
		t.Fatalf("reply blames chan_a, where the bot is admin:\n%s", reply)
	}
	if got := w.scalar("select count(*) from nezuko.protected_groups"); got != "0" {
		t.Fatal("protected despite problems")
	}
	w.fake.SetMember(groupID, botUserID, fakebot.Member{Status: "administrator", Rights: fakebot.AdminRights()})
	w.fake.SetMember(chanB, botUserID, fakebot.Member{Status: "administrator"})
	w.processed(w.bot.Push(w.message(groupID, adminID, "/protect @chan_a @chan_b")))
	if !strings.Contains(w.lastReply(groupID), "protected") {
		t.Fatalf("no confirmation: %s", w.lastReply(groupID))
	}
	if got := w.scalar("select string_agg(channel_id::text, ',' order by channel_id) from nezuko.group_channel_links where group_id = $1", groupID); got != fmt.Sprintf("%d,%d", chanB, chanA) {
		t.Fatalf("links: %s", got)
	}
	if got := w.scalar("select bot_instance_id = $1 and enabled and default_permissions is not null from nezuko.protected_groups", w.botID); got != "true" {
		t.Fatalf("group row: %s", got)
	}
	// and it enforces now
	w.processed(w.bot.Push(w.message(groupID, userID, "hi")))
	if len(w.okCalls("restrictChatMember", groupID, userID)) != 1 {
		t.Fatal("not enforced after /protect")
	}
}

func TestSettingsShowsAndChangesEverySetting(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, "", chanA)
	w.serve()
	w.processed(w.bot.Push(w.message(groupID, adminID, "/settings")))
	for _, k := range []string{"mode", "mute_duration_seconds", "verify_on_join", "join_request_gating", "fail_mode", "prompt_text", "auto_delete_seconds", "whitelist"} {
		if !strings.Contains(w.lastReply(groupID), k) {
			t.Fatalf("/settings does not show %s", k)
		}
	}
	for cmd, want := range map[string]string{
		"/settings mode delete":                                       `"mode": "delete"`,
		"/settings mute_duration_seconds 3600":                        `"mute_duration_seconds": 3600`,
		"/settings verify_on_join off":                                `"verify_on_join": false`,
		"/settings join_request_gating on":                            `"join_request_gating": true`,
		"/settings fail_mode closed":                                  `"fail_mode": "closed"`,
		"/settings prompt_text Hi {name}, join {channels} <b>now</b>": `"prompt_text": "Hi {name}, join {channels} <b>now</b>"`,
		"/settings auto_delete_seconds 60":                            `"auto_delete_seconds": 60`,
		"/settings whitelist add 4242":                                `"whitelist": [4242]`,
	} {
		w.processed(w.bot.Push(w.message(groupID, adminID, cmd)))
		if got := w.scalar("select params::text from nezuko.protected_groups"); !strings.Contains(got, want) {
			t.Fatalf("%s: params %s lack %s (reply %q)", cmd, got, want, w.lastReply(groupID))
		}
	}
	before := w.scalar("select params::text from nezuko.protected_groups")
	w.processed(w.bot.Push(w.message(groupID, adminID, "/settings mode explode")))
	if !strings.Contains(w.lastReply(groupID), "Not changed: mode must be one of delete, mute, both") {
		t.Fatalf("bad value not explained: %q", w.lastReply(groupID))
	}
	if w.scalar("select params::text from nezuko.protected_groups") != before {
		t.Fatal("a refused setting changed params")
	}
	// The custom prompt (with HTML-looking text) is used and parses.
	w.processed(w.bot.Push(w.message(groupID, userID, "hi")))
	p := w.okCalls("sendMessage", groupID, 0)
	if !strings.Contains(fmt.Sprint(p[len(p)-1].Params["text"]), "Hi User&lt;1001&gt;, join") {
		t.Fatalf("custom prompt not used or not escaped: %v", p[len(p)-1].Params["text"])
	}
}

func TestStatusUnprotectHelpAndStart(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, "", chanA)
	w.serve()
	w.muted(groupID, userID)
	w.processed(w.bot.Push(w.message(groupID, adminID, "/status")))
	if s := w.lastReply(groupID); !strings.Contains(s, "Protection</b>: on") || !strings.Contains(s, "@chan_a: ok") || !strings.Contains(s, "Restricted now</b>: 1") {
		t.Fatalf("/status: %s", s)
	}
	w.processed(w.bot.Push(w.message(groupID, adminID, "/help")))
	if !strings.Contains(w.lastReply(groupID), "/protect") {
		t.Fatal("/help")
	}
	w.fake.AddChat(adminID, "private", "", "")
	priv := w.message(adminID, adminID, "/start")
	priv["message"].(map[string]any)["chat"] = map[string]any{"id": adminID, "type": "private"}
	w.processed(w.bot.Push(priv))
	if !strings.Contains(w.lastReply(adminID), "Set up") {
		t.Fatalf("/start in private: %q", w.lastReply(adminID))
	}
	w.processed(w.bot.Push(w.message(groupID, adminID, "/unprotect")))
	r := w.okCalls("restrictChatMember", groupID, userID)
	if len(r) != 2 || perms(t, r[1])["can_send_messages"] != true {
		t.Fatal("/unprotect did not unmute the user the bot muted")
	}
	if got := w.scalar("select enabled::text || (select count(*) from nezuko.group_channel_links) from nezuko.protected_groups"); got != "false0" {
		t.Fatalf("after /unprotect: %s", got)
	}
	w.processed(w.bot.Push(w.message(groupID, user2ID, "free now")))
	if len(w.calls("restrictChatMember", groupID, user2ID)) != 0 {
		t.Fatal("enforced after /unprotect")
	}
}

func TestSupergroupMigrationCarriesSettings(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	const newID int64 = -1009999999999
	w.protect(groupID, `{"mode":"delete","auto_delete_seconds":30}`, chanA)
	w.fake.AddChat(newID, "supergroup", "Test Group", "")
	w.fake.SetMember(newID, botUserID, fakebot.Member{Status: "administrator", Rights: fakebot.AdminRights()})
	w.fake.SetMember(newID, userID, fakebot.Member{Status: "member"})
	w.serve()
	mig := w.message(groupID, adminID, "")
	delete(mig["message"].(map[string]any), "text")
	mig["message"].(map[string]any)["migrate_to_chat_id"] = newID
	w.processed(w.bot.Push(mig))
	if got := w.scalar("select params->>'mode' || ',' || (select count(*) from nezuko.group_channel_links where group_id = $1) from nezuko.protected_groups where group_id = $1", newID); got != "delete,1" {
		t.Fatalf("settings/links not carried to the new id: %s", got)
	}
	w.processed(w.bot.Push(w.message(newID, userID, "hi")))
	if len(w.okCalls("deleteMessage", newID, 0)) != 1 {
		t.Fatal("not enforced in the migrated supergroup")
	}
}

func TestRateLimited429StormLosesNoActionAndHonoursPauses(t *testing.T) {
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"both"}`, chanA)
	w.fake.Inject(fakebot.Fault{Method: "restrictChatMember", Count: 2, Code: 429, RetryAfter: 1})
	w.fake.Inject(fakebot.Fault{Method: "sendMessage", Count: 1, Code: 429, RetryAfter: 1})
	w.serve()
	var ids []int64
	for _, u := range []int64{userID, user2ID} {
		ids = append(ids, w.bot.Push(w.message(groupID, u, "spam")))
	}
	for _, id := range ids {
		w.processed(id)
	}
	for _, u := range []int64{userID, user2ID} {
		if len(w.okCalls("restrictChatMember", groupID, u)) != 1 {
			t.Fatalf("user %d: mute lost in the 429 storm", u)
		}
	}
	if n := len(w.okCalls("sendMessage", groupID, 0)); n != 2 {
		t.Fatalf("prompts: %d, want 2", n)
	}
	// Every retry came at least retry_after after the 429 it answered.
	all := w.fake.Calls("")
	for i, c := range all {
		if c.Status != 429 {
			continue
		}
		for _, later := range all[i+1:] {
			if later.Method != "getUpdates" && later.Method != "getChatMember" && later.Time.Sub(c.Time) < 900*time.Millisecond {
				t.Fatalf("%s sent %v after a 429 with retry_after=1", later.Method, later.Time.Sub(c.Time))
			}
		}
	}
	waitFor(t, "429s logged", func() bool {
		return w.scalar("select count(*) from nezuko.api_call_log where error_type = 'too_many_requests'") == "3"
	})
}

func TestLeavingTheGroupRemovesThePromptAndRejoiningSubscribedUnmutes(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, "", chanA)
	w.serve()
	w.muted(groupID, userID)
	leave := chatMemberUpdate(groupID, "supergroup", userID, "restricted", "left")
	leave["chat_member"].(map[string]any)["old_chat_member"].(map[string]any)["is_member"] = true
	w.processed(w.bot.Push(leave))
	if len(w.okCalls("deleteMessage", groupID, 0)) != 1 {
		t.Fatal("prompt not removed when the user left")
	}
	w.fake.SetMember(chanA, userID, fakebot.Member{Status: "member"})
	w.exec("delete from nezuko.membership_cache") // the negative answer expired
	w.processed(w.bot.Push(chatMemberUpdate(groupID, "supergroup", userID, "left", "member")))
	r := w.okCalls("restrictChatMember", groupID, userID)
	if len(r) != 2 || perms(t, r[1])["can_send_messages"] != true {
		t.Fatalf("a subscribed returning user was not unmuted: %d restrict calls", len(r))
	}
}

func TestRefusedUnmuteIsKeptOnFileAndRetried(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, "", chanA)
	w.serve()
	w.muted(groupID, userID)
	w.fake.SetMember(chanA, userID, fakebot.Member{Status: "member"})
	w.fake.Inject(fakebot.Fault{Method: "restrictChatMember", Count: 1, Code: 400, Description: "Bad Request: not enough rights to restrict/unrestrict chat member"})
	w.processed(w.bot.Push(chatMemberUpdate(chanA, "channel", userID, "left", "member")))
	if got := w.scalar("select muted from nezuko.group_restrictions where group_id = $1 and user_id = $2", groupID, userID); got != "true" {
		t.Fatalf("after a refused unmute the user is no longer on file: %s", got)
	}
	if m := w.fake.MemberOf(groupID, userID); m.Status != "restricted" {
		t.Fatalf("fake says %s", m.Status)
	}
	w.processed(w.bot.Push(callbackUpdate(groupID, userID, fmt.Sprintf("nzv:%d", userID))))
	if m := w.fake.MemberOf(groupID, userID); m.Status != "member" {
		t.Fatalf("the retry did not unmute: %s", m.Status)
	}
}

func TestEditedMessagesAreEnforcedToo(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"delete"}`, chanA)
	w.serve()
	m := w.message(groupID, userID, "edited")
	m["edited_message"] = m["message"]
	delete(m, "message")
	w.processed(w.bot.Push(m))
	if w.fake.MessageExists(groupID, m["edited_message"].(map[string]any)["message_id"].(int64)) {
		t.Fatal("an edited message from a non-subscriber was left")
	}
}
