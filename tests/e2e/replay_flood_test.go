package e2e

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rssKB is the resident set of process pid, from /proc.
func rssKB(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// Eighty streams resume from an old Last-Event-ID (about 20 MB of events to
// replay each) and never read: replays are read in pages under a global
// memory budget, so the server's memory stays bounded (it grew to 1.86 GB
// when each replay was rendered whole), and a healthy client still gets
// live events.
func TestReplayFloodKeepsMemoryBounded(t *testing.T) {
	e := newRealtime(t, "NEZUKO_SSE_STREAMS_PER_TOKEN=1000", "NEZUKO_SSE_REPLAY_MEMORY=16777216")
	s := e.open(t, "logs", "")
	e.exec(t, "insert into nezuko.admin_logs (level, message) values ('INFO', 'first')")
	first := next(t, s)
	e.exec(t, "insert into nezuko.admin_logs (level, message) select 'INFO', repeat('x', 2000) || g from generate_series(1, 9000) g")
	for range 9000 { // the live stream drains them: the relay has them all
		next(t, s)
	}
	pid := e.proc.cmd.Process.Pid
	time.Sleep(500 * time.Millisecond)
	base := rssKB(t, pid)
	const clients = 80
	addr := strings.TrimPrefix(e.proc.URL(), "http://")
	for range clients {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.(*net.TCPConn).SetReadBuffer(4096)
		fmt.Fprintf(c, "GET /v1/events?channels=logs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nLast-Event-ID: %s\r\n\r\n", e.token, first.ID)
	}
	peak := base
	for end := time.Now().Add(6 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		peak = max(peak, rssKB(t, pid))
	}
	e.exec(t, "insert into nezuko.admin_logs (level, message) values ('INFO', 'live during the flood')")
	for {
		ev := next(t, s)
		if strings.Contains(ev.Data, "live during the flood") {
			break
		}
	}
	grew := peak - base
	t.Logf("RSS %d MB before, peak %d MB with %d replaying clients that never read: +%d KB per client",
		base/1024, peak/1024, clients, grew/clients)
	if grew > 150*1024 {
		t.Fatalf("RSS grew by %d MB under a 16 MB replay budget", grew/1024)
	}
}
