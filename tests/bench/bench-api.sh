#!/usr/bin/env bash
# `just bench-api`: REST API throughput and latency, side by side in one run
# on one scratch database:
#   nezuko    - `nezuko serve` (catalog, validation, Huma, auth batch)
#   baseline  - tests/bench/baseline: net/http + pgx, the same batch, nothing else
#   pgbench   - the same two statements pipelined (\startpipeline), no HTTP at all
# at 8 and 32 connections (wrk, loopback), for a light and a heavier RPC.
# Targets (issue 4): >= 3,000 req/s on the light RPC, >= 0.85x baseline,
# p99 <= 10 ms at 8 connections.
#
# Env: DATABASE_URL (admin URL; just sets it), NEZUKO_BIN, BENCH_SECONDS (5).
set -euo pipefail
cd "$(dirname "$0")/../.."

secs=${BENCH_SECONDS:-5}
admin_url=$DATABASE_URL
bin=${NEZUKO_BIN:-bin/nezuko}
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
    wait 2> /dev/null || true
    psql -X -q "$admin_url" -c "drop database if exists nezuko_bench with (force)" > /dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

command -v wrk > /dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
command -v pgbench > /dev/null || { echo "pgbench is not installed (postgresql-client)" >&2; exit 1; }

psql -X -q -v ON_ERROR_STOP=1 "$admin_url" -c "set client_min_messages = warning" -c "drop database if exists nezuko_bench with (force)" -c "create database nezuko_bench" > /dev/null
db=$(go run ./tests/testdb/cmd/dburl "$DATABASE_URL" nezuko_bench)
DATABASE_URL="$db" "$bin" migrate > /dev/null
# A little data: 50 groups with 3 channels each.
psql -X -q -v ON_ERROR_STOP=1 "$db" > /dev/null <<'SQL'
insert into nezuko.protected_groups (group_id, title, params)
select -1000000000000 - g, 'Group ' || g, '{"mode": "mute"}' from generate_series(1, 50) g;
insert into nezuko.enforced_channels (channel_id, title) select -2000000000000 - c, 'Channel ' || c from generate_series(1, 20) c;
insert into nezuko.group_channel_links (group_id, channel_id)
select -1000000000000 - g, -2000000000000 - (1 + (g * 7 + k) % 20) from generate_series(1, 50) g, generate_series(0, 2) k
on conflict do nothing;
SQL
token=$(DATABASE_URL="$db" "$bin" token create --name bench --role viewer | tail -n 1)

# The RPCs of the issue, or stand-ins while they are not installed.
has() { [ "$(psql -X -tAq "$db" -c "select count(*) from pg_proc where pronamespace = 'api'::regnamespace and proname = '$1'")" = 1 ]; }
light=get_groups_status; heavy=get_dashboard_stats; note=""
if ! has "$light"; then note+="get_groups_status is not installed: stand-in list_config (11 rows). "; light=list_config; fi
if ! has "$heavy"; then note+="get_dashboard_stats is not installed: stand-in list_groups (50 groups, page of 50 with channel ids). "; heavy=list_groups; fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pooled="$db&pool_max_conns=32"
api_port=$(free_port)
DATABASE_URL="$pooled" NEZUKO_HTTP_ADDR="127.0.0.1:$api_port" NEZUKO_LOG_LEVEL=warn "$bin" serve > "$work/serve.log" 2>&1 &
pids+=($!)
go build -o "$work/baseline" ./tests/bench/baseline
base_port=$(free_port)
DATABASE_URL="$pooled" "$work/baseline" -addr "127.0.0.1:$base_port" -fn "$light,$heavy" > "$work/baseline.log" 2>&1 &
pids+=($!)
for port in "$api_port" "$base_port"; do
    for _ in $(seq 100); do
        code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/rpc/$light" || true)
        [ "$code" = 200 ] && break
        sleep 0.1
    done
    [ "$code" = 200 ] || { echo "server on port $port not ready ($code)"; cat "$work"/*.log; exit 1; }
done

# ms from wrk's 1.23us / 4.56ms / 1.2s
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }

run_wrk() { # url conns → "rps p50 p99"
    wrk -t 2 -c "$2" -d 1s -H "Authorization: Bearer $token" "$1" > /dev/null 2>&1 || true # warm-up
    out=$(wrk -t 2 -c "$2" -d "${secs}s" --latency -H "Authorization: Bearer $token" "$1")
    if echo "$out" | grep -q "Non-2xx"; then echo "non-2xx answers from $1:" >&2; echo "$out" >&2; exit 1; fi
    rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
    p50=$(to_ms "$(echo "$out" | awk '$1 == "50%" { print $2 }')")
    p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" { print $2 }')")
    echo "$rps $p50 $p99"
}

run_pgbench() { # fn conns → "tps p50 p99"
    local call
    call=$(go run ./tests/bench/callsql "$1")
    cat > "$work/script.sql" <<SQL
\\startpipeline
select token_id, role, admin_user_id from auth.begin_request(:token, '127.0.0.1', 'pgbench');
$call;
\\endpipeline
SQL
    rm -f "$work"/pgb.*
    pgbench -n -M extended -c "$2" -j 2 -T "$secs" -D token="$token" -f "$work/script.sql" \
        -l --log-prefix "$work/pgb" "$db" > "$work/pgbench.out" 2>&1 || { cat "$work/pgbench.out" >&2; exit 1; }
    tps=$(awk '/^tps/ { printf "%.0f", $3 }' "$work/pgbench.out")
    # per-transaction logs: column 3 is the latency in microseconds
    cat "$work"/pgb.* | awk '{ print $3 }' | sort -n > "$work/lat"
    n=$(wc -l < "$work/lat")
    p50=$(awk -v n="$n" 'NR == int(n * 0.50) + 1 { printf "%.2f", $1 / 1000; exit }' "$work/lat")
    p99=$(awk -v n="$n" 'NR == int(n * 0.99) + 1 { printf "%.2f", $1 / 1000; exit }' "$work/lat")
    echo "$tps $p50 $p99"
}

# callsql needs the scratch database
export DATABASE_URL="$db"
echo
echo "## bench-api ($(nproc) cores, ${secs}s per run, wrk -t2, loopback; $(date -u +%Y-%m-%dT%H:%MZ))"
echo
[ -n "$note" ] && { echo "Note: $note"; echo; }
echo "| RPC | conns | server | req/s | p50 ms | p99 ms | vs baseline |"
echo "| --- | ---: | --- | ---: | ---: | ---: | ---: |"
for fn in "$light" "$heavy"; do
    for c in 8 32; do
        read -r b_rps b_p50 b_p99 < <(run_wrk "http://127.0.0.1:$base_port/v1/rpc/$fn" "$c")
        read -r n_rps n_p50 n_p99 < <(run_wrk "http://127.0.0.1:$api_port/v1/rpc/$fn" "$c")
        read -r g_tps g_p50 g_p99 < <(run_pgbench "$fn" "$c")
        ratio() { awk -v a="$1" -v b="$b_rps" 'BEGIN { printf "%.2fx", a / b }'; }
        echo "| $fn | $c | nezuko (Huma) | $n_rps | $n_p50 | $n_p99 | $(ratio "$n_rps") |"
        echo "| $fn | $c | baseline net/http+pgx | $b_rps | $b_p50 | $b_p99 | 1.00x |"
        echo "| $fn | $c | pgbench pipelined | $g_tps | $g_p50 | $g_p99 | $(ratio "$g_tps") |"
    done
done
echo
echo "Targets: light RPC >= 3000 req/s; nezuko >= 0.85x baseline; p99 <= 10 ms at 8 connections."
