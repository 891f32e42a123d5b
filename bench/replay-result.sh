#!/usr/bin/env bash
# Runs `capstream replay ...` (arguments passed through) with stats every second and prints the
# steady delivered rate as the Kafka harness's self-report line: `RESULT frames_per_s=N`.
# The harness's broker-side figure needs records-per-byte to stay constant through a run; capstream's
# records are not fixed-size, so this line is the one to compare with ProducerPerformance's.
# records_per_s is frames_per_s / FRAMES_PER_RECORD (default 1); in batch mode nobody knows that ratio
# before the run (a 256 KiB batch holds ~1000 frames of 64 B, ~170 of 1514 B), so with DELIVERED_LOG
# set this appends "TOPIC DELIVERED_FRAMES" (capstream's summary line) to that file, and
# real-frames-per-record.py divides by the topic's end offset afterwards.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
err=$(mktemp); out=$(mktemp)
trap 'kill -TERM $pid 2>/dev/null' TERM INT
"$root/capstream" replay --stats-interval 1 "$@" >"$out" 2>"$err" &
pid=$!
wait $pid; wait $pid 2>/dev/null
cat "$out"
if [ -n "${DELIVERED_LOG:-}" ]; then
  topic=""; prev=""
  for a in "$@"; do [ "$prev" = --topic ] && topic=$a; prev=$a; done
  delivered=$(grep '^result=' "$out" | tail -1 | sed -n 's/.* delivered=\([0-9]*\).*/\1/p')
  echo "$topic ${delivered:-0}" >>"$DELIVERED_LOG"
fi
grep '^stats' "$err" | sed 's/.*delivered=\([0-9]*\).*/\1/' | awk -v per_record="${FRAMES_PER_RECORD:-1}" -v skip="${SKIP_S:-3}" '
  { d[NR] = $1 }
  END {
    if (NR < skip + 3) { print "RESULT frames_per_s=0 records_per_s=0 samples=" NR; exit }
    a = skip; b = NR - 1                  # skip the start-up seconds and the last, partial one
    f = (d[b] - d[a]) / (b - a)
    printf "RESULT frames_per_s=%d records_per_s=%d samples=%d\n", f, f / per_record, b - a
  }'
rm -f "$err" "$out"
