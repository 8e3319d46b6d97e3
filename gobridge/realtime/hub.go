package realtime

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// client is one connected SSE stream. It has no goroutine of its own: a
// writer goroutine copies the ring's frames to its socket with
// non-blocking writes, so a client costs this struct and a socket.
type client struct {
	conn    net.Conn
	fd      int // the socket's descriptor (non-blocking), -1 if none
	mask    uint8
	pos     uint64 // next ring seq to consider
	pending []byte // rest of a partial write, nil when caught up
	// overSince is when the client last went over its buffer (zero when
	// within it).
	overSince time.Time
	id        string // remote address, for logs
	// token is the API token behind the stream (for a ticket, the token
	// that minted it); revoked is set when it stops authenticating, and
	// the writer then closes the stream.
	token   int64
	revoked atomic.Bool
}

// maxWrite bounds one write to a client, so a burst is copied in slices.
const maxWrite = 64 << 10

var keepAliveFrame = []byte(": keep-alive\n\n")

// revokedFrame is the last thing a stream whose token was revoked receives
// (a comment: EventSource then reconnects and gets 401).
var revokedFrame = []byte(": token revoked; closing\n\n")

// write writes what the socket accepts now, without waiting. The
// descriptor is used directly (no closure, no fd lock): only this client's
// writer goroutine writes to or closes the connection.
//
// The write is a raw system call: on a non-blocking socket it returns in
// microseconds (it copies into the socket buffer or fails with EAGAIN), so
// the runtime's bookkeeping for a call that might block (entersyscall, and
// handing the P to another thread when the OS preempts the writer in the
// kernel) is pure cost. A fan-out to 5,000 clients is 5,000 of these;
// with syscall.Write the server made about twice as many voluntary context
// switches per event (tests/bench/README.md, "Realtime relay").
func (c *client) write(b []byte) (int, error) {
	if c.fd < 0 {
		_ = c.conn.SetWriteDeadline(time.Now().Add(2 * time.Millisecond))
		n, err := c.conn.Write(b)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			err = nil
		}
		return n, err
	}
	if len(b) == 0 {
		return 0, nil
	}
	for {
		r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(c.fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
		switch e {
		case 0:
			return int(r), nil
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return 0, nil
		default:
			return 0, e
		}
	}
}

// shard is one writer goroutine's set of clients.
type shard struct {
	mu    sync.Mutex
	added []*client
	wake  chan struct{}
}

type hub struct {
	ring    *ring
	log     *slog.Logger
	opts    Options
	shards  []*shard
	next    atomic.Uint64
	count   atomic.Int64
	dropped atomic.Int64
	sent    atomic.Uint64 // events written to clients (metrics)
	closed  atomic.Bool

	// streams per API token: open and about to open (reserved), for the
	// per-token cap and for closing the streams of a revoked token.
	tmu    sync.Mutex
	tokens map[int64]map[*client]bool
	// reserved counts streams being set up (replaying) per token.
	reserved map[int64]int
}

func newHub(r *ring, log *slog.Logger, opts Options) *hub {
	n := opts.Writers
	if n <= 0 {
		n = 2 * runtime.GOMAXPROCS(0)
	}
	h := &hub{ring: r, log: log, opts: opts, tokens: map[int64]map[*client]bool{}, reserved: map[int64]int{}}
	for range n {
		h.shards = append(h.shards, &shard{wake: make(chan struct{}, 1)})
	}
	return h
}

func (h *hub) wakeAll() {
	for _, s := range h.shards {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// reserve books a stream for token, unless it already has
// StreamsPerToken open or being set up. The caller then either adds a
// client for it (add) or gives the booking back (unreserve).
func (h *hub) reserve(token int64) bool {
	h.tmu.Lock()
	defer h.tmu.Unlock()
	if len(h.tokens[token])+h.reserved[token] >= h.opts.StreamsPerToken {
		return false
	}
	h.reserved[token]++
	return true
}

func (h *hub) unreserve(token int64) {
	h.tmu.Lock()
	defer h.tmu.Unlock()
	if h.reserved[token]--; h.reserved[token] <= 0 {
		delete(h.reserved, token)
	}
}

// forget removes a closed client from the per-token registry.
func (h *hub) forget(c *client) {
	h.tmu.Lock()
	defer h.tmu.Unlock()
	if m := h.tokens[c.token]; m != nil {
		delete(m, c)
		if len(m) == 0 {
			delete(h.tokens, c.token)
		}
	}
}

// openTokens lists the API tokens behind open streams.
func (h *hub) openTokens() []int64 {
	h.tmu.Lock()
	defer h.tmu.Unlock()
	ids := make([]int64, 0, len(h.tokens))
	for id := range h.tokens {
		ids = append(ids, id)
	}
	return ids
}

// revoke marks every stream of the given tokens for closing; the writers
// close them on their next pass (woken now).
func (h *hub) revoke(ids []int64) int {
	n := 0
	h.tmu.Lock()
	for _, id := range ids {
		for c := range h.tokens[id] {
			c.revoked.Store(true)
			n++
		}
	}
	h.tmu.Unlock()
	if n > 0 {
		h.wakeAll()
	}
	return n
}

// add hands a client whose response head and replay are written to a
// writer, taking over its reservation. It returns false when the hub has
// stopped (the reservation is then given back).
func (h *hub) add(c *client) bool {
	h.tmu.Lock()
	if h.reserved[c.token]--; h.reserved[c.token] <= 0 {
		delete(h.reserved, c.token)
	}
	if h.closed.Load() {
		h.tmu.Unlock()
		return false
	}
	if h.tokens[c.token] == nil {
		h.tokens[c.token] = map[*client]bool{}
	}
	h.tokens[c.token][c] = true
	h.tmu.Unlock()
	s := h.shards[h.next.Add(1)%uint64(len(h.shards))]
	s.mu.Lock()
	s.added = append(s.added, c)
	s.mu.Unlock()
	h.count.Add(1)
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true
}

func (h *hub) run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, s := range h.shards {
		wg.Add(1)
		go func() { defer wg.Done(); h.writer(ctx, s) }()
	}
	wg.Wait()
}

// writer serves one shard: on every new event (or retry tick for clients
// whose socket was full) it copies to each client what it has not seen.
func (h *hub) writer(ctx context.Context, s *shard) {
	var clients []*client
	var buf []byte
	keep := time.NewTicker(h.opts.KeepAlive)
	defer keep.Stop()
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	retryArmed := false
	// A client whose socket stays full is retried less and less often
	// (5 ms doubling to 200 ms), so a stalled reader costs no busy loop.
	retryDelay := 5 * time.Millisecond
	for {
		keepAlive := false
		fromRetry := false
		select {
		case <-ctx.Done():
			h.closed.Store(true)
			s.mu.Lock()
			clients = append(clients, s.added...)
			s.added = nil
			s.mu.Unlock()
			for _, c := range clients {
				_ = c.conn.Close()
				h.forget(c)
				h.count.Add(-1)
			}
			return
		case <-s.wake:
		case <-retry.C:
			retryArmed = false
			fromRetry = true
		case <-keep.C:
			keepAlive = true
		}
		s.mu.Lock()
		clients = append(clients, s.added...)
		clear(s.added)
		s.added = s.added[:0]
		s.mu.Unlock()

		head := h.ring.head.Load()
		behind := false
		for i := 0; i < len(clients); {
			c := clients[i]
			ok, late := h.serve(c, head, keepAlive, &buf)
			if ok && c.revoked.Load() {
				// Its token was revoked: say so (best effort) and close.
				_, _ = c.write(revokedFrame)
				ok = false
			}
			if !ok {
				_ = c.conn.Close()
				h.forget(c)
				h.count.Add(-1)
				last := len(clients) - 1
				clients[i] = clients[last]
				clients[last] = nil
				clients = clients[:last]
				continue
			}
			behind = behind || late
			i++
		}
		if fromRetry && behind {
			retryDelay = min(2*retryDelay, 200*time.Millisecond)
		} else if !fromRetry {
			retryDelay = 5 * time.Millisecond
		}
		if behind && !retryArmed {
			retry.Reset(retryDelay)
			retryArmed = true
		}
	}
}

// serve writes what client c has not seen up to head. ok is false when c
// must be disconnected; late when something is left to write.
func (h *hub) serve(c *client, head uint64, keepAlive bool, buf *[]byte) (ok, late bool) {
	if len(c.pending) > 0 {
		n, err := c.write(c.pending)
		if err != nil {
			return false, false
		}
		c.pending = c.pending[n:]
		if len(c.pending) > 0 {
			if h.overflow(c, head) {
				return false, false
			}
			return true, true
		}
		c.pending = nil
	}
	// Copy in slices of maxWrite until caught up or the socket is full.
	for first := true; ; first = false {
		b := (*buf)[:0]
		seq := c.pos
		var events uint64
		for ; seq < head && len(b) < maxWrite; seq++ {
			ev := h.ring.at(seq)
			if ev == nil { // overwritten: far too far behind
				h.drop(c, head)
				return false, false
			}
			if ev.mask&c.mask != 0 {
				b = append(b, ev.frame...)
				events++
			}
		}
		c.pos = seq
		if events > 0 {
			h.sent.Add(events)
		}
		if len(b) == 0 && keepAlive && first {
			b = append(b, keepAliveFrame...)
		}
		*buf = b
		if len(b) == 0 {
			return true, false
		}
		n, err := c.write(b)
		if err != nil {
			return false, false
		}
		if n < len(b) {
			c.pending = append([]byte(nil), b[n:]...)
			if h.overflow(c, head) {
				return false, false
			}
			return true, true
		}
		if seq >= head {
			c.overSince = time.Time{}
			return true, false
		}
	}
}

// overflowGrace is how long a client may stay over its buffer: a burst
// bigger than the buffer (a 10k-row batch) passes, a stalled reader does not.
const overflowGrace = time.Second

// overflow reports (and logs) whether c, whose socket is full, has been
// more than ClientBuffer events behind for longer than overflowGrace.
func (h *hub) overflow(c *client, head uint64) bool {
	if head-c.pos <= uint64(h.opts.ClientBuffer) {
		c.overSince = time.Time{}
		return false
	}
	now := time.Now()
	if c.overSince.IsZero() {
		c.overSince = now
		return false
	}
	if now.Sub(c.overSince) < overflowGrace {
		return false
	}
	h.drop(c, head)
	return true
}

func (h *hub) drop(c *client, head uint64) {
	h.dropped.Add(1)
	// Reset rather than close gracefully: what the kernel still holds for
	// this client is discarded now instead of waiting for a reader that
	// does not read.
	conn := c.conn
	if u, ok := conn.(interface{ NetConn() net.Conn }); ok { // the server's wrapper
		conn = u.NetConn()
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	h.log.Info("realtime: disconnected a client that fell behind",
		"client", c.id, "behind_events", head-c.pos, "limit", h.opts.ClientBuffer)
}
