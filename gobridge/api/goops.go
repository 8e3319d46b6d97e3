package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/nezuko-bot/nezuko/gobridge/telegram"
)

// LoginInput is the body of POST /v1/auth/login.
type LoginInput struct {
	Body struct {
		Email    string `json:"email" maxLength:"254" minLength:"3" doc:"The account's email (case-insensitive)."`
		Password string `json:"password" maxLength:"200" minLength:"1" doc:"The account's password."`
	}
}

// LoginResult is a new bearer token.
type LoginResult struct {
	Token       string    `json:"token" doc:"The bearer token: send it as Authorization: Bearer <token>. Shown once."`
	TokenID     int64     `json:"token_id"`
	ExpiresAt   time.Time `json:"expires_at" doc:"When the token stops working (admin_config login_token_ttl_hours)."`
	Role        string    `json:"role" enum:"viewer,admin"`
	AdminUserID int64     `json:"admin_user_id"`
}

type loginOutput struct{ Body LoginResult }

// RegisterBotInput is the body of POST /v1/bots.
type RegisterBotInput struct {
	Body struct {
		Token      string `json:"token" maxLength:"200" minLength:"1" doc:"The bot token from @BotFather. It is checked with getMe, stored Fernet-encrypted and never returned."`
		WebhookURL string `json:"webhook_url,omitempty" maxLength:"500" doc:"Optional: the public base URL of nezuko serve (https://bots.example.com). The bot then runs in webhook mode: setWebhook is called for <webhook_url>/telegram/<id>/webhook with a new random secret and the allowed updates, and only the secret's SHA-256 is stored. Without it the bot polls."`
	}
}

// botPathInput names a bot in the path.
type botPathInput struct {
	ID int64 `path:"id" minimum:"1" doc:"bot_instances.id"`
}

// RegisteredBot is a bot just registered (never its token).
type RegisteredBot struct {
	ID         int64  `json:"id"`
	BotUserID  int64  `json:"bot_user_id" doc:"The bot's Telegram user id (getMe)."`
	Username   string `json:"username"`
	FirstName  string `json:"first_name"`
	IsActive   bool   `json:"is_active"`
	UpdateMode string `json:"update_mode" enum:"polling,webhook" doc:"How the bot receives updates."`
}

type registerBotOutput struct{ Body RegisteredBot }

type emptyInput struct{}

var bearerSecurity = []map[string][]string{{"bearer": {}}}

// registerGoOperations adds the operations SQL alone cannot do.
func (s *Service) registerGoOperations(a huma.API, b *built) {
	huma.Register(a, huma.Operation{
		OperationID:  "login",
		Method:       http.MethodPost,
		Path:         "/v1/auth/login",
		Summary:      "Log in with email and password",
		Description:  "Checks the password in SQL (pgcrypto bcrypt) and returns a bearer token that expires after admin_config login_token_ttl_hours. 401 for a wrong email or password or a deactivated account (the same answer for each). 429 with Retry-After (seconds) while the email or the client address has too many recent failures (admin_config login_max_failures_per_account, login_max_failures_per_address, login_failure_window_seconds); no password is checked then. Public: needs no token.",
		Tags:         []string{"auth"},
		Security:     []map[string][]string{},
		MaxBodyBytes: MaxBodyBytes,
		Errors:       []int{400, 401, 413, 422, 429, 500, 503},
	}, func(ctx context.Context, in *LoginInput) (*loginOutput, error) {
		out := &loginOutput{}
		var (
			status string
			retry  *int32
			ip     *string
		)
		if addr := clientIP(requestFrom(ctx)); addr != "" {
			ip = &addr
		}
		var token, role *string
		var tokenID, adminID *int64
		var expires *time.Time
		err := s.opts.Pool.QueryRow(ctx, `select status, token, token_id, expires_at, role, admin_user_id, retry_after_seconds from auth.login($1, $2, $3::inet)`,
			in.Body.Email, in.Body.Password, ip).Scan(&status, &token, &tokenID, &expires, &role, &adminID, &retry)
		if err != nil {
			return nil, s.statusError(ctx, err, "login")
		}
		switch status {
		case "ok":
			out.Body = LoginResult{Token: *token, TokenID: *tokenID, ExpiresAt: *expires, Role: *role, AdminUserID: *adminID}
			setTokenID(ctx, *tokenID)
			return out, nil
		case "throttled":
			secs := 1
			if retry != nil {
				secs = int(*retry)
			}
			p := problem(ctx, http.StatusTooManyRequests, fmt.Sprintf("too many failed logins for this account or address; retry in %d s", secs))
			return nil, huma.ErrorWithHeaders(p, http.Header{"Retry-After": {strconv.Itoa(secs)}})
		default:
			return nil, problem(ctx, http.StatusUnauthorized, "invalid email or password").withCode("28000")
		}
	})
	b.methods["/v1/auth/login"] = http.MethodPost

	huma.Register(a, huma.Operation{
		OperationID:   "logout",
		Method:        http.MethodPost,
		Path:          "/v1/auth/logout",
		Summary:       "Revoke the token of this request",
		Description:   "Ends the bearer token sent with this request at once. Any valid token may do this.",
		Tags:          []string{"auth"},
		Security:      bearerSecurity,
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{401, 500, 503},
		Extensions:    map[string]any{"x-required-role": "viewer"},
	}, func(ctx context.Context, _ *emptyInput) (*struct{}, error) {
		token := tokenFrom(ctx)
		var revoked bool
		if token != "" {
			if err := s.opts.Pool.QueryRow(ctx, `select auth.revoke_token($1)`, token).Scan(&revoked); err != nil {
				return nil, s.statusError(ctx, err, "logout")
			}
		}
		if !revoked {
			return nil, problem(ctx, http.StatusUnauthorized, ErrUnauthenticated.Error())
		}
		return nil, nil
	})
	b.methods["/v1/auth/logout"] = http.MethodPost

	huma.Register(a, huma.Operation{
		OperationID:   "register_bot",
		Method:        http.MethodPost,
		Path:          "/v1/bots",
		Summary:       "Register a Telegram bot by its token",
		Description:   "Checks the token with getMe against the Bot API server, encrypts it with the first Fernet key (NEZUKO_FERNET_KEYS) and stores the bot (bot.register_bot). A bot registered again gets the new token. 400 with Telegram's reason for a token it refuses; 409 for a token already registered.\n\nRequires role **admin** (PostgreSQL role nezuko_admin).",
		Tags:          []string{"bots"},
		Security:      bearerSecurity,
		DefaultStatus: http.StatusCreated,
		MaxBodyBytes:  MaxBodyBytes,
		Errors:        []int{400, 401, 403, 409, 413, 422, 500, 502, 503},
		Extensions:    map[string]any{"x-required-role": "admin"},
	}, func(ctx context.Context, in *RegisterBotInput) (*registerBotOutput, error) {
		return s.registerBot(ctx, in.Body.Token, in.Body.WebhookURL)
	})
	b.methods["/v1/bots"] = http.MethodPost

	huma.Register(a, huma.Operation{
		OperationID: "delete_bot_webhook",
		Method:      http.MethodDelete,
		Path:        "/v1/bots/{id}/webhook",
		Summary:     "Switch a bot back to polling",
		Description: "Calls deleteWebhook for the bot (its token decrypted with NEZUKO_FERNET_KEYS), then records polling mode (bot.set_update_mode); running bridges start polling it within NEZUKO_BOT_RELOAD. 404 for an unknown bot; 502 when Telegram refuses.\n\nRequires role **admin** (PostgreSQL role nezuko_admin).",
		Tags:        []string{"bots"},
		Security:    bearerSecurity,
		Errors:      []int{400, 401, 403, 404, 500, 502, 503},
		Extensions:  map[string]any{"x-required-role": "admin"},
	}, func(ctx context.Context, in *botPathInput) (*registerBotOutput, error) {
		return s.pollBot(ctx, in.ID)
	})
}

// pollBot: deleteWebhook, then polling mode.
func (s *Service) pollBot(ctx context.Context, id int64) (*registerBotOutput, error) {
	r := requestFrom(ctx)
	p, err := Authenticate(ctx, s.opts.Pool, r)
	if errors.Is(err, ErrUnauthenticated) {
		return nil, problem(ctx, http.StatusUnauthorized, err.Error())
	} else if err != nil {
		return nil, s.statusError(ctx, err, "delete_bot_webhook")
	}
	if p.Role != "admin" {
		return nil, problem(ctx, http.StatusForbidden, "changing a bot's update mode needs role admin")
	}
	var sealed *string
	if err := s.opts.Pool.QueryRow(ctx, "select bot.bot_token($1)", id).Scan(&sealed); err != nil {
		return nil, s.statusError(ctx, err, "delete_bot_webhook")
	}
	if sealed == nil {
		return nil, problem(ctx, http.StatusNotFound, fmt.Sprintf("no bot with id %d", id))
	}
	keys, err := telegram.ParseKeys(s.opts.FernetKeys)
	if err != nil {
		return nil, problem(ctx, http.StatusInternalServerError, internal(ctx))
	}
	token, err := telegram.Decrypt(*sealed, keys)
	if err != nil {
		return nil, problem(ctx, http.StatusInternalServerError, "no key of NEZUKO_FERNET_KEYS decrypts this bot's token")
	}
	if err := DeleteWebhook(ctx, s.opts.HTTPClient, s.opts.TelegramAPIURL, token); err != nil {
		return nil, problem(ctx, http.StatusBadGateway, err.Error())
	}
	return s.setMode(ctx, r, id, "polling", nil)
}

func (s *Service) setMode(ctx context.Context, r *http.Request, id int64, mode string, sum []byte) (*registerBotOutput, error) {
	body, err := s.run(ctx, r, tokenFrom(ctx), SetUpdateModeSQL, []any{id, mode, sum}, false)
	if err != nil {
		return nil, s.statusError(ctx, err, "set_update_mode")
	}
	out := &registerBotOutput{}
	if err := json.Unmarshal(body, &out.Body); err != nil {
		return nil, s.statusError(ctx, err, "set_update_mode")
	}
	return out, nil
}

func (s *Service) registerBot(ctx context.Context, botToken, webhookURL string) (*registerBotOutput, error) {
	r := requestFrom(ctx)
	p, err := Authenticate(ctx, s.opts.Pool, r)
	if errors.Is(err, ErrUnauthenticated) {
		return nil, problem(ctx, http.StatusUnauthorized, err.Error())
	} else if err != nil {
		return nil, s.statusError(ctx, err, "register_bot")
	}
	// The GRANT decides below as well; asking first spares Telegram a call.
	if p.Role != "admin" {
		return nil, problem(ctx, http.StatusForbidden, "registering a bot needs role admin")
	}
	if webhookURL != "" {
		if _, err := WebhookEndpoint(webhookURL, 1); err != nil {
			return nil, problem(ctx, http.StatusBadRequest, err.Error())
		}
	}
	id, err := CheckBotToken(ctx, s.opts.HTTPClient, s.opts.TelegramAPIURL, botToken)
	var bad *ErrBadBotToken
	if errors.As(err, &bad) {
		return nil, problem(ctx, http.StatusBadRequest, bad.Error())
	} else if err != nil {
		s.log.Warn("api: getMe failed", "request_id", RequestID(ctx), "err", err)
		return nil, problem(ctx, http.StatusBadGateway, err.Error())
	}
	enc, sum, err := EncryptBotToken(s.opts.FernetKeys, botToken)
	if err != nil {
		s.log.Error("api: cannot encrypt bot token", "request_id", RequestID(ctx), "err", err)
		return nil, problem(ctx, http.StatusInternalServerError, internal(ctx))
	}
	if webhookURL != "" {
		return s.registerWebhookBot(ctx, r, id, enc, sum, botToken, webhookURL)
	}
	body, err := s.run(ctx, r, tokenFrom(ctx), RegisterBotSQL, []any{id.ID, id.Username, id.FirstName, enc, sum}, false)
	if err != nil {
		return nil, s.statusError(ctx, err, "register_bot")
	}
	out := &registerBotOutput{}
	if err := json.Unmarshal(body, &out.Body); err != nil {
		return nil, s.statusError(ctx, err, "register_bot")
	}
	return out, nil
}

// registerWebhookBot stores the bot, calls setWebhook (its URL holds the
// bot's id) and records webhook mode in one transaction, as the caller:
// no bridge sees the bot before its mode is webhook (a polling bot would
// delete the webhook), and nothing is stored when Telegram refuses.
func (s *Service) registerWebhookBot(ctx context.Context, r *http.Request, id *BotIdentity, enc string, sum []byte, botToken, webhookURL string) (*registerBotOutput, error) {
	tx, err := s.opts.Pool.Begin(ctx)
	if err != nil {
		return nil, s.statusError(ctx, err, "register_bot")
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, beginSQL, tokenFrom(ctx), clientIP(r), r.UserAgent()); err != nil {
		return nil, s.statusError(ctx, err, "register_bot")
	}
	var body []byte
	if err := tx.QueryRow(ctx, RegisterBotSQL, id.ID, id.Username, id.FirstName, enc, sum).Scan(&body); err != nil {
		return nil, s.statusError(ctx, err, "register_bot")
	}
	out := &registerBotOutput{}
	if err := json.Unmarshal(body, &out.Body); err != nil {
		return nil, s.statusError(ctx, err, "register_bot")
	}
	endpoint, _ := WebhookEndpoint(webhookURL, out.Body.ID)
	secret, err := SetWebhook(ctx, s.opts.HTTPClient, s.opts.TelegramAPIURL, botToken, endpoint)
	if err != nil {
		return nil, problem(ctx, http.StatusBadGateway, fmt.Sprintf("%v; the bot was not registered", err))
	}
	if err := tx.QueryRow(ctx, SetUpdateModeSQL, out.Body.ID, "webhook", secret).Scan(&body); err != nil {
		return nil, s.statusError(ctx, err, "set_update_mode")
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, s.statusError(ctx, err, "register_bot")
	}
	out.Body = RegisteredBot{}
	if err := json.Unmarshal(body, &out.Body); err != nil {
		return nil, s.statusError(ctx, err, "register_bot")
	}
	return out, nil
}

// statusError maps a database error for a typed operation (see dbStatus).
func (s *Service) statusError(ctx context.Context, err error, what string) error {
	status, detail, ok, sqlstate := dbProblem(err)
	if !ok {
		s.log.Error("api: request failed", "request_id", RequestID(ctx), "operation", what, "err", err)
		detail = internal(ctx)
	}
	return problem(ctx, status, detail).withCode(sqlstate)
}

// requestFrom is the *http.Request of a typed operation (ServeHTTP puts it
// in the context; huma hands handlers only the context).
func requestFrom(ctx context.Context) *http.Request {
	if ri, ok := ctx.Value(requestKey).(*requestInfo); ok && ri.r != nil {
		return ri.r
	}
	return &http.Request{Header: http.Header{}}
}

func tokenFrom(ctx context.Context) string {
	t, _ := bearer(requestFrom(ctx))
	return t
}
