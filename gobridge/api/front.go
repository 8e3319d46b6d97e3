package api

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// FrontOptions configure Front.
type FrontOptions struct {
	Log *slog.Logger
	// CORSOrigins are the browser origins (scheme://host[:port]) allowed to
	// call the API and open the event stream; "*" allows any. Empty: no
	// CORS headers at all.
	CORSOrigins []string
}

// Front wraps every route of the listener (API, event stream, health,
// webhooks): it gives each request its id, answers CORS for the allowed
// origins, and writes one access log line per request at info: method,
// route, path, status, duration, request id and the id of the token that
// authenticated it (never the token, never the query string).
func Front(next http.Handler, o FrontOptions) http.Handler {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	allowed := map[string]bool{}
	any := false
	for _, origin := range o.CORSOrigins {
		if origin == "*" {
			any = true
		}
		allowed[strings.TrimRight(origin, "/")] = true
	}
	cors := len(allowed) > 0
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r = withRequestID(w, r)
		rec := &recorder{ResponseWriter: w}
		if cors {
			h := w.Header()
			h.Add("Vary", "Origin")
			origin := r.Header.Get("Origin")
			ok := origin != "" && (any || allowed[origin])
			preflight := r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != ""
			if ok {
				h.Set("Access-Control-Allow-Origin", origin)
				h.Set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After, WWW-Authenticate, Content-Length")
			}
			if preflight {
				if ok {
					h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
					h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID, X-Request-Id")
					h.Set("Access-Control-Max-Age", "600")
					rec.WriteHeader(http.StatusNoContent)
				} else {
					writeProblem(rec, problem(r.Context(), http.StatusForbidden, fmt.Sprintf("origin %q is not allowed (NEZUKO_CORS_ORIGINS)", origin)))
				}
				accessLog(o.Log, r, rec, start)
				return
			}
		}
		defer func() { accessLog(o.Log, r, rec, start) }()
		next.ServeHTTP(rec, r)
	})
}

func accessLog(log *slog.Logger, r *http.Request, rec *recorder, start time.Time) {
	status := rec.status
	if status == 0 {
		status = http.StatusOK // nothing written: net/http answers 200
	}
	route := r.Pattern
	if route == "" {
		route = "-"
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("route", route),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(start).Round(time.Microsecond)),
		slog.String("request_id", RequestID(r.Context())),
	}
	if id := tokenIDOf(r.Context()); id != 0 {
		attrs = append(attrs, slog.Int64("token_id", id))
	}
	log.LogAttrs(context.Background(), slog.LevelInfo, "http: request", attrs...)
}

// recorder keeps the status for the access log; it lets the event stream
// flush and hijack through it (http.ResponseController unwraps it).
type recorder struct {
	http.ResponseWriter
	status int
}

func (rec *recorder) WriteHeader(code int) {
	if rec.status == 0 {
		rec.status = code
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.ResponseWriter.Write(b)
}

func (rec *recorder) Flush() {
	if f, ok := rec.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (rec *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := rec.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("hijack not supported")
}

func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// setTokenID records which token authenticated the request (access log).
func setTokenID(ctx context.Context, id int64) {
	if ri, ok := ctx.Value(requestKey).(*requestInfo); ok {
		ri.tokenID.Store(id)
	}
}

func tokenIDOf(ctx context.Context) int64 {
	if ri, ok := ctx.Value(requestKey).(*requestInfo); ok {
		return ri.tokenID.Load()
	}
	return 0
}
