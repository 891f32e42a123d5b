#!/usr/bin/env bash
# The Flink live job's JIT warm-up, before/after in one harness run (issue 17): CaptureThroughputJob
# (bench/capture-to-flink-reader.sh, parallelism 1, CapturedFrame records) with only the 2 M-frame
# pcap replay before `ready` (flink_file: WARMUP_RING_DATAGRAMS=0, the job as it was) beside the same
# build that also captures 200 k datagrams of its own on loopback (flink_ring: the AF_PACKET ring
# path compiled before `ready`), and the C TPACKET_V3 reference, in the capture harness's table
# (full generator rate, 64 B). The control, flink_ring1, captures 1 datagram on loopback: the same extra
# job start and cancel before `ready` (and time for the file job's leftovers to settle), without the
# ring path compiled. MAIN_JAR=/path/to/flink-examples.jar adds flink_main (another build's
# job jar, e.g. main's). Then one more round of both with -XX:+PrintCompilation: the JIT's
# compilations after `ready`, by package (compiles.txt; that round's table is no figure: the JIT's
# lines interleave with the job's result line).
#   bench/flink-warmup-ab.sh                     # 64 B, 3 rounds + 1 compile round (~8 min)
#   REPEATS=1 MAIN_JAR=/tmp/fw17-main.jar bench/flink-warmup-ab.sh
# Root; gcc, a JDK 25. Harness copied to $CACHE, veth fwab17a/fwab17b, netns fwab17-tx;
# under `flock /tmp/capbench.lock` (one harness run at a time).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$root/../shared; [ -d "$shared" ] || shared=$root/../../shared   # a checkout or a worktree
cache=${CACHE:-/var/tmp/capstream-flink-warmup-ab}
out=${OUTDIR:-$cache/results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$cache/capture" "$out"
(cd "$shared/bench/capture" && tar --exclude=results --exclude=lib --exclude=target -cf - .) | tar -C "$cache/capture" -xf -
sed -i "s/^IFACE=bench0 NETNS=bench-tx TXIF=bench1\$/IFACE=fwab17a NETNS=fwab17-tx TXIF=fwab17b/;
        s/^  if \[ ! -d pcap4j-peer\/target\/lib \].*/  if false; then/" "$cache/capture/run.sh"
grep -q "^IFACE=fwab17a" "$cache/capture/run.sh" || { echo "flink-warmup-ab: cannot retarget the capture harness's veth names" >&2; exit 2; }
adapter=$root/bench/capture-to-flink-reader.sh
FLINK_BUILD=${FLINK_BUILD:-1} SOURCE=datagen DURATION=1 "$adapter" >/dev/null 2>&1 \
  || { echo "flink-warmup-ab: the Flink job does not run (FLINK_BUILD=1 $adapter)" >&2; exit 2; }
export READER_flink_file="WARMUP_RING_DATAGRAMS=0 PARALLELISM=1 $adapter"
export READER_flink_ring="PARALLELISM=1 $adapter"
export READER_flink_ring1="WARMUP_RING_DATAGRAMS=1 PARALLELISM=1 $adapter"
readers="ref_v3_f1 flink_file flink_ring flink_ring1"
if [ -n "${MAIN_JAR:-}" ]; then
  export READER_flink_main="JOB_JAR=$MAIN_JAR PARALLELISM=1 $adapter"; readers="$readers flink_main"
fi
run() {
  cd "$cache/capture"
  READERS="$readers" SIZES=${SIZES:-64} REPEATS=${REPEATS:-3} COUNT=${COUNT:-2000000} MAXDUR=${MAXDUR:-5} \
    READY_TIMEOUT=90 OUTDIR=$out/table ./run.sh table
  FLINK_JAVA_OPTS=-XX:+PrintCompilation READERS="flink_file flink_ring flink_ring1" SIZES=${SIZES:-64} REPEATS=1 \
    COUNT=${COUNT:-2000000} MAXDUR=${MAXDUR:-5} READY_TIMEOUT=90 OUTDIR=$out/compiles ./run.sh table
}
export -f run; export cache out readers
flock /tmp/capbench.lock bash -c run
# PrintCompilation lines after `ready` ("made not entrant" lines apart), by the compiled method's package
for log in "$out"/compiles/logs/table-*-flink_*.log; do
  awk -v f="$(basename "$log" .log)" '/^ready/ {on = 1; next} on && /made not entrant/ && /dev\.capstream/ {d++}
    on && /::/ && !/made not entrant/ {
      for (i = 1; i <= NF; i++) if ($i ~ /::/) { m = $i; break }
      k = m ~ /^dev\.capstream/ ? "capstream" : m ~ /^org\.apache\.flink/ ? "flink" : m ~ /pekko|^scala/ ? "pekko+scala" : m ~ /^(java|jdk|sun)\./ ? "jdk" : "other"
      n[k]++; t++; if (k == "capstream") c[m]++ }
    END { printf "%s: %d compilations after ready:", f, t; for (k in n) printf " %s=%d", k, n[k]
          printf "; capstream methods made not entrant: %d\n", d
          for (m in c) printf "    %s\n", m }' "$log"
done | tee "$out/compiles.txt"
echo; echo "== $out"; cat "$out/table/summary.md" 2>/dev/null | head -30
