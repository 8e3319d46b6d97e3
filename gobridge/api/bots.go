package api

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/fernet/fernet-go"

	"github.com/nezuko-bot/nezuko/gobridge/telegram"
)

// BotIdentity is what getMe says about a bot.
type BotIdentity struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	Username  string `json:"username"`
	FirstName string `json:"first_name"`
}

// ErrBadBotToken is a token Telegram does not accept (or that is not shaped
// like one); its message is safe to show and never contains the token.
type ErrBadBotToken struct{ Reason string }

func (e *ErrBadBotToken) Error() string { return "bad bot token: " + e.Reason }

var botTokenShape = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{30,100}$`)

// CheckBotToken asks the Bot API server (getMe, through go-telegram/bot)
// who the token belongs to. Errors never contain the token: it is part of
// the URL, which Go's HTTP errors quote.
func CheckBotToken(ctx context.Context, client *http.Client, apiURL, token string) (*BotIdentity, error) {
	if !botTokenShape.MatchString(token) {
		return nil, &ErrBadBotToken{"not shaped like a bot token (123456:ABC...)"}
	}
	c, err := telegram.NewClient(apiURL, token, client)
	if err != nil {
		return nil, &ErrBadBotToken{"empty"}
	}
	res, err := c.Call(ctx, "getMe", nil)
	if err != nil {
		var ae *telegram.APIError
		switch {
		case errors.As(err, &ae) && (ae.Code == http.StatusUnauthorized || ae.Code == http.StatusNotFound):
			return nil, &ErrBadBotToken{"Telegram refused it: " + redact(ae.Description, token)}
		case errors.As(err, &ae):
			return nil, fmt.Errorf("getMe failed: %d %s", ae.Code, redact(ae.Description, token))
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop the URL, which holds the token
		}
		return nil, fmt.Errorf("getMe: cannot reach the Bot API server: %s", redact(err.Error(), token))
	}
	var id BotIdentity
	if err := json.Unmarshal(res, &id); err != nil || !id.IsBot || id.ID == 0 || id.Username == "" {
		return nil, &ErrBadBotToken{"getMe did not describe a bot"}
	}
	return &id, nil
}

func redact(s, token string) string { return strings.ReplaceAll(s, token, "[token]") }

// EncryptBotToken Fernet-encrypts a bot token with the first key and
// returns it with the token's SHA-256 (what bot_instances stores).
func EncryptBotToken(keys []string, token string) (string, []byte, error) {
	if len(keys) == 0 {
		return "", nil, errors.New("NEZUKO_FERNET_KEYS is not set (nezuko keygen makes a key)")
	}
	k, err := fernet.DecodeKey(keys[0])
	if err != nil {
		return "", nil, errors.New("NEZUKO_FERNET_KEYS: the first key is not a Fernet key (32 bytes, URL-safe base64)")
	}
	enc, err := fernet.EncryptAndSign([]byte(token), k)
	if err != nil {
		return "", nil, fmt.Errorf("encrypt bot token: %w", err)
	}
	sum := sha256.Sum256([]byte(token))
	return string(enc), sum[:], nil
}

// RegisterBotSQL stores a checked bot; arguments: bot user id, username,
// first name, encrypted token, token SHA-256. It returns the bot as JSON.
const RegisterBotSQL = `select row_to_json(r)::text from bot.register_bot($1, $2, $3, $4, $5) r`
