// Package botbench measures the enforcement loop against the fake Bot API
// on loopback: updates per second and decision latency (update received
// from getUpdates → its effect committed, last Bot API call made), on the
// cache-hit path and the cache-miss path (one getChatMember per linked
// channel), and memory over a 5-minute soak (BENCH_SOAK_SECONDS). Run with `just bench-bot`; it is
// skipped unless NEZUKO_BENCH=1.
package botbench

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fernet/fernet-go"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/gobridge/telegram"
	"github.com/nezuko-bot/nezuko/tests/fakebot"
	"github.com/nezuko-bot/nezuko/tests/testdb"
)

const (
	botUser  int64 = 8000001
	channel  int64 = -1003000000001
	nGroups        = 64
	firstGrp int64 = -1004000000000
)

type recorder struct {
	mu   sync.Mutex
	lat  []time.Duration
	done chan struct{}
	want int
}

func (r *recorder) add(_ int64, d time.Duration) {
	r.mu.Lock()
	r.lat = append(r.lat, d)
	n := len(r.lat)
	r.mu.Unlock()
	if n == r.want {
		close(r.done)
	}
}

func (r *recorder) reset(want int) {
	r.mu.Lock()
	r.lat, r.want, r.done = nil, want, make(chan struct{})
	r.mu.Unlock()
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

func env(k string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(k)); err == nil && n > 0 {
		return n
	}
	return def
}

func TestBenchBot(t *testing.T) {
	if os.Getenv("NEZUKO_BENCH") != "1" {
		t.Skip("benchmark: run with just bench-bot")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, url := testdb.NewPool(t)
	workers := env("BENCH_WORKERS", 16)
	pc, _ := pgxpool.ParseConfig(url)
	pc.MaxConns = int32(workers + 4)
	if os.Getenv("BENCH_ASYNC_COMMIT") == "1" {
		pc.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	fake := fakebot.New()
	defer fake.Close()
	token := "8000001:BENCH-token"
	b := fake.AddBot(token, botUser, "bench_bot")
	fake.AddChat(channel, "channel", "Bench channel", "bench_chan")
	fake.SetMember(channel, botUser, fakebot.Member{Status: "administrator"})
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
		values ($1, 'bench_bot', $2, $3) returning id`, botUser, string(sealed), sum[:]).Scan(&botID); err != nil {
		t.Fatal(err)
	}
	must(`insert into nezuko.enforced_channels (channel_id, username, title) values ($1, 'bench_chan', 'Bench channel')`, channel)
	for g := 0; g < nGroups; g++ {
		gid := firstGrp - int64(g)
		fake.AddChat(gid, "supergroup", "G", "")
		fake.SetMember(gid, botUser, fakebot.Member{Status: "administrator", Rights: fakebot.AdminRights()})
		must(`insert into nezuko.protected_groups (group_id, bot_instance_id, title) values ($1, $2, 'G')`, gid, botID)
		must(`insert into nezuko.group_channel_links (group_id, channel_id) values ($1, $2)`, gid, channel)
	}
	// Telegram's limits would cap the miss path at 30 getChatMember/s; the
	// benchmark measures the bridge, so the global limiter is lifted (beyond
	// the setting's range, as the executor-alone run does). At its maximum
	// of 1,000 calls/s (before 2026-12-03), 500 non-subscriber updates/s
	// (a channel check, a group check and a delete each: 1,500 calls/s)
	// queued behind the limiter, and the miss path's effect p99 measured it.
	must(`update nezuko.admin_config set max_value = 100000, value = '100000' where key = 'rate_limit_global_per_second'`)

	rec := &recorder{done: make(chan struct{})}
	eff := &recorder{done: make(chan struct{})} // effect latency: decision → Telegram's answer
	quiet := log()
	exec := telegram.NewExecutor(pool, quiet, fake.URL, []*fernet.Key{&k})
	effects := &telegram.Effects{Exec: exec, Log: quiet, OnAnswer: func(id int64, method string, d time.Duration, ok bool) {
		if ok && method == "deleteMessage" {
			eff.add(id, d)
		}
	}}
	m := &telegram.Manager{Pool: pool, Log: quiet, Exec: exec, Effects: effects,
		PollTimeout: time.Second, Reload: time.Second, OnUpdate: rec.add}
	go m.Run(ctx)

	nextUser := int64(10_000_000)
	// prepare makes n users subscribed in Telegram (and, when cached, in the
	// membership cache: one bulk insert, outside the timed window).
	prepare := func(n int, cached bool) int64 {
		first := nextUser + 1
		for i := 0; i < n; i++ {
			nextUser++
			fake.SetMember(channel, nextUser, fakebot.Member{Status: "member"})
		}
		if cached {
			must(`insert into nezuko.membership_cache (channel_id, user_id, member_status, is_member, expires_at)
				select $1, u, 'member', true, now() + interval '1 hour' from generate_series($2::bigint, $3::bigint) u`,
				channel, first, nextUser)
		}
		return first
	}
	push := func(first int64, n int) {
		for i := 0; i < n; i++ {
			gid := firstGrp - int64(i%nGroups)
			b.Push(map[string]any{"message": map[string]any{"message_id": i + 1, "date": 0, "text": "hello",
				"chat": map[string]any{"id": gid, "type": "supergroup"},
				"from": map[string]any{"id": first + int64(i), "is_bot": false, "first_name": "U"}}})
		}
	}
	run := func(name string, n int, cached bool) (float64, time.Duration, time.Duration) {
		first := prepare(n, cached)
		rec.reset(n)
		fake.ResetCalls()
		start := time.Now()
		push(first, n)
		select {
		case <-rec.done:
		case <-time.After(3 * time.Minute):
			t.Fatalf("%s: only %d of %d updates handled", name, len(rec.lat), n)
		}
		el := time.Since(start)
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return float64(n) / el.Seconds(), pct(rec.lat, 0.50), pct(rec.lat, 0.99)
	}
	n := env("BENCH_UPDATES", 5000)
	// Warm up (connections, plans).
	run("warm-up", 500, true)
	hitRate, hit50, hit99 := run("cache hit", n, true)
	misses := len(fake.Calls("getChatMember"))
	missRate, miss50, miss99 := run("cache miss", n, false)
	gcm := len(fake.Calls("getChatMember"))

	// Latency at a steady offered load (not a backlog): rate updates/s for
	// a few seconds, in small bursts every 10 ms.
	paced := func(rate int, cached bool) (time.Duration, time.Duration) {
		secs := 4
		total := rate * secs
		first := prepare(total, cached)
		rec.reset(total)
		per := rate / 100
		for i := 0; i < total; i += per {
			t0 := time.Now()
			for j := i; j < min(i+per, total); j++ {
				gid := firstGrp - int64(j%nGroups)
				b.Push(map[string]any{"message": map[string]any{"message_id": j + 1, "date": 0, "text": "hello",
					"chat": map[string]any{"id": gid, "type": "supergroup"},
					"from": map[string]any{"id": first + int64(j), "is_bot": false, "first_name": "U"}}})
			}
			time.Sleep(time.Until(t0.Add(10 * time.Millisecond)))
		}
		select {
		case <-rec.done:
		case <-time.After(2 * time.Minute):
			t.Fatalf("paced run: only %d of %d updates handled", len(rec.lat), total)
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return pct(rec.lat, 0.50), pct(rec.lat, 0.99)
	}
	// At the target rates: 2,000 updates/s on the hit path, 500/s
	// on the miss path.
	pacedHit, pacedMiss := env("BENCH_PACED_HIT", 2000), env("BENCH_PACED_MISS", 500)
	phit50, phit99 := paced(pacedHit, true)
	pmiss50, pmiss99 := paced(pacedMiss, false)

	// Effects. Groups in mode delete whose non-subscribers were already
	// prompted: each of their messages is decided into exactly one effect
	// (deleteMessage), so the effect latency below is the outbox's own
	// (decision committed → Telegram's answer), not a per-chat rate limit.
	effGroups := make([]int64, nGroups)
	for g := range effGroups {
		gid := firstGrp - 1000 - int64(g)
		effGroups[g] = gid
		fake.AddChat(gid, "supergroup", "E", "")
		fake.SetMember(gid, botUser, fakebot.Member{Status: "administrator", Rights: fakebot.AdminRights()})
		must(`insert into nezuko.protected_groups (group_id, bot_instance_id, title, params) values ($1, $2, 'E', '{"mode": "delete"}')`, gid, botID)
		must(`insert into nezuko.group_channel_links (group_id, channel_id) values ($1, $2)`, gid, channel)
	}
	// steadyEffects offers rate updates/s for 4 s; share of them (in %) come
	// from non-subscribers (one delete each), the rest from subscribers
	// (none); cached: every answer is in the membership cache (else one
	// getChatMember for the channel and one for the group, per update).
	steadyEffects := func(rate, share int, cached bool) (time.Duration, time.Duration, time.Duration, time.Duration, int) {
		total := rate * 4
		first := nextUser + 1
		nonSub := map[int64]bool{}
		for i := 0; i < total; i++ {
			nextUser++
			gid := effGroups[i%nGroups]
			if i%100 < share {
				nonSub[nextUser] = true
				fake.SetMember(gid, nextUser, fakebot.Member{Status: "member"})
				must(`insert into nezuko.group_restrictions (group_id, user_id, bot_instance_id, prompted_at) values ($1, $2, $3, now())`, gid, nextUser, botID)
			} else {
				fake.SetMember(channel, nextUser, fakebot.Member{Status: "member"})
			}
		}
		if cached {
			must(`insert into nezuko.membership_cache (channel_id, user_id, member_status, is_member, expires_at)
				select $1, u, case when r.user_id is null then 'member' else 'left' end, r.user_id is null, now() + interval '1 hour'
				from generate_series($2::bigint, $3::bigint) u left join nezuko.group_restrictions r on r.user_id = u`, channel, first, nextUser)
			must(`insert into nezuko.membership_cache (channel_id, user_id, member_status, is_member, expires_at)
				select r.group_id, r.user_id, 'member', true, now() + interval '1 hour'
				from nezuko.group_restrictions r where r.user_id between $1 and $2`, first, nextUser)
		}
		rec.reset(total)
		eff.reset(len(nonSub))
		per := rate / 100
		for i := 0; i < total; i += per {
			t0 := time.Now()
			for j := i; j < min(i+per, total); j++ {
				gid := effGroups[j%nGroups]
				b.Push(map[string]any{"message": map[string]any{"message_id": fake.NewMessageID(gid), "date": 0, "text": "hello",
					"chat": map[string]any{"id": gid, "type": "supergroup"},
					"from": map[string]any{"id": first + int64(j), "is_bot": false, "first_name": "U"}}})
			}
			time.Sleep(time.Until(t0.Add(10 * time.Millisecond)))
		}
		for _, r := range []*recorder{rec, eff} {
			select {
			case <-r.done:
			case <-time.After(2 * time.Minute):
				t.Fatalf("steady effects run: %d of %d", len(r.lat), r.want)
			}
		}
		rec.mu.Lock()
		eff.mu.Lock()
		defer rec.mu.Unlock()
		defer eff.mu.Unlock()
		return pct(rec.lat, 0.50), pct(rec.lat, 0.99), pct(eff.lat, 0.50), pct(eff.lat, 0.99), len(eff.lat)
	}
	type effRow struct {
		name               string
		d50, d99, e50, e99 time.Duration
		effects            int
	}
	var effRows []effRow
	for _, c := range []struct {
		name        string
		rate, share int
		cached      bool
	}{
		{"cache hit, steady 2000 updates/s, 25 % non-subscribers", 2000, 25, true},
		{"cache miss, steady 500 updates/s, all non-subscribers", 500, 100, false},
	} {
		d50, d99, e50, e99, n := steadyEffects(c.rate, c.share, c.cached)
		effRows = append(effRows, effRow{c.name, d50, d99, e50, e99, n})
	}

	// A quiet group's mute while another group is backlogged: 300
	// non-subscribers write in the busy group at once (mode mute: a mute and
	// a prompt each; the prompts wait for the group's 20/min), then one
	// non-subscriber every 100 ms in the quiet groups (40 of them in turn,
	// so each stays within its own 20 prompts a minute: quiet); the delay
	// runs from the update being queued to Telegram receiving the mute.
	busy, calm := effGroups[0], effGroups[1:41]
	isCalm := map[string]bool{}
	for _, g := range calm {
		isCalm[strconv.FormatInt(g, 10)] = true
	}
	must(`update nezuko.protected_groups set params = '{"mode": "mute"}' where group_id = any ($1)`, effGroups[:41])
	must(`update nezuko.admin_config set value = '20' where key = 'rate_limit_per_chat_per_minute'`)
	var qmu sync.Mutex
	queued := map[int64]time.Time{}
	var delays []time.Duration
	fake.OnCall(func(c fakebot.Call) {
		if c.Method != "restrictChatMember" || c.Status != 200 || !isCalm[fmt.Sprint(c.Params["chat_id"])] {
			return
		}
		u, _ := strconv.ParseInt(fmt.Sprint(c.Params["user_id"]), 10, 64)
		qmu.Lock()
		if t0, ok := queued[u]; ok {
			delays = append(delays, c.Time.Sub(t0))
			delete(queued, u)
		}
		qmu.Unlock()
	})
	burst := 300
	for i := 0; i < burst; i++ {
		nextUser++
		fake.SetMember(busy, nextUser, fakebot.Member{Status: "member"})
		b.Push(map[string]any{"message": map[string]any{"message_id": fake.NewMessageID(busy), "date": 0, "text": "spam",
			"chat": map[string]any{"id": busy, "type": "supergroup"},
			"from": map[string]any{"id": nextUser, "is_bot": false, "first_name": "B"}}})
	}
	time.Sleep(2 * time.Second) // the burst decided; its prompts now wait for the busy group's slots
	var backlogLeft int
	samples := env("BENCH_QUIET_SAMPLES", 200)
	for i := 0; i < samples; i++ {
		nextUser++
		g := calm[i%len(calm)]
		fake.SetMember(g, nextUser, fakebot.Member{Status: "member"})
		qmu.Lock()
		queued[nextUser] = time.Now()
		qmu.Unlock()
		b.Push(map[string]any{"message": map[string]any{"message_id": fake.NewMessageID(g), "date": 0, "text": "spam",
			"chat": map[string]any{"id": g, "type": "supergroup"},
			"from": map[string]any{"id": nextUser, "is_bot": false, "first_name": "Q"}}})
		time.Sleep(100 * time.Millisecond)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		qmu.Lock()
		left := len(queued)
		qmu.Unlock()
		if left == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = pool.QueryRow(ctx, `select count(*) from nezuko.bot_effects where chat_id = $1 and status in ('pending', 'running')`, busy).Scan(&backlogLeft)
	fake.OnCall(nil)
	qmu.Lock()
	quietDelays := append([]time.Duration(nil), delays...)
	lostQuiet := len(queued)
	qmu.Unlock()

	// The executor alone: 20,000 deleteMessage effects over 200 chats
	// written at once (as decisions would), limits lifted so that the
	// runner, not Telegram's rate, is measured.
	must(`delete from nezuko.bot_effects where status in ('pending', 'running')`)
	must(`update nezuko.admin_config set value = '600' where key = 'rate_limit_per_chat_per_minute'`)
	exec.SetLimits(100000, 600)
	nThru := env("BENCH_EFFECTS", 20000)
	var thruCalls []map[string]any
	for i := 0; i < nThru; i++ {
		gid := firstGrp - 5000 - int64(i%200)
		if i < 200 {
			fake.AddChat(gid, "supergroup", "T", "")
			fake.SetMember(gid, botUser, fakebot.Member{Status: "administrator", Rights: fakebot.AdminRights()})
		}
		thruCalls = append(thruCalls, map[string]any{"method": "deleteMessage",
			"params": map[string]any{"chat_id": gid, "message_id": fake.NewMessageID(gid)}})
	}
	eff.reset(nThru)
	thruStart := time.Now()
	for i := 0; i < nThru; i += 1000 {
		j, _ := json.Marshal(map[string]any{"calls": thruCalls[i:min(i+1000, nThru)]})
		must(`select bot.enqueue_effects($1, $2::jsonb, 'bench')`, botID, string(j))
	}
	select {
	case <-eff.done:
	case <-time.After(3 * time.Minute):
		t.Fatalf("executor throughput: %d of %d effects answered", len(eff.lat), nThru)
	}
	thruRate := float64(nThru) / time.Since(thruStart).Seconds()
	must(`update nezuko.admin_config set value = '20' where key = 'rate_limit_per_chat_per_minute'`)

	// Soak: a steady stream on the cache-hit path, heap sampled.
	soak := time.Duration(env("BENCH_SOAK_SECONDS", 300)) * time.Second
	rate := env("BENCH_SOAK_RATE", 500)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heap0 := ms.HeapAlloc
	var peak uint64
	var perMinute []string // heap after GC at the end of each minute
	soakStart := time.Now()
	total := 0
	// The same users every second (their answers stay cached): the fake's
	// own state then stays flat too, so the heap shows the bridge's.
	soakFirst := prepare(rate, true)
	for time.Since(soakStart) < soak {
		tick := time.Now()
		first := soakFirst
		fake.ResetCalls() // the fake's own call record is not the bridge's memory
		rec.reset(rate)
		push(first, rate)
		total += rate
		<-rec.done
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
		if el := time.Since(soakStart); int(el/time.Minute) > len(perMinute) {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			perMinute = append(perMinute, fmt.Sprintf("%.1f", mb(ms.HeapAlloc)))
		}
		time.Sleep(time.Until(tick.Add(time.Second)))
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heap1 := ms.HeapAlloc

	fmt.Printf("\n### bot enforcement loop (`just bench-bot`, %d updates per path, a pool of %d connections, %d groups, 1 linked channel)\n\n", n, workers+4, nGroups)
	fmt.Println("| path | updates/s | decision latency p50 | p99 | Bot API calls |")
	fmt.Println("| --- | ---: | ---: | ---: | --- |")
	fmt.Printf("| cache hit, backlog (subscriber, answer cached) | %.0f | %.1f ms | %.1f ms | %d getChatMember |\n", hitRate, ms1(hit50), ms1(hit99), misses)
	fmt.Printf("| cache miss, backlog (one getChatMember per update) | %.0f | %.1f ms | %.1f ms | %d getChatMember |\n", missRate, ms1(miss50), ms1(miss99), gcm)
	fmt.Printf("| cache hit, steady %d updates/s offered | | %.1f ms | %.1f ms | |\n", pacedHit, ms1(phit50), ms1(phit99))
	fmt.Printf("| cache miss, steady %d updates/s offered | | %.1f ms | %.1f ms | |\n", pacedMiss, ms1(pmiss50), ms1(pmiss99))
	fmt.Printf("| soak %s at %d updates/s (cache hit), %d updates | | | | heap after GC %.1f MB → %.1f MB (each minute: %s MB; peak %.1f MB) |\n",
		soak, rate, total, mb(heap0), mb(heap1), strings.Join(perMinute, ", "), mb(peak))
	fmt.Printf("\n### effects (`just bench-bot`): decision committed → Telegram's answer, %d groups in mode delete\n\n", nGroups)
	fmt.Println("| run | decision p50 | decision p99 | effects | effect latency p50 | effect p99 |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range effRows {
		fmt.Printf("| %s | %.1f ms | %.1f ms | %d | %.1f ms | %.1f ms |\n", r.name, ms1(r.d50), ms1(r.d99), r.effects, ms1(r.e50), ms1(r.e99))
	}
	fmt.Printf("\n| quiet group's mute while another group holds a backlog | samples | p50 | p99 | max | not muted | busy group's effects still waiting |\n")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	fmt.Printf("| %d non-subscribers at once in the busy group, then 1 per 100 ms in 40 quiet ones in turn | %d | %.1f ms | %.1f ms | %.1f ms | %d | %d |\n",
		burst, len(quietDelays), ms1(pct(quietDelays, 0.5)), ms1(pct(quietDelays, 0.99)), ms1(pct(quietDelays, 1)), lostQuiet, backlogLeft)
	fmt.Printf("\n| effect executor alone (rate limits lifted) | effects | effects/s |\n| --- | ---: | ---: |\n| deleteMessage over 200 chats, written at once | %d | %.0f |\n", nThru, thruRate)
	met := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	fmt.Println()
	fmt.Printf("TARGET | cache hit: 2,000 updates/s steady with decision p99 ≤ 20 ms | %s | p99 %.1f ms at %d updates/s offered; %.0f/s from a backlog\n",
		met(pacedHit >= 2000 && phit99 <= 20*time.Millisecond && hitRate >= 2000), ms1(phit99), pacedHit, hitRate)
	var missEffect99 time.Duration
	for _, r := range effRows {
		if strings.HasPrefix(r.name, "cache miss") {
			missEffect99 = r.e99
		}
	}
	fmt.Printf("TARGET | cache miss: ≥ 500 updates/s with effect p99 ≤ 50 ms | %s | %.0f/s from a backlog; effect p99 %.1f ms at 500 updates/s offered\n",
		met(missRate >= 500 && missEffect99 <= 50*time.Millisecond), missRate, ms1(missEffect99))
	fmt.Printf("TARGET | a quiet group's mute p99 ≤ 250 ms while another is backlogged | %s | p99 %.1f ms over %d samples, %d not muted\n",
		met(len(quietDelays) > 0 && lostQuiet == 0 && pct(quietDelays, 0.99) <= 250*time.Millisecond), ms1(pct(quietDelays, 0.99)), len(quietDelays), lostQuiet)
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("\nBacklog rows: %d updates queued at once, latency from getUpdates' answer to the effect committed (so it includes queueing behind the batch). Steady rows: the same measure with updates arriving in 10 ms bursts.\n", n)
	fmt.Printf("machine: %d CPUs shared with other jobs (load average %s), Go %s, %s/%s\n", runtime.NumCPU(), strings.TrimSpace(string(load)), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	cancel()
	time.Sleep(300 * time.Millisecond)
}

func log() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func ms1(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
func mb(b uint64) float64         { return float64(b) / (1 << 20) }
