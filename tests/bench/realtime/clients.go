package main

import (
	"bytes"
	"fmt"
	"sync/atomic"
	"syscall"
	"time"
)

// The load generator's SSE clients. Each client is its own TCP connection
// with its own stream, parser state and sequence check; what they share is
// the machinery that waits for data: a few reader goroutines, each with
// its own epoll set, instead of one goroutine per connection. A reader
// takes what epoll reports ready, does one read per socket into a large
// buffer and parses every complete event in it, stamping each event's
// receive time when it parses that event. That keeps the harness's cost
// per delivered event to about one read syscall, so on a 2-core machine
// the generator takes less CPU away from the server it measures.

// sseClient is one connection's state, owned by one reader.
type sseClient struct {
	fd   int
	idx  int    // index into recv and lastSeen
	prev int64  // last sequence number seen
	part []byte // an incomplete line carried over to the next read
	done bool   // every sequence number seen
}

// counts are one reader's totals, merged after the run.
type counts struct {
	delivered, lost, dup int64
}

type reader struct {
	epfd    int
	clients []*sseClient
	counts  counts
}

// clientSet is every client of one point.
type clientSet struct {
	startSeq, total int64
	clients         []*sseClient // by index; each owned by one reader
	recv            [][]int64    // per client, receive time (unix ns) per seq
	lastSeen        []atomic.Int64
	finished        atomic.Int64 // clients that have seen every seq
	readers         []*reader
	stop            atomic.Bool
}

func newClientSet(nclients, nreaders int, startSeq, total int64) (*clientSet, error) {
	cs := &clientSet{startSeq: startSeq, total: total, clients: make([]*sseClient, nclients),
		recv: make([][]int64, nclients), lastSeen: make([]atomic.Int64, nclients)}
	for range nreaders {
		fd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			return nil, fmt.Errorf("epoll_create1: %w", err)
		}
		cs.readers = append(cs.readers, &reader{epfd: fd})
	}
	return cs, nil
}

// add registers client idx, whose non-blocking socket is fd and whose
// stream starts with the already read bytes head. Called before the
// readers run.
func (cs *clientSet) add(idx, fd int, head []byte) error {
	r := cs.readers[idx%len(cs.readers)]
	c := &sseClient{fd: fd, idx: idx}
	cs.recv[idx] = make([]int64, cs.total+1)
	cs.clients[idx] = c
	r.clients = append(r.clients, c)
	if len(head) > 0 {
		cs.parse(r, c, head)
	}
	// The event's data carries the client's index (in the Pad half).
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(fd), Pad: int32(idx)}
	if err := syscall.EpollCtl(r.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return fmt.Errorf("epoll_ctl: %w", err)
	}
	return nil
}

// run reads until stop is set.
func (cs *clientSet) run(r *reader) {
	events := make([]syscall.EpollEvent, 1024)
	buf := make([]byte, 256<<10)
	for !cs.stop.Load() {
		n, err := syscall.EpollWait(r.epfd, events, 50)
		if err != nil {
			if err == syscall.EINTR {
				continue
			}
			return
		}
		for _, ev := range events[:n] {
			c := cs.clients[ev.Pad]
			if c.fd < 0 {
				continue
			}
			m, err := syscall.Read(c.fd, buf)
			if err == syscall.EAGAIN || err == syscall.EINTR {
				continue
			}
			if err != nil || m <= 0 {
				cs.close(r, c)
				continue
			}
			cs.parse(r, c, buf[:m])
		}
	}
}

func (cs *clientSet) close(r *reader, c *sseClient) {
	_ = syscall.EpollCtl(r.epfd, syscall.EPOLL_CTL_DEL, c.fd, nil)
	_ = syscall.Close(c.fd)
	c.fd = -1
}

// closeAll closes every socket (after the readers stopped).
func (cs *clientSet) closeAll() {
	for _, r := range cs.readers {
		for _, c := range r.clients {
			if c.fd >= 0 {
				cs.close(r, c)
			}
		}
		_ = syscall.Close(r.epfd)
	}
}

var dataPrefix = []byte("data: ")

// parse consumes b, the next bytes of c's stream: every complete
// "data: " line is an event, checked against c's sequence and stamped now.
func (cs *clientSet) parse(r *reader, c *sseClient, b []byte) {
	if len(c.part) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			c.part = append(c.part, b...)
			return
		}
		c.part = append(c.part, b[:i+1]...)
		cs.line(r, c, c.part)
		c.part = c.part[:0]
		b = b[i+1:]
	}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			c.part = append(c.part, b...)
			return
		}
		cs.line(r, c, b[:i+1])
		b = b[i+1:]
	}
}

func (cs *clientSet) line(r *reader, c *sseClient, line []byte) {
	if !bytes.HasPrefix(line, dataPrefix) {
		return
	}
	now := time.Now().UnixNano()
	seq := parseUserID(line) - cs.startSeq
	if seq <= 0 || seq > cs.total {
		return
	}
	switch {
	case seq <= c.prev:
		r.counts.dup++
		return
	case seq > c.prev+1:
		r.counts.lost += seq - c.prev - 1
	}
	c.prev = seq
	cs.lastSeen[c.idx].Store(seq)
	r.counts.delivered++
	cs.recv[c.idx][seq] = now
	if seq == cs.total && !c.done {
		c.done = true
		cs.finished.Add(1)
	}
}
