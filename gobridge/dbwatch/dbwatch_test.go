package dbwatch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func connectError(t *testing.T) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := pgconn.Connect(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("connected to port 1")
	}
	return fmt.Errorf("claim: %w", err)
}

func TestUnreachableTellsTheDatabaseFromTheBotAPI(t *testing.T) {
	if !Unreachable(connectError(t)) {
		t.Error("a pgx connect error is not unreachable")
	}
	if !Unreachable(fmt.Errorf("waiting for notification: %w", io.ErrUnexpectedEOF)) {
		t.Error("a connection lost mid-wait is not unreachable")
	}
	if !Unreachable(&pgconn.PgError{Code: "57P01"}) || Unreachable(&pgconn.PgError{Code: "23505"}) {
		t.Error("SQLSTATE classes misread")
	}
	tg := &url.Error{Op: "Post", URL: "https://api.telegram.org/bot[token]/getMe", Err: errors.New("dial tcp: connect: connection refused")}
	if Unreachable(fmt.Errorf("getMe: %w", tg)) {
		t.Error("the Bot API being down is not the database being down")
	}
}

func TestOneLineDownRemindersWithBackoffOneLineBack(t *testing.T) {
	var up atomic.Bool
	w := &Watch{Ping: func(context.Context) error {
		if up.Load() {
			return nil
		}
		return errors.New("down")
	}, First: 100 * time.Millisecond, Max: 400 * time.Millisecond, Probe: 20 * time.Millisecond}
	defer w.Close()
	out := &syncBuf{}
	log := slog.New(w.Handler(slog.NewTextHandler(out, nil))).With("logger", "queue")
	err := connectError(t)
	start := time.Now()
	for time.Since(start) < 900*time.Millisecond {
		log.Warn("command queue: claim", "err", err)
		log.Warn("realtime: reading events failed; retrying", "err", err)
		time.Sleep(5 * time.Millisecond)
	}
	log.Info("an unrelated line still passes")
	got := out.String()
	if n := strings.Count(got, "database unreachable"); n != 1 {
		t.Errorf("%d 'unreachable' lines, want 1:\n%s", n, got)
	}
	// reminders at 100, 300 (gap 200), 700 ms (gap 400, the max): 3 in 900 ms
	if n := strings.Count(got, "database still unreachable"); n != 3 {
		t.Errorf("%d reminders in 900 ms with backoff 100/200/400 ms, want 3:\n%s", n, got)
	}
	if strings.Contains(got, "command queue: claim") || !strings.Contains(got, "an unrelated line still passes") {
		t.Errorf("suppressed the wrong lines:\n%s", got)
	}
	up.Store(true)
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(out.String(), "database reachable again") {
		if time.Now().After(deadline) {
			t.Fatalf("no 'reachable again' line:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if w.Down() {
		t.Error("still down after the probe succeeded")
	}
	log.Warn("command queue: claim", "err", err) // down again: one line again
	if n := strings.Count(out.String(), "database unreachable"); n != 2 {
		t.Errorf("a second outage: %d 'unreachable' lines in all, want 2", n)
	}
}
