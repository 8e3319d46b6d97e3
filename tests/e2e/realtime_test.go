package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/tests/ssetest"
	"github.com/nezuko-bot/nezuko/tests/testdb"
)

// rtEnv is a fresh database, a running `nezuko serve` on it and a token.
type rtEnv struct {
	pool  *pgxpool.Pool
	url   string
	proc  *process
	token string
}

func newRealtime(t *testing.T, env ...string) *rtEnv {
	t.Helper()
	pool, url := testdb.NewPool(t)
	e := &rtEnv{pool: pool, url: url}
	e.proc = startServe(t, append([]string{"DATABASE_URL=" + url, "NEZUKO_LOG_DB=off"}, env...)...)
	if err := pool.QueryRow(context.Background(), "select token from auth.create_token('realtime test', 'viewer')").Scan(&e.token); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *rtEnv) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := e.pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func (e *rtEnv) open(t *testing.T, channels, lastID string) *ssetest.Stream {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	s, err := ssetest.Open(ctx, nil, e.proc.URL()+"/v1/events?channels="+channels, e.token, lastID)
	if err != nil {
		t.Fatalf("open stream: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

func next(t *testing.T, s *ssetest.Stream) ssetest.Event {
	t.Helper()
	ev, err := s.Next(10 * time.Second)
	if err != nil {
		t.Fatalf("waiting for an event: %v (stream error: %v)", err, s.Err())
	}
	return ev
}

func decode(t *testing.T, ev ssetest.Event) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(ev.Data), &m); err != nil {
		t.Fatalf("event %s data is not JSON: %v: %s", ev.Event, err, ev.Data)
	}
	return m
}

func expectNoEvent(t *testing.T, s *ssetest.Stream, d time.Duration) {
	t.Helper()
	if ev, err := s.Next(d); err == nil {
		t.Fatalf("unexpected event %s: %s", ev.Event, ev.Data)
	}
}

const botSQL = `insert into nezuko.bot_instances (bot_user_id, username, token_encrypted, token_sha256)
	values (4242, 'rt_bot', 'x', sha256('rt')) returning id`

func TestRealtimeDeliversEachKindFromSQLChangeToClient(t *testing.T) {
	e := newRealtime(t, "NEZUKO_SSE_KEEPALIVE=300ms")
	s := e.open(t, "", "")

	e.exec(t, "insert into nezuko.verification_log (user_id, group_id, status, latency_ms) values (7, -100, 'restricted', 12)")
	ev := next(t, s)
	if m := decode(t, ev); ev.Event != "verification" || m["user_id"] != 7.0 || m["status"] != "restricted" || m["latency_ms"] != 12.0 {
		t.Fatalf("verification event: %+v", ev)
	}
	if _, ok := decode(t, ev)["txid"]; ok {
		t.Fatalf("event data leaks txid: %s", ev.Data)
	}

	var bot int64
	if err := e.pool.QueryRow(context.Background(), botSQL).Scan(&bot); err != nil {
		t.Fatal(err)
	}
	e.exec(t, "insert into nezuko.bot_status (bot_instance_id, status) values ($1, 'starting')", bot)
	e.exec(t, "update nezuko.bot_status set status = 'online' where bot_instance_id = $1", bot)
	e.exec(t, "update nezuko.bot_status set status = 'online' where bot_instance_id = $1", bot) // no change: no event
	for _, want := range []string{"starting", "online"} {
		ev = next(t, s)
		if m := decode(t, ev); ev.Event != "status_changed" || m["status"] != want || m["bot_instance_id"] != float64(bot) {
			t.Fatalf("want status_changed %s, got %s %s", want, ev.Event, ev.Data)
		}
	}

	var cmd int64
	if err := e.pool.QueryRow(context.Background(),
		"insert into nezuko.admin_commands (command_type, payload, run_after) values ('clear_cache', '{\"all\": true}', now() + interval '1 hour') returning id").Scan(&cmd); err != nil {
		t.Fatal(err)
	}
	e.exec(t, "update nezuko.admin_commands set attempts = 1 where id = $1", cmd) // not a status change
	e.exec(t, "update nezuko.admin_commands set status = 'cancelled', cancelled_at = now(), finished_at = now() where id = $1", cmd)
	for _, want := range []string{"pending", "cancelled"} {
		ev = next(t, s)
		if m := decode(t, ev); ev.Event != "command_updated" || m["status"] != want || m["id"] != float64(cmd) {
			t.Fatalf("want command_updated %s, got %s %s", want, ev.Event, ev.Data)
		}
	}

	e.exec(t, "insert into nezuko.admin_logs (level, message) values ('DEBUG', 'quiet'), ('WARNING', 'disk almost full')")
	ev = next(t, s)
	if m := decode(t, ev); ev.Event != "new_log" || m["message"] != "disk almost full" || m["level"] != "WARNING" {
		t.Fatalf("new_log event: %s %s", ev.Event, ev.Data)
	}
	expectNoEvent(t, s, 700*time.Millisecond)
	if s.Comments() == 0 {
		t.Fatalf("no keep-alive comment within 700ms at a 300ms interval")
	}
}

func TestRealtimeSubscriptionReceivesOnlyItsChannels(t *testing.T) {
	e := newRealtime(t)
	dash := e.open(t, "dashboard", "")
	both := e.open(t, "logs,dashboard", "")
	logs := e.open(t, "logs", "")

	e.exec(t, "insert into nezuko.admin_logs (level, message) values ('INFO', 'one')")
	e.exec(t, "insert into nezuko.verification_log (user_id, status) values (1, 'verified')")
	e.exec(t, "insert into nezuko.admin_logs (level, message) values ('ERROR', 'two')")

	if ev := next(t, dash); ev.Event != "verification" {
		t.Fatalf("dashboard got %s", ev.Event)
	}
	for _, want := range []string{"new_log", "verification", "new_log"} {
		if ev := next(t, both); ev.Event != want {
			t.Fatalf("logs,dashboard: want %s, got %s", want, ev.Event)
		}
	}
	for _, want := range []string{"one", "two"} {
		if ev := next(t, logs); ev.Event != "new_log" || decode(t, ev)["message"] != want {
			t.Fatalf("logs: want %s, got %s %s", want, ev.Event, ev.Data)
		}
	}
	expectNoEvent(t, dash, 300*time.Millisecond)
	expectNoEvent(t, logs, 10*time.Millisecond)
}

func TestRealtimeResumeWithLastEventIDReplaysExactlyWhatWasMissed(t *testing.T) {
	e := newRealtime(t)
	s := e.open(t, "dashboard,commands", "")
	e.exec(t, "insert into nezuko.verification_log (user_id, status) values (1, 'verified'), (2, 'verified')")
	next(t, s)
	second := next(t, s)
	s.Close()
	if s.LastID() != second.ID {
		t.Fatalf("last id %q, want %q", s.LastID(), second.ID)
	}

	// Missed while away: two verifications, a log (not subscribed) and a
	// command in one transaction with a third verification.
	e.exec(t, "insert into nezuko.verification_log (user_id, status) values (3, 'verified')")
	e.exec(t, "insert into nezuko.admin_logs (level, message) values ('INFO', 'not subscribed')")
	e.exec(t, "insert into nezuko.verification_log (user_id, status) values (4, 'error')")
	tx, err := e.pool.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(context.Background(), "insert into nezuko.admin_commands (command_type, payload, run_after) values ('clear_cache', '{\"all\": true}', now() + interval '1 hour')"); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(context.Background(), "insert into nezuko.verification_log (user_id, status) values (5, 'verified')"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}

	r := e.open(t, "dashboard,commands", second.ID)
	var got []string
	for range 4 {
		ev := next(t, r)
		m := decode(t, ev)
		if ev.Event == "verification" {
			got = append(got, fmt.Sprintf("v%v", m["user_id"]))
		} else {
			got = append(got, ev.Event)
		}
	}
	// Same transaction: verification (kind 1) before command_updated (kind 3).
	if want := "v3 v4 v5 command_updated"; strings.Join(got, " ") != want {
		t.Fatalf("replay = %v, want %s", got, want)
	}
	e.exec(t, "insert into nezuko.verification_log (user_id, status) values (6, 'verified')")
	if ev := next(t, r); decode(t, ev)["user_id"] != 6.0 {
		t.Fatalf("live after replay: %s", ev.Data)
	}
	expectNoEvent(t, r, 300*time.Millisecond)

	// A resume with nothing missed replays nothing.
	q := e.open(t, "dashboard,commands", r.LastID())
	expectNoEvent(t, q, 300*time.Millisecond)

	// Garbage or too much missed: one reset event, then live.
	bad := e.open(t, "dashboard", "not-an-id")
	if ev := next(t, bad); ev.Event != "reset" {
		t.Fatalf("garbage Last-Event-ID: got %s", ev.Event)
	}
	before := r.LastID()
	e.exec(t, "insert into nezuko.verification_log (user_id, status) select g, 'verified' from generate_series(1, 10001) g")
	for range 10001 {
		next(t, q)
	}
	far := e.open(t, "dashboard", before)
	if ev := next(t, far); ev.Event != "reset" || !strings.Contains(ev.Data, "10000") {
		t.Fatalf("10,001 missed: got %s %s", ev.Event, ev.Data)
	}
}

func TestRealtimeRejectsMissingTokenAndUnknownChannel(t *testing.T) {
	e := newRealtime(t)
	ctx := context.Background()
	_, err := ssetest.Open(ctx, nil, e.proc.URL()+"/v1/events?channels=dashboard", "", "")
	var se *ssetest.StatusError
	if !errors.As(err, &se) || se.Code != 401 || se.ContentType != "application/problem+json" {
		t.Fatalf("no token: %v", err)
	}
	_, err = ssetest.Open(ctx, nil, e.proc.URL()+"/v1/events?channels=dashboard", "nzk_wrong", "")
	if !errors.As(err, &se) || se.Code != 401 {
		t.Fatalf("wrong token: %v", err)
	}
	_, err = ssetest.Open(ctx, nil, e.proc.URL()+"/v1/events?channels=dashboard,nope", e.token, "")
	if !errors.As(err, &se) || se.Code != 400 || !strings.Contains(se.Body, "nope") {
		t.Fatalf("unknown channel: %v", err)
	}

	// EventSource: a ticket in the query string instead of the header.
	req, _ := http.NewRequest(http.MethodPost, e.proc.URL()+"/v1/events/ticket", nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var ticket struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	err = json.NewDecoder(resp.Body).Decode(&ticket)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 201 || ticket.Token == "" || time.Until(ticket.ExpiresAt) > 6*time.Minute {
		t.Fatalf("ticket: %d %+v %v", resp.StatusCode, ticket, err)
	}
	s, err := ssetest.Open(ctx, nil, e.proc.URL()+"/v1/events?channels=logs&access_token="+ticket.Token, "", "")
	if err != nil {
		t.Fatalf("stream with access_token: %v", err)
	}
	defer s.Close()
	e.exec(t, "insert into nezuko.admin_logs (level, message) values ('INFO', 'via ticket')")
	if ev := next(t, s); decode(t, ev)["message"] != "via ticket" {
		t.Fatalf("ticket stream: %s", ev.Data)
	}
	if strings.Contains(e.proc.Logs(), ticket.Token) || strings.Contains(e.proc.Logs(), e.token) {
		t.Fatalf("a token appears in the logs")
	}
}

// Many writers whose transactions commit out of id order, while the
// database connections are cut twice: every row arrives exactly once and
// in key order.
func TestRealtimeNoLossWithConcurrentWritersAndConnectionLoss(t *testing.T) {
	e := newRealtime(t)
	s := e.open(t, "dashboard,logs", "")
	const writers, perWriter = 8, 60
	ctx := context.Background()
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				tx, err := e.pool.Begin(ctx)
				if err != nil {
					errc <- err
					return
				}
				// Take a txid early, hold it a little, write late: ids and
				// txids interleave across writers.
				_, err = tx.Exec(ctx, "select pg_current_xact_id()")
				if err == nil {
					time.Sleep(time.Duration((w*7+i*3)%5) * time.Millisecond)
					if i%2 == 0 {
						_, err = tx.Exec(ctx, "insert into nezuko.verification_log (user_id, group_id, status) values ($1, $2, 'verified')", w, i)
					} else {
						_, err = tx.Exec(ctx, "insert into nezuko.admin_logs (level, message) values ('INFO', $1)", fmt.Sprintf("%d/%d", w, i))
					}
				}
				if err == nil {
					err = tx.Commit(ctx)
				} else {
					_ = tx.Rollback(ctx)
				}
				if err != nil {
					// A connection cut by the terminate below: the row was
					// not committed, so it must not be delivered either.
					continue
				}
			}
		}()
	}
	admin, err := pgxpool.New(ctx, testdb.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for range 2 {
		time.Sleep(150 * time.Millisecond)
		// Cut the relay's LISTEN connection and its pool (and our writers').
		if _, err := admin.Exec(ctx, `select pg_terminate_backend(pid) from pg_stat_activity
			where datname = current_database() and pid <> pg_backend_pid() and application_name = 'nezuko'`); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	var want int
	if err := e.pool.QueryRow(ctx, `select (select count(*) from nezuko.verification_log) + (select count(*) from nezuko.admin_logs)`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if want < writers*perWriter/2 {
		t.Fatalf("only %d rows committed", want)
	}
	seen := map[string]bool{}
	prev := ""
	for len(seen) < want {
		ev := next(t, s)
		k := ev.Event + "/" + fmt.Sprint(decode(t, ev)["id"])
		if seen[k] {
			t.Fatalf("duplicate event %s", k)
		}
		seen[k] = true
		if prev != "" && !keyLess(prev, ev.ID) {
			t.Fatalf("out of order: %s after %s", ev.ID, prev)
		}
		prev = ev.ID
	}
	expectNoEvent(t, s, 500*time.Millisecond)
	if !strings.Contains(e.proc.Logs(), "listen connection") {
		t.Logf("note: the listener did not log a reconnect")
	}
}

func keyLess(a, b string) bool {
	var x, y [3]uint64
	fmt.Sscanf(a, "%d-%d-%d", &x[0], &x[1], &x[2])
	fmt.Sscanf(b, "%d-%d-%d", &y[0], &y[1], &y[2])
	for i := range 3 {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return false
}

// A client that stops reading is disconnected once it is more than
// NEZUKO_SSE_CLIENT_BUFFER events behind; a healthy one gets everything.
func TestRealtimeDropsStalledClientWhileHealthyOneKeepsReceiving(t *testing.T) {
	e := newRealtime(t, "NEZUKO_SSE_CLIENT_BUFFER=500")
	healthy := e.open(t, "logs", "")

	// The stalled client: a raw connection with a small receive buffer
	// that sends its request and never reads.
	d := net.Dialer{}
	conn, err := d.Dial("tcp", e.proc.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.(*net.TCPConn).SetReadBuffer(4096)
	fmt.Fprintf(conn, "GET /v1/events?channels=logs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", e.token)
	time.Sleep(300 * time.Millisecond)

	const batches, rows = 30, 100 // 12 MB: more than the kernel buffers hold
	for range batches {
		e.exec(t, "insert into nezuko.admin_logs (level, message) select 'INFO', repeat('x', 4000) || g from generate_series(1, $1) g", rows)
	}
	for i := range batches * rows {
		if ev := next(t, healthy); ev.Event != "new_log" {
			t.Fatalf("healthy client, event %d: %s", i, ev.Event)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(e.proc.Logs(), "disconnected a client that fell behind") {
		if time.Now().After(deadline) {
			t.Fatalf("stalled client was not disconnected")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Reading now: what was buffered, then the end of the stream, short
	// of the 3,000 events.
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	n := 0
	for {
		line, err := r.ReadString('\n')
		if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
			break
		}
		if err != nil {
			t.Fatalf("stalled client: want EOF, got %v after %d events", err, n)
		}
		if strings.HasPrefix(line, "event: new_log") {
			n++
		}
	}
	if n >= batches*rows {
		t.Fatalf("stalled client received all %d events: it was not dropped", n)
	}
	// The healthy one still receives.
	e.exec(t, "insert into nezuko.admin_logs (level, message) values ('INFO', 'after')")
	if ev := next(t, healthy); decode(t, ev)["message"] != "after" {
		t.Fatalf("healthy after drop: %s", ev.Data)
	}
}

// The doorbell rings once per statement, not once per row, and carries no
// row data.
func TestRealtimeTenThousandRowInsertRingsOnce(t *testing.T) {
	pool, _ := testdb.NewPool(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "listen nezuko_realtime"); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "insert into nezuko.verification_log (user_id, status) select g, 'verified' from generate_series(1, 10000) g"); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "insert into nezuko.admin_logs (level, message) select 'INFO', 'm' || g from generate_series(1, 10000) g"); err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		wctx, wcancel := context.WithTimeout(ctx, 500*time.Millisecond)
		n, err := conn.Conn().WaitForNotification(wctx)
		wcancel()
		if err != nil {
			break
		}
		got = append(got, n.Payload)
	}
	if len(got) != 2 || !strings.HasPrefix(got[0], "dashboard ") || !strings.HasPrefix(got[1], "logs ") {
		t.Fatalf("notifications = %q, want one for dashboard and one for logs", got)
	}
	for _, p := range got {
		if len(p) > 40 {
			t.Fatalf("payload %q is more than a doorbell", p)
		}
	}
}

// Sequence order is not commit order: a row written by an older
// transaction that commits later must not be skipped. The relay holds a
// newer row back while an older transaction is in flight, then delivers
// both in (txid, id) order; when the older transaction writes nothing,
// the newer row follows as soon as it ends.
func TestRealtimeHoldsNewerRowsUntilOlderTransactionsFinish(t *testing.T) {
	e := newRealtime(t)
	s := e.open(t, "dashboard", "")
	ctx := context.Background()

	older, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer older.Rollback(ctx)
	if _, err := older.Exec(ctx, "select pg_current_xact_id()"); err != nil {
		t.Fatal(err)
	}
	e.exec(t, "insert into nezuko.verification_log (user_id, status) values (2, 'verified')") // newer, committed first
	expectNoEvent(t, s, 400*time.Millisecond)
	if _, err := older.Exec(ctx, "insert into nezuko.verification_log (user_id, status) values (1, 'verified')"); err != nil {
		t.Fatal(err)
	}
	if err := older.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	for _, want := range []float64{1, 2} {
		if ev := next(t, s); decode(t, ev)["user_id"] != want {
			t.Fatalf("want user %v first (older transaction), got %s", want, ev.Data)
		}
	}

	// An older transaction that writes no event only delays.
	idle, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Rollback(ctx)
	if _, err := idle.Exec(ctx, "select pg_current_xact_id()"); err != nil {
		t.Fatal(err)
	}
	e.exec(t, "insert into nezuko.verification_log (user_id, status) values (3, 'verified')")
	expectNoEvent(t, s, 300*time.Millisecond)
	if err := idle.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, s); decode(t, ev)["user_id"] != 3.0 {
		t.Fatalf("got %s", ev.Data)
	}
}

// The cursor belongs to the database, not to a process: a client that
// read from one `nezuko serve` resumes on another without loss or repeats.
func TestRealtimeResumeOnAnotherInstance(t *testing.T) {
	e := newRealtime(t)
	other := startServe(t, "DATABASE_URL="+e.url, "NEZUKO_LOG_DB=off")
	s := e.open(t, "logs", "")
	e.exec(t, "insert into nezuko.admin_logs (level, message) values ('INFO', 'a'), ('INFO', 'b')")
	next(t, s)
	next(t, s)
	s.Close()
	e.exec(t, "insert into nezuko.admin_logs (level, message) values ('INFO', 'c')")
	e.exec(t, "insert into nezuko.admin_logs (level, message) values ('ERROR', 'd')")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := ssetest.Open(ctx, nil, other.URL()+"/v1/events?channels=logs", e.token, s.LastID())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, want := range []string{"c", "d"} {
		if ev := next(t, r); ev.Event != "new_log" || decode(t, ev)["message"] != want {
			t.Fatalf("want %s, got %s %s", want, ev.Event, ev.Data)
		}
	}
	expectNoEvent(t, r, 300*time.Millisecond)
}
