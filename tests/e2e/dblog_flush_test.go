package e2e

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/nezuko-bot/nezuko/tests/testdb"
)

// On SIGTERM, serve flushes its admin_logs sink last: the final "stopped"
// record, logged after HTTP, the bots and the worker have stopped, is in
// the table once the process has exited.
func TestServeFlushesItsLogSinkOnSIGTERM(t *testing.T) {
	pool, url := testdb.NewPool(t)
	p := startServe(t, "DATABASE_URL="+url)
	time.Sleep(300 * time.Millisecond)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop within 20 s of SIGTERM")
	}
	var n int
	if err := pool.QueryRow(context.Background(), "select count(*) from nezuko.admin_logs where message = 'stopped'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d 'stopped' records in admin_logs after SIGTERM, want 1 (the sink was not flushed)", n)
	}
}
