package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/nezuko-bot/nezuko/gobridge/telegram"
)

// SetUpdateModeSQL records a bot's mode once Telegram has been told;
// arguments: bot id, 'polling' or 'webhook', the secret's SHA-256 (or nil).
// It returns the bot as JSON.
const SetUpdateModeSQL = `select row_to_json(r)::text from bot.set_update_mode($1, $2, $3) r`

// WebhookEndpoint is where `nezuko serve` answers bot id's webhook under
// base, the public URL of its HTTP listener (https://bots.example.com, or
// with a path prefix a reverse proxy strips).
func WebhookEndpoint(base string, botID int64) (string, error) {
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", &ErrBadBotToken{Reason: "webhook_url must be the public base URL of nezuko serve, such as https://bots.example.com (no query, no credentials)"}
	}
	return strings.TrimRight(u.String(), "/") + "/telegram/" + strconv.FormatInt(botID, 10) + "/webhook", nil
}

// SetWebhook tells Telegram to deliver the bot's updates to endpoint with a
// new random secret (32 bytes, URL-safe base64: the characters Telegram
// allows) and the updates the bridge handles (telegram.AllowedUpdates).
// It returns the secret's SHA-256, what bot_instances stores; the secret
// itself is kept nowhere but at Telegram.
func SetWebhook(ctx context.Context, client *http.Client, apiURL, token, endpoint string) ([]byte, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, fmt.Errorf("webhook secret: %w", err)
	}
	secret := base64.RawURLEncoding.EncodeToString(raw[:])
	params, _ := json.Marshal(map[string]any{"url": endpoint, "secret_token": secret, "allowed_updates": telegram.AllowedUpdates})
	if err := botCall(ctx, client, apiURL, token, "setWebhook", params); err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(secret))
	return sum[:], nil
}

// DeleteWebhook tells Telegram to stop delivering to the bot's webhook, so
// that getUpdates works again (Telegram answers 409 to it while one is set).
func DeleteWebhook(ctx context.Context, client *http.Client, apiURL, token string) error {
	return botCall(ctx, client, apiURL, token, "deleteWebhook", json.RawMessage(`{}`))
}

// ErrTelegram is Telegram's refusal of a call the registration made; its
// message is safe to show (no token).
type ErrTelegram struct{ Msg string }

func (e *ErrTelegram) Error() string { return e.Msg }

func botCall(ctx context.Context, client *http.Client, apiURL, token, method string, params json.RawMessage) error {
	c, err := telegram.NewClient(apiURL, token, client)
	if err != nil {
		return &ErrBadBotToken{"empty"}
	}
	if _, err := c.Call(ctx, method, params); err != nil {
		var ae *telegram.APIError
		if errors.As(err, &ae) {
			return &ErrTelegram{fmt.Sprintf("%s: Telegram answered %d %s", method, ae.Code, redact(ae.Description, token))}
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%s: cannot reach the Bot API server: %s", method, redact(err.Error(), token))
	}
	return nil
}
