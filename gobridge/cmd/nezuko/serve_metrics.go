package main

import (
	"net/http"
	"time"

	"github.com/nezuko-bot/nezuko/gobridge/metrics"
	"github.com/nezuko-bot/nezuko/gobridge/realtime"
)

// attachMetrics serves GET /metrics (Prometheus text format, public like
// /healthz: counters only, no secrets) and exports what serve's parts count
// at scrape time: the pools, the SSE relay (rt, when running) and the
// command queue's table.
func attachMetrics(a *app, rt *realtime.Service) {
	a.srv.Mux.Handle("GET /metrics", metrics.Handler())
	metrics.WatchPool("primary", a.pool)
	if a.readPool != nil {
		metrics.WatchPool("replica", a.readPool)
	}
	// The scrape's own SQL (the queue's state; effects pending, serve_bot.go)
	// goes through the work pool: it never takes one of the API pool's
	// connections from a request.
	metrics.WatchQueue(a.work)
	if rt != nil {
		metrics.WatchSSE(func() metrics.SSEStats {
			c, r, s, d := rt.Stats()
			return metrics.SSEStats{Clients: c, Relayed: r, Sent: s, Dropped: d}
		})
	}
}

// instrument wraps the mux with the HTTP metrics; with NEZUKO_DEBUG_ADDR
// the same middleware feeds the debug listener's /v1/rpc/ histogram.
func instrument(a *app) http.Handler {
	var observe func(time.Duration)
	if a.latency != nil {
		observe = a.latency.Observe
	}
	return metrics.Instrument(a.srv, observe) // a.srv: the HTTP limits and the mux
}
