#!/usr/bin/env bash
# The capture CPU of the sidecar's collector choice (deploy/src/dist/bin/jvm-memory.sh): live capture
# into Kafka through the capture harness's table mode, in ONE run, beside the C reference:
#   sk_<mode>_g1   JAVA_OPTS=-XX:+UseG1GC (the launcher's -Xmx128m, G1 as before issue 17's change)
#   sk_<mode>      the launcher's defaults (-XX:+UseSerialGC -Xms32m -Xmx128m)
# for record modes batch and frame. Quote the CPU/M-frames ratios between the pairs, not absolutes.
#   bench/collector-cpu.sh                      # 64 B, 2 rounds, 2 M frames or 5 s per run
#   SIZES="64 512" REPEATS=3 bench/collector-cpu.sh
# Root; needs ../shared/bench/capture and ../shared/bench/kafka. Its veth pair, netns, broker port and
# directories are named m17-*/m17c* and removed on exit. Wrap it in `flock /tmp/capbench.lock` on a
# shared machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$root/../shared; [ -d "$shared" ] || shared=$root/../../shared   # a checkout or a worktree
port=${PORT:-19182}
work=$(mktemp -d /tmp/m17-cpu.XXXXXX)
cp -r "${CAPTURE_HARNESS:-$shared/bench/capture}" "$work/capture"
cp -r "${KAFKA_HARNESS:-$shared/bench/kafka}" "$work/kafka"
sed -i 's/^IFACE=bench0 NETNS=bench-tx TXIF=bench1$/IFACE=m17c0 NETNS=m17-tx TXIF=m17c1/' "$work/capture/run.sh"
grep -q '^IFACE=m17c0 ' "$work/capture/run.sh" || { echo "collector-cpu: the harness's interface line moved" >&2; exit 2; }
export KAFKA_BENCH_PORT=$port KAFKA_BENCH_DIR=$work/broker KAFKA_BENCH_HEAP="-Xms512m -Xmx512m"
cleanup() { (cd "$work/kafka" && ./broker.sh clean >/dev/null 2>&1) || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

"$root/capstream" --version >/dev/null        # build now, not while measuring
(cd "$work/kafka" && ./broker.sh start >/dev/null)
reader=$root/bench/capture-to-kafka-reader.sh
out=${OUTDIR:-$root/bench/results/collector-cpu-$(date +%Y%m%d-%H%M%S)}
(cd "$work/capture" &&
  env KAFKA=127.0.0.1:$port \
    READER_sk_batch="CAPSTREAM_ARGS='--record-mode batch' $reader" \
    READER_sk_batch_g1="JAVA_OPTS=-XX:+UseG1GC CAPSTREAM_ARGS='--record-mode batch' $reader" \
    READER_sk_frame="$reader" \
    READER_sk_frame_g1="JAVA_OPTS=-XX:+UseG1GC $reader" \
    READERS="ref_v3_f1 sk_batch_g1 sk_batch sk_frame_g1 sk_frame" \
    SIZES="${SIZES:-64}" REPEATS="${REPEATS:-2}" COUNT="${COUNT:-2000000}" MAXDUR="${MAXDUR:-5}" \
    OUTDIR="$out" ./run.sh table)
echo "results: $out/summary.md"
