// Package telegram is the bridge between PostgreSQL's bot.* procedures and
// the Telegram Bot API: it receives updates (long polling with durable
// acknowledgement, or webhook), hands the raw update JSON to SQL, answers
// the membership checks SQL asks for, and makes the Bot API calls of the
// plan SQL returns, behind a rate limiter, retrying 429s, logging every
// call in batches. It holds no business rule: SQL decides.
package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
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

// Client calls the Bot API for one bot. Its errors never contain the token.
type Client struct {
	base  string // {server}/bot{token}/
	token string
	http  *http.Client
}

// NewClient returns a client for token at server (e.g. https://api.telegram.org).
func NewClient(server, token string, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: 70 * time.Second}
	}
	return &Client{base: strings.TrimRight(server, "/") + "/bot" + token + "/", token: token, http: hc}
}

// scrub removes the token from an error's text (net/http errors quote the URL).
func (c *Client) scrub(err error) error {
	if err == nil || c.token == "" || !strings.Contains(err.Error(), c.token) {
		return err
	}
	return scrubbedError{msg: strings.ReplaceAll(err.Error(), c.token, "<token>"), cause: err}
}

type scrubbedError struct {
	msg   string
	cause error
}

func (e scrubbedError) Error() string { return e.msg }

// Is keeps errors.Is(err, context.Canceled) working without exposing the
// cause's text through Unwrap.
func (e scrubbedError) Is(target error) bool { return errors.Is(e.cause, target) }

// Call makes one Bot API call with a JSON body and returns its result.
func (c *Client) Call(ctx context.Context, method string, params json.RawMessage) (json.RawMessage, error) {
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
