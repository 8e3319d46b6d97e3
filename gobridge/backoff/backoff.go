// Package backoff is the bridge's one way of waiting before trying again:
// Sleep, a wait that ends early with its context, and Backoff, waits that
// double up to a cap, each with jitter so that processes which failed
// together do not retry in step.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Sleep waits d, or less if ctx ends first; it reports whether the whole
// wait passed (false: ctx ended).
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Backoff hands out the waits between attempts: First, then twice the
// previous one, never more than Max (no cap when Max is 0), each with
// ±25% jitter. With Full, a wait is anywhere from First up to that step
// ("full jitter": for many contenders retrying against one lock, where
// short waits must stay likely). The zero value waits nothing; a Backoff
// is not safe for concurrent use.
type Backoff struct {
	First, Max time.Duration
	Full       bool
	step       time.Duration
}

// New is a Backoff from first up to max.
func New(first, max time.Duration) Backoff { return Backoff{First: first, Max: max} }

// Next is the wait before the next attempt.
func (b *Backoff) Next() time.Duration {
	if b.step <= 0 {
		b.step = b.First
	} else {
		b.step *= 2
	}
	if b.Max > 0 && b.step > b.Max {
		b.step = b.Max
	}
	if b.Full {
		if spread := int64(b.step - b.First); spread > 0 {
			return b.First + time.Duration(rand.Int64N(spread+1))
		}
		return b.step
	}
	return Jitter(b.step)
}

// Wait sleeps Next(); false when ctx ended first.
func (b *Backoff) Wait(ctx context.Context) bool { return Sleep(ctx, b.Next()) }

// Reset starts again from First (after a success).
func (b *Backoff) Reset() { b.step = 0 }

// Jitter is d moved at random by up to a quarter either way.
func Jitter(d time.Duration) time.Duration {
	if q := int64(d / 4); q > 0 {
		return d - time.Duration(q) + time.Duration(rand.Int64N(2*q+1))
	}
	return d
}
