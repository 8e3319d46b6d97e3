package queue_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/nezuko-bot/nezuko/gobridge/dblog"
)

// syncBuffer is a goroutine-safe bytes.Buffer (the stderr stand-in).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogHandlerWritesInfoAndAboveWithSourceAndAttributes(t *testing.T) {
	pool, _ := newDB(t)
	var stderr syncBuffer
	sink := dblog.New(pool, dblog.Options{Next: slog.NewTextHandler(&stderr, &slog.HandlerOptions{Level: slog.LevelDebug}),
		Instance: "testhost:1", FlushEvery: 20 * time.Millisecond})
	log := slog.New(sink.Handler()).With("logger", "queue", "bot_instance_id", int64(7))
	log.Debug("not stored")
	log.Info("stored", "command_id", 42, slog.Group("req", "path", "/x"))
	log.WithGroup("g").Warn("warned", "err", errors.New("boom"))
	log.Error("failed")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sink.Close(ctx)
	if n := queryInt(t, pool, `select count(*) from nezuko.admin_logs`); n != 3 {
		t.Fatalf("%d rows in admin_logs, want 3 (INFO, WARNING, ERROR; DEBUG stays out)", n)
	}
	row := queryText(t, pool, `select concat_ws('|', level, logger, message, instance, bot_instance_id, attributes::text,
		source_function like '%TestLogHandlerWritesInfoAndAboveWithSourceAndAttributes', source_file like '%dblog_test.go', source_line > 0)
		from nezuko.admin_logs where message = 'stored'`)
	want := `INFO|queue|stored|testhost:1|7|{"req": {"path": "/x"}, "command_id": 42, "bot_instance_id": 7}|t|t|t`
	if row != want {
		t.Errorf("row\n got %s\nwant %s", row, want)
	}
	if a := queryText(t, pool, `select level || ' ' || attributes::text from nezuko.admin_logs where message = 'warned'`); a != `WARNING {"g": {"err": "boom"}, "bot_instance_id": 7}` {
		t.Errorf("warned row: %s", a)
	}
	for _, m := range []string{"not stored", "stored", "warned", "failed"} {
		if !bytes.Contains([]byte(stderr.String()), []byte("msg="+`"`+m+`"`)) && !bytes.Contains([]byte(stderr.String()), []byte("msg="+m)) {
			t.Errorf("stderr lacks %q:\n%s", m, stderr.String())
		}
	}
}

func TestLogHandlerNeverBlocksOnAStalledDatabase(t *testing.T) {
	pool, _ := newDB(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// Stall admin_logs: a transaction holds an exclusive lock on it.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "lock table nezuko.admin_logs in access exclusive mode"); err != nil {
		t.Fatal(err)
	}
	var sinkErrs syncBuffer
	sink := dblog.New(pool, dblog.Options{Buffer: 500, Batch: 100, FlushEvery: 10 * time.Millisecond,
		WriteTimeout: 30 * time.Second, Errors: func(err error) { sinkErrs.Write([]byte(err.Error() + "\n")) }})
	log := slog.New(sink.Handler())
	const n = 20000
	var slowest time.Duration
	start := time.Now()
	for i := range n {
		t0 := time.Now()
		log.Info("while stalled", "i", i)
		if d := time.Since(t0); d > slowest {
			slowest = d
		}
	}
	total := time.Since(start)
	// The writer is stuck in its first COPY for as long as the lock is held.
	if w := sink.Written(); w != 0 {
		t.Fatalf("%d records written while the table was locked: the stall did not happen", w)
	}
	if slowest > 100*time.Millisecond {
		t.Errorf("a log call took %s while the database was stalled", slowest)
	}
	if sink.Dropped() == 0 {
		t.Errorf("no record dropped after %d records into a 500-record buffer", n)
	}
	t.Logf("%d log calls in %s while stalled (slowest %s), %d dropped", n, total, slowest, sink.Dropped())
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	sink.Close(ctx)
	// What was buffered arrives, newest kept, and the drops are reported.
	if last := queryInt(t, pool, `select count(*) from nezuko.admin_logs where message = 'while stalled' and (attributes->>'i')::int = $1`, n-1); last != 1 {
		t.Error("the newest record did not reach admin_logs")
	}
	if d := queryInt(t, pool, `select coalesce(sum((attributes->>'dropped')::bigint), 0) from nezuko.admin_logs where level = 'WARNING' and logger = 'dblog'`); d != int64(sink.Dropped()) {
		t.Errorf("drop notices in admin_logs add up to %d, the sink counted %d", d, sink.Dropped())
	}
	if total := queryInt(t, pool, `select count(*) from nezuko.admin_logs where message = 'while stalled'`) + int64(sink.Dropped()); total != n {
		t.Errorf("written + dropped = %d, want %d (nothing lost without being counted)", total, n)
	}
}
