package realtime

import (
	"sync/atomic"
)

// event is one event in the ring, already rendered as an SSE frame.
type event struct {
	seq   uint64
	key   Key
	mask  uint8
	frame []byte
	reset bool // a reset the relay made up, not a row
}

// ring holds the newest events; slots are written by the relay only and
// read lock-free by the writers (a slot whose seq moved on was overwritten).
type ring struct {
	slots []atomic.Pointer[event]
	head  atomic.Uint64 // seq of the next event
}

func newRing(size int) *ring { return &ring{slots: make([]atomic.Pointer[event], size)} }

func (r *ring) at(seq uint64) *event {
	ev := r.slots[seq%uint64(len(r.slots))].Load()
	if ev == nil || ev.seq != seq {
		return nil
	}
	return ev
}
