// Command realtime benchmarks the SSE relay (`just bench-realtime`): many
// concurrent SSE clients on loopback against one `nezuko serve`, at points
// of clients × verification inserts per second; commit-to-client latency,
// server memory per connected client, lost and duplicated events; then
// batched 10k-row inserts into verification_log with the realtime trigger
// on versus off. Prints markdown tables.
//
// Needs DATABASE_URL (a server where it may create a database) and
// NEZUKO_BIN (the built binary).
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/tests/testdb"
)

func main() {
	points := flag.String("points", "5000x20,500x200", "comma-separated clients x inserts/s")
	duration := flag.Duration("duration", 20*time.Second, "measured time per point")
	batches := flag.Int("ingest-rounds", 5, "10k-row inserts per trigger setting")
	readers := flag.Int("readers", runtime.GOMAXPROCS(0), "load generator reader goroutines (each an epoll set over its share of the clients)")
	flag.Parse()
	if err := run(*points, *duration, *batches, max(1, *readers)); err != nil {
		fmt.Fprintln(os.Stderr, "bench-realtime:", err)
		os.Exit(1)
	}
}

type point struct{ clients, rate int }

type result struct {
	point
	delivered, lost, dup, short int64
	seconds                     float64
	p50, p95, p99, max          time.Duration // from before the INSERT round trip
	c50, c95                    time.Duration // from the commit acknowledgement
	kbPerClient                 float64
	connectErrs                 int64
	serverCPU, benchCPU         float64 // CPU seconds per second of the run
	load                        string  // 1-minute load average after the run
}

func run(pointsFlag string, duration time.Duration, rounds, readers int) error {
	var pts []point
	for _, p := range strings.Split(pointsFlag, ",") {
		var pt point
		if _, err := fmt.Sscanf(strings.TrimSpace(p), "%dx%d", &pt.clients, &pt.rate); err != nil {
			return fmt.Errorf("bad point %q", p)
		}
		pts = append(pts, pt)
	}
	admin := os.Getenv("DATABASE_URL")
	bin := os.Getenv("NEZUKO_BIN")
	if admin == "" || bin == "" {
		return fmt.Errorf("set DATABASE_URL and NEZUKO_BIN")
	}
	// Each client is a socket on both ends.
	lim := syscall.Rlimit{Cur: 65536, Max: 65536}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		var cur syscall.Rlimit
		_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &cur)
		cur.Cur = cur.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &cur)
	}
	ctx := context.Background()
	url, drop, err := freshDB(ctx, admin, bin)
	if err != nil {
		return err
	}
	defer drop()

	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	var token string
	if err := pool.QueryRow(ctx, "select token from auth.create_token('bench', 'viewer')").Scan(&token); err != nil {
		return err
	}

	var results []result
	for _, pt := range pts {
		r, err := runPoint(ctx, bin, url, token, pool, pt, duration, readers)
		if err != nil {
			return err
		}
		results = append(results, r)
	}

	on, off, err := ingest(ctx, pool, rounds)
	if err != nil {
		return err
	}

	host, _ := os.Hostname()
	fmt.Printf("\n### Realtime relay (`just bench-realtime`, %s, %d CPUs, %s per point)\n\n", host, runtime.NumCPU(), duration)
	fmt.Println("| clients | inserts/s | events delivered | p50 | p95 | p99 | max | p50 / p95 after commit ack | server KB/client | lost | dup | server CPU | client CPU | load avg |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range results {
		fmt.Printf("| %d | %d | %d | %s | %s | %s | %s | %s / %s | %.1f | %d | %d | %.0f%% | %.0f%% | %s |\n", r.clients, r.rate,
			r.delivered, ms(r.p50), ms(r.p95), ms(r.p99), ms(r.max), ms(r.c50), ms(r.c95), r.kbPerClient, r.lost, r.dup, 100*r.serverCPU, 100*r.benchCPU, r.load)
	}
	fmt.Println()
	fmt.Println("Latency p50..max: from just before the INSERT's round trip (one row per transaction, fsync on) to the client")
	fmt.Println("parsing the event; \"after commit ack\": from the moment the INSERT returned (0 when the event came first).")
	fmt.Println("Server KB/client: (VmRSS of `nezuko serve` with every client connected after the run - VmRSS before any client) / clients.")
	fmt.Println("CPU: CPU seconds per wall second during the run (100% = one core); client CPU is this load generator.")
	fmt.Println("Load avg: the machine's 1-minute load average after the point (the machine is shared).")
	fmt.Println()
	fmt.Println("| 10k-row INSERT into verification_log | median rows/s | ratio on/off |")
	fmt.Println("|---|---:|---:|")
	fmt.Printf("| realtime trigger off | %.0f | |\n", off)
	fmt.Printf("| realtime trigger on | %.0f | %.2f |\n", on, on/off)
	for _, r := range results {
		if r.connectErrs > 0 {
			fmt.Printf("\nnote: %d of %d clients failed to connect at %dx%d\n", r.connectErrs, r.clients, r.clients, r.rate)
		}
	}
	// One line per target (issue 5), for tests/bench/report.sh.
	met := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	fmt.Println()
	for _, r := range results {
		at := fmt.Sprintf("%d clients × %d/s", r.clients, r.rate)
		fmt.Printf("TARGET | p95 ≤ 100 ms at %s | %s | %s\n", at, met(r.p95 <= 100*time.Millisecond), ms(r.p95))
		fmt.Printf("TARGET | ≤ 24 KB per client at %s | %s | %.1f KB\n", at, met(r.kbPerClient <= 24), r.kbPerClient)
		fmt.Printf("TARGET | no loss or duplicate at %s | %s | %d lost, %d dup, %d connect errors\n", at,
			met(r.lost == 0 && r.dup == 0 && r.connectErrs == 0), r.lost, r.dup, r.connectErrs)
	}
	fmt.Printf("TARGET | ingest with the realtime trigger ≥ 0.8× without | %s | %.2f×\n", met(on/off >= 0.8), on/off)
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// freshDB creates and migrates a database for the run.
func freshDB(ctx context.Context, admin, bin string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(ctx)
	name := "nezuko_bench_realtime"
	if _, err := conn.Exec(ctx, "drop database if exists "+name+" with (force)"); err != nil {
		return "", nil, err
	}
	if _, err := conn.Exec(ctx, "create database "+name); err != nil {
		return "", nil, err
	}
	url, err := testdb.WithDatabase(admin, name)
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, "migrate")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", nil, fmt.Errorf("migrate: %v\n%s", err, out)
	}
	return url, func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err == nil {
			_, _ = c.Exec(context.Background(), "drop database if exists "+name+" with (force)")
			c.Close(context.Background())
		}
	}, nil
}

// cpuSeconds is the user+system CPU time of a process so far.
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / 100 // USER_HZ
}

// ctxSwitches sums the voluntary and involuntary context switches of every
// thread of a process so far.
func ctxSwitches(pid int) (vol, invol int64) {
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/status", pid, t.Name()))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) != 2 {
				continue
			}
			n, _ := strconv.ParseInt(f[1], 10, 64)
			switch f[0] {
			case "voluntary_ctxt_switches:":
				vol += n
			case "nonvoluntary_ctxt_switches:":
				invol += n
			}
		}
	}
	return vol, invol
}

func rss(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb, err
		}
	}
	return 0, fmt.Errorf("no VmRSS")
}

// histogram: 100 µs buckets up to 10 s.
const bucket = 100 * time.Microsecond

type histogram struct{ b [100000]atomic.Int64 }

func (h *histogram) add(d time.Duration) {
	i := int(d / bucket)
	if i < 0 {
		i = 0
	}
	if i >= len(h.b) {
		i = len(h.b) - 1
	}
	h.b[i].Add(1)
}

func (h *histogram) quantiles(qs ...float64) []time.Duration {
	var total int64
	for i := range h.b {
		total += h.b[i].Load()
	}
	out := make([]time.Duration, len(qs))
	if total == 0 {
		return out
	}
	for j, q := range qs {
		want := int64(q * float64(total))
		var acc int64
		for i := range h.b {
			acc += h.b[i].Load()
			if acc >= want && acc > 0 {
				out[j] = time.Duration(i+1) * bucket
				break
			}
		}
	}
	return out
}

func runPoint(ctx context.Context, bin, url, token string, pool *pgxpool.Pool, pt point, duration time.Duration, readers int) (result, error) {
	res := result{point: pt}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url, "NEZUKO_HTTP_ADDR="+addr, "NEZUKO_LOG_LEVEL=warn",
		"NEZUKO_SSE_STREAMS_PER_TOKEN=100000") // thousands of clients share the bench token
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		return res, err
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i > 200 {
			return res, fmt.Errorf("serve did not start: %s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Warm the server: one client, a few events, so the baseline includes
	// the relay's steady state.
	time.Sleep(500 * time.Millisecond)
	runtime.GC()
	base, err := rss(cmd.Process.Pid)
	if err != nil {
		return res, err
	}

	// Sequence numbers for this point start after what is in the table.
	var startSeq int64
	if err := pool.QueryRow(ctx, "select coalesce(max(user_id), 0) from nezuko.verification_log").Scan(&startSeq); err != nil {
		return res, err
	}
	total := int64(pt.rate) * int64(duration/time.Second)
	sent := make([]atomic.Int64, total+1)      // insert start time per seq, unix ns
	committed := make([]atomic.Int64, total+1) // commit acknowledged, unix ns
	hist, histCommit := &histogram{}, &histogram{}
	var connectErrs atomic.Int64

	cs, err := newClientSet(pt.clients, readers, startSeq, total)
	if err != nil {
		return res, err
	}
	defer cs.closeAll()
	type dialed struct {
		fd   int
		head []byte
	}
	conns := make([]dialed, pt.clients)
	var connected sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i := range pt.clients {
		connected.Add(1)
		go func() {
			defer connected.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			conns[i].fd = -1
			fd, head, err := dialSSE(addr, token)
			if err != nil {
				connectErrs.Add(1)
				return
			}
			conns[i] = dialed{fd, head}
		}()
	}
	connected.Wait()
	for i, d := range conns {
		if d.fd < 0 {
			continue
		}
		if err := cs.add(i, d.fd, d.head); err != nil {
			return res, err
		}
	}
	var wg sync.WaitGroup
	for _, r := range cs.readers {
		wg.Add(1)
		go func() { defer wg.Done(); cs.run(r) }()
	}
	defer func() { cs.stop.Store(true); wg.Wait() }()
	time.Sleep(time.Second)
	runtime.GC()

	// The writer: one transaction per row, at the point's rate, in order.
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return res, err
	}
	fmt.Fprintf(os.Stderr, "point %dx%d: %d clients connected, inserting for %s\n", pt.clients, pt.rate, int64(pt.clients)-connectErrs.Load(), duration)
	start := time.Now()
	cpu0, bcpu0 := cpuSeconds(cmd.Process.Pid), cpuSeconds(os.Getpid())
	sv0, si0 := ctxSwitches(cmd.Process.Pid)
	bv0, bi0 := ctxSwitches(os.Getpid())
	tick := time.NewTicker(time.Second / time.Duration(pt.rate))
	for seq := int64(1); seq <= total; seq++ {
		<-tick.C
		sent[seq].Store(time.Now().UnixNano())
		if _, err := conn.Exec(ctx, "insert into nezuko.verification_log (user_id, group_id, status, latency_ms) values ($1, 1, 'verified', 3)", startSeq+seq); err != nil {
			conn.Release()
			return res, fmt.Errorf("insert: %w", err)
		}
		committed[seq].Store(time.Now().UnixNano())
	}
	tick.Stop()
	conn.Release()
	elapsed := time.Since(start).Seconds()
	res.serverCPU = (cpuSeconds(cmd.Process.Pid) - cpu0) / elapsed
	res.benchCPU = (cpuSeconds(os.Getpid()) - bcpu0) / elapsed
	sv1, si1 := ctxSwitches(cmd.Process.Pid)
	bv1, bi1 := ctxSwitches(os.Getpid())
	fmt.Fprintf(os.Stderr, "point %dx%d: context switches per event: server %.0f voluntary + %.0f involuntary, load generator %.0f + %.0f\n",
		pt.clients, pt.rate, float64(sv1-sv0)/float64(total), float64(si1-si0)/float64(total), float64(bv1-bv0)/float64(total), float64(bi1-bi0)/float64(total))
	// Memory while every client is connected and the stream is live.
	end, _ := rss(cmd.Process.Pid)
	// Let the last events arrive.
	want := int64(pt.clients) - connectErrs.Load()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && cs.finished.Load() < want {
		time.Sleep(20 * time.Millisecond)
	}
	res.seconds = time.Since(start).Seconds()
	cs.stop.Store(true)
	wg.Wait()
	var short int64
	for i := range cs.lastSeen {
		if l := cs.lastSeen[i].Load(); cs.clients[i] != nil && l < total {
			short += total - l
		}
	}
	for _, r := range cs.readers {
		res.delivered += r.counts.delivered
		res.dup += r.counts.dup
		res.lost += r.counts.lost
	}
	res.connectErrs = connectErrs.Load()
	res.lost += short
	// Where the time goes, per event: the INSERT's round trip, then from
	// the commit acknowledgement to the first and to the last client.
	first, last := make([]int64, total+1), make([]int64, total+1)
	for _, rc := range cs.recv {
		for seq, t := range rc {
			if t == 0 {
				continue
			}
			hist.add(time.Duration(t - sent[seq].Load()))
			histCommit.add(max(0, time.Duration(t-committed[seq].Load())))
			if first[seq] == 0 || t < first[seq] {
				first[seq] = t
			}
			last[seq] = max(last[seq], t)
		}
	}
	hInsert, hFirst, hLast := &histogram{}, &histogram{}, &histogram{}
	for seq := int64(1); seq <= total; seq++ {
		hInsert.add(time.Duration(committed[seq].Load() - sent[seq].Load()))
		if first[seq] != 0 {
			hFirst.add(max(0, time.Duration(first[seq]-committed[seq].Load())))
			hLast.add(max(0, time.Duration(last[seq]-committed[seq].Load())))
		}
	}
	qi, qf, ql := hInsert.quantiles(0.5, 0.95), hFirst.quantiles(0.5, 0.95), hLast.quantiles(0.5, 0.95)
	fmt.Fprintf(os.Stderr, "point %dx%d: p50/p95 insert round trip %s/%s; after the commit ack, first client %s/%s, last client %s/%s\n",
		pt.clients, pt.rate, ms(qi[0]), ms(qi[1]), ms(qf[0]), ms(qf[1]), ms(ql[0]), ms(ql[1]))
	q := hist.quantiles(0.5, 0.95, 0.99, 1)
	res.p50, res.p95, res.p99, res.max = q[0], q[1], q[2], q[3]
	q = histCommit.quantiles(0.5, 0.95)
	res.c50, res.c95 = q[0], q[1]
	res.kbPerClient = float64(end-base) / float64(pt.clients-int(res.connectErrs))
	load, _ := os.ReadFile("/proc/loadavg")
	res.load = strings.Join(strings.Fields(string(load))[:1], "")
	fmt.Fprintf(os.Stderr, "point %dx%d: %d delivered, rss %d -> %d kB, load %s\n", pt.clients, pt.rate, res.delivered, base, end, res.load)
	return res, nil
}

// dialSSE opens one stream and returns its socket as a non-blocking
// descriptor of its own (the net.Conn is closed, so Go's poller no longer
// watches it) and the stream bytes read past the response head.
func dialSSE(addr, token string) (int, []byte, error) {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return -1, nil, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := fmt.Fprintf(conn, "GET /v1/events?channels=dashboard HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nAccept: text/event-stream\r\n\r\n", addr, token); err != nil {
		return -1, nil, err
	}
	r := bufio.NewReaderSize(conn, 4<<10)
	status, err := r.ReadString('\n')
	if err != nil || !strings.Contains(status, " 200 ") {
		return -1, nil, fmt.Errorf("status %q: %v", status, err)
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return -1, nil, err
		}
		if line == "\r\n" {
			break
		}
	}
	head, _ := r.Peek(r.Buffered())
	head = bytes.Clone(head)
	raw, err := conn.(*net.TCPConn).SyscallConn()
	if err != nil {
		return -1, nil, err
	}
	fd := -1
	var derr error
	if err := raw.Control(func(s uintptr) {
		// F_DUPFD_CLOEXEC: the next point's `nezuko serve` must not inherit it.
		nfd, _, e := syscall.Syscall(syscall.SYS_FCNTL, s, syscall.F_DUPFD_CLOEXEC, 0)
		if e != 0 {
			derr = e
			return
		}
		fd = int(nfd)
	}); err != nil {
		return -1, nil, err
	}
	if derr != nil {
		return -1, nil, derr
	}
	return fd, head, nil
}

var userKey = []byte(`"user_id": `)

func parseUserID(line []byte) int64 {
	i := bytes.Index(line, userKey)
	if i < 0 {
		return -1
	}
	var n int64
	for _, c := range line[i+len(userKey):] {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

// ingest times 10k-row INSERT statements into verification_log with the
// realtime trigger disabled and enabled, alternating, and returns the
// median rows/s of each.
func ingest(ctx context.Context, pool *pgxpool.Pool, rounds int) (on, off float64, err error) {
	const rows = 10000
	var ons, offs []float64
	for i := range 2 * rounds {
		enabled := i%2 == 1
		verb := "disable"
		if enabled {
			verb = "enable"
		}
		if _, err := pool.Exec(ctx, "alter table nezuko.verification_log "+verb+" trigger realtime_verification"); err != nil {
			return 0, 0, err
		}
		t0 := time.Now()
		if _, err := pool.Exec(ctx, `insert into nezuko.verification_log (user_id, group_id, channel_id, status, latency_ms, cached)
			select g, g % 100, g % 7, case when g % 5 = 0 then 'restricted' else 'verified' end, g % 300, g % 2 = 0
			from generate_series(1, $1) g`, rows); err != nil {
			return 0, 0, err
		}
		rate := rows / time.Since(t0).Seconds()
		if enabled {
			ons = append(ons, rate)
		} else {
			offs = append(offs, rate)
		}
	}
	if _, err := pool.Exec(ctx, "alter table nezuko.verification_log enable trigger realtime_verification"); err != nil {
		return 0, 0, err
	}
	slices.Sort(ons)
	slices.Sort(offs)
	return ons[len(ons)/2], offs[len(offs)/2], nil
}
