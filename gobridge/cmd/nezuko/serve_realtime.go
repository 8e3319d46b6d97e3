package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

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
	if v := os.Getenv("NEZUKO_SSE_KEEPALIVE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("NEZUKO_SSE_KEEPALIVE: want a positive duration such as 15s")
		}
		opts.KeepAlive = d
	}
	if v := os.Getenv("NEZUKO_SSE_CLIENT_BUFFER"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("NEZUKO_SSE_CLIENT_BUFFER: want a positive number of events")
		}
		opts.ClientBuffer = n
	}
	if v := os.Getenv("NEZUKO_SSE_STREAMS_PER_TOKEN"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			return nil, fmt.Errorf("NEZUKO_SSE_STREAMS_PER_TOKEN: want a number of streams from 1 to 100000")
		}
		opts.StreamsPerToken = n
	}
	if v := os.Getenv("NEZUKO_SSE_REPLAY_MEMORY"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 2<<20 || n > 1<<34 {
			return nil, fmt.Errorf("NEZUKO_SSE_REPLAY_MEMORY: want a number of bytes from 2097152 (2 MiB) to 17179869184 (16 GiB)")
		}
		opts.ReplayMemory = n
	}
	// The API's authenticator: the same rules as every /v1 request.
	rt := realtime.New(a.events, a.log, apiAuthenticator(a), opts)
	a.listen(realtime.NotifyChannel, rt)
	a.run(rt.Run)
	rt.Attach(a.srv.Mux)
	return rt, nil
}
