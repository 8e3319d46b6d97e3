package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/nezuko-bot/nezuko/gobridge/api"
)

// Limits bound what one client may hold of the server: how long it may
// take to send its headers and its body, how long an idle keep-alive
// connection stays open, and how large headers and bodies may be. Zero
// values take the defaults.
type Limits struct {
	// ReadHeaderTimeout bounds the request line and headers (default 10 s).
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds the body, from the end of the headers to its last
	// byte (default 30 s); a client that trickles a body is cut off. It is
	// lifted once the body is read, so a long handler is not cancelled.
	ReadTimeout time.Duration
	// IdleTimeout closes a keep-alive connection with no request (default 60 s).
	IdleTimeout time.Duration
	// MaxBodyBytes is the largest request body (default 1 MiB): 413 above.
	MaxBodyBytes int64
	// MaxHeaderBytes is the largest request header block (default 64 KiB): 431 above.
	MaxHeaderBytes int
}

func (l *Limits) defaults() {
	if l.ReadHeaderTimeout <= 0 {
		l.ReadHeaderTimeout = 10 * time.Second
	}
	if l.ReadTimeout <= 0 {
		l.ReadTimeout = 30 * time.Second
	}
	if l.IdleTimeout <= 0 {
		l.IdleTimeout = 60 * time.Second
	}
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = 1 << 20
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = 64 << 10
	}
}

// limitBody gives the request's body a read deadline (lifted at its end)
// and a size cap. A declared Content-Length over the cap is refused at
// once; a chunked body that grows past it fails the handler's read with
// *http.MaxBytesError (the API answers 413 then).
func limitBody(w http.ResponseWriter, r *http.Request, l Limits) bool {
	if r.ContentLength > l.MaxBodyBytes {
		w.Header().Set("Connection", "close")
		api.WriteProblem(w, r, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("request body is larger than %d bytes", l.MaxBodyBytes))
		return false
	}
	if r.Body == nil || r.Body == http.NoBody {
		return true
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(l.ReadTimeout))
	r.Body = &deadlineBody{ReadCloser: http.MaxBytesReader(w, r.Body, l.MaxBodyBytes), rc: rc}
	return true
}

// deadlineBody lifts the body's read deadline once the body has been read:
// the connection's background read (which notices a client hanging up)
// must not time out under a long handler, which would cancel it.
type deadlineBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.done {
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// headerBytes is the size of the request's header block as received, near
// enough: names, values and separators.
func headerBytes(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// problemListener rewrites the few responses net/http writes by itself,
// before any handler runs (a request line or header block it cannot parse
// or that is too large: 400, 414, 431), into problem+json, so that every
// error a client sees has one shape.
type problemListener struct{ net.Listener }

func (l problemListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &problemConn{Conn: c}, nil
}

type problemConn struct{ net.Conn }

// net/http's raw error responses are exactly "HTTP/1.1 " + code and text +
// errorHeaders + code and text (server.go); a handler's response always
// carries a Date header, so it never matches.
const rawErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

func (c *problemConn) Write(p []byte) (int, error) {
	if !bytes.HasPrefix(p, []byte("HTTP/1.1 4")) {
		return c.Conn.Write(p)
	}
	head, body, ok := bytes.Cut(p[len("HTTP/1.1 "):], []byte(rawErrorHeaders))
	if !ok || !bytes.Equal(head, body) {
		return c.Conn.Write(p)
	}
	var status int
	var text string
	if _, err := fmt.Sscanf(string(head), "%d", &status); err != nil || len(head) < 5 {
		return c.Conn.Write(p)
	}
	text = string(head[4:])
	if i := bytes.IndexByte(head, ':'); i > 0 { // "400 Bad Request: malformed Host header"
		text = string(head[i+2:])
	}
	prob := api.ProblemBody(context.Background(), status, text)
	out := fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: application/problem+json\r\nCache-Control: no-store\r\n"+
		"Content-Length: %d\r\nConnection: close\r\n\r\n%s", status, http.StatusText(status), len(prob), prob)
	if _, err := c.Conn.Write([]byte(out)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// SyscallConn exposes the socket (the SSE writers write to its descriptor
// directly).
func (c *problemConn) SyscallConn() (syscall.RawConn, error) {
	if sc, ok := c.Conn.(syscall.Conn); ok {
		return sc.SyscallConn()
	}
	return nil, errors.New("not a socket")
}

// NetConn is the wrapped connection.
func (c *problemConn) NetConn() net.Conn { return c.Conn }
