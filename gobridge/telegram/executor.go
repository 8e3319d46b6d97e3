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
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/gobridge/backoff"
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
	// OnTrouble, when set, is told (quickly, without blocking) when Telegram
	// gives a bot a transient error or refuses its token.
	OnTrouble func(botID int64)
}

// callTimeout bounds one effect's call: a hung request is a timeout, retried
// by SQL's backoff, and never holds its chat for the HTTP client's 70 s.
const callTimeout = 20 * time.Second

// checkRetries bounds the retries of a membership check on 5xx or network
// errors: after them the check is answered as failed, and the group's
// fail_mode decides (intake never waits for Telegram to come back).
const checkRetries = 2

type botConn struct {
	client *Client
	limits *limits
	sealed string // the token_encrypted it was made from
	health health
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
	res, err := e.do(ctx, botID, b, r.Method, pj, c.ChatID, c.UserID, checkRetries)
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
	chatID, userID := callIDs(c.Params)
	res, err := e.do(ctx, botID, b, c.Method, c.Params, chatID, userID, e.MaxTransientRetries)
	r := callResult(c.Method, res, err)
	if err != nil && ctx.Err() == nil {
		e.log.Warn("Bot API call failed", "bot_instance_id", botID, "method", c.Method, "chat_id", chatID,
			"error_type", r.ErrorType, "err", err)
	}
	return r
}

// callOnce makes one attempt of an effect's call (the rate limit is the
// caller's): no retry here, since SQL decides what an answer means and
// when to try again (bot.report_effect).
func (e *Executor) callOnce(ctx context.Context, botID int64, b *botConn, c plan.Call) plan.CallResult {
	chatID, userID := callIDs(c.Params)
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	start := time.Now()
	res, err := b.client.Call(ctx, c.Method, c.Params)
	e.record(botID, b, c.Method, chatID, userID, start, err)
	r := callResult(c.Method, res, err)
	if err != nil {
		e.log.Debug("Bot API call failed", "bot_instance_id", botID, "method", c.Method, "chat_id", chatID,
			"error_type", r.ErrorType, "err", err)
	}
	return r
}

func callIDs(params json.RawMessage) (chatID, userID int64) {
	var ids struct {
		ChatID json.RawMessage `json:"chat_id"`
		UserID int64           `json:"user_id"`
	}
	_ = json.Unmarshal(params, &ids)
	chatID, _ = strconv.ParseInt(string(ids.ChatID), 10, 64)
	return chatID, ids.UserID
}

func callResult(method string, res json.RawMessage, err error) plan.CallResult {
	r := plan.CallResult{Method: method, OK: err == nil, Result: res}
	if err != nil {
		r.ErrorType = ErrorType(err)
		var ae *APIError
		if errors.As(err, &ae) {
			r.ErrorCode, r.Description, r.RetryAfter = ae.Code, ae.Description, ae.RetryAfter
		} else {
			r.Description = err.Error()
		}
	}
	return r
}

// do makes one call behind the rate limiter. A 429 pauses the whole bot
// for retry_after and the call is made again: never dropped. Network errors
// and 5xx are retried with backoff (see MaxTransientRetries).
func (e *Executor) do(ctx context.Context, botID int64, b *botConn, method string, params json.RawMessage, chatID, userID int64, maxRetries int) (json.RawMessage, error) {
	retry := backoff.New(e.RetryBackoff, 10*time.Second)
	for attempt := 0; ; attempt++ {
		if err := b.limits.wait(ctx, chatID, method); err != nil {
			return nil, err
		}
		start := time.Now()
		res, err := b.client.Call(ctx, method, params)
		e.record(botID, b, method, chatID, userID, start, err)
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var ae *APIError
		if errors.As(err, &ae) && ae.Code == 429 {
			ra := time.Duration(max(ae.RetryAfter, 1)) * time.Second
			b.limits.pause(chatID, method, time.Now().Add(ra))
			e.log.Warn("Telegram asked to slow down: pausing this bot", "bot_instance_id", botID, "method", method,
				"retry_after_s", ae.RetryAfter)
			continue
		}
		var re *RequestError
		retryable := !errors.As(err, &re) && (!errors.As(err, &ae) || ae.Code >= 500)
		if !retryable || (maxRetries > 0 && attempt >= maxRetries) {
			return nil, err
		}
		if attempt == 3 {
			e.log.Warn("Telegram unreachable; retrying until it answers", "bot_instance_id", botID, "method", method, "err", err)
		}
		if !retry.Wait(ctx) {
			return nil, ctx.Err()
		}
	}
}
