package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/fernet/fernet-go"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/gobridge/metrics"
	"github.com/nezuko-bot/nezuko/gobridge/plan"
)

// ErrMalformed marks input SQL refused as malformed (SQLSTATE class 22):
// it is logged and skipped, never retried.
var ErrMalformed = errors.New("malformed update")

// maxRounds bounds check → resume rounds of one plan.
const maxRounds = 6

var funcName = regexp.MustCompile(`^bot\.[a-z_][a-z0-9_]*$`)

// Executor runs plans for any bot: checks, resume, calls, finish. It is
// shared by the update intake and the command-queue worker, so rate limits,
// 429 handling and api_call_log accounting apply to every call.
type Executor struct {
	pool   *pgxpool.Pool
	log    *slog.Logger
	apiURL string
	keys   []*fernet.Key
	http   *http.Client

	mu       sync.Mutex
	bots     map[int64]*botConn
	globalN  int
	perChatN int

	rows chan callRow
	// RetryBackoff is the first wait after a network or 5xx error (doubles,
	// up to 10 s).
	RetryBackoff time.Duration
	// MaxTransientRetries bounds those retries; 0 (the default) retries
	// until ctx ends, so no action is dropped while Telegram is unreachable:
	// give Run a ctx with a deadline (a lease) to bound it.
	MaxTransientRetries int
}

type botConn struct {
	client *Client
	limits *limits
	sealed string // the token_encrypted it was made from
}

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

// NewExecutor returns an executor calling the Bot API at apiURL; keys
// decrypt the bots' tokens (Fernet, any key may decrypt).
func NewExecutor(pool *pgxpool.Pool, log *slog.Logger, apiURL string, keys []*fernet.Key) *Executor {
	return &Executor{
		pool: pool, log: log, apiURL: apiURL, keys: keys,
		http:         &http.Client{Timeout: 70 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second}},
		bots:         map[int64]*botConn{},
		globalN:      30,
		perChatN:     20,
		rows:         make(chan callRow, 8192),
		RetryBackoff: 200 * time.Millisecond,
	}
}

// ParseKeys decodes NEZUKO_FERNET_KEYS entries.
func ParseKeys(keys []string) ([]*fernet.Key, error) {
	var out []*fernet.Key
	for i, k := range keys {
		fk, err := fernet.DecodeKey(k)
		if err != nil {
			return nil, fmt.Errorf("NEZUKO_FERNET_KEYS: key %d is not a Fernet key (32 bytes, URL-safe base64)", i+1)
		}
		out = append(out, fk)
	}
	return out, nil
}

// Decrypt opens a Fernet-sealed token with any of the keys.
func Decrypt(sealed string, keys []*fernet.Key) (string, error) {
	if len(keys) == 0 {
		return "", errors.New("no Fernet keys configured (NEZUKO_FERNET_KEYS)")
	}
	msg := fernet.VerifyAndDecrypt([]byte(sealed), 0, keys)
	if msg == nil {
		return "", errors.New("token does not decrypt with any key of NEZUKO_FERNET_KEYS")
	}
	return string(msg), nil
}

// SetLimits sets the rate limits for every bot (admin_config values).
func (e *Executor) SetLimits(globalPerSecond, perChatPerMinute int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if globalPerSecond == e.globalN && perChatPerMinute == e.perChatN {
		return
	}
	e.globalN, e.perChatN = globalPerSecond, perChatPerMinute
	for _, b := range e.bots {
		b.limits.update(globalPerSecond, perChatPerMinute)
	}
}

// register makes the executor use token for bot id (the manager calls it
// when it starts a bot, so a changed token takes effect).
func (e *Executor) register(id int64, sealed, token string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if b := e.bots[id]; b != nil && b.sealed == sealed {
		return nil
	}
	c, err := NewClient(e.apiURL, token, e.http)
	if err != nil {
		return fmt.Errorf("bot %d: %w", id, err)
	}
	e.bots[id] = &botConn{client: c, limits: newLimits(e.globalN, e.perChatN), sealed: sealed}
	return nil
}

// bot returns the connection for a bot, loading its token from the
// database when this process does not run it (a queued command).
func (e *Executor) bot(ctx context.Context, id int64) (*botConn, error) {
	e.mu.Lock()
	b := e.bots[id]
	e.mu.Unlock()
	if b != nil {
		return b, nil
	}
	var sealed *string
	if err := e.pool.QueryRow(ctx, "select bot.bot_token($1)", id).Scan(&sealed); err != nil {
		return nil, fmt.Errorf("load bot %d: %w", id, err)
	}
	if sealed == nil {
		return nil, fmt.Errorf("bot %d is not registered", id)
	}
	tok, err := Decrypt(*sealed, e.keys)
	if err != nil {
		return nil, fmt.Errorf("bot %d: %w", id, err)
	}
	if err := e.register(id, *sealed, tok); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.bots[id], nil
}

// Client returns the Bot API client of a bot (for getUpdates).
func (e *Executor) Client(ctx context.Context, id int64) (*Client, error) {
	b, err := e.bot(ctx, id)
	if err != nil {
		return nil, err
	}
	return b.client, nil
}

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

// Run carries out a plan for a bot: while it has checks, answer them
// (concurrently) and call its resume function (bot.*(bot_instance_id,
// state, answers) → plan); then make its calls in order (a failed call
// stops the rest unless it is optional); then call its finish function
// (bot.*(bot_instance_id, state, results)). The command-queue worker runs
// the plans of queued commands through here too.
func (e *Executor) Run(ctx context.Context, botID int64, p plan.Plan) ([]plan.CallResult, error) {
	b, err := e.bot(ctx, botID)
	if err != nil {
		return nil, err
	}
	for round := 0; len(p.Checks) > 0; round++ {
		if round >= maxRounds {
			return nil, fmt.Errorf("plan still asks for checks after %d rounds", maxRounds)
		}
		if !funcName.MatchString(p.Resume) {
			return nil, fmt.Errorf("plan has checks but resume %q is not a bot.* function", p.Resume)
		}
		answers := e.answer(ctx, botID, b, p.Checks)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		aj, _ := json.Marshal(answers)
		var body []byte
		if err := e.pool.QueryRow(ctx, "select "+p.Resume+"($1, $2::jsonb, $3::jsonb)", botID, nullJSON(p.State), string(aj)).Scan(&body); err != nil {
			return nil, classifyDB(fmt.Errorf("%s: %w", p.Resume, err))
		}
		p = plan.Plan{}
		if err := json.Unmarshal(body, &p); err != nil {
			return nil, fmt.Errorf("resume returned a plan that does not decode: %w", err)
		}
	}
	results := make([]plan.CallResult, 0, len(p.Calls))
	for _, c := range p.Calls {
		r := e.call(ctx, botID, b, c)
		if ctx.Err() != nil {
			return results, ctx.Err()
		}
		results = append(results, r)
		if !r.OK && !c.Optional {
			break
		}
	}
	if p.Finish != "" {
		if !funcName.MatchString(p.Finish) {
			return results, fmt.Errorf("finish %q is not a bot.* function", p.Finish)
		}
		rj, _ := json.Marshal(results)
		if _, err := e.pool.Exec(ctx, "select "+p.Finish+"($1, $2::jsonb, $3::jsonb)", botID, nullJSON(p.State), string(rj)); err != nil {
			return results, classifyDB(fmt.Errorf("%s: %w", p.Finish, err))
		}
	}
	return results, nil
}

func nullJSON(r json.RawMessage) any {
	if len(r) == 0 {
		return nil
	}
	return string(r)
}

// answer runs the checks concurrently through the rate limiter.
func (e *Executor) answer(ctx context.Context, botID int64, b *botConn, checks []plan.Check) []plan.CheckResult {
	out := make([]plan.CheckResult, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = e.check(ctx, botID, b, c)
		}()
	}
	wg.Wait()
	return out
}

func (e *Executor) check(ctx context.Context, botID int64, b *botConn, c plan.Check) plan.CheckResult {
	r := plan.CheckResult{Method: c.Method, ChatID: c.ChatID, ChatRef: c.ChatRef, UserID: c.UserID}
	if r.Method == "" {
		r.Method = "getChatMember"
	}
	params := map[string]any{}
	if c.ChatRef != "" {
		params["chat_id"] = c.ChatRef
	} else {
		params["chat_id"] = c.ChatID
	}
	if r.Method == "getChatMember" {
		params["user_id"] = c.UserID
	}
	pj, _ := json.Marshal(params)
	start := time.Now()
	res, err := e.do(ctx, botID, b, r.Method, pj, c.ChatID, c.UserID)
	r.LatencyMS = time.Since(start).Milliseconds()
	if err != nil {
		r.ErrorType = ErrorType(err)
		r.Error = err.Error()
		return r
	}
	r.Result = res
	if r.Method == "getChat" {
		var chat struct {
			ID int64 `json:"id"`
		}
		if json.Unmarshal(res, &chat) == nil && chat.ID != 0 {
			r.ChatID = chat.ID
		}
		return r
	}
	var m struct {
		Status   string `json:"status"`
		IsMember *bool  `json:"is_member"`
	}
	if err := json.Unmarshal(res, &m); err != nil || m.Status == "" {
		r.ErrorType, r.Error = "bad_answer", "getChatMember answer has no status"
		return r
	}
	r.Status, r.IsMember = m.Status, m.IsMember
	return r
}

func (e *Executor) call(ctx context.Context, botID int64, b *botConn, c plan.Call) plan.CallResult {
	var ids struct {
		ChatID json.RawMessage `json:"chat_id"`
		UserID int64           `json:"user_id"`
	}
	_ = json.Unmarshal(c.Params, &ids)
	chatID, _ := strconv.ParseInt(string(ids.ChatID), 10, 64)
	res, err := e.do(ctx, botID, b, c.Method, c.Params, chatID, ids.UserID)
	r := plan.CallResult{Method: c.Method, OK: err == nil, Result: res}
	if err != nil {
		r.ErrorType = ErrorType(err)
		var ae *APIError
		if errors.As(err, &ae) {
			r.ErrorCode, r.Description = ae.Code, ae.Description
		} else {
			r.Description = err.Error()
		}
		if ctx.Err() == nil {
			e.log.Warn("Bot API call failed", "bot_instance_id", botID, "method", c.Method, "chat_id", chatID,
				"error_type", r.ErrorType, "err", err)
		}
	}
	return r
}

// do makes one call behind the rate limiter. A 429 pauses the whole bot
// for retry_after and the call is made again: never dropped. Network errors
// and 5xx are retried with backoff (see MaxTransientRetries).
func (e *Executor) do(ctx context.Context, botID int64, b *botConn, method string, params json.RawMessage, chatID, userID int64) (json.RawMessage, error) {
	backoff := e.RetryBackoff
	for attempt := 0; ; attempt++ {
		if err := b.limits.global.wait(ctx); err != nil {
			return nil, err
		}
		if chatID != 0 && postsIntoChat(method) {
			if err := b.limits.chat(chatID).wait(ctx); err != nil {
				return nil, err
			}
		}
		start := time.Now()
		res, err := b.client.Call(ctx, method, params)
		e.record(botID, method, chatID, userID, start, err)
		metrics.TelegramCall(method, ErrorType(err), time.Since(start))
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var ae *APIError
		if errors.As(err, &ae) && ae.Code == 429 {
			ra := time.Duration(max(ae.RetryAfter, 1)) * time.Second
			b.limits.global.pause(time.Now().Add(ra))
			if chatID != 0 && postsIntoChat(method) {
				b.limits.chat(chatID).pause(time.Now().Add(ra))
			}
			e.log.Warn("Telegram asked to slow down: pausing this bot", "bot_instance_id", botID, "method", method,
				"retry_after_s", ae.RetryAfter)
			continue
		}
		var re *RequestError
		retryable := !errors.As(err, &re) && (!errors.As(err, &ae) || ae.Code >= 500)
		if !retryable || (e.MaxTransientRetries > 0 && attempt >= e.MaxTransientRetries) {
			return nil, err
		}
		if attempt == 3 {
			e.log.Warn("Telegram unreachable; retrying until it answers", "bot_instance_id", botID, "method", method, "err", err)
		}
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
		backoff = min(backoff*2, 10*time.Second)
	}
}

func (e *Executor) record(botID int64, method string, chatID, userID int64, start time.Time, err error) {
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

// Decided is SQL's first answer for one update of a batch.
type Decided struct {
	Plan      plan.Plan
	Malformed string // non-empty: SQL refused the update as malformed
}

// DecideBatch hands a whole batch of raw updates (each valid JSON) to
// bot.handle_updates: one round trip, one commit. Updates that need no
// call are done when it returns; the others' plans are to be Run.
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
		var m struct {
			Malformed string `json:"malformed"`
		}
		_ = json.Unmarshal(it, &m)
		if m.Malformed != "" {
			out[i].Malformed = m.Malformed
			continue
		}
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
