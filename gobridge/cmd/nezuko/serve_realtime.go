package main

import (
	"github.com/nezuko-bot/nezuko/gobridge/realtime"
)

// attachRealtime wires the SSE relay: the NOTIFY doorbell on the shared
// listener (its backlog hook catches up after every reconnect), the relay
// loop, and GET /v1/events + POST /v1/events/ticket on the mux.
//
// Settings: NEZUKO_SSE_KEEPALIVE (duration, default 15s) and
// NEZUKO_SSE_CLIENT_BUFFER (events a client may lag before it is
// disconnected, default 16384), NEZUKO_SSE_STREAMS_PER_TOKEN (default 16)
// and NEZUKO_SSE_REPLAY_MEMORY (bytes, default 32 MiB).
func attachRealtime(a *app) (*realtime.Service, error) {
	var opts realtime.Options
	opts.KeepAlive = a.cfg.SSEKeepAlive // validated in config (0: default)
	opts.ClientBuffer = a.cfg.SSEClientBuffer
	opts.StreamsPerToken = a.cfg.SSEStreamsPerToken
	opts.ReplayMemory = a.cfg.SSEReplayMemory
	// It authenticates with the API's authenticator: the same rules as
	// every /v1 request.
	rt := realtime.New(a.events, a.log, opts)
	a.listen(realtime.NotifyChannel, rt)
	a.run(rt.Run)
	rt.Attach(a.srv.Mux)
	return rt, nil
}
