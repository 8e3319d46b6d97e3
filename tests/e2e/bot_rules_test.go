package e2e

// The enforcement rules a group admin relies on (issue 13), one test per
// behaviour, through the binary against the fake Bot API.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nezuko-bot/nezuko/tests/fakebot"
)

// Telegram's stand-in users for messages sent as a chat.
const (
	channelBotID        int64 = 136817688  // Channel_Bot: "from" of a message sent as a channel
	groupAnonymousBotID int64 = 1087968824 // GroupAnonymousBot: "from" of an anonymous admin
	linkedChanID        int64 = -1002000000009
	otherChanID         int64 = -1002000000010
)

// asChat turns a message update into one sent on behalf of chat sender, as
// Telegram sends it: from is the stand-in bot, sender_chat the chat.
func asChat(u map[string]any, sender int64, senderType string) map[string]any {
	m := u["message"].(map[string]any)
	from := channelBotID
	if senderType != "channel" {
		from = groupAnonymousBotID
	}
	m["from"] = map[string]any{"id": from, "is_bot": true, "first_name": "Telegram", "username": "Channel_Bot"}
	m["sender_chat"] = map[string]any{"id": sender, "type": senderType, "title": "Sender"}
	return u
}

func msgID(u map[string]any) int64 { return u["message"].(map[string]any)["message_id"].(int64) }

func TestMessagesSentAsAChatAreExemptOnlyForTheGroupItsLinkedChannelAndWhitelistedChannels(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.fake.AddChat(linkedChanID, "channel", "Discussion Channel", "")
	w.fake.AddChat(otherChanID, "channel", "Spam Channel", "")
	w.fake.UpdateChat(groupID, func(c *fakebot.Chat) { c.LinkedChatID = linkedChanID })
	const listedChan int64 = -1002000000011
	w.protect(groupID, fmt.Sprintf(`{"mode":"mute","whitelist":[%d]}`, listedChan), chanA)
	w.serve()

	exempt := []map[string]any{
		asChat(w.message(groupID, 0, "anonymous admin"), groupID, "supergroup"),
		asChat(w.message(groupID, 0, "linked channel speaking"), linkedChanID, "channel"),
		asChat(w.message(groupID, 0, "whitelisted channel"), listedChan, "channel"),
	}
	for _, u := range exempt {
		w.processed(w.bot.Push(u))
		if !w.fake.MessageExists(groupID, msgID(u)) {
			t.Fatalf("an exempt sender chat's message was deleted: %v", u["message"].(map[string]any)["text"])
		}
	}
	// Any other chat: deleted even in mute mode, nobody muted or prompted.
	spam := asChat(w.message(groupID, 0, "posting as another channel"), otherChanID, "channel")
	w.processed(w.bot.Push(spam))
	if w.fake.MessageExists(groupID, msgID(spam)) {
		t.Fatal("a message sent as a foreign channel was not deleted")
	}
	if n := len(w.calls("restrictChatMember", 0, 0)) + len(w.calls("sendMessage", 0, 0)); n != 0 {
		t.Fatalf("a sender chat was muted or prompted (%d calls): there is no member to mute", n)
	}
	if w.fake.SenderChatBanned(groupID, otherChanID) {
		t.Fatal("banned without the setting")
	}
	// sender_chat_action ban: deleted and the chat banned.
	w.exec(`update nezuko.protected_groups set params = params || '{"sender_chat_action": "ban"}'`)
	spam2 := asChat(w.message(groupID, 0, "again"), otherChanID, "channel")
	w.processed(w.bot.Push(spam2))
	if w.fake.MessageExists(groupID, msgID(spam2)) || !w.fake.SenderChatBanned(groupID, otherChanID) {
		t.Fatal("sender_chat_action=ban did not delete and ban the sender chat")
	}
	// allow: left alone.
	w.exec(`update nezuko.protected_groups set params = params || '{"sender_chat_action": "allow"}'`)
	ok := asChat(w.message(groupID, 0, "allowed"), otherChanID, "channel")
	w.processed(w.bot.Push(ok))
	if !w.fake.MessageExists(groupID, msgID(ok)) {
		t.Fatal("sender_chat_action=allow still deleted")
	}
	if got := w.scalar("select linked_chat_id from nezuko.protected_groups"); got != fmt.Sprint(linkedChanID) {
		t.Fatalf("linked chat not learned from getChat: %s", got)
	}
}

func TestJoinedServiceMessagesStartTheSameCheckAsAChatMemberJoin(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"both"}`, chanA)
	w.fake.SetMember(chanA, user2ID, fakebot.Member{Status: "member"})
	w.serve()
	u := w.message(groupID, userID, "")
	m := u["message"].(map[string]any)
	delete(m, "text")
	m["new_chat_members"] = []any{
		map[string]any{"id": userID, "is_bot": false, "first_name": "New"},
		map[string]any{"id": user2ID, "is_bot": false, "first_name": "Subscribed"},
		map[string]any{"id": 4242, "is_bot": true, "first_name": "SomeBot"},
	}
	w.processed(w.bot.Push(u))
	if len(w.okCalls("restrictChatMember", groupID, userID)) != 1 || len(w.okCalls("sendMessage", groupID, 0)) != 1 {
		t.Fatal("a non-subscriber who joined (service message only) was not muted and prompted")
	}
	if len(w.calls("restrictChatMember", groupID, user2ID)) != 0 {
		t.Fatal("a subscribed new member was muted")
	}
	if !w.fake.MessageExists(groupID, msgID(u)) {
		t.Fatal("the service message itself was deleted")
	}
}

func TestExemptMembersAreNotLoggedAsRestricted(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.fake.SetMember(groupID, user2ID, fakebot.Member{Status: "administrator"})
	w.protect(groupID, `{"mode":"both"}`, chanA)
	w.serve()
	w.processed(w.bot.Push(w.message(groupID, adminID, "the creator, not subscribed")))
	w.processed(w.bot.Push(w.message(groupID, user2ID, "an administrator, not subscribed")))
	w.processed(w.bot.Push(w.message(groupID, userID, "a member, not subscribed")))
	if got := w.scalar("select string_agg(user_id || ':' || status, ',' order by id) from nezuko.verification_log"); got != fmt.Sprintf("%d:restricted", userID) {
		t.Fatalf("verification_log = %s, want only the member's restricted row", got)
	}
	if n := len(w.calls("restrictChatMember", 0, 0)); n != 1 {
		t.Fatalf("%d mutes, want the member's only", n)
	}
}

func TestEditingAnOldCommandMessageDoesNotRunTheCommandAgain(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, "", chanA)
	w.serve()
	cmd := w.message(groupID, adminID, "/settings mode delete")
	w.processed(w.bot.Push(cmd))
	if n := len(w.okCalls("sendMessage", groupID, 0)); n != 1 {
		t.Fatalf("want one reply to the command, got %d", n)
	}
	w.exec(`update nezuko.protected_groups set params = '{}'`)
	edit := cmd["message"].(map[string]any)
	edit["edit_date"] = time.Now().Unix()
	edit["text"] = "/settings mode both"
	w.processed(w.bot.Push(map[string]any{"edited_message": edit}))
	if n := len(w.okCalls("sendMessage", groupID, 0)); n != 1 {
		t.Fatalf("the edited command was answered again (%d replies)", n)
	}
	if got := w.scalar("select params::text from nezuko.protected_groups"); got != "{}" {
		t.Fatalf("the edited command changed settings: %s", got)
	}
}

func TestTheBotNeverLiftsARestrictionItDidNotMake(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"mute"}`, chanA)
	// An admin already took this member's media rights away.
	adminPerms := map[string]any{"can_send_messages": true, "can_send_photos": false}
	w.fake.SetMember(groupID, userID, fakebot.Member{Status: "restricted", IsMember: true, Permissions: adminPerms})
	w.serve()
	w.processed(w.bot.Push(w.message(groupID, userID, "text is still allowed")))
	if n := len(w.calls("restrictChatMember", groupID, userID)); n != 0 {
		t.Fatalf("the bot restricted a member an admin had restricted (%d calls)", n)
	}
	if got := w.scalar("select muted::text from nezuko.group_restrictions where user_id = $1", userID); got != "false" {
		t.Fatalf("the bot should record that it did not mute: %s", got)
	}
	if len(w.okCalls("sendMessage", groupID, 0)) != 1 {
		t.Fatal("no prompt")
	}
	// Joining the channel: the prompt goes, the admin's restriction stays.
	w.fake.SetMember(chanA, userID, fakebot.Member{Status: "member"})
	w.processed(w.bot.Push(chatMemberUpdate(chanA, "channel", userID, "left", "member")))
	if n := len(w.calls("restrictChatMember", groupID, userID)); n != 0 {
		t.Fatalf("a channel join lifted an admin's restriction (%d calls)", n)
	}
	if m := w.fake.MemberOf(groupID, userID); m.Status != "restricted" {
		t.Fatalf("member is %s, want still restricted by the admin", m.Status)
	}
	if len(w.okCalls("deleteMessage", groupID, 0)) != 1 {
		t.Fatal("the prompt was not removed on the channel join")
	}
}

func TestAMuteLiftedOutsideTheBotClearsItsRecordAndTheNextMessageIsEnforced(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"mute"}`, chanA)
	w.serve()
	w.muted(groupID, userID)
	// An admin unmutes by hand.
	w.fake.SetMember(groupID, userID, fakebot.Member{Status: "member"})
	u := chatMemberUpdate(groupID, "supergroup", userID, "restricted", "member")
	u["chat_member"].(map[string]any)["from"] = map[string]any{"id": adminID, "is_bot": false, "first_name": "Admin"}
	u["chat_member"].(map[string]any)["old_chat_member"].(map[string]any)["is_member"] = true
	w.processed(w.bot.Push(u))
	if got := w.scalar("select count(*) from nezuko.group_restrictions"); got != "0" {
		t.Fatalf("the bot's record survived a manual unmute: %s rows", got)
	}
	w.processed(w.bot.Push(w.message(groupID, userID, "still not subscribed")))
	if n := len(w.okCalls("restrictChatMember", groupID, userID)); n != 2 {
		t.Fatalf("the next message was not enforced again: %d mutes", n)
	}
}

func TestVerifyButtonInADisabledGroupUnmutesInsteadOfRefusing(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"mute"}`, chanA)
	w.serve()
	w.muted(groupID, userID)
	w.exec(`update nezuko.protected_groups set enabled = false where group_id = $1`, groupID)
	w.processed(w.bot.Push(callbackUpdate(groupID, userID, fmt.Sprintf("nzv:%d", userID))))
	r := w.okCalls("restrictChatMember", groupID, userID)
	if len(r) < 2 || perms(t, r[len(r)-1])["can_send_messages"] != true {
		t.Fatal("the press in a disabled group did not unmute")
	}
	if m := w.fake.MemberOf(groupID, userID); m.Status != "member" {
		t.Fatalf("user is %s", m.Status)
	}
	ans := w.okCalls("answerCallbackQuery", 0, 0)
	if len(ans) != 1 || !strings.Contains(fmt.Sprint(ans[0].Params["text"]), "Protection is off") {
		t.Fatalf("answer: %v", ans)
	}
}

func TestBotDemotedInAGroupForgetsWhomItRestrictedAndDeletesItsPrompts(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"mute"}`, chanA)
	w.serve()
	w.muted(groupID, userID)
	u := chatMemberUpdate(groupID, "supergroup", botUserID, "administrator", "member")
	u["my_chat_member"] = u["chat_member"]
	delete(u, "chat_member")
	w.processed(w.bot.Push(u))
	if got := w.scalar("select count(*) from nezuko.group_restrictions"); got != "0" {
		t.Fatalf("restrictions kept by a bot that cannot lift them: %s", got)
	}
	if len(w.okCalls("deleteMessage", groupID, 0)) != 1 {
		t.Fatal("the prompt was not deleted")
	}
	if got := w.scalar("select attributes->>'still_muted_user_ids' from nezuko.admin_logs where message like 'bot lost its admin rights%'"); got != fmt.Sprintf("[%d]", userID) {
		t.Fatalf("the log does not name who stays muted: %s", got)
	}
}

func TestNoPromptForAMemberNoLongerInTheGroup(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	for _, m := range []fakebot.Member{{Status: "left"}, {Status: "kicked"}, {Status: "restricted", IsMember: false}} {
		t.Run(m.Status, func(t *testing.T) {
			w := newBotWorld(t)
			w.protect(groupID, `{"mode":"both"}`, chanA)
			w.fake.SetMember(groupID, userID, m)
			w.serve()
			// An edit arriving after the member left.
			u := w.message(groupID, userID, "edited after leaving")
			edit := u["message"].(map[string]any)
			edit["edit_date"] = time.Now().Unix()
			w.processed(w.bot.Push(map[string]any{"edited_message": edit}))
			if n := len(w.calls("sendMessage", 0, 0)) + len(w.calls("restrictChatMember", 0, 0)); n != 0 {
				t.Fatalf("%d prompt/mute calls for someone no longer in the group", n)
			}
			if w.fake.MessageExists(groupID, msgID(u)) {
				t.Fatal("the message itself should still be deleted (mode both)")
			}
		})
	}
}

func TestAnAutoDeletedPromptIsPostedAgainOnTheNextMessage(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.exec(`update nezuko.admin_config set value = '1' where key = 'prompt_repeat_seconds'`)
	w.protect(groupID, `{"mode":"delete","auto_delete_seconds":1}`, chanA)
	w.serve()
	w.processed(w.bot.Push(w.message(groupID, userID, "one")))
	p := w.okCalls("sendMessage", groupID, 0)
	if len(p) != 1 {
		t.Fatal("no prompt")
	}
	waitFor(t, "prompt auto-deleted and forgotten", func() bool {
		return w.scalar("select prompt_message_id is null from nezuko.group_restrictions") == "true"
	})
	time.Sleep(1100 * time.Millisecond) // prompt_repeat_seconds
	w.processed(w.bot.Push(w.message(groupID, userID, "two")))
	if n := len(w.okCalls("sendMessage", groupID, 0)); n != 2 {
		t.Fatalf("the auto-deleted prompt was not posted again: %d prompts", n)
	}
}

func TestAMutedMembersPromptIsNeverAutoDeleted(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"mute","auto_delete_seconds":1}`, chanA)
	w.serve()
	w.muted(groupID, userID)
	time.Sleep(2500 * time.Millisecond)
	if n := len(w.calls("deleteMessage", groupID, 0)); n != 0 {
		t.Fatalf("the prompt of a muted member was deleted (%d): they would have no button", n)
	}
}

func TestInForumGroupsThePromptGoesToTheTopicTheMemberWroteIn(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.fake.UpdateChat(groupID, func(c *fakebot.Chat) { c.IsForum = true; c.Topics = map[int64]bool{77: true} })
	w.protect(groupID, `{"mode":"mute"}`, chanA)
	w.serve()
	u := w.message(groupID, userID, "in a topic")
	u["message"].(map[string]any)["message_thread_id"] = 77
	u["message"].(map[string]any)["is_topic_message"] = true
	w.processed(w.bot.Push(u))
	p := w.okCalls("sendMessage", groupID, 0)
	if len(p) != 1 || fmt.Sprint(p[0].Params["message_thread_id"]) != "77" {
		t.Fatalf("prompt not sent to topic 77: %v", p)
	}
}

func TestAChannelLinkedByIDThroughTheAPIIsSyncedAtOnce(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	const privChan int64 = -1002000000042
	w.fake.AddChat(privChan, "channel", "Private Channel", "")
	w.fake.UpdateChat(privChan, func(c *fakebot.Chat) { c.InviteLink = "https://t.me/+privateInvite" })
	w.fake.SetMember(privChan, botUserID, fakebot.Member{Status: "administrator"})
	w.protect(groupID, `{"mode":"mute"}`)
	w.serve()
	w.exec(`select api.link_channel($1, $2)`, groupID, privChan)
	waitFor(t, "the linked channel synced", func() bool {
		return w.scalar("select title || ' ' || invite_link from nezuko.enforced_channels where channel_id = $1", privChan) ==
			"Private Channel https://t.me/+privateInvite"
	})
	w.processed(w.bot.Push(w.message(groupID, userID, "hi")))
	p := w.okCalls("sendMessage", groupID, 0)
	if len(p) != 1 || !strings.Contains(mustJSON(p[0].Params["reply_markup"]), "https://t.me/+privateInvite") {
		t.Fatalf("the prompt has no join button for the channel linked by id: %v", p)
	}
}

func TestAnAnonymousAdminsProtectNeverRecordsGroupAnonymousBotAsOwner(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.serve()
	u := asChat(w.message(groupID, 0, "/protect @chan_a"), groupID, "supergroup")
	w.processed(w.bot.Push(u))
	if got := w.scalar("select enabled::text from nezuko.protected_groups where group_id = $1", groupID); got != "true" {
		t.Fatalf("anonymous admin's /protect did not protect: %s (reply %q)", got, w.lastReply(groupID))
	}
	if got := w.scalar("select coalesce(owner_id::text, 'none') from nezuko.protected_groups"); got != "none" {
		t.Fatalf("owner recorded as %s", got)
	}
	if got := w.scalar("select count(*) from nezuko.owners where user_id = $1", groupAnonymousBotID); got != "0" {
		t.Fatal("GroupAnonymousBot became an owner")
	}
	if got := w.scalar("select count(*) from nezuko.group_channel_links where created_by = $1", groupAnonymousBotID); got != "0" {
		t.Fatal("GroupAnonymousBot recorded as the linking admin")
	}
}

func TestDisablingAGroupThroughTheAPIReleasesEveryoneTheBotRestricted(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"mute"}`, chanA)
	w.serve()
	w.muted(groupID, userID)
	w.muted(groupID, user2ID)
	waitFor(t, "both prompts on file", func() bool {
		return w.scalar("select count(*) from nezuko.group_restrictions where prompt_message_id is not null") == "2"
	})
	w.exec(`select api.update_group($1, false)`, groupID)
	for _, u := range []int64{userID, user2ID} {
		waitFor(t, fmt.Sprintf("user %d unmuted", u), func() bool {
			r := w.okCalls("restrictChatMember", groupID, u)
			return len(r) == 2 && perms(t, r[1])["can_send_messages"]
		})
		if m := w.fake.MemberOf(groupID, u); m.Status != "member" {
			t.Fatalf("user %d is %s after the group was disabled", u, m.Status)
		}
	}
	waitFor(t, "both prompts deleted", func() bool { return len(w.okCalls("deleteMessage", groupID, 0)) == 2 })
	if got := w.scalar("select count(*) from nezuko.group_restrictions"); got != "0" {
		t.Fatalf("%s restrictions left on file", got)
	}
}
