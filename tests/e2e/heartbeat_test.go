package e2e

import (
	"strconv"
	"testing"
)

// A bot served by `nezuko serve` writes bot_status: online with live
// counters while it runs, a fresh beat every interval, offline on shutdown.
func TestRunningBotHeartbeatsOnlineThenOfflineOnShutdown(t *testing.T) {
	w := newBotWorld(t)
	w.exec(`update nezuko.admin_config set value = '1' where key = 'heartbeat_interval_seconds'`)
	w.protect(groupID, `{"mode":"both"}`, chanA)
	p := w.serve()

	waitFor(t, "bot_status online", func() bool {
		return w.scalar("select status from nezuko.bot_status where bot_instance_id = $1", w.botID) == "online"
	})
	w.processed(w.bot.Push(w.message(groupID, userID, "hello")))
	first := w.scalar("select last_heartbeat from nezuko.bot_status where bot_instance_id = $1", w.botID)
	waitFor(t, "a later beat counting the handled update", func() bool {
		n, _ := strconv.Atoi(w.scalar("select coalesce(metadata->>'updates_handled', '0') from nezuko.bot_status where bot_instance_id = $1", w.botID))
		return n >= 1 && w.scalar("select last_heartbeat from nezuko.bot_status where bot_instance_id = $1", w.botID) != first
	})
	if v := w.scalar("select version is not null and instance is not null from nezuko.bot_status where bot_instance_id = $1", w.botID); v != "true" {
		t.Errorf("bot_status lacks version or instance")
	}

	p.stop(t)
	if got := w.scalar("select status from nezuko.bot_status where bot_instance_id = $1", w.botID); got != "offline" {
		t.Fatalf("after shutdown bot_status = %q, want offline", got)
	}
}
