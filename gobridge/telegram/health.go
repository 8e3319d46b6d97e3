package telegram

import (
	"errors"
	"sync"
	"time"
)

// healthWindow is how far back Health looks: a bot is judged on the last
// minute of Telegram's answers.
const healthWindow = time.Minute

// health remembers Telegram's bad answers to one bot over the last
// healthWindow; SQL (bot.heartbeat) decides what they mean.
type health struct {
	mu           sync.Mutex
	transient    []time.Time // 429, 5xx, timeouts, network
	unauthorized []time.Time // 401 anywhere, 403 on getUpdates: the token is refused
	lastError    string
}

func (h *health) note(method string, err error) (trouble bool) {
	if err == nil {
		return false
	}
	var ae *APIError
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	switch t := ErrorType(err); {
	case t == "unauthorized" || (method == "getUpdates" && errors.As(err, &ae) && ae.Code == 403):
		h.unauthorized = append(prune(h.unauthorized, now), now)
	case t == "too_many_requests" || t == "server_error" || t == "timeout" || t == "network":
		h.transient = append(prune(h.transient, now), now)
	default:
		return false // a refusal about one chat or message says nothing of the bot's health
	}
	h.lastError = method + ": " + err.Error()
	return true
}

// prune drops the times older than healthWindow (and keeps at most 1,000).
func prune(ts []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(ts) && (now.Sub(ts[i]) > healthWindow || len(ts)-i >= 1000) {
		i++
	}
	return append(ts[:0], ts[i:]...)
}

// Health says how Telegram answered bot id over the last minute:
// {transient, unauthorized, last_error}, the heartbeat's "telegram" metadata.
func (e *Executor) Health(id int64) map[string]any {
	e.mu.Lock()
	b := e.bots[id]
	e.mu.Unlock()
	if b == nil {
		return nil
	}
	h := &b.health
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.transient, h.unauthorized = prune(h.transient, now), prune(h.unauthorized, now)
	out := map[string]any{"window_seconds": int(healthWindow / time.Second),
		"transient": len(h.transient), "unauthorized": len(h.unauthorized)}
	if len(h.transient)+len(h.unauthorized) > 0 && h.lastError != "" {
		out["last_error"] = h.lastError
	}
	return out
}

// noteHealth counts an answer and tells OnTrouble at once about a bad one,
// so the heartbeat reports it without waiting for its interval.
func (e *Executor) noteHealth(botID int64, b *botConn, method string, err error) {
	if b.health.note(method, err) && e.OnTrouble != nil {
		e.OnTrouble(botID)
	}
}
