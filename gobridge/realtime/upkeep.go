package realtime

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

func (s *Service) prune(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var n int64
	if err := s.pool.QueryRow(ctx, "select bot.realtime_prune()").Scan(&n); err != nil {
		if ctx.Err() == nil {
			s.log.Warn("realtime: prune failed", "err", err)
		}
		return
	}
	if n > 0 {
		s.log.Debug("realtime: pruned outbox", "rows", n)
	}
}

// closeRevoked closes the streams whose API token no longer authenticates
// (revoked by logout or an admin, expired, account deactivated).
func (s *Service) closeRevoked(ctx context.Context) {
	ids := s.hub.openTokens()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	rows, err := s.pool.Query(ctx, "select auth.invalid_tokens($1)", ids)
	var bad []int64
	if err == nil {
		bad, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	}
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("realtime: checking the tokens of open streams", "err", err)
		}
		return
	}
	if n := s.hub.revoke(bad); n > 0 {
		s.log.Info("realtime: closing the streams of revoked tokens", "streams", n, "tokens", len(bad))
	}
}
