package api

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/nezuko-bot/nezuko/gobridge/dbwatch"
)

// beginReadSQL is beginSQL for the read replica: it writes nothing.
const beginReadSQL = `select token_id, role, admin_user_id from auth.begin_read_request($1, $2, $3)`

// readTokens collects the tokens that replica reads authenticated, so that
// their last use reaches the primary (TouchLoop).
type readTokens struct {
	mu  sync.Mutex
	ids map[int64]struct{}
}

func (t *readTokens) add(id int64) {
	t.mu.Lock()
	if t.ids == nil {
		t.ids = map[int64]struct{}{}
	}
	t.ids[id] = struct{}{}
	t.mu.Unlock()
}

func (t *readTokens) take() []int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]int64, 0, len(t.ids))
	for id := range t.ids {
		out = append(out, id)
	}
	t.ids = nil
	return out
}

// runRead runs a STABLE operation on the read replica (Options.ReadPool).
// When the replica cannot be reached, or cancels the query for a conflict
// with recovery (40001), the call is made on the primary instead.
func (s *Service) runRead(ctx context.Context, r *http.Request, token, sql string, args []any, void bool) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		body, err := s.runReadOnce(ctx, r, token, sql, args, void)
		var pg *pgconn.PgError
		switch {
		case err == nil:
			return body, nil
		case errors.As(err, &pg) && pg.Code == "0A000" && attempt == 0:
			continue // a stale cached plan after a reload: once more
		case errors.As(err, &pg) && pg.Code == "40001", dbwatch.Unreachable(err) && ctx.Err() == nil:
			return s.run(ctx, r, token, sql, args, void)
		}
		return body, err
	}
}

func (s *Service) runReadOnce(ctx context.Context, r *http.Request, token, sql string, args []any, void bool) ([]byte, error) {
	tokenID, body, err := callAs(ctx, s.opts.ReadPool, beginReadSQL, r, token, sql, args, void)
	if tokenID != 0 {
		s.readTokens.add(tokenID)
	}
	return body, err
}

// TouchLoop reports, every interval, the tokens the replica's reads used
// to the primary (auth.touch_tokens), until ctx ends. Nothing to do without
// a read replica.
func (s *Service) TouchLoop(ctx context.Context, interval time.Duration) error {
	if s.opts.ReadPool == nil {
		return nil
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			s.touch(context.Background())
			return nil
		case <-t.C:
			s.touch(ctx)
		}
	}
}

func (s *Service) touch(ctx context.Context) {
	ids := s.readTokens.take()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := s.opts.Pool.Exec(ctx, "select auth.touch_tokens($1)", ids); err != nil {
		s.log.Warn("api: cannot record the tokens the read replica served", "err", err)
		for _, id := range ids {
			s.readTokens.add(id)
		}
	}
}
