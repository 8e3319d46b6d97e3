package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// WebhookHandler serves POST /telegram/{bot}/webhook: the secret header
// must match (401 otherwise); the update goes through intake like a polled
// batch of one, and the answer is 200 once its decision and effects are
// committed (never after the calls) or it was malformed (logged and
// skipped); 500 makes Telegram deliver it again. Errors are problem+json
// through m.Problem.
func (m *Manager) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("bot"), 10, 64)
		if err != nil {
			m.problem(w, r, http.StatusNotFound, "no such bot")
			return
		}
		m.mu.Lock()
		want, ok := m.webhooks[id]
		m.mu.Unlock()
		if !ok {
			m.problem(w, r, http.StatusNotFound, "no webhook bot with this id")
			return
		}
		got := sha256.Sum256([]byte(r.Header.Get("X-Telegram-Bot-Api-Secret-Token")))
		if len(want) != 32 || subtle.ConstantTimeCompare(got[:], want) != 1 {
			m.problem(w, r, http.StatusUnauthorized, "wrong secret token")
			return
		}
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			m.problem(w, r, http.StatusRequestEntityTooLarge, "an update is at most 1 MiB")
			return
		}
		if !json.Valid(raw) {
			m.Log.Error("malformed webhook update skipped", "bot_instance_id", id, "bytes", len(raw))
			w.WriteHeader(http.StatusOK)
			return
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 55*time.Second)
		defer cancel()
		if _, err := m.intake(ctx, id, []json.RawMessage{raw}); err != nil {
			m.Log.Warn("webhook update not taken in; Telegram will deliver it again", "bot_instance_id", id, "err", err)
			m.problem(w, r, http.StatusInternalServerError, "update not taken in; deliver it again")
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

func (m *Manager) problem(w http.ResponseWriter, r *http.Request, status int, detail string) {
	if m.Problem != nil {
		m.Problem(w, r, status, detail)
		return
	}
	http.Error(w, detail, status)
}

// SecretHash is the sha256 stored in bot_instances.webhook_secret_sha256.
func SecretHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}
