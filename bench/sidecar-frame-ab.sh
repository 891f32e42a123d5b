#!/usr/bin/env bash
# The sidecar's frame mode at 64 B, before vs after and its producer/GC choices, in ONE capture-harness
# run (issue 17): `main`'s build (REF, built from `git archive` into $CACHE/ref, never installed) beside
# this checkout's, each through bench/capture-to-kafka-reader.sh into the Kafka harness's broker.
#   1. table at a fixed offered rate (TABLE_RATE, default 250000 frames/s, MAXDUR s): reader CPU s per
#      M frames, the robust figure;
#   2. the loss-free search (bisection, SEARCH_DUR s probes from a cold start): noisy, +-20 %.
# Readers (VARIANTS picks among them):
#   ref        REF's build at its defaults
#   new        this checkout at its defaults
#   new_lz4    + --producer-property compression.type=lz4
#   new_par    + JAVA_OPTS=-XX:+UseParallelGC (footprint: DURATION=60 JAVA_OPTS=-XX:+UseParallelGC bench/footprint.sh)
#   new_hw25   + --high-water 0.25 --low-water 0.15: a quarter of buffer.memory in flight on the heap, not 0.8
#   REPEATS=2 SEARCH_REPEATS=2 bench/sidecar-frame-ab.sh       # the figures in README (~12 min quiet)
#   VARIANTS="ref new" MODE=table bench/sidecar-frame-ab.sh    # the fixed-rate CPU table only
#   REF=51360c0 REPEATS=3 bench/sidecar-frame-ab.sh
# Root; gcc, python3, a JDK 25. Veth sf17a/sf17b, netns sf17-tx, broker on PORT (19180); results in
# bench/results/sidecar-frame-ab-<date>/ (OUTDIR). Runs under `flock /tmp/capbench.lock`.
set -euo pipefail
[ -n "${SF17_LOCKED:-}" ] || exec env SF17_LOCKED=1 flock /tmp/capbench.lock "$0" "$@"
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$root/../shared}; [ -d "$shared" ] || shared=$root/../../shared
tag=sf17
cache=${CACHE:-/var/tmp/capstream-sidecar-ab-$tag}
port=${PORT:-19180}
mode=${MODE:-all}
ref=${REF:-main}
variants=${VARIANTS:-ref new new_hw25 new_lz4 new_par}
mkdir -p "$cache"
. "$root/bench/lib.sh"
copy_harnesses "$shared" "$cache" "$tag" sidecar-frame-ab || exit 2
# The table's generator at TABLE_RATE instead of full speed.
sed -i "s/measure table \"\$rep\" \"\$size\" \"\$reader\" 0 /measure table \"\$rep\" \"\$size\" \"\$reader\" \"\${TABLE_RATE:-0}\" /" \
    "$cache/capture/run.sh"
grep -q "^IFACE=${tag}a" "$cache/capture/run.sh" && grep -q 'TABLE_RATE' "$cache/capture/run.sh" \
  || { echo "sidecar-frame-ab: cannot adapt the capture harness's run.sh" >&2; exit 2; }
# REF's build: its sources from git, built with its own launcher (package only, never installed).
refdir=$cache/ref
refcommit=$(git -C "$root" rev-parse "$ref")
if [ "$(cat "$refdir/.commit" 2>/dev/null)" != "$refcommit" ]; then
  rm -rf "$refdir"; mkdir -p "$refdir"
  git -C "$root" archive "$refcommit" | tar -C "$refdir" -xf -
  echo "$refcommit" >"$refdir/.commit"
fi
"$refdir/capstream" --version >/dev/null
"$root/capstream" --version >/dev/null
sed "s|^root=.*|root=$refdir|" "$root/bench/capture-to-kafka-reader.sh" >"$cache/ref-reader.sh"
export KAFKA_BENCH_PORT=$port KAFKA_BENCH_DIR=$cache/broker KAFKA_BENCH_HEAP="-Xms1g -Xmx1g"
(cd "$cache/kafka" && ./broker.sh start)
trap '(cd "$cache/kafka" && ./broker.sh clean) || true' EXIT
kafka=127.0.0.1:$port
export READER_ref="KAFKA=$kafka bash $cache/ref-reader.sh"
export READER_new="KAFKA=$kafka $root/bench/capture-to-kafka-reader.sh"
export READER_new_lz4="KAFKA=$kafka CAPSTREAM_ARGS='--producer-property compression.type=lz4' $root/bench/capture-to-kafka-reader.sh"
export READER_new_par="KAFKA=$kafka JAVA_OPTS=-XX:+UseParallelGC $root/bench/capture-to-kafka-reader.sh"
export READER_new_hw25="KAFKA=$kafka CAPSTREAM_ARGS='--high-water 0.25 --low-water 0.15' $root/bench/capture-to-kafka-reader.sh"
out=${OUTDIR:-$root/bench/results/sidecar-frame-ab-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
echo "ref=$ref ($refcommit) new=$(git -C "$root" rev-parse HEAD)$(git -C "$root" diff --quiet HEAD || echo ' (dirty)')" >"$out/builds.txt"
(cd "$cache/capture" && OUTDIR=$out BASELINE=${BASELINE:-ref} SIZES=64 REPEATS="${REPEATS:-1}" READERS="$variants" SEARCH_READERS="$variants" \
    TABLE_RATE="${TABLE_RATE:-250000}" COUNT="${COUNT:-2500000}" MAXDUR="${MAXDUR:-10}" \
    SEARCH_DUR="${SEARCH_DUR:-3}" SEARCH_STEPS="${SEARCH_STEPS:-4}" ./run.sh "$mode")
echo "results: $out (summary.md; logs/: every reader's output)"
