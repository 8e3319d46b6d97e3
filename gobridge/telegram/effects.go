package telegram

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nezuko-bot/nezuko/gobridge/backoff"
	"github.com/nezuko-bot/nezuko/gobridge/plan"
)

// EffectsChannel is the NOTIFY channel bot.enqueue_effects rings (payload:
// the bot id) and a retry or rescue rings too.
const EffectsChannel = "nezuko_effects"

// effect is one claimed row of nezuko.bot_effects.
type effect struct {
	ID         int64
	Bot        int64
	Chat       int64
	Method     string
	Params     json.RawMessage
	Repeatable bool
	Attempts   int
	Created    time.Time
}

// Effects carries out the effect outbox (nezuko.bot_effects) of the bots
// this process owns (Own/Disown: the manager owns a bot while it holds the
// bot's lock). Effects of one chat run one at a time in id order, each
// chat in its own goroutine behind its own rate limit, so a chat that waits
// for its slot never holds up another chat, another bot, or intake. Every
// answer goes to SQL (bot.report_effect), which decides what it means: done,
// retry after retry_after or a backoff, or failed; and hands back the
// chat's next effect. A stopping process hands back what it claimed but
// did not call (bot.release_effects); a vanished one's leases expire and
// bot.rescue_effects resumes its effects elsewhere.
type Effects struct {
	Exec *Executor
	Log  *slog.Logger
	// Worker names this process in the leases (default host:pid:random).
	Worker string
	// Lanes bounds the chats served at once (default 256).
	Lanes int
	// Drain is how long a stopping runner lets calls in flight finish.
	Drain time.Duration
	// OnAnswer, when set, is told of every answer: the effect's method, its
	// latency from the decision that wrote it to Telegram's answer, and
	// whether Telegram said OK (benchmarks, metrics).
	OnAnswer func(botID int64, method string, latency time.Duration, ok bool)

	mu    sync.Mutex
	owned map[int64]bool
	held  map[int64]bool // effect ids claimed and not yet reported
	wake  chan struct{}
	// answers feeds the reporter while Run runs (nil otherwise).
	answers chan *answer
	once    sync.Once
}

func (f *Effects) init() {
	f.once.Do(func() {
		if f.Worker == "" {
			host, _ := os.Hostname()
			b := make([]byte, 3)
			_, _ = rand.Read(b)
			f.Worker = fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
		}
		f.owned, f.held = map[int64]bool{}, map[int64]bool{}
		f.wake = make(chan struct{}, 1)
		if f.Lanes <= 0 {
			f.Lanes = 256
		}
		if f.Drain <= 0 {
			f.Drain = 10 * time.Second
		}
	})
}

// Own makes this process run bot id's effects (it has just become the
// bot's owner): effects another worker still holds are taken over at once
// (bot.rescue_effects), then the runner claims.
func (f *Effects) Own(ctx context.Context, id int64) {
	f.init()
	var n int
	if err := f.Exec.pool.QueryRow(ctx, "select bot.rescue_effects($1, $2)", id, f.Worker).Scan(&n); err != nil {
		if ctx.Err() == nil {
			f.Log.Warn("effects: take over the bot's effects (their leases will expire instead)", "bot_instance_id", id, "err", err)
		}
	} else if n > 0 {
		f.Log.Info("effects: took over effects held by the bot's previous owner", "bot_instance_id", id, "count", n)
	}
	f.mu.Lock()
	f.owned[id] = true
	f.mu.Unlock()
	f.Wake()
}

// Disown stops claiming bot id's effects.
func (f *Effects) Disown(id int64) {
	f.init()
	f.mu.Lock()
	delete(f.owned, id)
	f.mu.Unlock()
}

// Owns reports whether this process runs bot id's effects.
func (f *Effects) Owns(id int64) bool {
	f.init()
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.owned[id]
}

// Wake makes the runner claim now (a decision just committed effects, or
// the nezuko_effects doorbell rang). It never blocks.
func (f *Effects) Wake() {
	f.init()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

func (f *Effects) bots() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := make([]int64, 0, len(f.owned))
	for id := range f.owned {
		ids = append(ids, id)
	}
	return ids
}

func (f *Effects) hold(id int64, on bool) {
	f.mu.Lock()
	if on {
		f.held[id] = true
	} else {
		delete(f.held, id)
	}
	f.mu.Unlock()
}

// Run claims and runs effects until ctx ends.
func (f *Effects) Run(ctx context.Context) {
	f.init()
	// Calls in flight finish (and are reported) after ctx ends, within Drain.
	callCtx, stopCalls := context.WithCancel(context.WithoutCancel(ctx))
	defer stopCalls()
	free := make(chan struct{}, f.Lanes)
	var lanes sync.WaitGroup
	f.answers = make(chan *answer, f.Lanes)
	reported := make(chan struct{})
	go func() {
		defer close(reported)
		f.reporter(callCtx, f.answers)
	}()
	slots := f.Lanes
	// Leases of what this process holds are renewed, and those of vanished
	// executors rescued, on their own clock: a busy claim loop never starves them.
	upkeep := make(chan struct{})
	go func() {
		defer close(upkeep)
		f.rescue(ctx)
		for ctx.Err() == nil {
			sleep(ctx, 5*time.Second)
			f.renew(callCtx)
			f.rescue(ctx)
		}
	}()
	due := time.NewTimer(time.Hour)
	defer due.Stop()
	more := true
	for ctx.Err() == nil {
		if !more || slots == 0 {
			select {
			case <-ctx.Done():
				continue
			case <-f.wake:
			case <-due.C:
			case <-free:
				slots++
			}
		}
		for drained := false; !drained; {
			select {
			case <-free:
				slots++
			default:
				drained = true
			}
		}
		bots := f.bots()
		if len(bots) == 0 || slots == 0 {
			more = false
			continue
		}
		n := slots
		claimed, next, err := f.claim(ctx, bots, n)
		if err != nil {
			if ctx.Err() == nil {
				f.Log.Warn("effects: claim", "err", err)
				sleep(ctx, time.Second)
			}
			more = true
			continue
		}
		more = len(claimed) == n
		due.Stop()
		if next != nil {
			due.Reset(time.Duration(*next*float64(time.Second)) + time.Millisecond)
		}
		for _, e := range claimed {
			slots--
			f.hold(e.ID, true)
			lanes.Add(1)
			go func(e *effect) {
				defer lanes.Done()
				f.lane(ctx, callCtx, e)
				free <- struct{}{}
			}(e)
		}
	}
	idle := make(chan struct{})
	go func() { lanes.Wait(); close(idle) }()
	select {
	case <-idle:
	case <-time.After(f.Drain):
		f.Log.Warn("effects: cancelling calls still in flight at shutdown (their leases expire and they resume elsewhere)")
		stopCalls()
		<-idle
	}
	close(f.answers) // every lane is done: the reporter ends
	<-reported
	stopCalls()
	<-upkeep
}

func (f *Effects) claim(ctx context.Context, bots []int64, n int) ([]*effect, *float64, error) {
	b := &pgx.Batch{}
	b.Queue("select id, bot_instance_id, chat_id, method, params, repeatable, attempts, created_at from bot.claim_effects($1, $2, $3)",
		f.Worker, bots, n)
	b.Queue("select bot.next_effect_due($1)", bots)
	br := f.Exec.pool.SendBatch(ctx, b)
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return nil, nil, err
	}
	out, err := pgx.CollectRows(rows, scanEffect)
	if err != nil {
		return nil, nil, err
	}
	var next *float64
	if err := br.QueryRow().Scan(&next); err != nil {
		return nil, nil, err
	}
	return out, next, nil
}

func scanEffect(r pgx.CollectableRow) (*effect, error) {
	e := &effect{}
	return e, r.Scan(&e.ID, &e.Bot, &e.Chat, &e.Method, &e.Params, &e.Repeatable, &e.Attempts, &e.Created)
}

// lane runs one chat's effects, one after the other, until SQL hands back
// no next one (drained, or the next waits for a retry) or the runner stops.
func (f *Effects) lane(ctx, callCtx context.Context, e *effect) {
	for e != nil {
		next, ok := f.one(ctx, callCtx, e)
		f.hold(e.ID, false)
		if !ok {
			return
		}
		if next != nil {
			f.hold(next.ID, true)
		}
		e = next
	}
}

// one waits for the chat's rate-limit slot, makes the call and reports the
// answer; it returns the chat's next claimed effect. ok is false when the
// runner is stopping (the effect was handed back) or the report failed.
func (f *Effects) one(ctx, callCtx context.Context, e *effect) (*effect, bool) {
	b, err := f.Exec.bot(callCtx, e.Bot)
	if err != nil {
		f.report(callCtx, e, plan.CallResult{Method: e.Method, ErrorType: "bot_unavailable", Description: err.Error()})
		return nil, false
	}
	if err := b.limits.wait(ctx, e.Chat, e.Method); err != nil {
		f.release(e)
		return nil, false
	}
	if !e.Repeatable {
		// A send goes out at most once: say so durably before it leaves.
		var mine bool
		if err := f.Exec.pool.QueryRow(callCtx, "select bot.effect_calling($1, $2)", e.ID, f.Worker).Scan(&mine); err != nil || !mine {
			if err != nil && callCtx.Err() == nil {
				f.Log.Warn("effects: cannot mark a send as in flight; its lease will expire and it resumes", "effect_id", e.ID, "err", err)
			}
			return nil, false
		}
	}
	res := f.Exec.callOnce(callCtx, e.Bot, b, plan.Call{Method: e.Method, Params: e.Params})
	if f.OnAnswer != nil {
		f.OnAnswer(e.Bot, e.Method, time.Since(e.Created), res.OK)
	}
	if res.RetryAfter > 0 {
		b.limits.pause(e.Chat, e.Method, time.Now().Add(time.Duration(res.RetryAfter)*time.Second))
	}
	return f.report(callCtx, e, res)
}

// answer is one lane's Telegram answer on its way to SQL; the lane waits
// on done for what SQL made of it (the chat's next effect).
type answer struct {
	e    *effect
	res  plan.CallResult
	next *effect
	ok   bool
	done chan struct{}
}

// maxReportBatch bounds the answers one bot.report_effects call carries.
const maxReportBatch = 200

// report hands the answer to SQL and returns the chat's next effect. While
// Run runs, answers go through the reporter: the lanes' answers that arrive
// while a report is in flight share the next one (one transaction for
// all, like a group commit), so a busy executor does not pay a round trip
// and a commit per call.
func (f *Effects) report(ctx context.Context, e *effect, res plan.CallResult) (*effect, bool) {
	if f.answers == nil {
		return f.reportOne(ctx, e, res)
	}
	a := &answer{e: e, res: res, done: make(chan struct{})}
	f.answers <- a
	<-a.done
	return a.next, a.ok
}

// reporter sends the queued answers to SQL, as many at once as are
// waiting, until in is closed (every lane has finished).
func (f *Effects) reporter(ctx context.Context, in <-chan *answer) {
	batch := make([]*answer, 0, maxReportBatch)
	for a := range in {
		batch = append(batch[:0], a)
	gather:
		for len(batch) < maxReportBatch {
			select {
			case a, open := <-in:
				if !open {
					break gather
				}
				batch = append(batch, a)
			default:
				break gather
			}
		}
		f.reportBatch(ctx, batch)
		for _, a := range batch {
			close(a.done)
		}
	}
}

// reportBatch records a batch of answers in one bot.report_effects call,
// retrying while the database does not answer. Should SQL refuse the batch
// (a bug), each answer is reported alone, so only the one it refuses is lost
// to its lease (and resumes).
func (f *Effects) reportBatch(ctx context.Context, batch []*answer) {
	type item struct {
		ID     int64           `json:"id"`
		Result plan.CallResult `json:"result"`
	}
	items := make([]item, len(batch))
	byID := make(map[int64]*answer, len(batch))
	for i, a := range batch {
		items[i] = item{a.e.ID, a.res}
		byID[a.e.ID] = a
	}
	body, _ := json.Marshal(items)
	retry := backoff.New(100*time.Millisecond, 5*time.Second)
	for {
		err := f.reportRows(ctx, body, byID)
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			f.Log.Error("effects: cannot report answers; their leases will expire and they resume", "answers", len(batch), "err", err)
			return
		}
		if IsSQLError(err) {
			f.Log.Warn("effects: SQL refused a batch of answers; reporting them one by one", "answers", len(batch), "err", err)
			for _, a := range batch {
				a.next, a.ok = f.reportOne(ctx, a.e, a.res)
			}
			return
		}
		sleep(ctx, retry.Next())
	}
}

func (f *Effects) reportRows(ctx context.Context, body []byte, byID map[int64]*answer) error {
	rows, err := f.Exec.pool.Query(ctx, "select answered_id, id, bot_instance_id, chat_id, method, params, repeatable, attempts, created_at from bot.report_effects($1, $2)",
		f.Worker, string(body))
	if err != nil {
		return err
	}
	next := map[int64]*effect{}
	for rows.Next() {
		var answered int64
		e := &effect{}
		if err := rows.Scan(&answered, &e.ID, &e.Bot, &e.Chat, &e.Method, &e.Params, &e.Repeatable, &e.Attempts, &e.Created); err != nil {
			rows.Close()
			return err
		}
		next[answered] = e
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for id, a := range byID {
		a.next, a.ok = next[id], true
	}
	return nil
}

// reportOne hands one answer to SQL (bot.report_effect), retrying while
// the database does not answer (the lease is renewed meanwhile by the renew
// loop), and returns the chat's next effect.
func (f *Effects) reportOne(ctx context.Context, e *effect, res plan.CallResult) (*effect, bool) {
	body, _ := json.Marshal(res)
	retry := backoff.New(100*time.Millisecond, 5*time.Second)
	for {
		rows, err := f.Exec.pool.Query(ctx, "select id, bot_instance_id, chat_id, method, params, repeatable, attempts, created_at from bot.report_effect($1, $2, $3)",
			e.ID, f.Worker, string(body))
		var next []*effect
		if err == nil {
			next, err = pgx.CollectRows(rows, scanEffect)
		}
		if err == nil {
			if len(next) == 0 {
				return nil, true
			}
			return next[0], true
		}
		if ctx.Err() != nil || IsSQLError(err) {
			f.Log.Error("effects: cannot report an answer; the effect's lease will expire and it resumes",
				"effect_id", e.ID, "method", e.Method, "err", err)
			return nil, false
		}
		sleep(ctx, retry.Next())
	}
}

// release hands an uncalled effect back (the runner is stopping).
func (f *Effects) release(e *effect) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := f.Exec.pool.Exec(ctx, "select bot.release_effects($1, $2)", f.Worker, []int64{e.ID}); err != nil {
		f.Log.Warn("effects: cannot hand back an effect; its lease will expire", "effect_id", e.ID, "err", err)
	}
}

func (f *Effects) renew(ctx context.Context) {
	f.mu.Lock()
	ids := make([]int64, 0, len(f.held))
	for id := range f.held {
		ids = append(ids, id)
	}
	f.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	if _, err := f.Exec.pool.Exec(ctx, "select bot.renew_effect_leases($1, $2)", f.Worker, ids); err != nil && ctx.Err() == nil {
		f.Log.Warn("effects: renew leases", "err", err)
	}
}

func (f *Effects) rescue(ctx context.Context) {
	var n int
	if err := f.Exec.pool.QueryRow(ctx, "select bot.rescue_effects()").Scan(&n); err != nil {
		if ctx.Err() == nil {
			f.Log.Warn("effects: rescue expired leases", "err", err)
		}
		return
	}
	if n > 0 {
		f.Log.Info("effects: resumed effects whose executor stopped answering", "count", n)
	}
}
