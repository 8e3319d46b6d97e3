package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nezuko-bot/nezuko/tests/ssetest"
)

// Every error the server writes itself is problem+json, like the API's:
// no route, a wrong method, a body or header block over the limits.
func TestServerErrorsAreProblemJSON(t *testing.T) {
	f := newAPI(t, "NEZUKO_HTTP_MAX_BODY=2048", "NEZUKO_HTTP_MAX_HEADER=8192")
	if p := f.get(t, "/nope", "").problem(t, 404); !strings.Contains(p["detail"].(string), "/nope") {
		t.Errorf("404 detail: %v", p["detail"])
	}
	r := f.do(t, http.MethodDelete, "/healthz", "", nil)
	r.problem(t, 405)
	if r.header.Get("Allow") == "" {
		t.Errorf("405 without Allow header")
	}
	f.do(t, http.MethodPost, "/v1/rpc/cancel_command", f.admin, strings.NewReader(`{"p_id": 1, "pad": "`+strings.Repeat("x", 4096)+`"}`)).problem(t, 413)
	f.do(t, http.MethodGet, "/healthz", "", nil, "X-Big", strings.Repeat("y", 9000)).problem(t, 431)
	// Past net/http's own limit (MaxHeaderBytes + 4 KiB) it answers by itself; rewritten too.
	f.do(t, http.MethodGet, "/healthz", "", nil, "X-Big", strings.Repeat("y", 20000)).problem(t, 431)
	// cancel_command of an unknown or finished command: 404 / 409, not 500.
	f.post(t, "/v1/rpc/cancel_command", f.admin, map[string]any{"p_id": 987654}).problem(t, 404)
	f.exec(t, `insert into nezuko.admin_commands (command_type, payload, status, finished_at) values ('clear_cache', '{"all": true}', 'completed', now())`)
	f.post(t, "/v1/rpc/cancel_command", f.admin, map[string]any{"p_id": f.count(t, "select max(id)::int from nezuko.admin_commands")}).problem(t, 409)
}

// A client that trickles its body is cut off after the body read timeout,
// and an idle keep-alive connection is closed after the idle timeout.
func TestSlowBodiesAndIdleConnectionsAreCutOff(t *testing.T) {
	f := newAPI(t, "NEZUKO_HTTP_READ_TIMEOUT=1s", "NEZUKO_HTTP_IDLE_TIMEOUT=1s")
	addr := strings.TrimPrefix(f.p.URL(), "http://")
	const n = 20
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST /v1/rpc/enqueue_command HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", f.admin)
		conns[i] = c
	}
	// Trickle one byte every 300 ms: each byte arrives well within any
	// per-read timeout, but the body as a whole takes 300 s.
	start := time.Now()
	closed := make(chan time.Duration, n)
	for _, c := range conns {
		go func() {
			for time.Since(start) < 15*time.Second {
				if _, err := c.Write([]byte(" ")); err != nil {
					closed <- time.Since(start)
					return
				}
				time.Sleep(300 * time.Millisecond)
			}
			closed <- -1
		}()
	}
	for range n {
		if d := <-closed; d < 0 || d > 8*time.Second {
			t.Fatalf("a trickling body was held for %v (read timeout 1s)", d)
		}
	}
	// The server still serves.
	f.get(t, "/healthz", "")
	// Idle keep-alive: closed after about a second.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("idle connection: %v, want EOF within the idle timeout", err)
	}
}

// A ticket opens GET /v1/events and nothing else, is not listed among API
// tokens, cannot mint tickets and dies with the token that minted it; an
// API token is refused in the query string; revoking the token closes the
// streams it opened within seconds.
func TestTicketsAreSinglePurposeAndRevocationClosesStreams(t *testing.T) {
	f := newAPI(t, "NEZUKO_SSE_STREAMS_PER_TOKEN=3")
	login := f.token(t, "admin")
	mint := func(bearer string) (int, string) {
		r := f.do(t, http.MethodPost, "/v1/events/ticket", bearer, nil)
		if r.code != 201 {
			return r.code, ""
		}
		return r.code, r.json(t)["token"].(string)
	}
	code, ticket := mint(login)
	if code != 201 || !strings.HasPrefix(ticket, "nzt_") {
		t.Fatalf("mint: %d %q", code, ticket)
	}
	f.get(t, "/v1/rpc/list_config", ticket).problem(t, 401)
	if code, _ := mint(ticket); code != 401 {
		t.Errorf("a ticket minted a ticket: %d", code)
	}
	if strings.Contains(f.get(t, "/v1/rpc/list_api_tokens", f.admin).body, "events ticket") {
		t.Errorf("list_api_tokens lists tickets")
	}
	ctx := context.Background()
	var se *ssetest.StatusError
	if _, err := ssetest.Open(ctx, nil, f.p.URL()+"/v1/events?access_token="+login, "", ""); !errors.As(err, &se) || se.Code != 401 {
		t.Errorf("an API token in the query string: %v, want 401", err)
	}
	// Streams: by header and by ticket; the cap is 3 per token.
	byHeader, err := ssetest.Open(ctx, nil, f.p.URL()+"/v1/events?channels=logs", login, "")
	if err != nil {
		t.Fatal(err)
	}
	defer byHeader.Close()
	var byTicket []*ssetest.Stream
	for range 2 {
		s, err := ssetest.Open(ctx, nil, f.p.URL()+"/v1/events?channels=logs&access_token="+ticket, "", "")
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		byTicket = append(byTicket, s)
	}
	if _, err := ssetest.Open(ctx, nil, f.p.URL()+"/v1/events?channels=logs", login, ""); !errors.As(err, &se) || se.Code != 429 ||
		se.ContentType != "application/problem+json" {
		t.Errorf("a fourth stream of one token: %v, want 429 problem", err)
	}
	other, err := ssetest.Open(ctx, nil, f.p.URL()+"/v1/events?channels=logs", f.viewer, "")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	// Logout: the token's streams (header and tickets) close within seconds; others stay.
	f.do(t, http.MethodPost, "/v1/auth/logout", login, nil)
	start := time.Now()
	for _, s := range append(byTicket, byHeader) {
		for {
			if _, err := s.Next(200 * time.Millisecond); err != nil && s.Err() != nil {
				break
			}
			if time.Since(start) > 8*time.Second {
				t.Fatalf("a stream of the revoked token is still open after %v", time.Since(start))
			}
		}
	}
	t.Logf("streams of the revoked token closed %v after logout", time.Since(start).Round(100*time.Millisecond))
	f.exec(t, "insert into nezuko.admin_logs (level, message) values ('INFO', 'still here')")
	for {
		ev, err := other.Next(10 * time.Second)
		if err != nil {
			t.Fatalf("another token's stream: %v", err)
		}
		if strings.Contains(ev.Data, "still here") {
			break
		}
	}
	if _, err := ssetest.Open(ctx, nil, f.p.URL()+"/v1/events?access_token="+ticket, "", ""); !errors.As(err, &se) || se.Code != 401 {
		t.Errorf("a ticket of a revoked token: %v, want 401", err)
	}
}
