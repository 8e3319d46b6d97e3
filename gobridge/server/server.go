// Package server is the HTTP face of `nezuko serve`: health endpoints now,
// and the mux the API, the realtime relay and webhooks attach to.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/gobridge/schema"
)

// Server owns the listener and the mux.
type Server struct {
	Pool *pgxpool.Pool
	Log  *slog.Logger
	Mux  *http.ServeMux
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
// schema this binary was built with.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	st, err := schema.ReadStatus(ctx, s.Pool)
	if err != nil {
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

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// ListenAndServe serves h on addr until ctx ends, then shuts down
// gracefully: in-flight requests get timeout to finish.
func ListenAndServe(ctx context.Context, addr string, h http.Handler, timeout time.Duration, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
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
