package main

import (
	"context"
	"fmt"

	"github.com/nezuko-bot/nezuko/gobridge/server"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags("serve")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	pool, err := openPool(ctx, e, 0)
	if err != nil {
		return err
	}
	defer pool.Close()
	srv := server.New(pool, e.log)
	if err := server.ListenAndServe(ctx, e.cfg.HTTPAddr, srv.Mux, e.cfg.ShutdownTimeout, e.log); err != nil {
		return fmt.Errorf("http: %w", err)
	}
	e.log.Info("stopped")
	return nil
}
