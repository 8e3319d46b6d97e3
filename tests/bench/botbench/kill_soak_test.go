package botbench

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fernet/fernet-go"

	"github.com/nezuko-bot/nezuko/tests/fakebot"
	"github.com/nezuko-bot/nezuko/tests/testdb"
)

// TestBenchEffectsKillSoak runs `nezuko serve` (NEZUKO_BIN) against the fake
// Bot API under a steady stream of non-subscribers (mode both: a delete, a
// mute and a prompt each), kills it with SIGKILL halfway, starts another,
// and counts, per update, what Telegram saw: an effect lost (a message not
// deleted, a member not muted, a prompt neither sent nor ended as
// "unknown") or shown twice (a prompt sent twice) must be 0. Repeats of
// idempotent calls after the kill (a second restrict or delete of the same
// target, which Telegram answers harmlessly) are counted apart.
func TestBenchEffectsKillSoak(t *testing.T) {
	if os.Getenv("NEZUKO_BENCH") != "1" || os.Getenv("NEZUKO_BIN") == "" {
		t.Skip("benchmark: run with just bench-bot")
	}
	ctx := context.Background()
	pool, url := testdb.NewPool(t)
	fake := fakebot.New()
	defer fake.Close()
	const (
		groups        = 32
		first   int64 = -1006000000000
		chanID  int64 = -1006100000000
		botUser int64 = 8100001
	)
	token := "8100001:KILL-soak-token"
	b := fake.AddBot(token, botUser, "kill_bot")
	fake.AddChat(chanID, "channel", "Soak channel", "soak_chan")
	fake.SetMember(chanID, botUser, fakebot.Member{Status: "administrator"})
	var k fernet.Key
	_ = k.Generate()
	sealed, _ := fernet.EncryptAndSign([]byte(token), &k)
	sum := sha256.Sum256([]byte(token))
	must := func(sql string, args ...any) {
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	var botID int64
	if err := pool.QueryRow(ctx, `insert into nezuko.bot_instances (bot_user_id, username, token_encrypted, token_sha256)
		values ($1, 'kill_bot', $2, $3) returning id`, botUser, string(sealed), sum[:]).Scan(&botID); err != nil {
		t.Fatal(err)
	}
	must(`insert into nezuko.enforced_channels (channel_id, username, title) values ($1, 'soak_chan', 'Soak channel')`, chanID)
	for g := range groups {
		gid := first - int64(g)
		fake.AddChat(gid, "supergroup", "S", "")
		fake.SetMember(gid, botUser, fakebot.Member{Status: "administrator", Rights: fakebot.AdminRights()})
		must(`insert into nezuko.protected_groups (group_id, bot_instance_id, title, params) values ($1, $2, 'S', '{"mode": "both"}')`, gid, botID)
		must(`insert into nezuko.group_channel_links (group_id, channel_id) values ($1, $2)`, gid, chanID)
	}
	// Telegram's real limits would make the prompts' backlog the subject;
	// the soak is about what a kill does, so the limits are at their maximum.
	must(`update nezuko.admin_config set value = '1000' where key = 'rate_limit_global_per_second'`)
	must(`update nezuko.admin_config set value = '600' where key = 'rate_limit_per_chat_per_minute'`)
	must(`update nezuko.admin_config set value = '5' where key = 'effect_lease_seconds'`)

	serveEnv := []string{"PATH=" + os.Getenv("PATH"), "DATABASE_URL=" + url, "NEZUKO_FERNET_KEYS=" + k.Encode(),
		"NEZUKO_TELEGRAM_API_URL=" + fake.URL, "NEZUKO_BOT_RELOAD=200ms", "NEZUKO_BOT_POLL_TIMEOUT=1s", "NEZUKO_LOG_DB=off"}
	start := func() *exec.Cmd {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		cmd := exec.Command(os.Getenv("NEZUKO_BIN"), "serve")
		cmd.Env = append(serveEnv, "NEZUKO_HTTP_ADDR="+addr)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
				resp.Body.Close()
				return cmd
			}
			if time.Now().After(deadline) {
				t.Fatal("serve did not start")
			}
		}
	}
	p := start()
	defer func() {
		_ = p.Process.Signal(os.Interrupt)
		_, _ = p.Process.Wait()
	}()

	soak := time.Duration(env("BENCH_KILL_SOAK_SECONDS", 60)) * time.Second
	rate := env("BENCH_KILL_SOAK_RATE", 50)
	type sent struct {
		group, msg, user int64
	}
	var all []sent
	user := int64(20_000_000)
	began := time.Now()
	killed := false
	var recovered time.Duration
	for time.Since(began) < soak {
		tick := time.Now()
		for i := 0; i < rate/10; i++ {
			user++
			gid := first - user%groups
			fake.SetMember(gid, user, fakebot.Member{Status: "member"})
			msg := fake.NewMessageID(gid)
			b.Push(map[string]any{"message": map[string]any{"message_id": msg, "date": 0, "text": "spam",
				"chat": map[string]any{"id": gid, "type": "supergroup"},
				"from": map[string]any{"id": user, "is_bot": false, "first_name": "K"}}})
			all = append(all, sent{gid, msg, user})
		}
		if !killed && time.Since(began) > soak/2 {
			_ = p.Process.Signal(syscall.SIGKILL)
			_, _ = p.Process.Wait()
			k0 := time.Now()
			p = start()
			recovered = time.Since(k0)
			killed = true
		}
		time.Sleep(time.Until(tick.Add(100 * time.Millisecond)))
	}
	// Wait for the outbox to drain (leases of the killed process expire).
	var pending int
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		_ = pool.QueryRow(ctx, `select (select count(*) from nezuko.bot_effects where status in ('pending', 'running'))
			+ (select $1::int - count(*) from nezuko.processed_updates where bot_instance_id = $2)`, len(all), botID).Scan(&pending)
		if pending == 0 || time.Now().After(deadline) {
			break
		}
	}
	deletes, mutes, prompts := map[string]int{}, map[string]int{}, map[string]int{}
	key := func(a, b any) string { return fmt.Sprint(a) + "/" + fmt.Sprint(b) }
	for _, c := range fake.Calls("") {
		switch c.Method {
		case "deleteMessage":
			if c.Status == 200 {
				deletes[key(c.Params["chat_id"], c.Params["message_id"])]++
			} else {
				deletes[key(c.Params["chat_id"], c.Params["message_id"])+"/again"]++
			}
		case "restrictChatMember":
			mutes[key(c.Params["chat_id"], c.Params["user_id"])]++
		case "sendMessage":
			if s, ok := c.Params["text"].(string); ok {
				prompts[key(c.Params["chat_id"], userIn(s))]++
			}
		}
	}
	// A prompt whose send was interrupted by the kill ends as "unknown"
	// (it may or may not have reached Telegram): it is not sent again, and
	// not counted as lost.
	unknownPrompt := map[string]bool{}
	rows, err := pool.Query(ctx, `select chat_id, (outcome->0->>'user_id')::bigint from nezuko.bot_effects
		where status = 'unknown' and method = 'sendMessage'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var g, u int64
		_ = rows.Scan(&g, &u)
		unknownPrompt[key(g, u)] = true
	}
	rows.Close()
	unknown := len(unknownPrompt)
	lost, doubled, repeated := 0, 0, 0
	for _, s := range all {
		d := deletes[key(s.group, s.msg)]
		m := mutes[key(s.group, s.user)]
		pr := prompts[key(s.group, s.user)]
		if d == 0 || m == 0 || (pr == 0 && !unknownPrompt[key(s.group, s.user)]) {
			lost++
		}
		if pr > 1 || d > 1 {
			doubled++
		}
		repeated += max(m-1, 0) + deletes[key(s.group, s.msg)+"/again"]
	}
	fmt.Printf("\n### kill -9 during a soak (`just bench-bot`): %d updates at %d/s over %s, serve killed at %s\n\n", len(all), rate, soak, soak/2)
	fmt.Println("| updates | effects lost | shown twice | idempotent calls repeated after the kill | sends ended unknown | left pending | restart to /healthz |")
	fmt.Println("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	fmt.Printf("| %d | %d | %d | %d | %d | %d | %.0f ms |\n", len(all), lost, doubled, repeated, unknown, pending, float64(recovered.Milliseconds()))
	state := "met"
	if lost != 0 || doubled != 0 || pending != 0 {
		state = "NOT met"
	}
	fmt.Printf("\nTARGET | 0 effects lost or doubled across a kill -9 during a soak | %s | %d lost, %d shown twice, %d pending of %d updates\n", state, lost, doubled, pending, len(all))
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("machine: %d CPUs (load average %s)\n", runtime.NumCPU(), strings.TrimSpace(string(load)))
	if lost != 0 || doubled != 0 || pending != 0 {
		t.Errorf("effects lost %d, shown twice %d, pending %d", lost, doubled, pending)
	}
}

// userIn finds the user id in a prompt's mention (tg://user?id=N).
func userIn(text string) int64 {
	const m = "tg://user?id="
	for i := 0; i+len(m) < len(text); i++ {
		if text[i:i+len(m)] == m {
			j := i + len(m)
			k := j
			for k < len(text) && text[k] >= '0' && text[k] <= '9' {
				k++
			}
			n, _ := strconv.ParseInt(text[j:k], 10, 64)
			return n
		}
	}
	return 0
}
