#!/usr/bin/env bash
# Live capture into Kafka and Flink as one standing benchmark: the capture harness
# (../shared/bench/capture) runs the C TPACKET_V3 reference and every capstream host as readers on
# the same veth pair, in the same run, and prints one table (summarize.py: medians and same-round
# ratios to ref_v3_f1), then the loss-free rates (the harness's search) and the same-run ratios the
# targets are stated in:
#   sidecar_frame / sidecar_batch   capture-to-kafka-reader.sh (`capstream capture` at its defaults)
#   connect_frame / connect_batch   capture-to-connect-reader.sh (ConnectStandalone + the packaged plugin)
#   flink_p1 / flink_p2             capture-to-flink-reader.sh (MiniCluster, live source -> discarding sink),
#                                   and the same job on DataGeneratorSource (Flink's ceiling); FLINK=0 leaves Flink out
#   flink_bytes_p1                  the same with byte[] records (RECORDS=bytes), beside a DataGeneratorSource
#                                   ceiling of byte[] records of the same size (64 B at 64 B frames)
#   bench/live-table.sh                    # 64 B: offered-load table (1 round) + loss-free search, ~10 min quiet
#   MODE=table bench/live-table.sh         # the table only (~3 min);  MODE=search: the search only
#   SIZES="64 1514" REPEATS=3 bench/live-table.sh
#   BUDGET=50 MODE=search bench/live-table.sh   # every reader on 50 % of one CPU (bench/cpu-budget.sh):
#                                  # hosts that all take the generator's full rate get a loss-free rate each
# Root; gcc, python3, a JDK 25. Builds what is missing (the sidecar, the Connect plugin archive,
# flink-examples). The harnesses are copied to $CACHE (kept: the Kafka jars are fetched once) and run
# on their own veth pair and netns (TAG=lt17: lt17a/lt17b, netns lt17-tx; at most 13 characters) and
# broker port (PORT, default 19176). Results: bench/results/live-<date>-<mode>/ (OUTDIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$root/../shared}; [ -d "$shared" ] || shared=$root/../../shared   # a checkout or a worktree
tag=${TAG:-lt17}
[[ $tag =~ ^[a-z0-9]{1,13}$ ]] || { echo "live-table: TAG=$tag: use 1-13 lower-case letters or digits (it names the veth pair)" >&2; exit 2; }
cache=${CACHE:-/var/tmp/capstream-live-bench-$tag}
port=${PORT:-19176}
mode=${MODE:-all}
flink=${FLINK:-1}
mkdir -p "$cache"
. "$root/bench/lib.sh"
copy_harnesses "$shared" "$cache" "$tag" live-table || exit 2
export KAFKA_BENCH_PORT=$port KAFKA_BENCH_DIR=$cache/broker KAFKA_BENCH_HEAP="-Xms1g -Xmx1g"
"$root/capstream" --version >/dev/null
# The Connect plugin archive and the Flink job, built now (not inside a measured run) when missing or
# older than the sources they are made of.
stale() {  # ARTIFACT MODULE...: the artifact is missing, or a pom or main source of those modules is newer
  local artifact=$1 m dirs=("$root/pom.xml"); shift
  [ -n "$artifact" ] && [ -f "$artifact" ] || return 0
  for m in "$@"; do dirs+=("$root/$m/pom.xml" "$root/$m/src/main"); done
  [ -n "$(find "${dirs[@]}" -newer "$artifact" -type f -print -quit 2>/dev/null)" ]
}
build() {  # MODULES (comma-separated): package them, tests skipped
  echo "live-table: building $1 (tests skipped)" >&2
  (. "$root/scripts/find-jdk.sh"; capstream_find_jdk >/dev/null && cd "$root" \
      && ./mvnw -B -q -pl "$1" -am package -DskipTests) >&2
}
if stale "$(ls "$root"/connect-plugin/target/capstream-kafka-connect-capture-*.zip 2>/dev/null | head -1)" \
    capture-native schemas connector-kafka connect-plugin; then
  build connect-plugin || { echo "live-table: building connect-plugin failed (see above)" >&2; exit 2; }
fi
if [ "$flink" = 1 ] && stale "$(ls "$root"/flink-examples/target/flink-examples-*.jar 2>/dev/null \
      | grep -v -e '-tests.jar' -e 'original-' | head -1)" capture-native schemas connector-flink flink-examples; then
  # Flink's absence must not cost the other hosts their table: the run goes on without it, and says so.
  build flink-examples || { echo "live-table: building flink-examples failed (see above): Flink is left out of this run" >&2; flink=0; }
fi
if [ "$flink" = 1 ]; then
  # A one-second ceiling job first: an adapter that cannot run here would otherwise fail every Flink
  # probe of the run, one timeout at a time.
  pre=$(PARALLELISM=1 SOURCE=datagen DURATION=1 timeout 180 "$root/bench/capture-to-flink-reader.sh" 2>&1 || true)
  if ! grep -q 'captured=' <<<"$pre"; then
    echo "live-table: the Flink adapter (bench/capture-to-flink-reader.sh) does not run here: $(grep -v '^\s*at ' <<<"$pre" \
      | grep -m1 -i 'error\|exception\|failed' || tail -1 <<<"$pre"); Flink is left out of this run" >&2
    flink=0
  fi
fi
(cd "$cache/kafka" && ./broker.sh start)
trap '(cd "$cache/kafka" && ./broker.sh clean) || true' EXIT
kafka=127.0.0.1:$port
budget=${BUDGET:+$root/bench/cpu-budget.sh $BUDGET}
export KAFKA_HARNESS=$cache/kafka
# The Kafka hosts warm up before `ready` (bench/lib.sh warm_up): LIVE_WARMUP_FRAMES (500000, at LIVE_WARMUP_PPS
# 50000/s) frames through this run's veth pair, subtracted from their counts, so their figures are a
# running host's, as the Flink job's are (it warms itself). LIVE_WARMUP_FRAMES=0: every start cold, as
# before 2026-12-03 evening; the readers *_cold (e.g. READERS="sidecar_frame sidecar_frame_cold")
# are the same hosts cold, beside the warm ones in one run.
export LIVE_WARMUP_FRAMES=${LIVE_WARMUP_FRAMES:-500000} LIVE_WARMUP_GEN_CPU=${GEN_CPU-0}
export LIVE_WARMUP_GEN="$cache/capture/gen -N ${tag}-tx -i ${tag}b -P ${tag}a"
export READER_sidecar_frame="KAFKA=$kafka $budget $root/bench/capture-to-kafka-reader.sh"
export READER_sidecar_batch="KAFKA=$kafka CAPSTREAM_ARGS='--record-mode batch' $budget $root/bench/capture-to-kafka-reader.sh"
export READER_connect_frame="KAFKA=$kafka MODE=frame $budget $root/bench/capture-to-connect-reader.sh"
export READER_connect_batch="KAFKA=$kafka MODE=batch $budget $root/bench/capture-to-connect-reader.sh"
for r in sidecar_frame sidecar_batch connect_frame connect_batch; do
  v=READER_$r; export "READER_${r}_cold=LIVE_WARMUP_FRAMES=0 ${!v}"
done
readers="ref_v3_f1 sidecar_frame sidecar_batch connect_frame connect_batch"
if [ "$flink" = 1 ]; then
  export READER_flink_p1="PARALLELISM=1 $budget $root/bench/capture-to-flink-reader.sh"
  export READER_flink_p2="PARALLELISM=2 $budget $root/bench/capture-to-flink-reader.sh"
  export READER_flink_bytes_p1="PARALLELISM=1 RECORDS=bytes $budget $root/bench/capture-to-flink-reader.sh"
  readers="$readers flink_p1 flink_p2 flink_bytes_p1"
fi
out=${OUTDIR:-$root/bench/results/live-$(date +%Y%m%d-%H%M%S)-$mode}
# The readers take the ring, the worker or the MiniCluster up from nothing each run: 5 s runs, 3 s probes.
# READY_TIMEOUT 120: the Flink job warms up on a file and a loopback ring before `ready` (on a CPU budget, slowly).
(cd "$cache/capture" && READY_TIMEOUT="${READY_TIMEOUT:-120}" OUTDIR=$out SIZES="${SIZES:-64}" REPEATS="${REPEATS:-1}" READERS="${READERS:-$readers}" \
    SEARCH_READERS="${SEARCH_READERS:-$readers}" \
    COUNT="${COUNT:-3000000}" MAXDUR="${MAXDUR:-5}" SEARCH_DUR="${SEARCH_DUR:-3}" ./run.sh "$mode")
if [ "$flink" = 1 ]; then
  # Flink's own ceiling in the same run: the same job with DataGeneratorSource records of a 64 B
  # frame's CapturedFrame size (134 B), records/s, beside flink_p1/flink_p2's loss-free capture rate.
  for p in 1 2; do
    line=$(PARALLELISM=$p SOURCE=datagen DURATION=10 $budget "$root/bench/capture-to-flink-reader.sh" 2>"$out/logs/datagen-p$p.log" \
      | grep 'captured=' | tail -1 || true)
    echo "$p,${line:-failed: see logs/datagen-p$p.log}" >>"$out/datagen.csv"
  done
  # and byte[] records of flink_bytes_p1's size: a 64 B frame's bytes (the first size measured)
  size=${SIZES:-64}; size=${size%% *}
  line=$(PARALLELISM=1 SOURCE=datagen RECORD_BYTES=$size DURATION=10 $budget "$root/bench/capture-to-flink-reader.sh" \
    2>"$out/logs/datagen-bytes-p1.log" | grep 'captured=' | tail -1 || true)
  echo "bytes1,${line:-failed: see logs/datagen-bytes-p1.log}" >>"$out/datagen.csv"
fi
python3 "$root/bench/live-ratios.py" "$out" | tee -a "$out/summary.md"
echo "results: $out (summary.md: the table; logs/: every reader's output)"
