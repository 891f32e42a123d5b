#!/usr/bin/env bash
# CPU profile of the warmed-up Flink live job (issue 17) at a fixed offered rate: the job
# (bench/capture-to-flink-reader.sh: CaptureThroughputJob after its JitWarmup, pinned to CPU 1 like a
# harness reader) captures from a veth pair while the capture harness's generator sends RATE frames/s
# of SIZE B for SECONDS s from CPU 0; async-profiler (Maven Central tools.profiler:async-profiler,
# whose jar carries libasyncProfiler.so) is attached with jcmd JVMTI.agent_load after `ready` and
# samples CPU time (perf_events cpu-clock, every INTERVAL) of every thread only while the generator
# runs. Writes to $OUT: profile.collapsed (thread-tagged folded stacks), job.log, gen.log, summary.txt
# (samples by thread, top self frames, top frames of our code inclusive; bench/profile-summary.py).
#   bench/flink-profile.sh                           # 500k pps, 64 B, 10 s, parallelism 1
#   SKIP=10 bench/flink-profile.sh                   # profile seconds 10-20 of the load, not 0-10
#   RATE=300000 PARALLELISM=2 bench/flink-profile.sh
# Root; gcc, python3, a JDK 25; fetches async-profiler 4.1 into $WORK/m2 (not ~/.m2) once. Veth fp17a/fp17b, netns fp17-tx,
# removed on exit; runs under `flock /tmp/capbench.lock` (one harness run at a time).
set -euo pipefail
[ -n "${FP17_LOCKED:-}" ] || exec env FP17_LOCKED=1 flock /tmp/capbench.lock "$0" "$@"
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$root/../shared; [ -d "$shared" ] || shared=$root/../../shared
. "$root/scripts/find-jdk.sh"; capstream_find_jdk >/dev/null || exit 2
RATE=${RATE:-500000} SIZE=${SIZE:-64} SECONDS_=${SECONDS_:-10} SKIP=${SKIP:-0} INTERVAL=${INTERVAL:-1ms}
work=${WORK:-/tmp/fp17-prof}
OUT=${OUT:-$work/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$work" "$OUT"
. "$root/bench/lib.sh"
lib=$(async_profiler_lib "$work" flink-profile)
gcc -O2 -Wall -o "$work/gen" "$shared/bench/capture/gen.c"
NS=fp17-tx RX=fp17a TX=fp17b
job=
cleanup() {
  [ -n "$job" ] && kill -TERM "$job" 2>/dev/null && sleep 3 && kill -KILL "$job" 2>/dev/null
  "$work/gen" --teardown -N "$NS" -P "$RX" 2>/dev/null || true
}
trap cleanup EXIT
"$work/gen" --setup -N "$NS" -i "$TX" -P "$RX"
CAP_IFACE=$RX CAP_DURATION=$((SECONDS_ + 120)) PARALLELISM=${PARALLELISM:-1} \
  FLINK_JAVA_OPTS="-XX:+EnableDynamicAgentLoading ${FLINK_JAVA_OPTS:-}" \
  taskset -c 1 "$root/bench/capture-to-flink-reader.sh" >"$OUT/job.log" 2>&1 &
job=$!
for _ in $(seq 1 1200); do grep -q '^ready' "$OUT/job.log" && break; kill -0 "$job" || break; sleep 0.1; done
grep -q '^ready' "$OUT/job.log" || { echo "flink-profile: the job never said ready: $(tail -3 "$OUT/job.log")" >&2; exit 1; }
# The generator runs SKIP + SECONDS_ s; the profile covers its last SECONDS_ (SKIP=0: from `ready`).
taskset -c 0 "$work/gen" -N "$NS" -i "$TX" -P "$RX" -m mmsg -s "$SIZE" -n $((RATE * (SKIP + SECONDS_))) \
  -d $((SKIP + SECONDS_ + 2)) -r "$RATE" >"$OUT/gen.log" 2>&1 &
gen=$!
sleep "$SKIP"
"$JAVA_HOME/bin/jcmd" "$job" JVMTI.agent_load "$lib" "\"start,event=cpu,interval=$INTERVAL,threads\"" >/dev/null
wait "$gen"
"$JAVA_HOME/bin/jcmd" "$job" JVMTI.agent_load "$lib" "\"stop,file=$OUT/profile.collapsed,collapsed\"" >/dev/null
kill -TERM "$job"; wait "$job" || true; job=
python3 "$root/bench/profile-summary.py" "$OUT/profile.collapsed" >"$OUT/summary.txt"
{ echo "gen: $(tail -1 "$OUT/gen.log")"; echo "live job: $(grep captured= "$OUT/job.log" | tail -1)"; } >>"$OUT/summary.txt"
cat "$OUT/summary.txt"
echo "== $OUT"
