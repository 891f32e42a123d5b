#!/usr/bin/env bash
# Reader adapter for ../shared/bench/capture (the capture harness): live capture into Flink.
# Runs flink-examples' CaptureThroughputJob in a local MiniCluster (PARALLELISM 1 or 2: one fanout
# member per subtask), the live capture source on $CAP_IFACE into a discarding sink; it prints
# `ready` once the job runs and `captured=N drops=-1` (records that reached the sink) on SIGTERM.
#   READER_flink="PARALLELISM=2 $PWD/bench/capture-to-flink-reader.sh" READERS="ref_v3_f1 flink" ./run.sh table
# The framework's ceiling, the same job with Flink's DataGeneratorSource making byte records of
# RECORD_BYTES (default 134: a 64 B frame's CapturedFrame), for DURATION s, outside the harness:
#   SOURCE=datagen DURATION=10 bench/capture-to-flink-reader.sh      -> captured=N ... records_per_s=R
# Needs flink-examples compiled (./mvnw -pl flink-examples -am package -DskipTests); its class path
# (Flink itself is "provided" there) is resolved once into flink-examples/target/job-classpath.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/find-jdk.sh"; capstream_find_jdk >/dev/null || exit 2
cp_file=$root/flink-examples/target/job-classpath.txt
if [ ! -s "$cp_file" ]; then
  # With -am every module of the reactor writes the file; flink-examples comes last.
  (cd "$root" && ./mvnw -B -q -o -pl flink-examples -am compile dependency:build-classpath \
      -Dmdep.includeScope=provided -Dmdep.outputFile="$cp_file") >&2
fi
classes=$root/flink-examples/target/classes
if [ "${SOURCE:-live}" = datagen ]; then
  args=(--datagen "${RECORD_BYTES:-134}" --duration "${DURATION:-10}")
else
  args=(--interfaces "$CAP_IFACE" --duration "${CAP_DURATION:-60}")
fi
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.capstream.avro ${FLINK_JAVA_OPTS:-} \
    -cp "$classes:$(cat "$cp_file")" dev.capstream.flink.examples.CaptureThroughputJob \
    "${args[@]}" --parallelism "${PARALLELISM:-1}"
