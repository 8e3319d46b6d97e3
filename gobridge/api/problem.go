package api

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5/pgconn"
)

type ctxKey int

const requestKey ctxKey = 1

// requestInfo is what ServeHTTP puts in the request's context: its id and
// the request itself (huma hands typed handlers only the context).
type requestInfo struct {
	id      string
	r       *http.Request
	tokenID atomic.Int64 // the token that authenticated it, for the access log
}

// RequestID is the id given to the request (also in the X-Request-Id
// response header and in every log line about it), or "" outside one.
func RequestID(ctx context.Context) string {
	if ri, ok := ctx.Value(requestKey).(*requestInfo); ok {
		return ri.id
	}
	return ""
}

// newRequestID needs to be unique, not secret: math/rand is enough.
func newRequestID() string {
	var b [8]byte
	n := rand.Uint64()
	for i := range b {
		b[i] = byte(n >> (8 * i))
	}
	return hex.EncodeToString(b[:])
}

// withRequestID gives the request an id (kept from X-Request-Id when it is a
// short token) and sets the response header.
func withRequestID(w http.ResponseWriter, r *http.Request) *http.Request {
	if ri, ok := r.Context().Value(requestKey).(*requestInfo); ok {
		ri.r = r // Front gave it its id already
		return r
	}
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > 64 || !safeID.MatchString(id) {
		id = newRequestID()
	}
	w.Header().Set("X-Request-Id", id)
	ri := &requestInfo{id: id}
	r = r.WithContext(context.WithValue(r.Context(), requestKey, ri))
	ri.r = r
	return r
}

var safeID = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// ErrorModel is the API's RFC 9457 problem: huma's fields plus code, a
// machine-readable name a client can switch on. It keeps huma's name so
// the OpenAPI component stays "ErrorModel".
type ErrorModel struct {
	Type     string              `json:"type,omitempty" format:"uri" default:"about:blank" doc:"A URI reference to human-readable documentation for the error."`
	Title    string              `json:"title" doc:"The HTTP status text."`
	Status   int                 `json:"status" doc:"HTTP status code"`
	Code     string              `json:"code" doc:"Machine-readable code: the SQLSTATE of a database error (22023 bad argument, 23505 duplicate, 42501 privilege, 57014 timeout, P0001 raised by a function, ...) or, for an error raised outside the database, the snake_case of the status text (unauthorized, unprocessable_entity, too_many_requests, service_unavailable, ...)."`
	Detail   string              `json:"detail,omitempty" doc:"A human-readable explanation of this occurrence."`
	Instance string              `json:"instance,omitempty" format:"uri" doc:"urn:nezuko:request:<request id>: quote it when reporting a problem (the X-Request-Id header holds the same id)."`
	Errors   []*huma.ErrorDetail `json:"errors,omitempty" doc:"Optional list of individual error details"`
}

func (e *ErrorModel) Error() string  { return e.Detail }
func (e *ErrorModel) GetStatus() int { return e.Status }

// ContentType makes huma answer problem+json for it.
func (e *ErrorModel) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

// StatusCode is the code of a problem raised outside the database: the
// snake_case of the status text ("too_many_requests").
func StatusCode(status int) string {
	return strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_")
}

// problem is an RFC 9457 problem with instance naming the request
// ("urn:nezuko:request:<id>") so a user can quote it.
func problem(ctx context.Context, status int, detail string, errs ...*huma.ErrorDetail) *ErrorModel {
	p := &ErrorModel{Status: status, Title: http.StatusText(status), Code: StatusCode(status), Detail: detail, Errors: errs}
	if id := RequestID(ctx); id != "" {
		p.Instance = "urn:nezuko:request:" + id
	}
	return p
}

// withCode sets the problem's code (a SQLSTATE) when there is one.
func (e *ErrorModel) withCode(code string) *ErrorModel {
	if code != "" {
		e.Code = code
	}
	return e
}

// WriteProblem writes an RFC 9457 application/problem+json response. Other
// components (the realtime relay) use it to answer like the API does.
func WriteProblem(w http.ResponseWriter, r *http.Request, status int, detail string) {
	writeProblem(w, problem(r.Context(), status, detail))
}

func writeProblem(w http.ResponseWriter, p *ErrorModel) {
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	if p.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="nezuko"`)
	}
	w.WriteHeader(p.Status)
	_, _ = w.Write(p.body())
}

// ProblemBody is the JSON of the problem WriteProblem would write, for a
// writer below net/http (the server's rewrite of net/http's own 4xx).
func ProblemBody(ctx context.Context, status int, detail string) []byte {
	return problem(ctx, status, detail).body()
}

func (e *ErrorModel) body() []byte {
	b, _ := json.Marshal(e)
	return b
}

// hintStatus is the HINT convention for P0001 (a plain RAISE EXCEPTION):
// HINT 'http:NNN' (optionally followed by a space and more text) makes the
// API answer status NNN, e.g. `raise exception 'no such group' using hint = 'http:404'`.
var hintStatus = regexp.MustCompile(`^http:([1-5][0-9][0-9])\b`)

// dbStatus maps a database error to an HTTP status and the detail a client
// may see. ok is false for errors whose text must not be shown (500/503).
//
//	28000 (bad token)          → 401
//	42501 (privilege)          → 403
//	42883 (function vanished)  → 404
//	22xxx (bad data)           → 400
//	23505 (unique)             → 409
//	23xxx (other constraints)  → 422
//	57014 (statement_timeout)  → 504
//	P0001 + HINT 'http:NNN'    → NNN;  P0001 without it → 400
//	08xxx, 53xxx, 57P0x        → 503 (database unavailable)
//	anything else              → 500
func dbStatus(err error) (status int, detail string, ok bool) {
	status, detail, ok, _ = dbProblem(err)
	return status, detail, ok
}

// dbProblem is dbStatus with the SQLSTATE ("" for errors that are not the
// database's own).
func dbProblem(err error) (status int, detail string, ok bool, sqlstate string) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		sqlstate = pgErr.Code
	}
	status, detail, ok = dbStatusOf(err)
	return status, detail, ok, sqlstate
}

func dbStatusOf(err error) (status int, detail string, ok bool) {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		if errors.Is(err, context.Canceled) {
			// The client went away; nobody reads this answer.
			return http.StatusServiceUnavailable, "request cancelled", true
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return http.StatusGatewayTimeout, "the database did not answer in time", true
		}
		if pgconn.SafeToRetry(err) || isConnError(err) {
			return http.StatusServiceUnavailable, "the database is unavailable; retry shortly", true
		}
		return http.StatusInternalServerError, "", false
	}
	msg := pg.Message
	if pg.Detail != "" {
		msg += " (" + pg.Detail + ")"
	}
	code := pg.Code
	switch {
	case code == "28000":
		return http.StatusUnauthorized, pg.Message, true
	case code == "42501":
		return http.StatusForbidden, "your role may not do this: " + pg.Message, true
	case code == "42883":
		return http.StatusNotFound, "no such function (the catalog is reloading?)", true
	case code == "23505":
		return http.StatusConflict, msg, true
	case strings.HasPrefix(code, "23"):
		return http.StatusUnprocessableEntity, msg, true
	case strings.HasPrefix(code, "22"):
		if pg.Hint != "" {
			msg += ". " + pg.Hint
		}
		return http.StatusBadRequest, msg, true
	case code == "57014":
		return http.StatusGatewayTimeout, "the request took longer than the API statement timeout", true
	case code == "P0001":
		if m := hintStatus.FindStringSubmatch(pg.Hint); m != nil {
			n, _ := strconv.Atoi(m[1])
			if n >= 500 {
				return n, "", false
			}
			return n, pg.Message, true
		}
		return http.StatusBadRequest, msg, true
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"), strings.HasPrefix(code, "57P"):
		return http.StatusServiceUnavailable, "the database is unavailable; retry shortly", true
	}
	return http.StatusInternalServerError, "", false
}

func isConnError(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || pgconn.Timeout(err)
}

// internal is the detail of a 500: no internal text, only the request id,
// which the log line carries with the real error.
func internal(ctx context.Context) string {
	return fmt.Sprintf("internal error; quote request id %s", RequestID(ctx))
}
