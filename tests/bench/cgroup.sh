# Sourced by the benchmarks: cg_setup puts the local cluster (postmaster and
# backends) and the calling shell (so every process it starts from then on)
# in one cpu cgroup of their own; cg_teardown moves the cluster back and
# removes it. Why: with the kernel's autogroup (sched_autogroup_enabled=1)
# each session is a scheduling group of its own and PostgreSQL calls
# setsid() in every backend, so each backend is a group while the load
# generator and the server share one; runnable tasks then waited up to
# 100-200 ms for a CPU (perf sched; tests/bench/README.md, "REST API").
# Autogroup applies only to tasks in the root cpu cgroup. It needs root, a
# writable cpu cgroup controller and a local cluster; otherwise it does
# nothing and $sched says why. BENCH_CGROUP=0 turns it off.
#
# Uses: admin_url (or DATABASE_URL). Sets: sched, cg_cpu, cg_acct, cg_v2.
cg_cpu="" cg_acct="" cg_v2="" pg_pids=() pg_home="" pg_home_acct=""
admin_url=${admin_url:-$DATABASE_URL}

postmaster_pid() { # the local cluster's postmaster, if DATABASE_URL is one
    local dir pid
    dir=$(psql -X -tAq "$admin_url" -c "show data_directory" 2> /dev/null) || return 1
    [ -r "$dir/postmaster.pid" ] || return 1
    pid=$(head -n 1 "$dir/postmaster.pid")
    [ "$(cat "/proc/$pid/comm" 2> /dev/null)" = postgres ] || return 1
    echo "$pid"
}
cg_move() { # dir pid... (a process may exit meanwhile)
    local dir=$1 p
    shift
    for p in "$@"; do echo "$p" > "$dir/cgroup.procs" 2> /dev/null || true; done
}
cluster_pids() { echo "$1" $(ps -o pid= --ppid "$1"); }
cg_setup() {
    sched="autogroup $(cat /proc/sys/kernel/sched_autogroup_enabled 2> /dev/null || echo '?')"
    [ "${BENCH_CGROUP:-1}" = 1 ] || { sched+=" (BENCH_CGROUP=0)"; return 0; }
    [ "$(id -u)" = 0 ] || { sched+=" (not root: no cgroup)"; return 0; }
    local pm name=nezuko-bench-$$
    pm=$(postmaster_pid) || { sched+=" (the database is not a local cluster: no cgroup)"; return 0; }
    if [ -d /sys/fs/cgroup/cpu ] && [ -w /sys/fs/cgroup/cpu ] && [ -f /sys/fs/cgroup/cpu/cgroup.procs ]; then
        pg_home=/sys/fs/cgroup/cpu$(awk -F: '$2 == "cpu" || $2 ~ /(^|,)cpu(,|$)/ { print $3; exit }' "/proc/$pm/cgroup")
        mkdir "/sys/fs/cgroup/cpu/$name" && cg_cpu=/sys/fs/cgroup/cpu/$name
        if [ -d /sys/fs/cgroup/cpuacct ] && [ -w /sys/fs/cgroup/cpuacct ] && mkdir "/sys/fs/cgroup/cpuacct/$name" 2> /dev/null; then
            cg_acct=/sys/fs/cgroup/cpuacct/$name
            pg_home_acct=/sys/fs/cgroup/cpuacct$(awk -F: '$2 ~ /(^|,)cpuacct(,|$)/ { print $3; exit }' "/proc/$pm/cgroup")
        fi
    elif grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control 2> /dev/null && [ -w /sys/fs/cgroup ]; then
        pg_home=/sys/fs/cgroup$(awk -F: '$1 == "0" { print $3; exit }' "/proc/$pm/cgroup")
        mkdir "/sys/fs/cgroup/$name" && cg_cpu=/sys/fs/cgroup/$name && cg_v2=1
    else
        sched+=" (no writable cpu cgroup controller)"
        return 0
    fi
    read -ra pg_pids <<< "$(cluster_pids "$pm")"
    cg_move "$cg_cpu" $$ "${pg_pids[@]}"
    [ -z "$cg_acct" ] || cg_move "$cg_acct" $$ "${pg_pids[@]}"
    pg_pids=("$pm")
    sched="one cpu cgroup for PostgreSQL and ${CG_WHAT:-the benchmark} (autogroup does not apply)"
}
cg_teardown() {
    [ -n "$cg_cpu" ] || return 0
    local pm=${pg_pids[0]} root=${cg_cpu%/*} d
    # the cluster back where it was, this shell back to the root, then remove
    cg_move "${pg_home:-$root}" $(cluster_pids "$pm")
    cg_move "$root" $$
    [ -z "$cg_acct" ] || { cg_move "${pg_home_acct:-${cg_acct%/*}}" $(cluster_pids "$pm"); cg_move "${cg_acct%/*}" $$; }
    for d in "$cg_cpu" $cg_acct; do
        for _ in $(seq 50); do rmdir "$d" 2> /dev/null && break; cg_move "${d%/*}" $(cat "$d/cgroup.procs" 2> /dev/null); sleep 0.1; done
    done
}

