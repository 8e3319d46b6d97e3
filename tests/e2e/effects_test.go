package e2e

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nezuko-bot/nezuko/tests/fakebot"
)

// The durable effects (nezuko.bot_effects) through the binary: whatever
// stops a serve (a graceful stop, a kill -9, a takeover), a decision's Bot
// API calls are made exactly once, and a busy chat never holds up another.

// kill9 kills a serve at once: no shutdown code runs.
func kill9(t *testing.T, p *process) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// exactlyOnce waits until the non-subscriber's mute and prompt are done, then
// checks that neither was made twice and that nothing is left pending.
func (w *botWorld) exactlyOnce(group, user int64) {
	w.t.Helper()
	waitFor(w.t, "the mute and the prompt carried out", func() bool {
		return len(w.okCalls("restrictChatMember", group, user)) >= 1 && len(w.okCalls("sendMessage", group, 0)) >= 1 &&
			w.scalar("select count(*) from nezuko.bot_effects where status in ('pending', 'running')") == "0"
	})
	time.Sleep(300 * time.Millisecond) // a second call, were there one, would show now
	if n := len(w.okCalls("restrictChatMember", group, user)); n != 1 {
		w.t.Fatalf("restrictChatMember made %d times, want exactly 1", n)
	}
	if n := len(w.calls("sendMessage", group, 0)); n != 1 {
		w.t.Fatalf("the prompt was sent %d times, want exactly 1", n)
	}
	if got := w.scalar("select muted::text || ':' || (muted_at is not null)::text from nezuko.group_restrictions where group_id = $1 and user_id = $2", group, user); got != "true:true" {
		w.t.Fatalf("the member's state after the effects: %s, want muted and confirmed", got)
	}
}

func TestGracefulStopDuringRetryAfterLosesNoEffect(t *testing.T) {
	t.Parallel() // waits on leases, retry_after and backoffs: overlap them
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"mute"}`, chanA)
	w.fake.Inject(fakebot.Fault{Method: "restrictChatMember", Count: 1, Code: 429, RetryAfter: 4})
	p := w.serve()
	w.bot.Push(w.message(groupID, userID, "spam"))
	waitFor(t, "the 429 on the mute", func() bool { return len(w.calls("restrictChatMember", groupID, userID)) == 1 })
	p.stop(t) // during the retry_after pause
	if n := len(w.okCalls("restrictChatMember", groupID, userID)); n != 0 {
		t.Fatalf("%d mutes before the restart", n)
	}
	if got := w.scalar("select count(*) from nezuko.bot_effects where method = 'restrictChatMember' and status = 'pending'"); got != "1" {
		t.Fatalf("pending mute effects after the stop: %s", got)
	}
	w.serve()
	w.exactlyOnce(groupID, userID)
}

func TestKillDuringASendNeitherLosesNorDoublesIt(t *testing.T) {
	t.Parallel() // waits on leases, retry_after and backoffs: overlap them
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"mute"}`, chanA)
	w.exec("update nezuko.admin_config set value = '5' where key = 'effect_lease_seconds'")
	// The prompt reaches Telegram, but its answer never comes back to the
	// process that sent it.
	w.fake.Slow("sendMessage", 1, 30*time.Second)
	p := w.serve()
	w.bot.Push(w.message(groupID, userID, "spam"))
	waitFor(t, "the prompt in flight", func() bool { return len(w.calls("sendMessage", groupID, 0)) == 1 })
	kill9(t, p)
	w.serve()
	// The lease expires, and the send, whose outcome is unknown, is not
	// made again; the mute before it was done once.
	waitFor(t, "the interrupted send settled", func() bool {
		return w.scalar("select status from nezuko.bot_effects where method = 'sendMessage'") == "unknown"
	})
	if n := len(w.calls("sendMessage", groupID, 0)); n != 1 {
		t.Fatalf("the prompt was sent %d times, want 1", n)
	}
	if n := len(w.okCalls("restrictChatMember", groupID, userID)); n != 1 {
		t.Fatalf("restrictChatMember made %d times, want 1", n)
	}
}

func TestKillBetweenDecisionAndCallsResumesEveryEffectOnce(t *testing.T) {
	t.Parallel() // waits on leases, retry_after and backoffs: overlap them
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"both"}`, chanA)
	w.exec("update nezuko.admin_config set value = '5' where key = 'effect_lease_seconds'")
	// The delete is slow: the mute and the prompt behind it are decided and
	// committed, but not yet made, when the process dies.
	w.fake.Slow("deleteMessage", 1, 30*time.Second)
	p := w.serve()
	id := w.bot.Push(w.message(groupID, userID, "spam"))
	waitFor(t, "the delete in flight", func() bool { return len(w.calls("deleteMessage", groupID, 0)) == 1 })
	if got := w.scalar("select count(*) from nezuko.bot_effects where source = 'update:' || $1::bigint", id); got != "3" {
		t.Fatalf("effects of the decision: %s, want 3 (delete, mute, prompt)", got)
	}
	kill9(t, p)
	if n := len(w.calls("restrictChatMember", groupID, userID)); n != 0 {
		t.Fatalf("the mute went out before the kill (%d): the test proves nothing", n)
	}
	w.serve()
	w.exactlyOnce(groupID, userID)
	if n := len(w.okCalls("deleteMessage", groupID, 0)); n > 2 {
		t.Fatalf("deleteMessage made %d times", n) // repeatable: at most once more after the rescue
	}
}

func TestSecondServeTakesOverABotAndItsPendingEffects(t *testing.T) {
	t.Parallel() // waits on leases, retry_after and backoffs: overlap them
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"mute"}`, chanA)
	// A kill between Telegram's 429 and its report leaves the effect running
	// under the dead process's lease: it resumes when the lease expires.
	w.exec("update nezuko.admin_config set value = '5' where key = 'effect_lease_seconds'")
	w.fake.Inject(fakebot.Fault{Method: "restrictChatMember", Count: 1, Code: 429, RetryAfter: 3})
	p1 := w.serve()
	waitFor(t, "the first serve owns the bot", func() bool { return strings.Contains(p1.Logs(), "bot polling") })
	p2 := w.serve()
	waitFor(t, "the second stands by", func() bool { return strings.Contains(p2.Logs(), "standing by") })
	w.bot.Push(w.message(groupID, userID, "spam"))
	waitFor(t, "the 429 on the mute", func() bool { return len(w.calls("restrictChatMember", groupID, userID)) == 1 })
	kill9(t, p1)
	waitFor(t, "the second serve takes over", func() bool { return strings.Contains(p2.Logs(), "bot polling") })
	w.exactlyOnce(groupID, userID)
	if got := w.scalar("select status from nezuko.bot_status where bot_instance_id = $1", w.botID); got != "online" {
		t.Fatalf("bot status after the takeover: %s", got)
	}
}

func TestStoppingAStandbyDoesNotShowTheBotOffline(t *testing.T) {
	t.Parallel() // waits on leases, retry_after and backoffs: overlap them
	w := newBotWorld(t)
	p1 := w.serve()
	waitFor(t, "the first serve owns the bot", func() bool { return strings.Contains(p1.Logs(), "bot polling") })
	p2 := w.serve()
	waitFor(t, "the second stands by", func() bool { return strings.Contains(p2.Logs(), "standing by") })
	waitFor(t, "the bot online", func() bool {
		return w.scalar("select status from nezuko.bot_status where bot_instance_id = $1", w.botID) == "online"
	})
	p2.stop(t)
	if got := w.scalar("select status from nezuko.bot_status where bot_instance_id = $1", w.botID); got != "online" {
		t.Fatalf("a standby's graceful stop marked the bot %s while another instance serves it", got)
	}
	p1.stop(t)
	if got := w.scalar("select status from nezuko.bot_status where bot_instance_id = $1", w.botID); got != "offline" {
		t.Fatalf("the owner's stop left the bot %s", got)
	}
}

func TestABacklogInOneGroupDoesNotDelayAMuteInAnother(t *testing.T) {
	const groupB int64 = -1001000000077
	const backlog = 110
	w := newBotWorld(t)
	w.fake.AddChat(groupB, "supergroup", "Quiet Group", "")
	w.fake.SetMember(groupB, botUserID, fakebot.Member{Status: "administrator", Rights: fakebot.AdminRights()})
	w.fake.SetMember(groupB, user2ID, fakebot.Member{Status: "member"})
	w.protect(groupID, `{"mode":"mute"}`, chanA)
	w.protect(groupB, `{"mode":"mute"}`, chanA)
	// Intake's own checks are not what this measures: a generous global rate.
	w.exec("update nezuko.admin_config set value = '1000' where key = 'rate_limit_global_per_second'")
	w.serve()
	var last int64
	for i := range backlog {
		u := int64(8_000_000 + i)
		w.fake.SetMember(groupID, u, fakebot.Member{Status: "member"})
		last = w.bot.Push(w.message(groupID, u, fmt.Sprintf("spam %d", i)))
	}
	waitFor(t, "the backlog decided", func() bool {
		return w.scalar("select count(*) from nezuko.processed_updates where update_id = $1", last) == "1"
	})
	waitFor(t, "the group's prompts held by its per-chat limit", func() bool {
		return w.scalar("select count(*) >= 90 from nezuko.bot_effects where chat_id = $1 and method = 'sendMessage' and status in ('pending', 'running')", groupID) == "true"
	})
	pushed := time.Now()
	w.bot.Push(w.message(groupB, user2ID, "spam in the quiet group"))
	waitFor(t, "the mute in the quiet group", func() bool { return len(w.okCalls("restrictChatMember", groupB, user2ID)) == 1 })
	took := w.okCalls("restrictChatMember", groupB, user2ID)[0].Time.Sub(pushed)
	pending := w.scalar("select count(*) from nezuko.bot_effects where chat_id = $1 and method = 'sendMessage' and status in ('pending', 'running')", groupID)
	t.Logf("mute in the quiet group %v after its message, with %s prompts still waiting in the busy one", took, pending)
	if took > time.Second {
		t.Fatalf("the quiet group's mute took %v behind the busy group's backlog", took)
	}
}

func TestPersistentServerErrorsFailOneEffectVisiblyWithoutStallingTheChat(t *testing.T) {
	t.Parallel() // waits on leases, retry_after and backoffs: overlap them
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"both"}`, chanA)
	w.exec("update nezuko.admin_config set value = '2' where key = 'effect_max_attempts'")
	w.fake.Inject(fakebot.Fault{Method: "deleteMessage", Count: 1000, Code: 500, Description: "Internal Server Error"})
	w.serve()
	w.processed(w.bot.Push(w.message(groupID, userID, "spam")))
	if got := w.scalar("select status || ':' || error_type from nezuko.bot_effects where method = 'deleteMessage'"); got != "failed:server_error" {
		t.Fatalf("the failing delete: %s", got)
	}
	if len(w.okCalls("restrictChatMember", groupID, userID)) != 1 || len(w.okCalls("sendMessage", groupID, 0)) != 1 {
		t.Fatal("the chat's later effects were held up by the failing one")
	}
	if got := w.scalar("select count(*) from nezuko.admin_logs where logger = 'effects' and level = 'ERROR'"); got != "1" {
		t.Fatalf("admin_logs ERROR rows for the failed effect: %s", got)
	}
	if got := w.scalar("select health || ': ' || health_reason from nezuko.protected_groups where group_id = $1", groupID); !strings.HasPrefix(got, "warning: Telegram kept failing: deleteMessage") {
		t.Fatalf("group health after the failed effect: %s", got)
	}
}

func TestARevokedTokenTurnsTheBotToError(t *testing.T) {
	t.Parallel() // waits on leases, retry_after and backoffs: overlap them
	w := newBotWorld(t)
	w.serve()
	waitFor(t, "the bot online", func() bool {
		return w.scalar("select status from nezuko.bot_status where bot_instance_id = $1", w.botID) == "online"
	})
	w.fake.Inject(fakebot.Fault{Method: "getUpdates", Count: 1000, Code: 401, Description: "Unauthorized"})
	waitFor(t, "the bot in error", func() bool {
		return w.scalar("select status from nezuko.bot_status where bot_instance_id = $1", w.botID) == "error"
	})
	if got := w.scalar("select status_reason from nezuko.bot_status where bot_instance_id = $1", w.botID); !strings.Contains(got, "refuses the bot's token") {
		t.Fatalf("status_reason: %s", got)
	}
}

func TestRepeatedServerErrorsDegradeTheBot(t *testing.T) {
	t.Parallel() // waits on leases, retry_after and backoffs: overlap them
	w := newBotWorld(t)
	w.serve()
	waitFor(t, "the bot online", func() bool {
		return w.scalar("select status from nezuko.bot_status where bot_instance_id = $1", w.botID) == "online"
	})
	w.fake.Inject(fakebot.Fault{Method: "getUpdates", Count: 3, Code: 502, Description: "Bad Gateway"})
	waitFor(t, "the bot degraded", func() bool {
		return w.scalar("select status from nezuko.bot_status where bot_instance_id = $1", w.botID) == "degraded"
	})
	var events string
	waitFor(t, "a status_changed event", func() bool {
		events = w.scalar("select count(*) from nezuko.realtime_events where kind = 'status_changed' and data->>'status' = 'degraded'")
		return events != "0"
	})
}

func TestAMissingRightTurnsTheGroupToErrorAndStatusSaysSo(t *testing.T) {
	t.Parallel() // waits on leases, retry_after and backoffs: overlap them
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"mute"}`, chanA)
	w.fake.Inject(fakebot.Fault{Method: "restrictChatMember", Count: 1, Code: 400, Description: "Bad Request: not enough rights to restrict/unrestrict chat member"})
	w.serve()
	w.processed(w.bot.Push(w.message(groupID, userID, "spam")))
	waitFor(t, "the group's health to name the missing right", func() bool {
		return strings.Contains(w.scalar("select health || ': ' || health_reason from nezuko.protected_groups where group_id = $1", groupID),
			`error: the bot lacks the right "Ban users"`)
	})
	w.processed(w.bot.Push(w.message(groupID, adminID, "/status")))
	replies := w.okCalls("sendMessage", groupID, 0)
	if len(replies) == 0 || !strings.Contains(fmt.Sprint(replies[len(replies)-1].Params["text"]), "Ban users") {
		t.Fatalf("/status does not name the missing right: %v", replies)
	}
}

func TestAChannelTheBotCannotCheckCostsOneCallPerTTL(t *testing.T) {
	t.Parallel() // waits on leases, retry_after and backoffs: overlap them
	w := newBotWorld(t)
	w.protect(groupID, `{"mode":"delete","fail_mode":"open"}`, chanA)
	w.fake.SetMember(chanA, botUserID, fakebot.Member{Status: "member"}) // not an admin: members are hidden
	w.serve()
	for i := range 4 {
		w.processed(w.bot.Push(w.message(groupID, userID, fmt.Sprintf("hello %d", i))))
	}
	if n := len(w.calls("getChatMember", chanA, userID)); n != 1 {
		t.Fatalf("getChatMember(channel) made %d times for 4 messages, want 1 (the failure is cached)", n)
	}
	if got := w.scalar("select health from nezuko.protected_groups where group_id = $1", groupID); got == "ok" {
		t.Fatal("the group's health does not say a channel cannot be checked")
	}
}
