package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Authenticator says who is calling: the role (viewer or admin) and the
// admin account behind the token, if any. It returns ErrUnauthenticated
// when the request carries no valid credentials. The API's own
// authenticator can be dropped in here.
type Authenticator func(ctx context.Context, r *http.Request) (role string, adminID *int64, err error)

// ErrUnauthenticated means no valid bearer token.
var ErrUnauthenticated = errors.New("missing, unknown, revoked or expired bearer token")

// SQLAuthenticator checks the Authorization: Bearer token with
// auth.authenticate.
func SQLAuthenticator(pool *pgxpool.Pool) Authenticator {
	return func(ctx context.Context, r *http.Request) (string, *int64, error) {
		h := r.Header.Get("Authorization")
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "bearer") || strings.TrimSpace(token) == "" {
			return "", nil, ErrUnauthenticated
		}
		var role string
		var admin *int64
		err := pool.QueryRow(ctx, "select role, admin_user_id from auth.authenticate($1)", strings.TrimSpace(token)).Scan(&role, &admin)
		if errors.Is(err, pgx.ErrNoRows) {
			return "", nil, ErrUnauthenticated
		}
		if err != nil {
			return "", nil, fmt.Errorf("authenticate: %w", err)
		}
		return role, admin, nil
	}
}

// TicketTTL is the lifetime of a token minted for EventSource.
const TicketTTL = 5 * time.Minute

// authenticate runs the authenticator, accepting the token also from the
// access_token query parameter (browsers' EventSource cannot set headers).
func (s *Service) authenticate(r *http.Request) (string, *int64, error) {
	if t := r.URL.Query().Get("access_token"); t != "" && r.Header.Get("Authorization") == "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+t)
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	return s.auth(ctx, r.WithContext(ctx))
}

// problem writes an RFC 9457 problem.
func problem(w http.ResponseWriter, status int, detail string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="nezuko"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"title":  http.StatusText(status),
		"status": status,
		"code":   strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_"), // as api.StatusCode
		"detail": detail,
	})
}

func (s *Service) authError(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrUnauthenticated) {
		problem(w, http.StatusUnauthorized, "a valid bearer token is required (Authorization header or access_token query parameter)")
		return
	}
	s.log.Warn("realtime: authentication failed", "err", err)
	problem(w, http.StatusServiceUnavailable, "cannot check credentials now; retry")
}

// Attach registers GET /v1/events and POST /v1/events/ticket on mux.
func (s *Service) Attach(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1/events", s.ServeEvents)
	mux.HandleFunc("POST /v1/events/ticket", s.ServeTicket)
}

// ServeTicket mints a short-lived token for EventSource's query string.
func (s *Service) ServeTicket(w http.ResponseWriter, r *http.Request) {
	role, admin, err := s.authenticate(r)
	if err != nil {
		s.authError(w, err)
		return
	}
	t, err := s.mintTicket(r.Context(), role, admin)
	if err != nil {
		s.log.Warn("realtime: mint ticket", "err", err)
		problem(w, http.StatusServiceUnavailable, "cannot issue a ticket now; retry")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(t)
}

// Ticket is a short-lived bearer token for GET /v1/events?access_token=.
type Ticket struct {
	Token     string    `json:"token" doc:"Bearer token valid for a few minutes; pass it as access_token to GET /v1/events."`
	ExpiresAt time.Time `json:"expires_at" doc:"When the token stops working (new connections only; a stream already open stays open)."`
}

func (s *Service) mintTicket(ctx context.Context, role string, admin *int64) (*Ticket, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var t Ticket
	err := s.pool.QueryRow(ctx, "select token, expires_at from auth.create_token('events ticket', $1, $2, make_interval(secs => $3))",
		role, admin, TicketTTL.Seconds()).Scan(&t.Token, &t.ExpiresAt)
	if err != nil {
		return nil, fmt.Errorf("create token: %w", err)
	}
	return &t, nil
}

// ServeEvents is GET /v1/events?channels=a,b: an SSE stream. With a
// Last-Event-ID header (or last_event_id parameter) it first replays the
// events after that id from the tables.
func (s *Service) ServeEvents(w http.ResponseWriter, r *http.Request) {
	if _, _, err := s.authenticate(r); err != nil {
		s.authError(w, err)
		return
	}
	mask, names, err := parseChannels(r.URL.Query().Get("channels"))
	if err != nil {
		problem(w, http.StatusBadRequest, err.Error())
		return
	}
	select {
	case <-s.ready:
	case <-r.Context().Done():
		return
	case <-time.After(5 * time.Second):
		problem(w, http.StatusServiceUnavailable, "the event relay is not connected to the database yet; retry")
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
			if !sleep(r.Context(), 50*time.Millisecond) {
				return
			}
			seq, head = s.position()
		}
	}
	preamble := []byte("retry: 2000\n")
	if last == "" {
		// An id with no data sets EventSource's lastEventId without firing
		// an event: a client that drops before its first event still
		// resumes from here.
		preamble = append(preamble, "id: "+head.String()+"\n\n"...)
	} else {
		replay, err := s.replay(r.Context(), last, head, names)
		if err != nil {
			s.log.Warn("realtime: replay failed", "err", err)
			problem(w, http.StatusServiceUnavailable, "cannot read the events to replay now; retry")
			return
		}
		preamble = append(preamble, replay...)
	}

	// Headers set upstream (CORS, X-Request-Id by the API's front
	// handler) go out with the hijacked response too.
	var upstream strings.Builder
	_ = w.Header().WriteSubset(&upstream, map[string]bool{"Content-Type": true, "Cache-Control": true, "Connection": true, "Content-Length": true})
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		problem(w, http.StatusInternalServerError, "this connection cannot stream events (HTTP/1.1 required)")
		return
	}
	brw.Reader.Reset(nil)
	_ = conn.SetReadDeadline(time.Time{})
	_ = conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	head1 := "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n" +
		"X-Accel-Buffering: no\r\nConnection: close\r\n" + upstream.String() + "\r\n"
	out := append([]byte(head1), preamble...)
	if _, err := conn.Write(out); err != nil {
		_ = conn.Close()
		return
	}
	_ = conn.SetWriteDeadline(time.Time{})
	c := &client{conn: conn, mask: mask, pos: seq, id: r.RemoteAddr, fd: -1}
	if sc, ok := conn.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			_ = raw.Control(func(fd uintptr) { c.fd = int(fd) })
		}
	}
	if !s.hub.add(c) {
		_ = conn.Close()
	}
}

// replay renders the events after the client's cursor up to head (where
// its live stream starts), or one reset event when that cannot be done
// exactly.
func (s *Service) replay(ctx context.Context, last string, head Key, names []string) ([]byte, error) {
	from, err := ParseKey(last)
	if err != nil {
		return resetFrame(head, "unknown Last-Event-ID; refetch, then follow this stream"), nil
	}
	if head.Less(from) {
		return resetFrame(head, "Last-Event-ID is from another database or the future; refetch"), nil
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	fromTxid := strconv.FormatUint(from.Txid, 10)
	var allowed bool
	if err := s.pool.QueryRow(ctx, "select bot.realtime_replay_allowed($1::text::xid8, $2, $3, $4)",
		fromTxid, from.Kind, from.ID, names).Scan(&allowed); err != nil {
		return nil, fmt.Errorf("replay allowed: %w", err)
	}
	if !allowed {
		return resetFrame(head, "events after Last-Event-ID were pruned; refetch"), nil
	}
	rows, err := s.pool.Query(ctx, `select txid::text, kind_no, id, kind, data::text
		from bot.realtime_events($1::text::xid8, $2, $3, $4, $5, $6::text::xid8, $7, $8)`,
		fromTxid, from.Kind, from.ID, names, s.opts.MaxReplay+1,
		strconv.FormatUint(head.Txid, 10), head.Kind, head.ID)
	if err != nil {
		return nil, fmt.Errorf("replay query: %w", err)
	}
	defer rows.Close()
	var out []byte
	n := 0
	for rows.Next() {
		var txid, kind, data string
		var kindNo int32
		var id int64
		if err := rows.Scan(&txid, &kindNo, &id, &kind, &data); err != nil {
			return nil, fmt.Errorf("replay scan: %w", err)
		}
		n++
		if n > s.opts.MaxReplay {
			return resetFrame(head, fmt.Sprintf("more than %d events missed; refetch", s.opts.MaxReplay)), nil
		}
		t, err := strconv.ParseUint(txid, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("replay key: %w", err)
		}
		out = append(out, frame(Key{Txid: t, Kind: kindNo, ID: id}, kind, []byte(data))...)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("replay rows: %w", err)
	}
	if n == 0 {
		// Nothing missed: still move the client's cursor to head, so a
		// later resume does not scan from an old id again.
		out = append(out, "id: "+head.String()+"\n\n"...)
	}
	return out, nil
}
