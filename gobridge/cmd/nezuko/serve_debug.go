package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/nezuko-bot/nezuko/gobridge/latency"
	"github.com/nezuko-bot/nezuko/gobridge/server"
)

// serveDebug serves, on NEZUKO_DEBUG_ADDR only (bind it to loopback: it is
// not authenticated), the Go profiler at /debug/pprof/ and the API
// handlers' latency histogram with the pool's counters at /debug/latency
// (?reset=1 starts a new histogram after reading it). `just bench-api`
// prints the server-side quantiles from it next to wrk's.
func serveDebug(ctx context.Context, addr string, a *app) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("GET /debug/latency", latency.Handler(a.latency, a.pool))
	return server.ListenAndServe(ctx, addr, mux, server.Limits{}, time.Second, a.log.With("listener", "debug"))
}

// loopbackOnly refuses a debug address other machines could reach: the
// listener has no authentication.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("NEZUKO_DEBUG_ADDR %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("NEZUKO_DEBUG_ADDR %q: the debug listener has no authentication; bind it to a loopback address (e.g. 127.0.0.1:6060)", addr)
}
