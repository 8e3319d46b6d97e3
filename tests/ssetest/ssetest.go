// Package ssetest is a small Server-Sent Events client for the realtime
// tests and benchmark: it parses a text/event-stream into events, keeps
// the last event id like EventSource does, and records comments.
package ssetest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Event is one dispatched SSE event.
type Event struct {
	ID    string
	Event string
	Data  string
}

// Stream is an open GET /v1/events.
type Stream struct {
	Resp   *http.Response
	Events chan Event
	mu     sync.Mutex
	lastID string
	notes  int // comment lines seen
	err    error
	done   chan struct{}
	cancel context.CancelFunc
}

// Open connects to url with the bearer token (may be empty) and
// Last-Event-ID (may be empty). A non-200 answer is returned as an error
// holding the status, with the response for inspection.
func Open(ctx context.Context, client *http.Client, url, token, lastID string) (*Stream, error) {
	ctx, cancel := context.WithCancel(ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	req.Header.Set("Accept", "text/event-stream")
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		cancel()
		return &Stream{Resp: resp}, &StatusError{Code: resp.StatusCode, Body: string(body), ContentType: resp.Header.Get("Content-Type")}
	}
	s := &Stream{Resp: resp, Events: make(chan Event, 100000), done: make(chan struct{}), cancel: cancel, lastID: lastID}
	go s.read(resp.Body)
	return s, nil
}

// StatusError is a non-200 answer.
type StatusError struct {
	Code        int
	Body        string
	ContentType string
}

func (e *StatusError) Error() string { return fmt.Sprintf("status %d: %s", e.Code, e.Body) }

func (s *Stream) read(body io.ReadCloser) {
	defer close(s.done)
	defer close(s.Events)
	defer body.Close()
	r := bufio.NewReaderSize(body, 64<<10)
	var ev Event
	var data []string
	var idSeen bool
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			s.mu.Lock()
			s.err = err
			s.mu.Unlock()
			return
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if idSeen {
				s.mu.Lock()
				s.lastID = ev.ID
				s.mu.Unlock()
			}
			if len(data) > 0 {
				ev.Data = strings.Join(data, "\n")
				if ev.Event == "" {
					ev.Event = "message"
				}
				s.Events <- ev
			}
			ev, data, idSeen = Event{}, nil, false
		case strings.HasPrefix(line, ":"):
			s.mu.Lock()
			s.notes++
			s.mu.Unlock()
		default:
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "id":
				ev.ID, idSeen = value, true
			case "event":
				ev.Event = value
			case "data":
				data = append(data, value)
			}
		}
	}
}

// LastID is the id EventSource would send on reconnect.
func (s *Stream) LastID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastID
}

// Comments is how many comment lines (keep-alives) arrived.
func (s *Stream) Comments() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notes
}

// Err is why the stream ended (io.EOF when the server closed it).
func (s *Stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close disconnects.
func (s *Stream) Close() {
	if s.cancel != nil {
		s.cancel()
	}
	if s.done != nil {
		<-s.done
	}
}

// ErrTimeout is returned by Next when no event came in time.
var ErrTimeout = errors.New("no event in time")

// ErrClosed is returned by Next when the stream ended.
var ErrClosed = errors.New("stream closed")

// Next waits up to d for the next event.
func (s *Stream) Next(d time.Duration) (Event, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case ev, ok := <-s.Events:
		if !ok {
			return Event{}, ErrClosed
		}
		return ev, nil
	case <-t.C:
		return Event{}, ErrTimeout
	}
}

// DialSmallBuffer returns an HTTP client whose connections have a small
// receive buffer, so a reader that stops reading stalls the server soon.
func DialSmallBuffer(rcvbuf int) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetReadBuffer(rcvbuf)
			}
			return c, nil
		},
		ReadBufferSize:    4096,
		DisableKeepAlives: true,
	}
	return &http.Client{Transport: tr}
}
