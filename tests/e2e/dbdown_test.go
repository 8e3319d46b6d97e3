package e2e

import (
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nezuko-bot/nezuko/tests/testdb"
)

// tcpProxy forwards a loopback port to the database; stop cuts every
// connection and refuses new ones, start listens again on the same port.
type tcpProxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, addr: freeAddr(t), target: target}
	p.start()
	t.Cleanup(p.stop)
	return p
}

func (p *tcpProxy) start() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(s, c); s.Close() }()
			go func() { _, _ = io.Copy(c, s); c.Close() }()
		}
	}()
}

func (p *tcpProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func TestServeLogsOneLineWhenTheDatabaseGoesAwayRemindersWithBackoffAndOneWhenBack(t *testing.T) {
	dbURL := testdb.New(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.addr
	p := startServe(t, "DATABASE_URL="+u.String(), "NEZUKO_LOG_DB=off")
	waitFor(t, "the API loaded", func() bool { return strings.Contains(p.Logs(), "api: catalog loaded") })
	before := len(p.Logs())

	proxy.stop()
	time.Sleep(25 * time.Second) // reminders after 10 s and 30 s: one is due
	down := p.Logs()[before:]
	lines := strings.Split(strings.TrimSpace(down), "\n")
	if n := strings.Count(down, "database unreachable"); n != 1 {
		t.Errorf("%d 'database unreachable' lines, want 1", n)
	}
	if n := strings.Count(down, "database still unreachable"); n != 1 {
		t.Errorf("%d reminders in 25 s, want 1 (after 10 s; the next after 30 s)", n)
	}
	t.Logf("with the database down, 25 s:\n%s", down)
	if len(lines) > 4 {
		t.Errorf("%d lines in 25 s with the database down, want at most 4:\n%s", len(lines), down)
	}

	mark := len(p.Logs())
	proxy.start()
	waitFor(t, "the 'back' line", func() bool { return strings.Contains(p.Logs()[mark:], "database reachable again") })
	time.Sleep(3 * time.Second)
	if n := strings.Count(p.Logs()[mark:], "database reachable again"); n != 1 {
		t.Errorf("%d 'reachable again' lines, want 1", n)
	}
	if code, _ := get(t, p.URL()+"/readyz"); code != 200 {
		t.Errorf("/readyz after the database came back = %d", code)
	}
}
