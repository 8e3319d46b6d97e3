package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nezuko-bot/nezuko/gobridge/api"
	"github.com/nezuko-bot/nezuko/gobridge/backoff"
)

// Caller is who opens a stream or asks for a ticket: the API token behind
// the request (for a ticket, the token that minted it), its role and its
// admin account, if any. The API's authenticator finds it, by the same
// rules as every /v1 request.
type Caller = api.Principal

// TicketTTL is the lifetime of a ticket minted for EventSource.
const TicketTTL = 5 * time.Minute

// authenticate checks the Authorization header (an API token) with the
// API's authenticator.
func (s *Service) authenticate(r *http.Request) (Caller, error) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	return api.Authenticate(ctx, s.pool, r)
}

// authenticateStream is authenticate for GET /v1/events, which also takes a
// ticket in the access_token query parameter (browsers' EventSource cannot
// set headers). Only a ticket is accepted there: an API token in a URL ends
// up in proxy and server logs and browser history.
func (s *Service) authenticateStream(r *http.Request) (Caller, error) {
	t := r.URL.Query().Get("access_token")
	if t == "" || r.Header.Get("Authorization") != "" {
		return s.authenticate(r)
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	c, err := api.AuthenticateTicket(ctx, s.pool, t)
	if errors.Is(err, api.ErrUnauthenticated) {
		return Caller{}, errBadTicket
	}
	if err != nil {
		return Caller{}, fmt.Errorf("authenticate ticket: %w", err)
	}
	return c, nil
}

// errBadTicket: access_token is not a live ticket (an API token there is refused too).
var errBadTicket = fmt.Errorf("%w: access_token takes only a ticket from POST /v1/events/ticket, unexpired, "+
	"whose API token is still valid (API tokens go in the Authorization header)", api.ErrUnauthenticated)

func (s *Service) authError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errBadTicket) {
		api.WriteProblem(w, r, http.StatusUnauthorized, errBadTicket.Error())
		return
	}
	if errors.Is(err, api.ErrUnauthenticated) {
		api.WriteProblem(w, r, http.StatusUnauthorized, "a valid bearer token is required (Authorization header, or a ticket in access_token)")
		return
	}
	s.log.Warn("realtime: authentication failed", "err", err)
	api.WriteProblem(w, r, http.StatusServiceUnavailable, "cannot check credentials now; retry")
}

// Attach registers GET /v1/events and POST /v1/events/ticket on mux.
func (s *Service) Attach(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/events", s.ServeEvents)
	mux.HandleFunc("POST /v1/events/ticket", s.ServeTicket)
}

// ServeTicket mints a short-lived token for EventSource's query string.
func (s *Service) ServeTicket(w http.ResponseWriter, r *http.Request) {
	caller, err := s.authenticate(r)
	if err != nil {
		s.authError(w, r, err)
		return
	}
	t, err := s.mintTicket(r.Context(), caller)
	if err != nil {
		s.log.Warn("realtime: mint ticket", "err", err)
		api.WriteProblem(w, r, http.StatusServiceUnavailable, "cannot issue a ticket now; retry")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(t)
}

// Ticket is a short-lived, single-purpose token for GET /v1/events?access_token=.
type Ticket struct {
	Token     string    `json:"token" doc:"Ticket valid for a few minutes that opens GET /v1/events (pass it as access_token) and nothing else. It acts with your token's role and dies with your token."`
	ExpiresAt time.Time `json:"expires_at" doc:"When the ticket stops opening streams (a stream already open stays open until your token is revoked)."`
}

func (s *Service) mintTicket(ctx context.Context, c Caller) (*Ticket, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var t Ticket
	err := s.pool.QueryRow(ctx, "select token, expires_at from auth.create_ticket($1, make_interval(secs => $2))",
		c.TokenID, TicketTTL.Seconds()).Scan(&t.Token, &t.ExpiresAt)
	if err != nil {
		return nil, fmt.Errorf("create token: %w", err)
	}
	return &t, nil
}

// ServeEvents is GET /v1/events?channels=a,b: an SSE stream. With a
// Last-Event-ID header (or last_event_id parameter) it first replays the
// events after that id from the tables.
func (s *Service) ServeEvents(w http.ResponseWriter, r *http.Request) {
	caller, err := s.authenticateStream(r)
	if err != nil {
		s.authError(w, r, err)
		return
	}
	mask, names, err := parseChannels(r.URL.Query().Get("channels"))
	if err != nil {
		api.WriteProblem(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if !s.hub.reserve(caller.TokenID) {
		w.Header().Set("Retry-After", "5")
		api.WriteProblem(w, r, http.StatusTooManyRequests, fmt.Sprintf("this token already has %d event streams open; close one first", s.opts.StreamsPerToken))
		return
	}
	handedOver := false
	defer func() {
		if !handedOver {
			s.hub.unreserve(caller.TokenID)
		}
	}()
	select {
	case <-s.ready:
	case <-r.Context().Done():
		return
	case <-time.After(5 * time.Second):
		api.WriteProblem(w, r, http.StatusServiceUnavailable, "the event relay is not connected to the database yet; retry")
		return
	}
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = r.URL.Query().Get("last_event_id")
	}
	seq, head := s.position()
	if from, err := ParseKey(last); last != "" && err == nil && head.Less(from) {
		// Another instance may have delivered this id already while this
		// relay has not caught up yet: give it a moment.
		s.Wake()
		for i := 0; i < 20 && head.Less(from); i++ {
			if !backoff.Sleep(r.Context(), 50*time.Millisecond) {
				return
			}
			seq, head = s.position()
		}
	}
	var allowed bool
	var backlog int
	from, perr := ParseKey(last)
	if last != "" && perr == nil && !head.Less(from) {
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		fromTxid, headTxid := strconv.FormatUint(from.Txid, 10), strconv.FormatUint(head.Txid, 10)
		err := s.pool.QueryRow(ctx, `select bot.realtime_replay_allowed($1::text::xid8, $2, $3, $4),
			bot.realtime_backlog($1::text::xid8, $2, $3, $4, $5, $6::text::xid8, $7, $8)`,
			fromTxid, from.Kind, from.ID, names, s.opts.MaxReplay+1, headTxid, head.Kind, head.ID).Scan(&allowed, &backlog)
		cancel()
		if err != nil {
			s.log.Warn("realtime: replay check failed", "err", err)
			api.WriteProblem(w, r, http.StatusServiceUnavailable, "cannot read the events to replay now; retry")
			return
		}
	}
	preamble := []byte("retry: 2000\n")
	replay := false
	switch {
	case last == "":
		// An id with no data sets EventSource's lastEventId without firing
		// an event: a client that drops before its first event still
		// resumes from here.
		preamble = append(preamble, "id: "+head.String()+"\n\n"...)
	case perr != nil:
		preamble = append(preamble, resetFrame(head, "unknown Last-Event-ID; refetch, then follow this stream")...)
	case head.Less(from):
		preamble = append(preamble, resetFrame(head, "Last-Event-ID is from another database or the future; refetch")...)
	case !allowed:
		preamble = append(preamble, resetFrame(head, "events after Last-Event-ID were pruned; refetch")...)
	case backlog > s.opts.MaxReplay:
		preamble = append(preamble, resetFrame(head, fmt.Sprintf("more than %d events missed; refetch", s.opts.MaxReplay))...)
	default:
		replay = true
	}

	// Headers set upstream (CORS, X-Request-Id by the API's front
	// handler) go out with the hijacked response too.
	var upstream strings.Builder
	_ = w.Header().WriteSubset(&upstream, map[string]bool{"Content-Type": true, "Cache-Control": true, "Connection": true, "Content-Length": true})
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		api.WriteProblem(w, r, http.StatusInternalServerError, "this connection cannot stream events (HTTP/1.1 required)")
		return
	}
	brw.Reader.Reset(nil)
	_ = conn.SetReadDeadline(time.Time{})
	_ = conn.SetWriteDeadline(time.Now().Add(replayWriteTimeout))
	head1 := "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n" +
		"X-Accel-Buffering: no\r\nConnection: close\r\n" + upstream.String() + "\r\n"
	if _, err := conn.Write(append([]byte(head1), preamble...)); err != nil {
		_ = conn.Close()
		return
	}
	if replay {
		if err := s.replay(r.Context(), conn, from, head, names); err != nil {
			if r.Context().Err() == nil {
				s.log.Info("realtime: replay ended early; the client may resume", "client", r.RemoteAddr, "err", err)
			}
			_ = conn.Close()
			return
		}
	}
	_ = conn.SetWriteDeadline(time.Time{})
	c := &client{conn: conn, mask: mask, pos: seq, id: r.RemoteAddr, fd: -1, token: caller.TokenID}
	if sc, ok := conn.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			_ = raw.Control(func(fd uintptr) { c.fd = int(fd) })
		}
	}
	handedOver = true
	if !s.hub.add(c) {
		_ = conn.Close()
	}
}

// Replay pages: at most replayPageEvents events or replayPageBytes bytes of
// frames are read and held at once per replaying client, against the
// global ReplayMemory budget; a client that does not take a page within
// replayWriteTimeout is disconnected (it may resume from its last id).
const (
	replayPageEvents   = 500
	replayPageBytes    = 1 << 20
	replayWriteTimeout = 10 * time.Second
)

// replay writes to conn the events after the client's cursor up to head
// (where its live stream starts), page by page from the tables, or one
// reset event should more than MaxReplay have arrived since the count.
func (s *Service) replay(ctx context.Context, conn net.Conn, from, head Key, names []string) error {
	n := 0
	cursor := from
	for {
		if err := s.replayBudget.Acquire(ctx, replayPageBytes); err != nil {
			return err
		}
		page, next, count, full, err := s.replayPage(ctx, cursor, head, names)
		if err == nil && count > 0 {
			n += count
			if n > s.opts.MaxReplay {
				page = append(page[:0], resetFrame(head, fmt.Sprintf("more than %d events missed; refetch", s.opts.MaxReplay))...)
			}
			_ = conn.SetWriteDeadline(time.Now().Add(replayWriteTimeout))
			_, err = conn.Write(page)
		}
		s.replayBudget.Release(replayPageBytes)
		if err != nil {
			return err
		}
		if !full || n > s.opts.MaxReplay {
			if n == 0 {
				// Nothing missed: still move the client's cursor to head, so
				// a later resume does not scan from an old id again.
				_, err = conn.Write([]byte("id: " + head.String() + "\n\n"))
				return err
			}
			return nil
		}
		cursor = next
	}
}

// replayPage renders up to replayPageEvents events after cursor (and no
// later than head), stopping early past replayPageBytes.
// full is true when more events may follow.
func (s *Service) replayPage(ctx context.Context, cursor, head Key, names []string) (out []byte, last Key, n int, full bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	rows, err := s.pool.Query(ctx, `select txid::text, kind_no, id, kind, data::text
		from bot.realtime_events($1::text::xid8, $2, $3, $4, $5, $6::text::xid8, $7, $8)`,
		strconv.FormatUint(cursor.Txid, 10), cursor.Kind, cursor.ID, names, replayPageEvents,
		strconv.FormatUint(head.Txid, 10), head.Kind, head.ID)
	if err != nil {
		return nil, cursor, 0, false, fmt.Errorf("replay query: %w", err)
	}
	defer rows.Close()
	last = cursor
	for rows.Next() {
		var txid, kind, data string
		var kindNo int32
		var id int64
		if err := rows.Scan(&txid, &kindNo, &id, &kind, &data); err != nil {
			return nil, cursor, 0, false, fmt.Errorf("replay scan: %w", err)
		}
		t, err := strconv.ParseUint(txid, 10, 64)
		if err != nil {
			return nil, cursor, 0, false, fmt.Errorf("replay key: %w", err)
		}
		last = Key{Txid: t, Kind: kindNo, ID: id}
		out = append(out, frame(last, kind, []byte(data))...)
		n++
		if len(out) >= replayPageBytes {
			rows.Close() // the rest comes in the next page
			return out, last, n, true, nil
		}
	}
	if err := rows.Err(); err != nil {
		return nil, cursor, 0, false, fmt.Errorf("replay rows: %w", err)
	}
	return out, last, n, n == replayPageEvents, nil
}
