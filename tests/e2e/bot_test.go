package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nezuko-bot/nezuko/tests/fakebot"
)

func TestNonSubscriberIsDeletedMutedAndPromptedOnce(t *testing.T) {
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
	if len(r) != 1 || perms(r[0])["can_send_messages"] != false {
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
