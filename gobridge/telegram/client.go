// Package telegram is the bridge between PostgreSQL's bot.* procedures and
// the Telegram Bot API: it receives updates (long polling with durable
// acknowledgement, or webhook), hands the raw update JSON to SQL, answers
// the membership checks SQL asks for, and makes the Bot API calls of the
// plan SQL returns, behind a rate limiter, retrying 429s, logging every
// call in batches. Bot API calls go through github.com/go-telegram/bot
// (see Client). It holds no business rule: SQL decides.
package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot"
)

// APIError is an error answer from the Bot API.
type APIError struct {
	Code        int
	Description string
	RetryAfter  int
	MigrateTo   int64
}

func (e *APIError) Error() string { return fmt.Sprintf("telegram: %d %s", e.Code, e.Description) }

// ErrorType classifies a Bot API error into the short names used in
// api_call_log.error_type, verification answers and group health.
func ErrorType(err error) string {
	if err == nil {
		return ""
	}
	var re *RequestError
	if errors.As(err, &re) {
		return "bad_request"
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return "timeout"
		}
		return "network"
	}
	d := strings.ToLower(ae.Description)
	switch {
	case ae.Code == 429:
		return "too_many_requests"
	case ae.Code == 401:
		return "unauthorized"
	case strings.Contains(d, "bot was kicked"):
		return "bot_kicked"
	case strings.Contains(d, "bot is not a member"):
		return "bot_not_member"
	case strings.Contains(d, "bot was blocked by the user"):
		return "bot_blocked"
	case strings.Contains(d, "member list is inaccessible"):
		return "bot_not_admin"
	case strings.Contains(d, "not enough rights"), strings.Contains(d, "need administrator rights"),
		strings.Contains(d, "chat_admin_required"):
		return "not_enough_rights"
	case strings.Contains(d, "chat not found"):
		return "chat_not_found"
	case strings.Contains(d, "user not found"), strings.Contains(d, "participant_id_invalid"):
		return "user_not_found"
	case strings.Contains(d, "message to delete not found"), strings.Contains(d, "message can't be deleted"),
		strings.Contains(d, "message to edit not found"):
		return "message_not_found"
	case strings.Contains(d, "query is too old"), strings.Contains(d, "query id is invalid"):
		return "query_too_old"
	case strings.Contains(d, "can't parse entities"):
		return "bad_markup"
	case strings.Contains(d, "upgraded to a supergroup"), ae.MigrateTo != 0:
		return "chat_migrated"
	case ae.Code == 409:
		return "conflict"
	case ae.Code >= 500:
		return "server_error"
	}
	return "bad_request"
}

// Client calls the Bot API for one bot. Every method a plan may name goes
// through go-telegram/bot's typed call: the plan's JSON params are decoded
// strictly into the library's params struct (a field the library does not
// model is an error, never silently dropped) and reply_markup is handed to
// it as the raw JSON SQL built (the library's InlineKeyboardButton would add
// an empty copy_text). getUpdates is the one method made directly: the
// library exposes no durable intake and re-marshals updates, dropping the
// fields it does not model, while SQL must get each update's raw bytes
// (PITFALLS). Its errors never contain the token.
type Client struct {
	bot   *bot.Bot
	base  string // {server}/bot{token}/, for getUpdates
	token string
	http  *http.Client
}

// NewClient returns a client for token at server (e.g. https://api.telegram.org).
func NewClient(server, token string, hc *http.Client) (*Client, error) {
	if hc == nil {
		hc = &http.Client{Timeout: 70 * time.Second}
	}
	server = strings.TrimRight(server, "/")
	b, err := bot.New(token,
		bot.WithServerURL(server),
		bot.WithSkipGetMe(),
		bot.WithHTTPClient(hc.Timeout, hc),
		// It reports only failures to close a request's pipe, which the
		// call's own error already carries.
		bot.WithErrorsHandler(func(error) {}),
	)
	if err != nil {
		return nil, fmt.Errorf("bot client: %w", err)
	}
	return &Client{bot: b, base: server + "/bot" + token + "/", token: token, http: hc}, nil
}

// RequestError is a call the bridge refused to make: a method it does not
// know or params that do not fit the method. Retrying cannot help.
type RequestError struct{ Msg string }

func (e *RequestError) Error() string { return e.Msg }

// method makes one typed call and returns its result, to be marshalled.
type method func(ctx context.Context, b *bot.Bot, params []byte) (any, error)

// typed adapts a library method (a method expression such as
// (*bot.Bot).SendMessage) to a call with JSON params.
func typed[P any, R any](call func(*bot.Bot, context.Context, *P) (R, error)) method {
	return func(ctx context.Context, b *bot.Bot, raw []byte) (any, error) {
		p := new(P)
		if err := decodeParams(raw, p); err != nil {
			return nil, err
		}
		return call(b, ctx, p)
	}
}

// methods are the Bot API methods plans, checks and the bridge make.
var methods = map[string]method{
	"getMe": func(ctx context.Context, b *bot.Bot, _ []byte) (any, error) { return b.GetMe(ctx) },

	"getChat":            typed((*bot.Bot).GetChat),
	"getChatMember":      typed((*bot.Bot).GetChatMember),
	"getChatMemberCount": typed((*bot.Bot).GetChatMemberCount),

	"sendMessage":            typed((*bot.Bot).SendMessage),
	"deleteMessage":          typed((*bot.Bot).DeleteMessage),
	"answerCallbackQuery":    typed((*bot.Bot).AnswerCallbackQuery),
	"restrictChatMember":     typed((*bot.Bot).RestrictChatMember),
	"banChatMember":          typed((*bot.Bot).BanChatMember),
	"banChatSenderChat":      typed((*bot.Bot).BanChatSenderChat),
	"unbanChatMember":        typed((*bot.Bot).UnbanChatMember),
	"approveChatJoinRequest": typed((*bot.Bot).ApproveChatJoinRequest),
	"declineChatJoinRequest": typed((*bot.Bot).DeclineChatJoinRequest),
	"leaveChat":              typed((*bot.Bot).LeaveChat),

	"setWebhook":    typed((*bot.Bot).SetWebhook),
	"deleteWebhook": typed((*bot.Bot).DeleteWebhook),
}

// decodeParams fills p from JSON params: numbers stay exact (chat ids
// travel as json.Number), unknown fields are refused, reply_markup stays
// the raw JSON it was.
func decodeParams(raw []byte, p any) error {
	if len(bytes.TrimSpace(raw)) == 0 || string(raw) == "null" {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(p); err != nil {
		return &RequestError{Msg: "params do not fit the method: " + err.Error()}
	}
	var rm struct {
		ReplyMarkup json.RawMessage `json:"reply_markup"`
	}
	if err := json.Unmarshal(raw, &rm); err == nil && len(rm.ReplyMarkup) > 0 && string(rm.ReplyMarkup) != "null" {
		f := reflect.ValueOf(p).Elem().FieldByName("ReplyMarkup")
		if !f.IsValid() || !f.CanSet() {
			return &RequestError{Msg: "params do not fit the method: reply_markup"}
		}
		f.Set(reflect.ValueOf(json.RawMessage(rm.ReplyMarkup)))
	}
	return nil
}

// Call makes one Bot API call and returns its result as JSON.
func (c *Client) Call(ctx context.Context, name string, params json.RawMessage) (json.RawMessage, error) {
	if name == "getUpdates" {
		return c.getUpdates(ctx, params)
	}
	m, ok := methods[name]
	if !ok {
		return nil, &RequestError{Msg: name + ": not a Bot API method the bridge makes"}
	}
	res, err := m(ctx, c.bot, params)
	if err != nil {
		var re *RequestError
		if errors.As(err, &re) {
			return nil, &RequestError{Msg: name + ": " + re.Msg}
		}
		return nil, c.fromLibrary(err)
	}
	out, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("%s: result does not encode: %w", name, err)
	}
	return out, nil
}

// libraryErrors are the library's sentinel errors by HTTP status; it wraps
// them as "<sentinel>, <Telegram's description>".
var libraryErrors = []struct {
	code int
	err  error
}{
	{http.StatusBadRequest, bot.ErrorBadRequest},
	{http.StatusUnauthorized, bot.ErrorUnauthorized},
	{http.StatusForbidden, bot.ErrorForbidden},
	{http.StatusNotFound, bot.ErrorNotFound},
	{http.StatusConflict, bot.ErrorConflict},
}

var otherAnswer = regexp.MustCompile(`^error response from telegram for method [A-Za-z]+, (\d+) (.*)$`)

// fromLibrary turns the library's errors back into Telegram's answer (code,
// description, retry_after, migrate_to_chat_id); anything else (network,
// an answer that is not Bot API JSON) keeps its text, minus the token.
func (c *Client) fromLibrary(err error) error {
	var tm *bot.TooManyRequestsError
	if errors.As(err, &tm) {
		return &APIError{Code: http.StatusTooManyRequests, RetryAfter: tm.RetryAfter,
			Description: strings.TrimPrefix(tm.Message, bot.ErrorTooManyRequests.Error()+", ")}
	}
	var me *bot.MigrateError
	if errors.As(err, &me) {
		return &APIError{Code: http.StatusBadRequest, MigrateTo: int64(me.MigrateToChatID),
			Description: strings.TrimPrefix(me.Message, bot.ErrorBadRequest.Error()+": ")}
	}
	for _, le := range libraryErrors {
		if errors.Is(err, le.err) {
			return &APIError{Code: le.code, Description: c.redact(strings.TrimPrefix(err.Error(), le.err.Error()+", "))}
		}
	}
	if m := otherAnswer.FindStringSubmatch(err.Error()); m != nil {
		code, _ := strconv.Atoi(m[1])
		return &APIError{Code: code, Description: c.redact(m[2])}
	}
	return c.scrub(err)
}

func (c *Client) redact(s string) string {
	if c.token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.token, "<token>")
}

// scrub removes the token from an error's text (net/http errors quote the URL).
func (c *Client) scrub(err error) error {
	if err == nil || c.token == "" || !strings.Contains(err.Error(), c.token) {
		return err
	}
	return scrubbedError{msg: c.redact(err.Error()), cause: err}
}

type scrubbedError struct {
	msg   string
	cause error
}

func (e scrubbedError) Error() string { return e.msg }

// Is keeps errors.Is(err, context.Canceled) working without exposing the
// cause's text through Unwrap.
func (e scrubbedError) Is(target error) bool { return errors.Is(e.cause, target) }

// getUpdates asks for updates and returns the result array as Telegram
// sent it, byte for byte.
func (c *Client) getUpdates(ctx context.Context, params json.RawMessage) (json.RawMessage, error) {
	const method = "getUpdates"
	if len(params) == 0 || string(params) == "null" {
		params = json.RawMessage("{}")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+method, bytes.NewReader(params))
	if err != nil {
		return nil, c.scrub(fmt.Errorf("%s: %w", method, err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.scrub(fmt.Errorf("%s: %w", method, err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, c.scrub(fmt.Errorf("%s: read answer: %w", method, err))
	}
	var out struct {
		OK          bool            `json:"ok"`
		Result      json.RawMessage `json:"result"`
		ErrorCode   int             `json:"error_code"`
		Description string          `json:"description"`
		Parameters  struct {
			RetryAfter      int   `json:"retry_after"`
			MigrateToChatID int64 `json:"migrate_to_chat_id"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("%s: HTTP %d with a body that is not Bot API JSON", method, resp.StatusCode)
	}
	if !out.OK {
		code := out.ErrorCode
		if code == 0 {
			code = resp.StatusCode
		}
		return nil, &APIError{Code: code, Description: out.Description, RetryAfter: out.Parameters.RetryAfter,
			MigrateTo: out.Parameters.MigrateToChatID}
	}
	return out.Result, nil
}
