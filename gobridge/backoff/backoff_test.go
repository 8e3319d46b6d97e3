package backoff

import (
	"context"
	"testing"
	"time"
)

func TestBackoffDoublesUpToMaxWithJitter(t *testing.T) {
	b := New(100*time.Millisecond, time.Second)
	steps := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, want := range steps {
		want *= time.Millisecond
		got := b.Next()
		if got < want*3/4 || got > want*5/4 {
			t.Fatalf("attempt %d: wait %v, want %v ±25%%", i+1, got, want)
		}
	}
	b.Reset()
	if got := b.Next(); got < 75*time.Millisecond || got > 125*time.Millisecond {
		t.Fatalf("after Reset: wait %v, want 100ms ±25%%", got)
	}
}

func TestFullJitterStaysBetweenFirstAndStep(t *testing.T) {
	b := Backoff{First: 50 * time.Millisecond, Max: time.Second, Full: true}
	short := 0
	step := 25 * time.Millisecond
	for i := range 40 {
		step = min(2*step, time.Second)
		got := b.Next()
		if got < 50*time.Millisecond || got > step {
			t.Fatalf("attempt %d: wait %v, want within [50ms, %v]", i+1, got, step)
		}
		if i >= 5 && got < 300*time.Millisecond {
			short++
		}
	}
	if short == 0 {
		t.Fatal("full jitter never gave a short wait once the step reached the cap")
	}
}

func TestJitterSpreads(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[Jitter(time.Second)] = true
	}
	if len(seen) < 10 {
		t.Fatalf("50 jittered waits gave only %d distinct values", len(seen))
	}
	if Jitter(0) != 0 {
		t.Fatal("Jitter(0) must be 0")
	}
}

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if Sleep(ctx, time.Minute) {
		t.Fatal("Sleep reported a full wait on a cancelled context")
	}
	if time.Since(start) > time.Second {
		t.Fatal("Sleep did not end with its context")
	}
	if !Sleep(context.Background(), time.Millisecond) {
		t.Fatal("Sleep of 1ms on a live context reported false")
	}
}
