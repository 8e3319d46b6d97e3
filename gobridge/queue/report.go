package queue

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/nezuko-bot/nezuko/gobridge/backoff"
)

// report runs f until the database answers: a connection error, a restart
// (57P01...), a deadlock or a serialization failure is retried with a
// backoff up to 2 s, while renew keeps the leases of the commands waiting
// for it. Any other error is returned. Once the worker is stopping, it gives
// up after ReportTimeout (the leases then expire and the rescue applies the
// rules of bot.rescue_expired_commands).
func (w *Worker) report(f func(ctx context.Context) error) error {
	retry := backoff.New(50*time.Millisecond, 2*time.Second)
	var giveUp <-chan time.Time
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := f(ctx)
		cancel()
		if err == nil || !retryable(err) {
			return err
		}
		if giveUp == nil {
			select {
			case <-w.stopping:
				giveUp = time.After(w.cfg.ReportTimeout)
			default:
			}
		}
		select {
		case <-time.After(retry.Next()):
		case <-giveUp:
			return err
		}
	}
}

// retryable: the database did not answer, is restarting or chose this
// transaction as a deadlock or serialization victim.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return true // network, connect, timeout
	}
	switch {
	case pe.Code == "40P01", pe.Code == "40001":
		return true
	case len(pe.Code) == 5 && (pe.Code[:2] == "08" || pe.Code[:2] == "53" || pe.Code[:3] == "57P"):
		return true
	}
	return false
}

// complete reports finished commands in batches: a batch is written when
// it holds BatchSize results or ReportDelay after its first result came,
// and at once when the worker stops (w.done closed).
func (w *Worker) complete() {
	due := time.NewTimer(time.Hour)
	due.Stop()
	for r := range w.done {
		batch := []result{r}
		due.Reset(w.cfg.ReportDelay)
	fill:
		for len(batch) < w.cfg.BatchSize {
			select {
			case r, ok := <-w.done:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			case <-due.C:
				break fill
			}
		}
		due.Stop()
		w.flush(batch)
	}
}

func (w *Worker) flush(batch []result) {
	type item struct {
		ID        int64           `json:"id"`
		Attempt   int             `json:"attempt"`
		StartedAt time.Time       `json:"started_at"`
		Result    json.RawMessage `json:"result"`
	}
	items := make([]item, len(batch))
	for i, r := range batch {
		items[i] = item{r.id, r.attempt, r.started, r.res}
	}
	defer func() {
		for _, r := range batch {
			w.release(r.id, r.started)
		}
	}()
	body, err := json.Marshal(items)
	if err != nil {
		w.cfg.Log.Error("command queue: encode results", "err", err)
		return
	}
	var done []int64
	err = w.report(func(ctx context.Context) error {
		b := &pgx.Batch{}
		b.Queue(ringAfterCommit)
		b.Queue("select bot.complete_commands($1, $2)", w.cfg.Name, body)
		br := w.cfg.Pool.SendBatch(ctx, b)
		defer br.Close()
		_, err := br.Exec()
		if err == nil {
			var rows pgx.Rows
			rows, err = br.Query()
			if err == nil {
				done, err = pgx.CollectRows(rows, pgx.RowTo[int64])
			}
		}
		if err == nil {
			err = br.Close() // the commit
		}
		return err
	})
	w.ring()
	if err != nil {
		w.cfg.Log.Error("command queue: cannot complete commands; their leases will expire and they will be rescued",
			"count", len(batch), "err", err)
		return
	}
	if len(done) < len(batch) {
		w.cfg.Log.Info("command queue: some results arrived after their lease was lost or changed their fate",
			"reported", len(batch), "completed", len(done))
	}
}
