// Package server is the HTTP face of `nezuko serve`: health endpoints now,
// and the mux the API, the realtime relay and webhooks attach to.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/gobridge/api"
	"github.com/nezuko-bot/nezuko/gobridge/migrate"
)

// Server owns the listener and the mux. As a handler it answers every
// error of its own (no route: 404, wrong method: 405, body too large: 413,
// headers too large: 431) as problem+json, like the API.
type Server struct {
	Pool   *pgxpool.Pool
	Log    *slog.Logger
	Mux    *http.ServeMux
	Limits Limits
}

// ServeHTTP applies the limits and routes through Mux.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l := s.Limits
	l.defaults()
	if headerBytes(r) > l.MaxHeaderBytes {
		w.Header().Set("Connection", "close")
		api.WriteProblem(w, r, http.StatusRequestHeaderFieldsTooLarge,
			fmt.Sprintf("request headers are larger than %d bytes", l.MaxHeaderBytes))
		return
	}
	if !limitBody(w, r, l) {
		return
	}
	h, pattern := s.Mux.Handler(r)
	if pattern == "" {
		// The mux's own "404 page not found" or "405 method not allowed"
		// (with its Allow header): the same status, as problem+json.
		rec := &statusRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		if allow := rec.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		code := rec.code
		if code < 400 {
			code = http.StatusNotFound
		}
		detail := "no such resource: " + r.URL.Path
		if code == http.StatusMethodNotAllowed {
			detail = r.Method + " is not allowed on " + r.URL.Path + " (allowed: " + rec.header.Get("Allow") + ")"
		}
		api.WriteProblem(w, r, code, detail)
		return
	}
	s.Mux.ServeHTTP(w, r)
}

// statusRecorder keeps the status and headers a fallback handler writes.
type statusRecorder struct {
	header http.Header
	code   int
}

func (r *statusRecorder) Header() http.Header { return r.header }
func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}
func (r *statusRecorder) Write(p []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return len(p), nil
}

// New returns a server with /healthz and /readyz registered.
func New(pool *pgxpool.Pool, log *slog.Logger) *Server {
	s := &Server{Pool: pool, Log: log, Mux: http.NewServeMux()}
	s.Mux.HandleFunc("GET /healthz", s.healthz)
	s.Mux.HandleFunc("GET /readyz", s.readyz)
	return s
}

// healthz says the process is alive; it does not touch the database.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz is 200 only when the database answers and carries at least the
// schema this binary was built with. When the API's pool has no free
// connection, it says so (503 "API connection pool exhausted") after
// checking with a connection of its own that the database itself answers:
// a saturated pool and an unreachable database call for different actions.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	st, err := migrate.ReadStatus(ctx, s.Pool)
	if err != nil {
		stat := s.Pool.Stat()
		if stat.AcquiredConns() >= stat.MaxConns() && s.reachable(r.Context()) {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable",
				"reason":   fmt.Sprintf("API connection pool exhausted (%d of %d connections in use); the database answers", stat.AcquiredConns(), stat.MaxConns()),
				"database": "reachable", "pool_in_use": stat.AcquiredConns(), "pool_size": stat.MaxConns()})
			return
		}
		s.Log.Warn("readiness check failed", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "database unreachable"})
		return
	}
	if why := st.Behind(); why != "" {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "reason": why, "schema_version": st.Version})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "schema_version": st.Version})
}

// reachable: a fresh connection, outside the pool, answers a query.
func (s *Server) reachable(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, s.Pool.Config().ConnConfig.Copy())
	if err != nil {
		return false
	}
	defer conn.Close(context.Background())
	return conn.Ping(ctx) == nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// ListenAndServe serves h on addr until ctx ends, then shuts down
// gracefully: in-flight requests get timeout to finish. The connection
// limits come from l (the body limits are applied by Server.ServeHTTP).
func ListenAndServe(ctx context.Context, addr string, h http.Handler, l Limits, timeout time.Duration, log *slog.Logger) error {
	l.defaults()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		IdleTimeout:       l.IdleTimeout,
		// net/http refuses (431, written by itself and rewritten to
		// problem+json by problemListener) past this plus 4 KiB; between
		// MaxHeaderBytes and that, Server.ServeHTTP answers 431 itself.
		MaxHeaderBytes: l.MaxHeaderBytes,
	}
	ln = problemListener{ln}
	log.Info("listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		_ = srv.Close()
	}
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) {
		return e
	}
	return err
}
