#!/usr/bin/env bash
# The Flink host's standing benchmark (issue 17), one command: live capture into a discarding sink
# through the capture harness (../shared/bench/capture), beside the C TPACKET_V3 reference in the same
# rounds, then the framework's ceilings on the same CPU budget (pinned like a harness reader):
#   flink_p1 / flink_p2   bench/capture-to-flink-reader.sh, PARALLELISM 1 / 2 (one fanout member per subtask)
#   datagen               Flink's DataGeneratorSource, byte[] records of 134 B (a 64 B frame's CapturedFrame)
#   datagen-frames        the same generator making CapturedFrame records of 64 B frames (no ring)
# and the loss-free rate search (flink_p1 against the reference). Every job prints cpu_s_per_M, so
# the live job's CPU per record (the harness's reader_cpu_s_per_M) compares with the ceilings'.
#   bench/flink-live.sh                      # 64 B, 1 round, table + search + ceilings (~6 min)
#   SIZES="64 1514" REPEATS=3 bench/flink-live.sh
# Root; gcc, python3, a JDK 25. The harness is copied to $CACHE and runs on its own veth pair
# (fl17a/fl17b, netns fl17-tx), under `flock /tmp/capbench.lock` (one harness run at a time).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$root/../shared; [ -d "$shared" ] || shared=$root/../../shared   # a checkout or a worktree
cache=${CACHE:-/var/tmp/capstream-flink-bench}
out=${OUTDIR:-$cache/results/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$cache/capture" "$out"
(cd "$shared/bench/capture" && tar --exclude=results --exclude=lib --exclude=target -cf - .) | tar -C "$cache/capture" -xf -
sed -i 's/^IFACE=bench0 NETNS=bench-tx TXIF=bench1$/IFACE=fl17a NETNS=fl17-tx TXIF=fl17b/;
        s/^  if \[ ! -d pcap4j-peer\/target\/lib \].*/  if false; then/' "$cache/capture/run.sh"
grep -q '^IFACE=fl17a' "$cache/capture/run.sh" || { echo "flink-live: cannot retarget the capture harness's veth names" >&2; exit 2; }
adapter=$root/bench/capture-to-flink-reader.sh
FLINK_BUILD=${FLINK_BUILD:-1} SOURCE=datagen DURATION=1 "$adapter" >/dev/null 2>&1 \
  || { echo "flink-live: the Flink job does not run (FLINK_BUILD=1 $adapter)" >&2; exit 2; }
export READER_flink_p1="PARALLELISM=1 $adapter" READER_flink_p2="PARALLELISM=2 $adapter"
run() {
  cd "$cache/capture"
  READERS="ref_v3_f1 flink_p1 flink_p2" SIZES=${SIZES:-64} REPEATS=${REPEATS:-1} COUNT=${COUNT:-2000000} \
    MAXDUR=${MAXDUR:-5} OUTDIR=$out/table ./run.sh table
  SEARCH_READERS="ref_v3_f1 flink_p1" SIZES=${SIZES:-64} OUTDIR=$out/search ./run.sh search
  for p in 1 2; do
    for src in datagen datagen-frames; do
      echo "$src parallelism $p: $(PARALLELISM=$p SOURCE=$src DURATION=10 "$adapter" 2>/dev/null | grep captured= | tail -1)"
    done
  done | tee "$out/ceilings.txt"
}
export -f run; export cache out adapter
flock /tmp/capbench.lock bash -c run
echo; echo "== $out"; cat "$out/table/summary.md" 2>/dev/null | head -40; cat "$out/search/search.csv" 2>/dev/null
cat "$out/ceilings.txt"
