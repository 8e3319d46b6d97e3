# Nezuko tasks. With no DATABASE_URL, every recipe that needs a database
# starts a project-local PostgreSQL cluster under .pgdata/ (git-ignored;
# TCP on 127.0.0.1, a free port recorded in .pgdata/nezuko.port, no unix
# socket, trust auth for loopback only) and uses it.

set shell := ["bash", "-euo", "pipefail", "-c"]
set positional-arguments

bin := justfile_directory() / "bin" / "nezuko"

# List the recipes.
default:
    @just --list

# Build the binary into bin/nezuko.
build:
    go build -o {{bin}} ./gobridge/cmd/nezuko

# The main job: local database (unless DATABASE_URL), migrate, admin token, serve.
run: build
    #!/usr/bin/env bash
    set -euo pipefail
    export DATABASE_URL="$(just _db-url)"
    {{bin}} migrate
    # First start: an admin token, printed once, ready to paste.
    out=$({{bin}} token create --name "first admin (just run)" --role admin --if-no-admin)
    if [ -n "$out" ]; then
        token=$(printf '%s\n' "$out" | tail -n 1)
        addr="${NEZUKO_HTTP_ADDR:-127.0.0.1:8080}"
        echo
        echo "First start: created an admin API token (shown only now; keep it):"
        echo "  $token"
        echo "Try it:"
        echo "  curl -s -H 'Authorization: Bearer $token' http://$addr/v1/rpc/list_config"
        echo "API docs: http://$addr/docs/  (OpenAPI: http://$addr/openapi.json)"
        echo
    fi
    exec {{bin}} serve

# The DBA's loop: install this checkout's sql/, functions/ and triggers/
# (not the copy built into the binary); running servers reload at once.
migrate *args: build
    #!/usr/bin/env bash
    set -euo pipefail
    export DATABASE_URL="$(just _db-url)"
    {{bin}} migrate --dir "{{justfile_directory()}}" "$@"

# Print a new admin API token (the last line), e.g. just token --ttl 24h.
token *args: build
    #!/usr/bin/env bash
    set -euo pipefail
    export DATABASE_URL="$(just _db-url)"
    {{bin}} migrate --dir "{{justfile_directory()}}" > /dev/null
    {{bin}} token create --name "just token $(date -u +%FT%TZ)" --role admin "$@"

# vet + Go tests + pgTAP suites, against a fresh database.
test: build
    #!/usr/bin/env bash
    set -euo pipefail
    export DATABASE_URL="$(just _db-url)"
    export NEZUKO_BIN={{bin}}
    go vet ./...
    go test -count=1 -timeout 15m -parallel 4 ./...
    just _least-privilege-test
    just _replica-test
    just _pg-restart-test
    just openapi-check
    just _pgtap  # last: pg_prove's summary closes the output

# The areas of the tests that run `nezuko serve` (API, SSE, queue, bots
# against the fake Bot API, webhooks, metrics, retention) again, with serve
# logged in as a role that is only a member of nezuko_bridge (superuser,
# owner of nothing); migrations and the tests' SQL keep DATABASE_URL's user.
# Needs a DATABASE_URL that may create roles (the local cluster's postgres).
_least-privilege-test:
    #!/usr/bin/env bash
    set -euo pipefail
    if [ "$(psql -X -tAq "$DATABASE_URL" -c "select rolsuper or rolcreaterole from pg_roles where rolname = current_user")" != t ]; then
        echo "skipping the least-privilege pass: DATABASE_URL's user may not create the serve login"; exit 0
    fi
    NEZUKO_E2E_SERVE_LOGIN=nezuko_serve_e2e go test -count=1 -timeout 5m ./tests/e2e -run \
        '^(TestServeLogin.*|TestEveryAnalyticsRPC.*|TestReadsAllow.*|TestBadRequests.*|TestListsArePaginated.*|TestEveryMutationIsAudited.*|TestLoginIssues.*|TestRegisteringABot.*|TestAPIRegistersAWebhookBot.*|TestRealtime.*|TestServeRunsTheCommandQueue.*|TestRunningBotHeartbeats.*|TestNonSubscriber.*|TestTwoBotsRunInOneProcess|TestWebhookChecksTheSecret.*|TestMetrics.*|TestPruneLogs.*)$'

# NEZUKO_READ_DATABASE_URL against a real streaming replica of the
# project-local cluster: pg_basebackup into a temporary folder, a second
# cluster on another loopback port, started and stopped by the test.
_replica-test:
    #!/usr/bin/env bash
    set -euo pipefail
    data="$(just _db-dir)"
    port=$(cat "$data/nezuko.port" 2>/dev/null || true)
    if [ -z "$port" ] || [[ "$DATABASE_URL" != *"127.0.0.1:$port/"* ]]; then
        echo "skipping the read-replica test: DATABASE_URL is not the project-local cluster"; exit 0
    fi
    NEZUKO_PG_REPLICA=1 NEZUKO_PG_BIN="$(just _pg-bin)" NEZUKO_AS_PG="$(just _as-pg)" \
        go test -count=1 -timeout 3m ./tests/e2e -run '^TestStableReadsGoToAStreamingReplicaAndWritesStayOnThePrimary$'

# The realtime PostgreSQL-restart test bounces the whole cluster, so it runs
# alone, after the other packages, and only on the project-local cluster.
_pg-restart-test:
    #!/usr/bin/env bash
    set -euo pipefail
    data="$(just _db-dir)"
    port=$(cat "$data/nezuko.port" 2>/dev/null || true)
    if [ -z "$port" ] || [[ "$DATABASE_URL" != *"127.0.0.1:$port/"* ]]; then
        echo "skipping the PostgreSQL restart test: DATABASE_URL is not the project-local cluster"; exit 0
    fi
    NEZUKO_PG_RESTART=1 NEZUKO_PG_DATA="$data" NEZUKO_PG_BIN="$(just _pg-bin)" NEZUKO_AS_PG="$(just _as-pg)" \
        go test -count=1 -timeout 3m ./tests/pgrestart

# Regenerate openapi/openapi.yaml (3.1) and openapi/openapi-3.0.yaml from a
# freshly migrated scratch database: what `nezuko serve` serves for it.
openapi: build
    #!/usr/bin/env bash
    set -euo pipefail
    export DATABASE_URL="$(just _db-url)"
    db=nezuko_openapi
    psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "drop database if exists $db with (force)" -c "create database $db"
    url=$(go run ./tests/testdb/cmd/dburl "$DATABASE_URL" "$db")
    DATABASE_URL="$url" {{bin}} migrate > /dev/null
    DATABASE_URL="$url" {{bin}} openapi --dir openapi
    psql -X -q "$DATABASE_URL" -c "drop database if exists $db with (force)"

# Regenerate tests/schema/schema.sql: the normalised pg_dump --schema-only
# of a freshly migrated scratch database (the drift test in tests/schema
# compares the migrations against it).
schema-dump: build
    #!/usr/bin/env bash
    set -euo pipefail
    export DATABASE_URL="$(just _db-url)"
    db=nezuko_schema_dump
    psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "drop database if exists $db with (force)" -c "create database $db"
    url=$(go run ./tests/testdb/cmd/dburl "$DATABASE_URL" "$db")
    DATABASE_URL="$url" {{bin}} migrate > /dev/null
    go run ./tests/schema/cmd/schemadump "$url" > tests/schema/schema.sql
    psql -X -q "$DATABASE_URL" -c "drop database if exists $db with (force)"

# Lint the committed OpenAPI documents (Redocly) and prove a client builds
# from them (openapi-typescript types + an openapi-fetch client, tsc).
openapi-check:
    #!/usr/bin/env bash
    set -euo pipefail
    cd tests/openapi-client
    [ -d node_modules ] || npm ci --no-audit --no-fund > /dev/null
    npm run --silent check

# Run the pgTAP suites in tests/sql on a fresh, migrated database.
pgtap: build
    #!/usr/bin/env bash
    set -euo pipefail
    export DATABASE_URL="$(just _db-url)"
    just _pgtap

_pgtap:
    #!/usr/bin/env bash
    set -euo pipefail
    db=nezuko_pgtap
    admin="$DATABASE_URL"
    psql -X -q -v ON_ERROR_STOP=1 "$admin" -c "drop database if exists $db with (force)" -c "create database $db"
    url=$(go run ./tests/testdb/cmd/dburl "$admin" "$db")
    DATABASE_URL="$url" {{bin}} migrate > /dev/null
    psql -X -q -v ON_ERROR_STOP=1 "$url" -c "create extension if not exists pgtap"
    status=0
    (eval "$(go run ./tests/testdb/cmd/dburl -env "$admin" "$db")"; pg_prove --ext .sql -r tests/sql/) || status=$?
    psql -X -q "$admin" -c "drop database if exists $db with (force)"
    exit $status

# Start the project-local cluster (no-op when DATABASE_URL is set).
db-start:
    @just _db-url > /dev/null

# Stop the project-local cluster.
db-stop:
    #!/usr/bin/env bash
    set -euo pipefail
    data="$(just _db-dir)"
    if [ -f "$data/postmaster.pid" ]; then
        $(just _as-pg) "$(just _pg-bin)/pg_ctl" -D "$data" -m fast -w stop
    else
        echo "local cluster is not running"
    fi

# Open psql on the database.
psql *args:
    psql "$(just _db-url)" "$@"

# Format Go code.
fmt:
    gofmt -w $(git ls-files '*.go')

# gofmt check and go vet.
lint:
    #!/usr/bin/env bash
    set -euo pipefail
    out=$(gofmt -l $(git ls-files '*.go'))
    if [ -n "$out" ]; then echo "gofmt would change:"; echo "$out"; exit 1; fi
    go vet ./...

# Every benchmark, one after the other under the benchmark lock
# (/tmp/nezuko-bench.lock, so two runs never share the machine), then rewrite
# tests/bench/README.md as one current report and print one line per target:
# each run's output goes to tests/bench/results/KEY.{md,targets}
# (tests/bench/report.sh). About 45 minutes; a benchmark that fails or misses
# a target does not stop the others, and the recipe then exits 1.
bench:
    #!/usr/bin/env bash
    set -uo pipefail
    # the tools the benchmarks call, checked before the ~45 minutes start
    for t in wrk pgbench flock; do
        command -v "$t" > /dev/null || { echo "just bench needs $t (Debian: apt-get install wrk postgresql-15 util-linux)" >&2; exit 1; }
    done
    external="${DATABASE_URL:-}"
    export DATABASE_URL="$(just _db-url)" || exit 1
    exec 9> /tmp/nezuko-bench.lock
    flock 9
    r=tests/bench/report.sh
    $r machine
    failed=()
    run() { local key="$1"; shift; "$@" || failed+=("$key"); }
    # shortest first: a run cut short still refreshes most sections
    run queue just bench-queue
    run realtime $r capture realtime just bench-realtime
    # with the /metrics scrape contender (issue 16's targets)
    run api env BENCH_SCRAPE_METRICS=1 BENCH_CMD="BENCH_SCRAPE_METRICS=1 just bench-api" $r capture api just bench-api
    run bot $r capture bot just bench-bot
    # 10 M + 10 M rows, then the same RPCs beside a copy grown to 50 M (issue 17)
    run sql $r capture sql just bench-sql -history-rows 40000000
    # the fault matrix bounces the cluster: only the project-local one
    if [ -n "$external" ]; then
        echo "just bench: chaos skipped (DATABASE_URL was set: not the project-local cluster); results/chaos.* left as they were" >&2
    else
        run chaos $r capture chaos just chaos
    fi
    $r readme
    echo
    $r summary
    if [ ${#failed[@]} -gt 0 ]; then echo "just bench: failed or missed a target: ${failed[*]}" >&2; exit 1; fi

# One line per benchmark target from the latest runs: met / NOT met, with the figure.
bench-summary:
    @tests/bench/report.sh summary

# Rewrite tests/bench/README.md from tests/bench/sections and tests/bench/results.
bench-report:
    @tests/bench/report.sh readme

# SSE relay: 5,000 clients x 20 inserts/s and 500 x 200/s (latency, memory
# per client, loss), and 10k-row ingest with the realtime trigger on vs off.
bench-realtime *args: build
    #!/usr/bin/env bash
    set -euo pipefail
    ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
    export DATABASE_URL="$(just _db-url)"
    go build -o bin/bench-realtime ./tests/bench/realtime
    # one cpu cgroup for the cluster, the server and the clients (tests/bench/cgroup.sh)
    NEZUKO_BIN={{bin}} tests/bench/with-cgroup.sh bin/bench-realtime "$@"

# The enforcement loop against the fake Bot API: updates/s, decision latency
# p50/p99 (cache hit and miss), effect latency (decision → Telegram's answer)
# at steady 2,000 and 500 updates/s, a quiet group's mute delay while another
# is backlogged, the effect executor's throughput, heap over a soak
# (BENCH_SOAK_SECONDS, default 300), and a kill -9 of `nezuko serve` during a
# soak with every effect counted (BENCH_KILL_SOAK_SECONDS, default 60).
bench-bot: build
    #!/usr/bin/env bash
    set -euo pipefail
    export DATABASE_URL="$(just _db-url)"
    go test -c -o bin/bench-bot ./tests/bench/botbench/
    # one cpu cgroup for the cluster and the benchmark (tests/bench/cgroup.sh)
    NEZUKO_BENCH=1 NEZUKO_BIN={{bin}} tests/bench/with-cgroup.sh bin/bench-bot -test.count=1 -test.timeout 40m \
        -test.run '^TestBench(Bot|EffectsKillSoak)$' -test.v 2>&1 | sed -n '/^TARGET | /{p;d};/^scheduling: /p;/^### /,/^machine:/p;/--- FAIL/,+3p'

# REST API load: nezuko vs a minimal net/http+pgx handler vs pipelined
# pgbench, 8 and 32 connections (wrk), as a markdown table.
bench-api: build
    #!/usr/bin/env bash
    set -euo pipefail
    export DATABASE_URL="$(just _db-url)"
    NEZUKO_BIN={{bin}} tests/bench/bench-api.sh

# Fill the database with demo data: groups, channels, a bot, logs (e.g. just seed -rows 1000000 -days 30).
seed *args: build
    #!/usr/bin/env bash
    set -euo pipefail
    export DATABASE_URL="$(just _db-url)"
    {{bin}} migrate > /dev/null
    {{bin}} seed "$@"

# Analytics benchmark, 10 M + 10 M rows by default: RPC p50/p95 vs raw scans, ingest vs bare table (-rows 100000 for a quick run).
bench-sql *args:
    #!/usr/bin/env bash
    set -euo pipefail
    export DATABASE_URL="$(just _db-url)"
    go run ./tests/bench/analytics "$@"

# Command queue vs River (defaults; fetch cooldown 1 ms) vs 1 s polling: pickup latency and
# throughput, interleaved rounds, medians; writes tests/bench/results/queue.{md,targets} and the README.
bench-queue *args:
    #!/usr/bin/env bash
    set -euo pipefail
    export DATABASE_URL="$(just _db-url)"
    # its own module (River is a test-only dependency)
    (cd tests/bench/queuebench && go build -o ../../../bin/bench-queue .)
    BENCH_CMD="just bench-queue${*:+ $*}" tests/bench/report.sh capture queue bin/bench-queue "$@"
    tests/bench/report.sh readme

# The PostgreSQL server binaries: PG_BIN, or the newest under /usr/lib/postgresql.
_pg-bin:
    #!/usr/bin/env bash
    set -euo pipefail
    if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; exit; fi
    if command -v pg_ctl > /dev/null; then dirname "$(command -v pg_ctl)"; exit; fi
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$d" ]; then echo "no PostgreSQL server binaries found: install postgresql-15 or set PG_BIN" >&2; exit 1; fi
    echo "$d"

# Prefix that runs a command as the cluster's owner: postgres when we are root.
_as-pg:
    #!/usr/bin/env bash
    if [ "$(id -u)" = 0 ]; then echo "runuser -u postgres --"; fi

# Where the local cluster lives: .pgdata under the repo, or (when the postgres
# user cannot reach the repo, e.g. under /root) a folder in TMPDIR that
# .pgdata.link names.
_db-dir:
    #!/usr/bin/env bash
    set -euo pipefail
    repo="{{justfile_directory()}}"
    if [ -f "$repo/.pgdata.link" ]; then cat "$repo/.pgdata.link"; exit; fi
    if [ "$(id -u)" != 0 ] || runuser -u postgres -- test -x "$repo"; then
        echo "$repo/.pgdata"
    else
        d="${TMPDIR:-/tmp}/nezuko-pg-$(echo -n "$repo" | sha256sum | cut -c1-12)"
        echo "$d" > "$repo/.pgdata.link"
        echo "$d"
    fi

# Print the database URL, starting (and creating) the local cluster when
# DATABASE_URL is not set.
_db-url:
    #!/usr/bin/env bash
    set -euo pipefail
    if [ -n "${DATABASE_URL:-}" ]; then echo "$DATABASE_URL"; exit; fi
    bin="$(just _pg-bin)"
    as="$(just _as-pg)"
    data="$(just _db-dir)"
    if [ ! -f "$data/PG_VERSION" ]; then
        mkdir -p "$data"
        [ -n "$as" ] && chown postgres: "$data"
        chmod 700 "$data"
        $as "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 > "$data.initdb.log" 2>&1 \
            || { cat "$data.initdb.log" >&2; exit 1; }
        rm -f "$data.initdb.log"
        # A free port in 55432-55831, fixed for the life of the cluster
        # (offset by the repo path, so clusters of several checkouts do not race for one port)
        port=$((55432 + $(echo -n "{{justfile_directory()}}" | cksum | cut -d' ' -f1) % 400))
        while (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
        printf '%s\n' \
            "listen_addresses = '127.0.0.1'" "port = $port" "unix_socket_directories = ''" \
            "max_connections = 300" "shared_buffers = 512MB" "work_mem = 32MB" \
            "maintenance_work_mem = 512MB" "max_wal_size = 4GB" "checkpoint_timeout = 15min" \
            "fsync = on" "log_min_messages = warning" "timezone = 'UTC'" \
            | $as tee -a "$data/postgresql.conf" > /dev/null
        echo "$port" | $as tee "$data/nezuko.port" > /dev/null
        echo "initialised local PostgreSQL cluster in $data (port $port)" >&2
    fi
    port=$(cat "$data/nezuko.port")
    if ! "$bin/pg_ctl" -D "$data" status > /dev/null 2>&1 && ! $as "$bin/pg_ctl" -D "$data" status > /dev/null 2>&1; then
        $as "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start > /dev/null \
            || { tail -n 20 "$data/server.log" >&2; exit 1; }
    fi
    url="postgres://postgres@127.0.0.1:$port/nezuko?sslmode=disable"
    if ! psql -X -tAq "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable" -c "select 1 from pg_database where datname = 'nezuko'" | grep -q 1; then
        psql -X -q "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable" -c "create database nezuko" > /dev/null
    fi
    echo "$url"

# Fault matrix (issue 14) on the project-local cluster, bounded (< 5 min):
# PostgreSQL restarts and crashes, kill -9 / SIGTERM of workers, a crash
# under a live SSE stream, replay and slow-body floods. Prints one table
# (tests/bench/README.md keeps the last one); exits 1 on any loss or duplicate.
chaos: build
    #!/usr/bin/env bash
    set -euo pipefail
    export DATABASE_URL="$(just _db-url)"
    data="$(just _db-dir)"
    port=$(cat "$data/nezuko.port" 2>/dev/null || true)
    if [ -z "$port" ] || [[ "$DATABASE_URL" != *"127.0.0.1:$port/"* ]]; then
        echo "just chaos bounces the cluster: it runs only on the project-local one (unset DATABASE_URL)" >&2; exit 1
    fi
    go build -o bin/queueworker ./tests/queue/cmd/queueworker
    go build -o bin/chaos ./tests/bench/chaos
    NEZUKO_BIN={{bin}} CHAOS_QUEUEWORKER="$PWD/bin/queueworker" NEZUKO_PG_DATA="$data" NEZUKO_PG_BIN="$(just _pg-bin)" \
        NEZUKO_AS_PG="$(just _as-pg)" timeout 300 bin/chaos
