#!/usr/bin/env bash
# Reader adapter for ../shared/bench/capture (the capture harness): live capture -> Kafka.
# Runs `capstream capture` on $CAP_IFACE into a Kafka broker at $KAFKA (default: the Kafka
# harness's broker, 127.0.0.1:19092), says `ready` once capstream captures, and on SIGTERM lets
# capstream flush and turns its summary line into the harness's `captured=N drops=M` (drops =
# every frame the kernel saw that capstream did not read: ring overflow, backpressure, unread).
# LIVE_WARMUP_FRAMES=N (with LIVE_WARMUP_GEN, as live-table.sh sets them): N frames through the interface
# before `ready`, subtracted from the counts (bench/lib.sh warm_up).
#   READER_capkafka="$PWD/bench/capture-to-kafka-reader.sh" READERS="ref_v3_f1 capkafka" ./run.sh table
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
kafka=${KAFKA:-127.0.0.1:19092}
topic=${TOPIC:-capture-bench-$$}
err=$(mktemp); out=$(mktemp)
"$root/capstream" capture --interface "$CAP_IFACE" --topic "$topic" --bootstrap-servers "$kafka" \
    --duration "${CAP_DURATION:-60}" --metrics-port 0 --stats-interval 0 ${CAPSTREAM_ARGS:-} >"$out" 2>"$err" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' TERM INT
until grep -q 'capturing on' "$err"; do
  kill -0 $pid 2>/dev/null || { cat "$err" >&2; exit 1; }
  sleep 0.1
done
warm=$(warm_up capture-to-kafka-reader) || { kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$err" "$out"; exit 1; }
echo ready
wait $pid || true
wait $pid 2>/dev/null || true
line=$(grep '^result=' "$out" | tail -1)
cat "$err" >&2
echo "$line" >&2
captured=$(sed -n 's/.* captured=\([0-9]*\).*/\1/p' <<<"$line")
dropped=$(sed -n 's/.* dropped=\([0-9]*\).*/\1/p' <<<"$line")
delivered=$(sed -n 's/.* delivered=\([0-9]*\).*/\1/p' <<<"$line")
echo "captured=$(minus_warm_up "$captured" "$warm") drops=${dropped:--1} delivered=$(minus_warm_up "$delivered" "$warm") warmup=$warm"
rm -f "$err" "$out"
