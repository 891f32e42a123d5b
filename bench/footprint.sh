#!/usr/bin/env bash
# The sidecar's memory at its defaults: `capstream capture` on a veth pair at RATE frames/s into a
# real broker (the Kafka harness's, on its own port and directory), its RSS sampled every SAMPLE s
# for DURATION s, compared with ring + buffer.memory + 150 MiB (issue 17's bound).
#   bench/footprint.sh                      # 600 s at 20000 frames/s of 64 B, defaults
#   DURATION=120 RATE=20000 SIZE=64 CAPSTREAM_ARGS="--record-mode batch" bench/footprint.sh
#   STATS=5 NMT=1 JAVA_OPTS="-XX:+UseG1GC" bench/footprint.sh   # stats every 5 s, the JVM's native
#                                                    # memory summary at the end, other JVM flags
# Root; needs ../shared/bench/capture/gen.c (the generator), ../shared/bench/kafka (the broker), gcc.
# Everything it makes is named fp17-* and removed on exit, Ctrl-C included.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-600}; RATE=${RATE:-20000}; SIZE=${SIZE:-64}; SAMPLE=${SAMPLE:-10}
RING_MIB=${RING_MIB:-64}            # ring-block-size 1 MiB x ring-blocks 64, the defaults
BUFFER_MIB=${BUFFER_MIB:-64}        # the sidecar's buffer.memory default
port=${PORT:-19172}
tag=${TAG:-fp17}; ns=$tag-tx; rx=${tag}a; tx=${tag}b   # TAG: at most 13 characters (it names the veth pair)
work=$(mktemp -d /tmp/$tag.XXXXXX)
out=${OUT:-$root/bench/results/footprint-$(date +%Y%m%d-%H%M%S).txt}
mkdir -p "$(dirname "$out")"
shared=$root/../shared; [ -d "$shared" ] || shared=$root/../../shared   # a checkout or a worktree
harness=$work/kafka; cp -r "${KAFKA_HARNESS:-$shared/bench/kafka}" "$harness"
export KAFKA_BENCH_PORT=$port KAFKA_BENCH_DIR=$work/broker KAFKA_BENCH_HEAP="-Xms512m -Xmx512m"
cap_pid=""; gen_pid=""
cleanup() {
  [ -n "$gen_pid" ] && { pkill -P "$gen_pid" 2>/dev/null; kill "$gen_pid" 2>/dev/null; } || true
  [ -n "$cap_pid" ] && kill -TERM "$cap_pid" 2>/dev/null && wait "$cap_pid" 2>/dev/null || true
  (cd "$harness" && ./broker.sh clean >/dev/null 2>&1) || true
  ip netns del $ns 2>/dev/null || true
  ip link del $rx 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

gcc -O2 -o "$work/gen" "${CAPTURE_HARNESS:-$shared/bench/capture}/gen.c"
ip netns add $ns
ip link add $rx type veth peer name $tx netns $ns
ip link set $rx up; ip -n $ns link set $tx up; ip -n $ns link set lo up
"$root/capstream" --version >/dev/null        # build now, not while measuring
(cd "$harness" && ./broker.sh start >/dev/null)
topic=footprint
(cd "$harness" && ./broker.sh topic $topic 1 >/dev/null)

[ "${NMT:-0}" = 1 ] && export JAVA_OPTS="${JAVA_OPTS:-} -XX:NativeMemoryTracking=summary"
"$root/capstream" capture --interface $rx --topic $topic --bootstrap-servers 127.0.0.1:$port \
    --metrics-port 0 --stats-interval ${STATS:-60} --duration $((DURATION + 60)) ${CAPSTREAM_ARGS:-} \
    >"$work/capture.out" 2>"$work/capture.err" &
cap_pid=$!
for _ in $(seq 300); do grep -q 'capturing on' "$work/capture.err" && break; sleep 0.1; done
grep -q 'capturing on' "$work/capture.err" || { cat "$work/capture.err" >&2; exit 1; }
java_args=$(tr '\0' '\n' </proc/$cap_pid/cmdline | grep -- '^-X' | tr '\n' ' ')

# The generator stops by itself after at most 120 s a run: chain runs of up to 120 s.
(left=$DURATION
 while [ "$left" -gt 0 ]; do
   d=$(( left < 120 ? left : 120 ))
   "$work/gen" -N $ns -i $tx -P $rx -s "$SIZE" -r "$RATE" -d "$d" -n $((RATE * d)) || exit 1
   left=$((left - d))
 done) >"$work/gen.out" 2>&1 &
gen_pid=$!
bound=$((RING_MIB + BUFFER_MIB + 150))
{
  echo "# capstream capture at defaults ${CAPSTREAM_ARGS:-}; $RATE frames/s of $SIZE B for $DURATION s; JVM: $java_args"
  echo "# bound = ring $RING_MIB + buffer.memory $BUFFER_MIB + 150 = $bound MiB; $(nproc) cores, shared machine"
  echo "t_s rss_mib anon_mib file_mib shmem_mib heap_used_mib"
} | tee "$out"
start=$(date +%s); max=0
while kill -0 "$gen_pid" 2>/dev/null; do
  sleep "$SAMPLE"
  kill -0 "$cap_pid" 2>/dev/null || { echo "capstream exited early" >&2; cat "$work/capture.err" >&2; exit 1; }
  read -r rss anon file shmem < <(awk '/^VmRSS/{r=$2} /^RssAnon/{a=$2} /^RssFile/{f=$2} /^RssShmem/{s=$2}
      END{printf "%d %d %d %d\n", r/1024, a/1024, f/1024, s/1024}' /proc/$cap_pid/status)
  heap=$(. "$root/scripts/find-jdk.sh" && capstream_find_jdk >/dev/null 2>&1 && \
      "$JAVA_HOME/bin/jcmd" $cap_pid GC.heap_info 2>/dev/null | sed -n 's/.* used \([0-9]*\)K.*/\1/p' | head -1)
  [ "$rss" -gt "$max" ] && max=$rss
  echo "$(( $(date +%s) - start )) $rss $anon $file $shmem $(( ${heap:-0} / 1024 ))" | tee -a "$out"
done
wait "$gen_pid" || true; gen_pid=""
sleep 2
if [ "${NMT:-0}" = 1 ]; then
  (. "$root/scripts/find-jdk.sh" && capstream_find_jdk >/dev/null 2>&1 && \
      "$JAVA_HOME/bin/jcmd" $cap_pid VM.native_memory summary) | grep -E '^(Total|-| *\(mmap|Native)' |
      sed 's/^/# nmt: /' | tee -a "$out"
fi
kill -TERM "$cap_pid"; wait "$cap_pid" || true; cap_pid=""
{
  sed 's/^/# generator: /' "$work/gen.out"
  echo "# capstream: $(grep '^result=' "$work/capture.out" | tail -1)"
  grep -v 'WARNING' "$work/capture.err" | awk 'NR<=16' | sed 's/^/# stderr: /'
  grep -v 'WARNING' "$work/capture.err" | awk 'NR>16' | tail -4 | sed 's/^/# stderr: /'
  if [ "$max" -eq 0 ]; then echo "# no sample: the generator did not run (see above)"; exit 1; fi
  echo "# max RSS ${max} MiB vs bound ${bound} MiB: $([ "$max" -le "$bound" ] && echo within || echo OVER)"
} | tee -a "$out"
