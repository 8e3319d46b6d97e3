package latency

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBuckets(t *testing.T) {
	for _, ns := range []uint64{0, 1, 15, 16, 17, 31, 32, 1000, 999_999, 1_000_000, 123_456_789, 1 << 62} {
		i := index(ns)
		if up := upper(i); ns > up {
			t.Errorf("%d ns: bucket %d ends at %d", ns, i, up)
		}
		if i > 0 && ns <= upper(i-1) {
			t.Errorf("%d ns: also fits bucket %d (ends at %d)", ns, i-1, upper(i-1))
		}
	}
}

func TestQuantiles(t *testing.T) {
	var h Histogram
	var all []time.Duration
	r := rand.New(rand.NewPCG(1, 2))
	for range 100_000 {
		d := time.Duration(r.ExpFloat64() * float64(2*time.Millisecond))
		all = append(all, d)
		h.Observe(d)
	}
	slices.Sort(all)
	s := h.Summary()
	if s.Count != uint64(len(all)) {
		t.Fatalf("count %d, want %d", s.Count, len(all))
	}
	for _, c := range []struct {
		name string
		got  float64
		p    float64
	}{{"p50", s.P50, 0.50}, {"p90", s.P90, 0.90}, {"p99", s.P99, 0.99}, {"p99.9", s.P999, 0.999}} {
		want := float64(all[int(c.p*float64(len(all)-1))]) / 1e6
		if c.got < want || c.got > want*1.0625+1e-6 {
			t.Errorf("%s = %.4f ms, exact %.4f ms", c.name, c.got, want)
		}
	}
	if s.Max != float64(all[len(all)-1])/1e6 {
		t.Errorf("max %.4f, want %.4f", s.Max, float64(all[len(all)-1])/1e6)
	}
	h.Reset()
	if s := h.Summary(); s.Count != 0 || s.Max != 0 || s.P99 != 0 {
		t.Errorf("after reset: %+v", s)
	}
}
