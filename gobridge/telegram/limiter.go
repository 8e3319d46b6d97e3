package telegram

import (
	"context"
	"sync"
	"time"
)

// limiter spaces events at most rate per period with a burst (GCRA). pause
// pushes every later event past a moment (a 429's retry_after).
type limiter struct {
	mu       sync.Mutex
	tat      time.Time // theoretical arrival time of the next event
	interval time.Duration
	burst    time.Duration
}

func newLimiter(n int, per time.Duration) *limiter {
	if n < 1 {
		n = 1
	}
	iv := per / time.Duration(n)
	return &limiter{interval: iv, burst: iv * time.Duration(n-1)}
}

func (l *limiter) set(n int, per time.Duration) {
	if n < 1 {
		n = 1
	}
	l.mu.Lock()
	l.interval = per / time.Duration(n)
	l.burst = l.interval * time.Duration(n-1)
	l.mu.Unlock()
}

// reserve returns how long to wait before the event may happen.
func (l *limiter) reserve(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tat.Before(now) {
		l.tat = now
	}
	wait := l.tat.Sub(now) - l.burst
	l.tat = l.tat.Add(l.interval)
	if wait < 0 {
		wait = 0
	}
	return wait
}

func (l *limiter) pause(until time.Time) {
	l.mu.Lock()
	// every event from now on waits until `until` at least
	if t := until.Add(l.burst); t.After(l.tat) {
		l.tat = t
	}
	l.mu.Unlock()
}

func (l *limiter) wait(ctx context.Context) error {
	d := l.reserve(time.Now())
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// limits is one bot's rate limits: global, and per chat for methods that
// post into a chat (Telegram: about 30 calls/s per bot, 20 messages/min per group).
type limits struct {
	global  *limiter
	mu      sync.Mutex
	perChat map[int64]*limiter
	chatN   int
}

func newLimits(globalPerSecond, perChatPerMinute int) *limits {
	return &limits{global: newLimiter(globalPerSecond, time.Second), perChat: map[int64]*limiter{}, chatN: perChatPerMinute}
}

func (l *limits) update(globalPerSecond, perChatPerMinute int) {
	l.global.set(globalPerSecond, time.Second)
	l.mu.Lock()
	if perChatPerMinute != l.chatN {
		l.chatN = perChatPerMinute
		l.perChat = map[int64]*limiter{}
	}
	l.mu.Unlock()
}

func (l *limits) chat(id int64) *limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.perChat[id]
	if c == nil {
		if len(l.perChat) > 50000 { // forget idle chats; a new limiter starts full
			now := time.Now()
			for k, v := range l.perChat {
				v.mu.Lock()
				idle := v.tat.Before(now)
				v.mu.Unlock()
				if idle {
					delete(l.perChat, k)
				}
			}
		}
		c = newLimiter(l.chatN, time.Minute)
		l.perChat[id] = c
	}
	return c
}

// wait blocks until a call of method into chat may go out: first the
// chat's own slot (for methods that post into it), then the bot's global one.
func (l *limits) wait(ctx context.Context, chat int64, method string) error {
	if chat != 0 && postsIntoChat(method) {
		if err := l.chat(chat).wait(ctx); err != nil {
			return err
		}
	}
	return l.global.wait(ctx)
}

// pause holds back every call of the bot until `until` (a 429's
// retry_after), and the chat's posts too.
func (l *limits) pause(chat int64, method string, until time.Time) {
	l.global.pause(until)
	if chat != 0 && postsIntoChat(method) {
		l.chat(chat).pause(until)
	}
}

// postsIntoChat: the methods Telegram's per-group message limit applies to.
func postsIntoChat(method string) bool {
	switch method {
	case "sendMessage", "sendPhoto", "sendDocument", "sendVideo", "sendAnimation", "sendSticker",
		"sendPoll", "sendMediaGroup", "copyMessage", "forwardMessage", "editMessageText":
		return true
	}
	return false
}
