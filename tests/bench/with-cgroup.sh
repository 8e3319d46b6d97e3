#!/usr/bin/env bash
# with-cgroup.sh CMD...: runs CMD with the local cluster and CMD's processes
# in one cpu cgroup (see cgroup.sh), prints how it was scheduled on stderr,
# then puts the cluster back. The exit status is CMD's.
set -euo pipefail
cd "$(dirname "$0")/../.."
CG_WHAT=${CG_WHAT:-"the benchmark's processes"}
source tests/bench/cgroup.sh
trap 'cg_teardown || true' EXIT
cg_setup
echo "scheduling: $sched" >&2
status=0
"$@" || status=$?
exit $status
