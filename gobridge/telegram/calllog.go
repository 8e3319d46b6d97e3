package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/nezuko-bot/nezuko/gobridge/metrics"
)

// api_call_log: every Bot API call the bridge makes is a row, written in
// batches by FlushLoop (never one round trip per call on the hot path).

type callRow struct {
	BotInstanceID int64     `json:"bot_instance_id"`
	Method        string    `json:"method"`
	ChatID        *int64    `json:"chat_id,omitempty"`
	UserID        *int64    `json:"user_id,omitempty"`
	Success       bool      `json:"success"`
	LatencyMS     int64     `json:"latency_ms"`
	ErrorType     string    `json:"error_type,omitempty"`
	Description   string    `json:"description,omitempty"`
	TS            time.Time `json:"ts"`
}

func (e *Executor) record(botID int64, b *botConn, method string, chatID, userID int64, start time.Time, err error) {
	e.noteHealth(botID, b, method, err)
	metrics.TelegramCall(method, ErrorType(err), time.Since(start))
	row := callRow{BotInstanceID: botID, Method: method, Success: err == nil,
		LatencyMS: time.Since(start).Milliseconds(), TS: start}
	if chatID != 0 {
		row.ChatID = &chatID
	}
	if userID != 0 {
		row.UserID = &userID
	}
	if err != nil {
		row.ErrorType = ErrorType(err)
		var ae *APIError
		if errors.As(err, &ae) {
			row.Description = ae.Description
		}
	}
	e.rows <- row // blocks only when the database is far behind: never drops a row
}

// FlushLoop writes api_call_log in batches (every 200 ms or 1000 rows)
// until ctx ends, then flushes what is left.
func (e *Executor) FlushLoop(ctx context.Context) error {
	var buf []callRow
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	flush := func(ctx context.Context) {
		if len(buf) == 0 {
			return
		}
		j, _ := json.Marshal(buf)
		if _, err := e.pool.Exec(ctx, "select bot.log_api_calls($1::jsonb)", string(j)); err != nil {
			if len(buf) > 100000 {
				e.log.Error("api_call_log: dropping rows the database would not take", "rows", len(buf), "err", err)
				buf = buf[:0]
			} else if ctx.Err() == nil {
				e.log.Warn("api_call_log: batch write failed, will retry", "rows", len(buf), "err", err)
			}
			return
		}
		buf = buf[:0]
	}
	for {
		select {
		case r := <-e.rows:
			buf = append(buf, r)
			if len(buf) >= 1000 {
				flush(ctx)
			}
		case <-tick.C:
			flush(ctx)
		case <-ctx.Done():
		drain:
			for {
				select {
				case r := <-e.rows:
					buf = append(buf, r)
				default:
					break drain
				}
			}
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			flush(fctx)
			cancel()
			return nil
		}
	}
}
