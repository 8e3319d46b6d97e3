// Package pgrestart restarts the whole PostgreSQL cluster under a running
// `nezuko serve` and checks that the realtime stream loses nothing. It
// bounces every database on the cluster, so `just test` runs it alone,
// after the other packages, and only on the project-local cluster: it is
// skipped unless NEZUKO_PG_RESTART=1 and NEZUKO_PG_DATA / NEZUKO_PG_BIN
// (and NEZUKO_AS_PG when root) say how to run pg_ctl.
package pgrestart

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/tests/ssetest"
	"github.com/nezuko-bot/nezuko/tests/testdb"
)

type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func pgCtl(t *testing.T, args ...string) {
	t.Helper()
	data, bin := os.Getenv("NEZUKO_PG_DATA"), os.Getenv("NEZUKO_PG_BIN")
	cmdline := append(strings.Fields(os.Getenv("NEZUKO_AS_PG")), filepath.Join(bin, "pg_ctl"), "-D", data, "-l", filepath.Join(data, "server.log"))
	cmdline = append(cmdline, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cmdline[0], cmdline[1:]...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", cmdline, err, out)
	}
}

func TestRealtimeStreamSurvivesPostgresRestartWithoutLoss(t *testing.T) {
	if os.Getenv("NEZUKO_PG_RESTART") != "1" || os.Getenv("NEZUKO_PG_DATA") == "" || os.Getenv("NEZUKO_PG_BIN") == "" {
		t.Skip("restarts the whole cluster: run through `just test` (NEZUKO_PG_RESTART=1, NEZUKO_PG_DATA, NEZUKO_PG_BIN)")
	}
	if os.Getenv("NEZUKO_BIN") == "" {
		t.Skip("NEZUKO_BIN is not set")
	}
	// Whatever happens, leave the cluster running for whoever is next.
	t.Cleanup(func() {
		data, pgbin := os.Getenv("NEZUKO_PG_DATA"), os.Getenv("NEZUKO_PG_BIN")
		status := append(strings.Fields(os.Getenv("NEZUKO_AS_PG")), filepath.Join(pgbin, "pg_ctl"), "-D", data, "status")
		if exec.Command(status[0], status[1:]...).Run() != nil {
			pgCtl(t, "-w", "start")
		}
	})

	ctx := context.Background()
	pool, url := testdb.NewPool(t)
	var token string
	if err := pool.QueryRow(ctx, "select token from auth.create_token('restart test', 'viewer')").Scan(&token); err != nil {
		t.Fatal(err)
	}

	base := serveOn(t, url) // the package's one serve helper (crash_test.go)

	sctx, scancel := context.WithTimeout(ctx, 2*time.Minute)
	defer scancel()
	s, err := ssetest.Open(sctx, nil, base+"/v1/events?channels=dashboard", token, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	// Writers keep inserting through the restart; failures while the
	// server is down are expected (those rows do not exist).
	wpool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer wpool.Close()
	var stop atomic.Bool
	var wg sync.WaitGroup
	var ok atomic.Int64
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				c, cancel := context.WithTimeout(ctx, 2*time.Second)
				_, err := wpool.Exec(c, "insert into nezuko.verification_log (user_id, group_id, status) values ($1, $2, 'verified')", w, i)
				cancel()
				if err == nil {
					ok.Add(1)
				} else {
					time.Sleep(20 * time.Millisecond)
				}
				time.Sleep(3 * time.Millisecond)
			}
		}()
	}
	time.Sleep(400 * time.Millisecond)
	pgCtl(t, "-m", "fast", "-w", "-t", "60", "restart")
	// Keep writing until the relay has visibly reconnected and some more.
	time.Sleep(1500 * time.Millisecond)
	stop.Store(true)
	wg.Wait()

	var want int
	if err := wpool.QueryRow(ctx, "select count(*) from nezuko.verification_log").Scan(&want); err != nil {
		t.Fatal(err)
	}
	if want < 50 || int64(want) < ok.Load() {
		t.Fatalf("%d rows in the table, %d inserts succeeded", want, ok.Load())
	}
	seen := map[int64]bool{}
	for len(seen) < want {
		ev, err := s.Next(20 * time.Second)
		if err != nil {
			t.Fatalf("after %d of %d events: %v (stream: %v)", len(seen), want, err, s.Err())
		}
		var row struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal([]byte(ev.Data), &row); err != nil {
			t.Fatal(err)
		}
		if seen[row.ID] {
			t.Fatalf("duplicate event for row %d", row.ID)
		}
		seen[row.ID] = true
	}
	if ev, err := s.Next(500 * time.Millisecond); err == nil {
		t.Fatalf("extra event %s", ev.Data)
	}
	t.Logf("%d events, all delivered once across the restart, on the same SSE connection", want)
}
