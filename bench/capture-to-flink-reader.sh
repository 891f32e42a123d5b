#!/usr/bin/env bash
# Reader adapter for ../shared/bench/capture (the capture harness): live capture into Flink.
# Runs flink-examples' CaptureThroughputJob in a local MiniCluster (PARALLELISM 1 or 2: one fanout
# member per subtask), the live capture source on $CAP_IFACE into a discarding sink; it prints
# `ready` once the job runs and `captured=N drops=-1` (records that reached the sink) on SIGTERM.
# RECORDS=frames (default: Avro CapturedFrame) or bytes (each frame's bytes as a byte[]).
#   READER_flink="PARALLELISM=2 $PWD/bench/capture-to-flink-reader.sh" READERS="ref_v3_f1 flink" ./run.sh table
#   READER_flinkb="RECORDS=bytes $PWD/bench/capture-to-flink-reader.sh" READERS="ref_v3_f1 flinkb" ./run.sh table
# The framework's ceiling, the same job with Flink's DataGeneratorSource making byte records of
# RECORD_BYTES (default 134: a 64 B frame's CapturedFrame; 64 for RECORDS=bytes' records of 64 B
# frames), for DURATION s, outside the harness:
#   SOURCE=datagen DURATION=10 bench/capture-to-flink-reader.sh      -> captured=N ... records_per_s=R
#   SOURCE=datagen RECORD_BYTES=64 DURATION=10 bench/capture-to-flink-reader.sh
# and, to tell the record type's cost from the source's, the generator making CapturedFrame records
# of FRAME_BYTES (64) frames, no ring: SOURCE=datagen-frames DURATION=10 bench/capture-to-flink-reader.sh
# Both print cpu_s_per_M (the JVM's CPU per million records), comparable with the harness's
# reader_cpu_s_per_M for the live job, whose rate the generator bounds.
# Runs the packaged job jar on the class path a Flink cluster gives a job (flink-examples'
# target/flink-dist.classpath, written at 'package'), as `flink run` would; builds both once if
# missing (FLINK_BUILD=1 rebuilds: ./mvnw -o -pl flink-examples -am package -DskipTests).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/find-jdk.sh"; capstream_find_jdk >/dev/null || exit 2
target=$root/flink-examples/target
cp_file=$target/flink-dist.classpath
job_jar=$(ls "$target"/flink-examples-*.jar 2>/dev/null | grep -v -e '-tests.jar' -e 'original-' | head -1 || true)
if [ "${FLINK_BUILD:-0}" = 1 ] || [ ! -s "$cp_file" ] || [ -z "$job_jar" ]; then
  (cd "$root" && ./mvnw -B -q -o -pl flink-examples -am package -DskipTests) >&2 \
    || { echo "capture-to-flink-reader: building flink-examples failed (see above)" >&2; exit 2; }
  job_jar=$(ls "$target"/flink-examples-*.jar | grep -v -e '-tests.jar' -e 'original-' | head -1)
fi
pin=()
if [ "${SOURCE:-live}" = datagen ] || [ "${SOURCE:-live}" = datagen-frames ]; then
  if [ "$SOURCE" = datagen ]; then
    args=(--datagen "${RECORD_BYTES:-134}" --duration "${DURATION:-10}")
  else
    args=(--datagen-frames "${FRAME_BYTES:-64}" --duration "${DURATION:-10}")
  fi
  # The harness pins every reader to READER_CPUS (1); the ceiling runs on the same CPU budget.
  [ -n "${READER_CPUS-1}" ] && pin=(taskset -c "${READER_CPUS-1}")
else
  # Before `ready` the job replays WARMUP_FRAMES (2 M) frames of WARMUP_FRAME_BYTES (64: the size the
  # harness sends) through the same pipeline, so the JIT has compiled it before the measured window.
  args=(--interfaces "$CAP_IFACE" --duration "${CAP_DURATION:-60}" --records "${RECORDS:-frames}"
        --warmup-frames "${WARMUP_FRAMES:-2000000}" --warmup-frame-bytes "${WARMUP_FRAME_BYTES:-64}")
fi
exec "${pin[@]}" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.capstream.avro ${FLINK_JAVA_OPTS:-} \
    -cp "$job_jar:$(cat "$cp_file")" dev.capstream.flink.examples.CaptureThroughputJob \
    "${args[@]}" --parallelism "${PARALLELISM:-1}"
