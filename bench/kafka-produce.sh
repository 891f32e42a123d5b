#!/usr/bin/env bash
# Replay-from-memory -> capstream -> Kafka, run by the shared Kafka harness beside
# ProducerPerformance --payload-file (the client+broker ceiling) in the same round. Compare the
# "self-reported" column: replay-result.sh prints capstream's steady delivered rate there.
#   bench/kafka-produce.sh                 # frame and batch mode at 64, 512, 1514 B, 3 rounds
#   SIZES="64" MODES="batch" REPEATS=1 bench/kafka-produce.sh     (DURATION=30 s per run, SKIP_S=10)
# Needs ../shared/bench/kafka (the harness) beside this repository, python3, and a JDK 25.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$root/../shared; [ -d "$shared" ] || shared=$root/../../shared   # a checkout or a worktree
harness=${HARNESS:-$shared/bench/kafka}
SIZES=${SIZES:-64 512 1514}
MODES=${MODES:-frame batch}
REPEATS=${REPEATS:-3}
FRAMES=${FRAMES:-200000}
# 30 s runs: the producer's I/O path is still being compiled 5-10 s in (C2 at a quarter of the
# machine), which a sidecar pays once; replay-result.sh skips the first SKIP_S seconds for its figure.
DURATION=${DURATION:-30}
export SKIP_S=${SKIP_S:-10}
# A short path: a pcap split's id (pcap:<path>) and its interface name (the file name) are in every
# record, so /dev/shm/cs/f64.pcap keeps a 64 B frame's record near a live capture's (afpacket:eth0)
# size; a 40-character path made it 161 B instead of 134 B and cost frame mode ~30 % at 64 B.
work=${WORK:-/dev/shm/cs}
out=${OUT:-$root/bench/results/kafka-$(date +%Y%m%d-%H%M%S).jsonl}
[ -d "$harness" ] || { echo "no Kafka harness at $harness (set HARNESS)" >&2; exit 2; }
mkdir -p "$work" "$(dirname "$out")"
# The harness copies itself nowhere; run it from a writable copy if shared/ is read-only.
if [ ! -w "$harness" ]; then
  cp -r "$harness" "$work/harness"; harness=$work/harness
fi
"$root/capstream" --version >/dev/null   # builds the sidecar now, not inside a measurement
if [ ! -f "$harness/avro-peer/target/avro-peer-1.jar" ]; then   # the harness's topic admin tool
  (cd "$harness/avro-peer" && timeout 600 mvn -q -B package -DskipTests)
fi
# Records are counted as records; the real frames per record is put in after the runs (see below).
delivered_log=$work/delivered-$$.txt; : >"$delivered_log"
(cd "$harness" && ./broker.sh start)
trap '(cd "$harness" && ./broker.sh clean) || true' EXIT
for size in $SIZES; do
  pcap=$work/f$size.pcap
  # Regenerated when a day old: its timestamps become the records' and must stay within retention.
  [ -n "$(find "$pcap" -mmin -1440 2>/dev/null)" ] || python3 "$root/bench/make-pcap.py" "$size" "$FRAMES" "$pcap"
  for mode in $MODES; do
    extra=()
    if [ "$mode" = batch ]; then extra=(--record-mode batch --batch-frames 1000 --batch-bytes 262144 --batch-linger 5); fi
    (cd "$harness" && DELIVERED_LOG=$delivered_log python3 bench.py cmd --label "capstream $mode" --frame-size "$size" \
        --frames-per-record 1 --acks 1 --linger 5 --batch 262144 --comp none --ref-pp \
        --repeats "$REPEATS" --out "$out" -- \
        "$root/bench/replay-result.sh" --pcap "$pcap" --loop 0 --duration "$DURATION" --topic '{topic}' \
        --bootstrap-servers '{bootstrap}' --key none --metrics-port 0 \
        --producer-property acks=1 --producer-property enable.idempotence=false \
        --producer-property linger.ms=5 --producer-property batch.size=262144 \
        --producer-property compression.type=none "${extra[@]}")
  done
done
python3 "$root/bench/real-frames-per-record.py" "$out" "$delivered_log"
(cd "$harness" && python3 bench.py table "$out")
echo "results: $out"
