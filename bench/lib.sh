# Shared by the bench/ scripts (sourced, not run).

# async_profiler_lib WORK NAME: fetches async-profiler 4.1 from Maven Central into WORK/m2 (once) and
# prints the path of its Linux x64 library, unpacked into WORK. AP_JAR= names another jar.
# 4.1: 2.9 crashes JDK 25 in VMThread::nativeThreadId.
async_profiler_lib() {
  local work=$1 name=$2 root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  local jar=${AP_JAR:-$work/m2/tools/profiler/async-profiler/4.1/async-profiler-4.1.jar}
  [ -f "$jar" ] || (cd "$root" && ./mvnw -B -q dependency:get -Dartifact=tools.profiler:async-profiler:4.1 \
      -Dtransitive=false -Dmaven.repo.local="$work/m2") >&2
  [ -f "$jar" ] || { echo "$name: no async-profiler jar at $jar (AP_JAR=...)" >&2; return 2; }
  (cd "$work" && unzip -oq "$jar" linux-x64/libasyncProfiler.so) || return 2
  echo "$work/linux-x64/libasyncProfiler.so"
}

# copy_harnesses SHARED CACHE TAG NAME: copies ../shared/bench/{capture,kafka} into CACHE (the Kafka
# jars fetched there are kept) and points the capture harness at veth TAGa/TAGb and netns TAG-tx,
# without its pcap4j build (no table here runs that reader).
copy_harnesses() {
  local shared=$1 cache=$2 tag=$3 name=$4 h
  for h in capture kafka; do
    mkdir -p "$cache/$h"
    (cd "$shared/bench/$h" && tar --exclude=results --exclude=lib --exclude=target -cf - .) | tar -C "$cache/$h" -xf -
  done
  sed -i "s/^IFACE=bench0 NETNS=bench-tx TXIF=bench1\$/IFACE=${tag}a NETNS=${tag}-tx TXIF=${tag}b/;
          s/^  if \[ ! -d pcap4j-peer\/target\/lib \].*/  if false; then/" "$cache/capture/run.sh"
  grep -q "^IFACE=${tag}a" "$cache/capture/run.sh" \
    || { echo "$name: cannot retarget the capture harness's veth names" >&2; return 2; }
}

# warm_up NAME: the JIT warm-up of a Kafka host (sidecar, Connect worker) before its adapter says
# `ready`. It sends LIVE_WARMUP_FRAMES (default 0: none, a cold start) frames of LIVE_WARMUP_BYTES (64) at
# LIVE_WARMUP_PPS (50000) through the capture harness's own veth pair with its generator (LIVE_WARMUP_GEN: the
# harness's gen and its -N/-i/-P arguments; live-table.sh sets it), pinned to LIVE_WARMUP_GEN_CPU (0, the
# harness's generator CPU; empty: unpinned), waits LIVE_WARMUP_SETTLE (2) s for the host to drain them, and prints how many
# frames it sent. The adapter subtracts that from the host's counts, so a warm-up frame the host lost
# shows as a loss of the measured window: it can only make a figure worse. The harness charges CPU
# from just before its own generator starts, so the warm-up's CPU is not charged either way.
# Why: the harness starts every reader cold for each 5 s run and 3 s probe, so without this a JVM
# host's figures are its first seconds (C2 compiling, GC sizing), not a host that has run for a day.
# The Flink job warms itself (JitWarmup); the C reference needs none.
warm_up() {
  local name=$1 frames=${LIVE_WARMUP_FRAMES:-0} pps=${LIVE_WARMUP_PPS:-50000} dur out sent pin=()
  [[ $frames =~ ^[0-9]+$ && $pps =~ ^[0-9]+$ && $pps -gt 0 ]] \
    || { echo "$name: LIVE_WARMUP_FRAMES=$frames LIVE_WARMUP_PPS=$pps: use whole numbers (frames 0 = no warm-up)" >&2; return 2; }
  [ "$frames" -gt 0 ] || { echo 0; return 0; }
  [ -n "${LIVE_WARMUP_GEN:-}" ] \
    || { echo "$name: LIVE_WARMUP_FRAMES=$frames needs LIVE_WARMUP_GEN (the capture harness's gen -N NETNS -i TXIF -P IFACE; live-table.sh sets it)" >&2; return 2; }
  dur=$((frames / pps + 5)); [ "$dur" -le 120 ] || dur=120
  [ -n "${LIVE_WARMUP_GEN_CPU-0}" ] && pin=(taskset -c "${LIVE_WARMUP_GEN_CPU-0}")
  # shellcheck disable=SC2086  # LIVE_WARMUP_GEN is a command with its arguments
  out=$("${pin[@]}" $LIVE_WARMUP_GEN -m mmsg -s "${LIVE_WARMUP_BYTES:-64}" -n "$frames" -d "$dur" -r "$pps" 2>&1) \
    || { echo "$name: the warm-up generator failed: $(tail -1 <<<"$out")" >&2; return 2; }
  sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$out" | tail -1)
  [ -n "$sent" ] || { echo "$name: the warm-up generator printed no sent= count: $(tail -1 <<<"$out")" >&2; return 2; }
  sleep "${LIVE_WARMUP_SETTLE:-2}"
  echo "$name: warm-up: $sent frames at $pps/s before ready" >&2
  echo "$sent"
}

# minus_warm_up COUNT WARM: a host's count without the warm-up's frames (never below 0)
minus_warm_up() {
  local n=${1:-0} w=${2:-0}
  [ "$n" -ge "$w" ] && echo $((n - w)) || echo 0
}
