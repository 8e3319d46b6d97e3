package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// CPU time is what a loaded, shared machine cannot blur: a worker that
// needs less CPU per job gets more jobs done whatever else runs, while its
// wall-clock throughput and latency swing with the neighbours' load. A
// throughput run is charged the CPU of this process (the inserting client
// and the worker, user + system) and of the database server's processes
// serving this benchmark (the backends connected to its database and the
// cluster's background processes: walwriter, checkpointer, autovacuum...;
// not the backends of other databases of the cluster), read from /proc.

// ticks is the kernel's clock tick (USER_HZ), 100 on Linux.
const ticks = 100

// cpuSample is the CPU time used so far by this process and by each
// server process.
type cpuSample struct {
	self   time.Duration
	server map[int]time.Duration
}

// postmaster is the server's pid from its data directory's postmaster.pid,
// or 0 when that cannot be read (another host, no permission): then the
// server's CPU is not reported.
func postmaster(ctx context.Context, pool *pgxpool.Pool) int {
	var dir string
	if err := pool.QueryRow(ctx, "select current_setting('data_directory')").Scan(&dir); err != nil {
		return 0
	}
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	return pid
}

// ours lists the server processes charged to the benchmark on pool's database.
func ours(ctx context.Context, pool *pgxpool.Pool) map[int]bool {
	rows, err := pool.Query(ctx, "select pid from pg_stat_activity where datname = current_database() or datname is null")
	if err != nil {
		return nil
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return nil
	}
	m := map[int]bool{}
	for _, p := range pids {
		m[int(p)] = true
	}
	return m
}

func sampleCPU(pm int, keep map[int]bool) cpuSample {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	s := cpuSample{
		self:   time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		server: map[int]time.Duration{},
	}
	if pm == 0 {
		return s
	}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// Fields after the command name (which may hold spaces) in ")".
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) < 13 {
			continue
		}
		if ppid, _ := strconv.Atoi(f[1]); ppid != pm && pid != pm || keep != nil && !keep[pid] {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		s.server[pid] = time.Duration(ut+st) * time.Second / ticks
	}
	return s
}

// cpuSince is the CPU used since s: this process's and the server's
// (a process that started meanwhile counts whole; one that exited is lost).
func cpuSince(ctx context.Context, pool *pgxpool.Pool, pm int, s cpuSample) (self, server time.Duration) {
	now := sampleCPU(pm, ours(ctx, pool))
	for pid, t := range now.server {
		server += t - s.server[pid]
	}
	return now.self - s.self, server
}
