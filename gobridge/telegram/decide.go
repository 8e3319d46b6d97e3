package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/nezuko-bot/nezuko/gobridge/plan"
)

// HandleUpdate hands one raw update to SQL and runs the plan it returns.
// It returns nil once the update's effect is committed (or it was a
// duplicate), an error wrapping ErrMalformed for input to skip, and any
// other error when the update must be retried (not acknowledged).
func (e *Executor) HandleUpdate(ctx context.Context, botID int64, raw []byte) error {
	if !json.Valid(raw) {
		return fmt.Errorf("%w: not JSON", ErrMalformed)
	}
	var body []byte
	if err := e.pool.QueryRow(ctx, "select bot.handle_update($1, $2::jsonb)", botID, string(raw)).Scan(&body); err != nil {
		return classifyDB(fmt.Errorf("bot.handle_update: %w", err))
	}
	var p plan.Plan
	if err := json.Unmarshal(body, &p); err != nil {
		return fmt.Errorf("bot.handle_update returned a plan that does not decode: %w", err)
	}
	_, err := e.Run(ctx, botID, p)
	return err
}

func classifyDB(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && len(pe.Code) == 5 && pe.Code[:2] == "22" {
		return fmt.Errorf("%w: %s", ErrMalformed, pe.Message)
	}
	return err
}

// Decided is SQL's first answer for one update of a batch: an empty plan
// (decided: its effects are committed) or checks to answer first.
type Decided struct {
	Plan plan.Plan
}

// DecideBatch hands a whole batch of raw updates (each valid JSON) to
// bot.handle_updates: one round trip, one commit. Updates decided there
// (their effects written) are done when it returns; the others' plans ask
// for checks (ResumeBatch).
func (e *Executor) DecideBatch(ctx context.Context, botID int64, raws []json.RawMessage) ([]Decided, error) {
	size := 2
	for _, r := range raws {
		size += len(r) + 1
	}
	buf := make([]byte, 0, size)
	buf = append(buf, '[')
	for i, r := range raws {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, r...)
	}
	buf = append(buf, ']')
	var body []byte
	if err := e.pool.QueryRow(ctx, "select bot.handle_updates($1, $2::jsonb)", botID, string(buf)).Scan(&body); err != nil {
		return nil, fmt.Errorf("bot.handle_updates: %w", err)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil || len(items) != len(raws) {
		return nil, fmt.Errorf("bot.handle_updates returned %d plans for %d updates", len(items), len(raws))
	}
	out := make([]Decided, len(items))
	for i, it := range items {
		if err := json.Unmarshal(it, &out[i].Plan); err != nil {
			return nil, fmt.Errorf("plan %d does not decode: %w", i, err)
		}
	}
	return out, nil
}

// IsSQLError tells a refusal by SQL itself (a raised exception, a
// constraint) from a lost connection: retrying the former cannot help.
func IsSQLError(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && !(len(pe.Code) == 5 && (pe.Code[:2] == "08" || pe.Code[:2] == "57" || pe.Code[:2] == "53" || pe.Code == "40001" || pe.Code == "40P01"))
}

// ResumeBatch answers the checks of many update plans at once (every check
// concurrently) and resumes them all in one bot.resume_updates call. Plans
// whose Resume is not bot.resume_update are returned unchanged, for Run.
func (e *Executor) ResumeBatch(ctx context.Context, botID int64, plans []plan.Plan) ([]plan.Plan, error) {
	b, err := e.bot(ctx, botID)
	if err != nil {
		return nil, err
	}
	type item struct {
		State   json.RawMessage    `json:"state"`
		Answers []plan.CheckResult `json:"answers"`
	}
	var idx []int
	var items []item
	var wg sync.WaitGroup
	for i, p := range plans {
		if len(p.Checks) == 0 || p.Resume != "bot.resume_update" {
			continue
		}
		idx = append(idx, i)
		items = append(items, item{State: p.State})
	}
	for j, i := range idx {
		wg.Add(1)
		go func() {
			defer wg.Done()
			items[j].Answers = e.answer(ctx, botID, b, plans[i].Checks)
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	out := append([]plan.Plan(nil), plans...)
	if len(items) == 0 {
		return out, nil
	}
	ij, _ := json.Marshal(items)
	var body []byte
	if err := e.pool.QueryRow(ctx, "select bot.resume_updates($1, $2::jsonb)", botID, string(ij)).Scan(&body); err != nil {
		return nil, fmt.Errorf("bot.resume_updates: %w", err)
	}
	var next []plan.Plan
	if err := json.Unmarshal(body, &next); err != nil || len(next) != len(items) {
		return nil, fmt.Errorf("bot.resume_updates returned %d plans for %d", len(next), len(items))
	}
	for j, i := range idx {
		out[i] = next[j]
	}
	return out, nil
}
