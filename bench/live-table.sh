#!/usr/bin/env bash
# Live capture into Kafka (and Flink) as one standing benchmark: the capture harness
# (../shared/bench/capture) runs the C TPACKET_V3 reference and every capstream host as readers on
# the same veth pair, in the same rounds, and prints one table (summarize.py: medians and same-round
# ratios to ref_v3_f1):
#   sidecar_frame / sidecar_batch   capture-to-kafka-reader.sh (`capstream capture`)
#   connect_frame / connect_batch   capture-to-connect-reader.sh (ConnectStandalone + the packaged plugin)
#   flink_p1 / flink_p2             capture-to-flink-reader.sh (MiniCluster, live source -> discarding sink),
#                                   when that adapter is present
#   bench/live-table.sh                          # 64 B, 1 round, table mode
#   SIZES="64 1514" REPEATS=3 MODE=all bench/live-table.sh      (all = table + the loss-free search)
# Root; gcc, python3, a JDK 25, connect-plugin built. The harnesses are copied to $CACHE (kept: the
# Kafka jars are fetched once) and run on their own veth pair and netns (TAG=lt17: lt17a/lt17b, netns
# lt17-tx; at most 13 characters) and broker port (PORT, default 19176).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$root/../shared; [ -d "$shared" ] || shared=$root/../../shared   # a checkout or a worktree
tag=${TAG:-lt17}
[[ $tag =~ ^[a-z0-9]{1,13}$ ]] || { echo "live-table: TAG=$tag: use 1-13 lower-case letters or digits (it names the veth pair)" >&2; exit 2; }
cache=${CACHE:-/var/tmp/capstream-live-bench-$tag}
port=${PORT:-19176}
mode=${MODE:-table}
mkdir -p "$cache"
for h in capture kafka; do
  mkdir -p "$cache/$h"
  (cd "$shared/bench/$h" && tar --exclude=results --exclude=lib --exclude=target -cf - .) | tar -C "$cache/$h" -xf -
done
# Our own interface names, and no pcap4j build (its reader is not in this table).
sed -i "s/^IFACE=bench0 NETNS=bench-tx TXIF=bench1\$/IFACE=${tag}a NETNS=${tag}-tx TXIF=${tag}b/;
        s/^  if \[ ! -d pcap4j-peer\/target\/lib \].*/  if false; then/" "$cache/capture/run.sh"
grep -q "^IFACE=${tag}a" "$cache/capture/run.sh" || { echo "live-table: cannot retarget the capture harness's veth names" >&2; exit 2; }
export KAFKA_BENCH_PORT=$port KAFKA_BENCH_DIR=$cache/broker KAFKA_BENCH_HEAP="-Xms1g -Xmx1g"
"$root/capstream" --version >/dev/null
(cd "$cache/kafka" && ./broker.sh start)
trap '(cd "$cache/kafka" && ./broker.sh clean) || true' EXIT
kafka=127.0.0.1:$port
export KAFKA_HARNESS=$cache/kafka
export READER_sidecar_frame="KAFKA=$kafka $root/bench/capture-to-kafka-reader.sh"
export READER_sidecar_batch="KAFKA=$kafka CAPSTREAM_ARGS='--record-mode batch' $root/bench/capture-to-kafka-reader.sh"
export READER_connect_frame="KAFKA=$kafka MODE=frame $root/bench/capture-to-connect-reader.sh"
export READER_connect_batch="KAFKA=$kafka MODE=batch $root/bench/capture-to-connect-reader.sh"
readers="ref_v3_f1 sidecar_frame sidecar_batch connect_frame connect_batch"
if [ "${FLINK:-0}" = 1 ]; then   # FLINK=1: the Flink adapter (its class path step is not working yet)
  export READER_flink_p1="PARALLELISM=1 $root/bench/capture-to-flink-reader.sh"
  export READER_flink_p2="PARALLELISM=2 $root/bench/capture-to-flink-reader.sh"
  readers="$readers flink_p1 flink_p2"
fi
out=${OUTDIR:-$root/bench/results/live-$(date +%Y%m%d-%H%M%S)-$mode}
# The readers take the ring, the worker or the MiniCluster up from nothing each run: 5 s runs, not 2.
(cd "$cache/capture" && OUTDIR=$out SIZES="${SIZES:-64}" REPEATS="${REPEATS:-1}" READERS="${READERS:-$readers}" \
    SEARCH_READERS="${SEARCH_READERS:-ref_v3_f1 sidecar_frame sidecar_batch connect_frame connect_batch}" \
    COUNT="${COUNT:-3000000}" MAXDUR="${MAXDUR:-5}" SEARCH_DUR="${SEARCH_DUR:-3}" ./run.sh "$mode")
if [ "${FLINK:-0}" = 1 ]; then   # FLINK=1: the Flink adapter (its class path step is not working yet)
  # Flink's own ceiling in the same run: the same job with DataGeneratorSource records of a 64 B
  # frame's CapturedFrame size (134 B), records/s, beside flink_p1/flink_p2's loss-free capture rate.
  { echo; echo "Flink framework ceiling (DataGeneratorSource, 134 B byte records, discarding sink, 10 s):"
    for p in 1 2; do
      echo "  parallelism $p: $(PARALLELISM=$p SOURCE=datagen DURATION=10 "$root/bench/capture-to-flink-reader.sh" 2>/dev/null | grep 'captured=' | tail -1)"
    done; } | tee -a "$out/summary.md"
fi
echo "results: $out (summary.md: the table; logs/: every reader's output)"
