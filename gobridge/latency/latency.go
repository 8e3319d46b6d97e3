// Package latency is a lock-free latency histogram: a server's own view of
// how long its handlers take, so a benchmark can put the server-side
// quantiles next to the load generator's (`nezuko serve` with
// NEZUKO_DEBUG_ADDR, and the `just bench-api` baseline). Buckets are 1/16
// of a power of two wide: quantiles are within 6.25 % (reported as the
// bucket's upper bound, never above the largest value seen).
package latency

import (
	"encoding/json"
	"math/bits"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

const sub = 16 // buckets per power of two

// Histogram counts durations. The zero value is ready; it is safe for
// concurrent use.
type Histogram struct {
	counts [64 * sub]atomic.Uint64
	max    atomic.Int64
}

func index(ns uint64) int {
	if ns < sub {
		return int(ns)
	}
	e := bits.Len64(ns) - 1 // >= 4
	m := (ns >> (e - 4)) & (sub - 1)
	return (e-3)*sub + int(m)
}

// upper is the largest value (ns) that falls into bucket i.
func upper(i int) uint64 {
	if i < sub {
		return uint64(i)
	}
	e := i/sub + 3
	m := uint64(i % sub)
	return ((sub+m+1)<<(e-4) - 1)
}

// Observe records one duration.
func (h *Histogram) Observe(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[index(uint64(d))].Add(1)
	for {
		m := h.max.Load()
		if int64(d) <= m || h.max.CompareAndSwap(m, int64(d)) {
			return
		}
	}
}

// Since records the time since start.
func (h *Histogram) Since(start time.Time) { h.Observe(time.Since(start)) }

// Reset forgets everything recorded (observations racing with it may be
// kept or lost).
func (h *Histogram) Reset() {
	for i := range h.counts {
		h.counts[i].Store(0)
	}
	h.max.Store(0)
}

// Summary is a histogram's count and quantiles, in milliseconds.
type Summary struct {
	Count uint64  `json:"count"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	P999  float64 `json:"p999_ms"`
	Max   float64 `json:"max_ms"`
}

// Summary reads the histogram.
func (h *Histogram) Summary() Summary {
	var counts [64 * sub]uint64
	var n uint64
	for i := range counts {
		counts[i] = h.counts[i].Load()
		n += counts[i]
	}
	maxNS := uint64(h.max.Load())
	q := func(p float64) float64 {
		if n == 0 {
			return 0
		}
		rank := uint64(p*float64(n-1)) + 1 // 1-based rank of the quantile
		var seen uint64
		for i, c := range counts {
			seen += c
			if seen >= rank {
				return ms(min(upper(i), maxNS))
			}
		}
		return ms(maxNS)
	}
	return Summary{Count: n, P50: q(0.50), P90: q(0.90), P99: q(0.99), P999: q(0.999), Max: ms(maxNS)}
}

func ms(ns uint64) float64 { return float64(ns) / 1e6 }

// PoolStats are a pgx pool's cumulative counters: acquires that found no
// idle connection and waited (EmptyAcquires), the total time spent
// acquiring, and the connections opened since the pool started.
type PoolStats struct {
	Acquires        int64   `json:"acquires"`
	EmptyAcquires   int64   `json:"empty_acquires"`
	AcquireMS       float64 `json:"acquire_ms"`
	EmptyAcquireMS  float64 `json:"empty_acquire_wait_ms"`
	NewConns        int64   `json:"new_conns"`
	TotalConns      int32   `json:"total_conns"`
	MaxConns        int32   `json:"max_conns"`
	CanceledAcquire int64   `json:"canceled_acquires"`
}

// Pool reads p's counters.
func Pool(p *pgxpool.Pool) PoolStats {
	s := p.Stat()
	return PoolStats{
		Acquires:        s.AcquireCount(),
		EmptyAcquires:   s.EmptyAcquireCount(),
		AcquireMS:       float64(s.AcquireDuration()) / 1e6,
		EmptyAcquireMS:  float64(s.EmptyAcquireWaitTime()) / 1e6,
		NewConns:        s.NewConnsCount(),
		TotalConns:      s.TotalConns(),
		MaxConns:        s.MaxConns(),
		CanceledAcquire: s.CanceledAcquireCount(),
	}
}

// Handler answers GET with {"handler": Summary, "pool": PoolStats} as JSON
// (pool only when p is not nil); with ?reset=1 it resets the histogram
// after reading it (the pool's counters are cumulative).
func Handler(h *Histogram, p *pgxpool.Pool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out := struct {
			Handler Summary    `json:"handler"`
			Pool    *PoolStats `json:"pool,omitempty"`
		}{Handler: h.Summary()}
		if p != nil {
			ps := Pool(p)
			out.Pool = &ps
		}
		if r.URL.Query().Get("reset") == "1" {
			h.Reset()
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(out)
	})
}
