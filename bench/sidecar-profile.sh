#!/usr/bin/env bash
# CPU profile of the warmed-up sidecar (`capstream capture`, issue 17) at a fixed offered rate: the
# sidecar (bench/capture-to-kafka-reader.sh, pinned to CPU 1 like a harness reader) captures from a
# veth pair into the Kafka harness's broker while the capture harness's generator sends RATE frames/s
# of SIZE B for WARMUP + SECONDS_ s from CPU 0; async-profiler (as in bench/flink-profile.sh) is
# attached with jcmd JVMTI.agent_load after WARMUP s and samples CPU time (cpu-clock, every INTERVAL)
# of every thread for the last SECONDS_ s. Writes to $OUT: profile.collapsed (thread-tagged folded
# stacks), sidecar.log (connect.log), gen.log, summary.txt (bench/profile-summary.py: samples by thread, top self
# frames, our code inclusive) and the sidecar's result line.
#   bench/sidecar-profile.sh                                # 250k pps, 64 B, frame mode, 5 s warm-up + 10 s
#   CAPSTREAM_ARGS="--record-mode batch" bench/sidecar-profile.sh
#   CAPSTREAM_DIR=/tmp/other-build bench/sidecar-profile.sh # profile another build's launcher
#   HOST=connect bench/sidecar-profile.sh                   # the same for a stock Connect worker running the
#                                                           # plugin (bench/capture-to-connect-reader.sh; MODE=batch)
# Root; gcc, python3, a JDK 25; fetches async-profiler 4.1 into $WORK/m2 (not ~/.m2) once. Veth
# sp17a/sp17b, netns sp17-tx, broker on PORT (19178) in $WORK/broker; all removed on exit; runs under
# `flock /tmp/capbench.lock` (one harness run at a time).
set -euo pipefail
[ -n "${SP17_LOCKED:-}" ] || exec env SP17_LOCKED=1 flock /tmp/capbench.lock "$0" "$@"
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$root/../shared; [ -d "$shared" ] || shared=$root/../../shared
. "$root/scripts/find-jdk.sh"; capstream_find_jdk >/dev/null || exit 2
RATE=${RATE:-250000} SIZE=${SIZE:-64} SECONDS_=${SECONDS_:-10} WARMUP=${WARMUP:-5} INTERVAL=${INTERVAL:-1ms}
PORT=${PORT:-19178}
work=${WORK:-/tmp/sp17-prof}
OUT=${OUT:-$work/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$work" "$OUT"
. "$root/bench/lib.sh"
lib=$(async_profiler_lib "$work" sidecar-profile)
gcc -O2 -Wall -o "$work/gen" "$shared/bench/capture/gen.c"
# The Kafka harness, copied once (its jars are fetched on the first start and kept).
harness=$work/kafka
[ -d "$harness" ] || { mkdir -p "$harness" && (cd "$shared/bench/kafka" && tar --exclude=results --exclude=target -cf - .) | tar -C "$harness" -xf -; }
export KAFKA_BENCH_PORT=$PORT KAFKA_BENCH_DIR=$work/broker KAFKA_BENCH_HEAP="-Xms1g -Xmx1g"
sidecar_dir=${CAPSTREAM_DIR:-$root}
"$sidecar_dir/capstream" --version >/dev/null        # build now, not while measuring
NS=sp17-tx RX=sp17a TX=sp17b
adapter=
cleanup() {
  [ -n "$adapter" ] && kill -TERM "$adapter" 2>/dev/null && sleep 3 && kill -KILL "$adapter" 2>/dev/null
  "$work/gen" --teardown -N "$NS" -P "$RX" 2>/dev/null || true
  (cd "$harness" && ./broker.sh clean >/dev/null 2>&1) || true
}
trap cleanup EXIT
(cd "$harness" && ./broker.sh start) >&2
"$work/gen" --setup -N "$NS" -i "$TX" -P "$RX"
# The adapter runs the sidecar of $CAPSTREAM_DIR's checkout (its launcher builds it when stale).
host=${HOST:-sidecar}
case $host in
  sidecar) adapter_src=$root/bench/capture-to-kafka-reader.sh result='^result=' ;;
  connect) adapter_src=$root/bench/capture-to-connect-reader.sh result='stopped: captured=' ;;
  *) echo "sidecar-profile: HOST=$host: use sidecar or connect" >&2; exit 2 ;;
esac
sed "s|^root=.*|root=$sidecar_dir|" "$adapter_src" >"$work/adapter.sh"
CAP_IFACE=$RX CAP_DURATION=$((WARMUP + SECONDS_ + 60)) KAFKA=127.0.0.1:$PORT KAFKA_HARNESS=$harness \
  JAVA_OPTS="-XX:+EnableDynamicAgentLoading ${JAVA_OPTS:-}" CAPSTREAM_ARGS="${CAPSTREAM_ARGS:-}" \
  CONNECT_JAVA_OPTS="-XX:+EnableDynamicAgentLoading ${JAVA_OPTS:-}" \
  taskset -c 1 bash "$work/adapter.sh" >"$OUT/$host.log" 2>&1 &
adapter=$!
for _ in $(seq 1 600); do grep -q '^ready' "$OUT/$host.log" && break; kill -0 "$adapter" || break; sleep 0.1; done
grep -q '^ready' "$OUT/$host.log" || { echo "sidecar-profile: the $host never said ready: $(tail -3 "$OUT/$host.log")" >&2; exit 1; }
java_pid=$(pgrep -P "$adapter" java | head -1)
[ -n "$java_pid" ] || { echo "sidecar-profile: no java process under the adapter $adapter" >&2; exit 1; }
taskset -c 0 "$work/gen" -N "$NS" -i "$TX" -P "$RX" -m mmsg -s "$SIZE" -n $((RATE * (WARMUP + SECONDS_))) \
  -d $((WARMUP + SECONDS_ + 2)) -r "$RATE" >"$OUT/gen.log" 2>&1 &
gen=$!
sleep "$WARMUP"
cpu0=$(awk '{print $14 + $15}' "/proc/$java_pid/stat")
"$JAVA_HOME/bin/jcmd" "$java_pid" JVMTI.agent_load "$lib" "\"start,event=cpu,interval=$INTERVAL,threads\"" >/dev/null
wait "$gen"
"$JAVA_HOME/bin/jcmd" "$java_pid" JVMTI.agent_load "$lib" "\"stop,file=$OUT/profile.collapsed,collapsed\"" >/dev/null
cpu1=$(awk '{print $14 + $15}' "/proc/$java_pid/stat")
sleep 1.5
kill -TERM "$adapter"; wait "$adapter" || true; adapter=
python3 "$root/bench/profile-summary.py" "$OUT/profile.collapsed" >"$OUT/summary.txt"
tick=$(getconf CLK_TCK)
{ echo "gen: $(tail -1 "$OUT/gen.log")"
  echo "$host: $(grep "$result" "$OUT/$host.log" | tail -1)"
  echo "$host CPU over the profiled ${SECONDS_} s (profiler included): $(( (cpu1 - cpu0) * 1000 / tick )) ms"
} >>"$OUT/summary.txt"
cat "$OUT/summary.txt"
echo "== $OUT"
