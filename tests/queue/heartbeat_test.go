package queue_test

import (
	"context"
	"testing"
	"time"

	"github.com/nezuko-bot/nezuko/gobridge/heartbeat"
)

func TestHeartbeatUpsertsStatusAndWritesOfflineOnStop(t *testing.T) {
	pool, _ := newDB(t)
	bot := insertBot(t, pool, 4242)
	execSQL(t, pool, `insert into nezuko.admin_commands (command_type, payload, bot_instance_id, run_after)
		values ('leave_group', '{"group_id": -100}', $1, now() + interval '1 hour')`, bot)
	var handled int64
	hb, err := heartbeat.Start(context.Background(), pool, bot, heartbeat.Options{
		Version: "v-test", Interval: 100 * time.Millisecond,
		Counters: func() map[string]any { handled++; return map[string]any{"updates_handled": handled} },
	})
	if err != nil {
		t.Fatal(err)
	}
	if st := queryText(t, pool, `select status from nezuko.bot_status where bot_instance_id = $1`, bot); st != "starting" {
		t.Errorf("status right after Start = %q, want starting", st)
	}
	hb.SetStatus(heartbeat.Online)
	waitFor(t, 5*time.Second, "online with counters", func() bool {
		return queryInt(t, pool, `select count(*) from nezuko.bot_status where bot_instance_id = $1 and status = 'online'
			and (metadata->>'updates_handled')::int >= 3 and (metadata->>'queue_depth')::int = 1
			and version = 'v-test' and instance like '%:%'`, bot) == 1
	})
	first := queryText(t, pool, `select last_heartbeat::text from nezuko.bot_status where bot_instance_id = $1`, bot)
	time.Sleep(1100 * time.Millisecond)
	if queryText(t, pool, `select last_heartbeat::text from nezuko.bot_status where bot_instance_id = $1`, bot) == first {
		t.Error("last_heartbeat did not move")
	}
	if up := queryInt(t, pool, `select uptime_seconds from nezuko.bot_status where bot_instance_id = $1`, bot); up < 1 {
		t.Errorf("uptime_seconds = %d after more than a second", up)
	}
	hb.Stop()
	if st := queryText(t, pool, `select status from nezuko.bot_status where bot_instance_id = $1`, bot); st != "offline" {
		t.Errorf("status after Stop = %q, want offline", st)
	}
}

func TestHeartbeatFollowsTheConfiguredInterval(t *testing.T) {
	pool, _ := newDB(t)
	bot := insertBot(t, pool, 4343)
	execSQL(t, pool, `update nezuko.admin_config set value = '1' where key = 'heartbeat_interval_seconds'`)
	ctx, cancel := context.WithCancel(context.Background())
	hb, err := heartbeat.Start(ctx, pool, bot, heartbeat.Options{})
	if err != nil {
		t.Fatal(err)
	}
	execSQL(t, pool, `update nezuko.bot_status set last_heartbeat = now() - interval '1 hour' where bot_instance_id = $1`, bot)
	waitFor(t, 5*time.Second, "a beat within the 1 s interval", func() bool {
		return queryInt(t, pool, `select count(*) from nezuko.bot_status where bot_instance_id = $1 and last_heartbeat > now() - interval '3 seconds'`, bot) == 1
	})
	cancel() // the serve context ending is a clean shutdown too
	hb.Stop()
	if st := queryText(t, pool, `select status from nezuko.bot_status where bot_instance_id = $1`, bot); st != "offline" {
		t.Errorf("status after the context ended = %q, want offline", st)
	}
}
