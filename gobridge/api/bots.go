package api

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/fernet/fernet-go"
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

// CheckBotToken asks the Bot API server (getMe) who the token belongs to.
// Errors never contain the token: it is part of the URL, which Go's HTTP
// errors quote, so they are replaced by a neutral text.
func CheckBotToken(ctx context.Context, client *http.Client, apiURL, token string) (*BotIdentity, error) {
	if !botTokenShape.MatchString(token) {
		return nil, &ErrBadBotToken{"not shaped like a bot token (123456:ABC...)"}
	}
	u := strings.TrimRight(apiURL, "/") + "/bot" + token + "/getMe"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return nil, errors.New("getMe: cannot build the request (check NEZUKO_TELEGRAM_API_URL)")
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop the URL, which holds the token
		}
		return nil, fmt.Errorf("getMe: cannot reach the Bot API server: %s", redact(err.Error(), token))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, errors.New("getMe: cannot read the Bot API answer")
	}
	var ans struct {
		OK          bool         `json:"ok"`
		ErrorCode   int          `json:"error_code"`
		Description string       `json:"description"`
		Result      *BotIdentity `json:"result"`
	}
	if err := json.Unmarshal(data, &ans); err != nil {
		return nil, fmt.Errorf("getMe: the Bot API server answered HTTP %d with no JSON", resp.StatusCode)
	}
	if !ans.OK {
		if ans.ErrorCode == http.StatusUnauthorized || ans.ErrorCode == http.StatusNotFound {
			return nil, &ErrBadBotToken{"Telegram refused it: " + redact(ans.Description, token)}
		}
		return nil, fmt.Errorf("getMe failed: %d %s", ans.ErrorCode, redact(ans.Description, token))
	}
	if ans.Result == nil || !ans.Result.IsBot || ans.Result.ID == 0 || ans.Result.Username == "" {
		return nil, &ErrBadBotToken{"getMe did not describe a bot"}
	}
	return ans.Result, nil
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
