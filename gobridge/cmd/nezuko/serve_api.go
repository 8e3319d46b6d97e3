package main

import (
	"context"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"

	"github.com/nezuko-bot/nezuko/gobridge/api"
	"github.com/nezuko-bot/nezuko/gobridge/realtime"
)

// attachAPI serves the REST API (/v1/, /openapi*, /docs) and rebuilds it
// from the catalog whenever the functions package is reinstalled (NOTIFY
// nezuko_reload), after a reconnect of the LISTEN connection (a
// notification may have been missed), and every 2 s after a failed load
// (serve may start before migrate; the database may be restarting).
//
// The realtime relay's operations (rt, when not nil) are described in the
// API's document; the relay serves them on its own routes.
func attachAPI(a *app, rt *realtime.Service) error {
	svc := api.New(api.Options{
		Pool:           a.pool,
		ReadPool:       a.readPool,
		Log:            a.log,
		TelegramAPIURL: a.cfg.TelegramAPIURL,
		FernetKeys:     a.cfg.FernetKeys,
		Extend:         documentRealtime(rt),
	})
	svc.Register(a.srv.Mux)
	// Token uses the replica served reach the primary every 30 s.
	a.run(func(ctx context.Context) error { return svc.TouchLoop(ctx, 30*time.Second) })
	reload := make(chan struct{}, 1)
	ring := func() {
		select {
		case reload <- struct{}{}:
		default: // a reload is already pending
		}
	}
	a.listen("nezuko_reload", reloadHandler{ring})
	a.run(func(ctx context.Context) error {
		pending := true // a load is due: at start, and after a failed one
		retry := time.NewTicker(2 * time.Second)
		defer retry.Stop()
		ring()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-reload:
			case <-retry.C:
				if !pending {
					continue
				}
			}
			lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err := svc.Reload(lctx)
			cancel()
			pending = err != nil
			if err != nil && ctx.Err() == nil {
				a.log.Warn("api: cannot load the catalog (is the database migrated?); retrying", "err", err)
			}
		}
	})
	return nil
}

// reloadHandler rings the reload loop; it never blocks the listener.
type reloadHandler struct{ ring func() }

func (h reloadHandler) HandleNotification(context.Context, *pgconn.Notification, *pgx.Conn) error {
	h.ring()
	return nil
}

// HandleBacklog runs after every (re)connect of the LISTEN connection.
func (h reloadHandler) HandleBacklog(context.Context, string, *pgx.Conn) error {
	h.ring()
	return nil
}

var _ pgxlisten.BacklogHandler = reloadHandler{}

// documentRealtime adds GET /v1/events and POST /v1/events/ticket to the
// API's document (the relay itself serves them on its own, more specific
// routes).
func documentRealtime(rt *realtime.Service) []func(huma.API) {
	if rt == nil {
		return nil
	}
	return []func(huma.API){func(h huma.API) { rt.Register(h, "bearer") }}
}
