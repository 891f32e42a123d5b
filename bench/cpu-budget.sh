#!/usr/bin/env bash
# Runs a command on a CPU budget: PERCENT of one CPU, enforced by a CFS quota on a cgroup of its own
# (cgroup v2 `cpu.max`, or v1 `cpu.cfs_quota_us`), removed again when the command ends.
#   bench/cpu-budget.sh 50 capstream capture ...
# Why: a host that takes everything the kernel generator can offer has no measurable loss-free rate,
# so two hosts both "gen-limited" cannot be compared by it. On the same budget each becomes CPU-bound
# below the generator's rate, and the harness's search finds its own limit (BUDGET= in live-table.sh).
# The JVM reads the quota as its processor count (1 below 100 %), the same for every host so budgeted.
# SIGTERM and SIGINT are passed on to the command, whose exit status this returns.
set -uo pipefail
pct=${1:-}
[[ $pct =~ ^[0-9]+$ ]] && [ "$pct" -ge 5 ] && [ "$pct" -le 800 ] && [ $# -ge 2 ] \
  || { echo "cpu-budget: usage: cpu-budget.sh PERCENT(5-800) COMMAND [ARG...]" >&2; exit 2; }
shift
name=capstream-budget-$$
# A budget killed with SIGKILL (the harness's last resort for a reader that does not stop) cannot
# remove its cgroup: sweep those left empty by runs whose wrapper is gone.
for old in /sys/fs/cgroup/capstream-budget-* /sys/fs/cgroup/cpu/capstream-budget-*; do
  [ -d "$old" ] && ! kill -0 "${old##*-}" 2>/dev/null && rmdir "$old" 2>/dev/null
done
if grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
  parent=/sys/fs/cgroup
  grep -qw cpu "$parent/cgroup.subtree_control" || echo +cpu >"$parent/cgroup.subtree_control"
  cg=$parent/$name
  mkdir "$cg" && echo "$((pct * 1000)) 100000" >"$cg/cpu.max"
elif [ -w /sys/fs/cgroup/cpu/cgroup.procs ]; then
  parent=/sys/fs/cgroup/cpu
  cg=$parent/$name
  mkdir "$cg" && echo 100000 >"$cg/cpu.cfs_period_us" && echo $((pct * 1000)) >"$cg/cpu.cfs_quota_us"
else
  echo "cpu-budget: no writable cgroup cpu controller (needs root and cgroup v1 cpu or v2 cpu.max)" >&2; exit 2
fi || { echo "cpu-budget: cannot make cgroup $cg" >&2; exit 2; }
cleanup() {
  echo $$ >"$parent/cgroup.procs" 2>/dev/null
  [ -f "$cg/cpu.stat" ] && echo "cpu-budget: ${pct}% of a CPU: $(tr '\n' ' ' <"$cg/cpu.stat")" >&2
  rmdir "$cg" 2>/dev/null || true
}
trap cleanup EXIT
echo $$ >"$cg/cgroup.procs"
"$@" &
child=$!
trap 'kill -TERM $child 2>/dev/null' TERM
trap 'kill -INT $child 2>/dev/null' INT
wait $child; rc=$?
# A trapped signal ends the first wait early: wait again for the command's own exit status.
while kill -0 $child 2>/dev/null; do wait $child; rc=$?; done
exit $rc
