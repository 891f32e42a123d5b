#!/usr/bin/env bash
# Reader adapter for ../shared/bench/capture (the capture harness): live capture -> Kafka through a
# stock Kafka Connect worker. Kafka's own ConnectStandalone runs the packaged plugin (the
# connect-plugin module's component archive, unpacked onto plugin.path) with one task capturing
# on $CAP_IFACE into the broker at $KAFKA (default: the Kafka harness's, 127.0.0.1:19092), values
# as capstream's own bytes through ByteArrayConverter (value.format=bytes, the fast path).
# It says `ready` once the task captures; on SIGTERM the worker stops the task, whose last log line
# (`... stopped: captured=N delivered=N dropped=M ...`) becomes the harness's `captured=N drops=M`.
#   READER_connect="$PWD/bench/capture-to-connect-reader.sh" READERS="ref_v3_f1 connect" ./run.sh table
#   MODE=batch (record.mode; default frame)   CONNECT_PORT (REST, default 18317)
#   LIVE_WARMUP_FRAMES=N (with LIVE_WARMUP_GEN, as live-table.sh sets them): N frames through the interface
#   before `ready`, subtracted from the counts (bench/lib.sh warm_up)
# Needs connect-plugin built (./mvnw -pl connect-plugin -am package -DskipTests) and the Kafka
# harness's jars (KAFKA_HARNESS, default ../shared/bench/kafka; `./broker.sh start` fetches them once).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
kafka=${KAFKA:-127.0.0.1:19092}
topic=${TOPIC:-connect-bench-$$}
mode=${MODE:-frame}
# The sidecar's default key for the mode (flow for frame records, split for batches: a batch holds
# many flows, and the connector refuses record.key=flow with record.mode=batch).
key=flow; [ "$mode" = batch ] && key=split
. "$root/scripts/find-jdk.sh"; capstream_find_jdk >/dev/null || exit 2
archive=$(ls "$root"/connect-plugin/target/capstream-kafka-connect-capture-*.zip 2>/dev/null | head -1)
[ -n "$archive" ] || { echo "no plugin archive: ./mvnw -pl connect-plugin -am package -DskipTests" >&2; exit 2; }
# The worker's class path: the Kafka harness's lib/ (kafka_2.13 + kafka-tools 4.3.1 bring connect-runtime
# and everything it needs), the same Kafka as the broker's.
shared=$root/../shared; [ -d "$shared" ] || shared=$root/../../shared
harness=${KAFKA_HARNESS:-$shared/bench/kafka}
worker_cp=$(cd "$harness" && ./broker.sh classpath)
[ -n "$worker_cp" ] || { echo "no Kafka classpath from $harness/broker.sh classpath" >&2; exit 2; }
work=$(mktemp -d /tmp/connect17.XXXXXX)
mkdir -p "$work/plugins"
(cd "$work/plugins" && unzip -q "$archive")
cat >"$work/worker.properties" <<EOF
bootstrap.servers=$kafka
plugin.path=$work/plugins
plugin.discovery=service_load
offset.storage.file.filename=$work/offsets
offset.flush.interval.ms=10000
key.converter=org.apache.kafka.connect.converters.ByteArrayConverter
value.converter=org.apache.kafka.connect.converters.ByteArrayConverter
connector.client.config.override.policy=All
listeners=http://127.0.0.1:${CONNECT_PORT:-18317}
EOF
# The sidecar's producer defaults (KafkaSetup), so the two hosts differ only in who runs the loop.
cat >"$work/connector.properties" <<EOF
name=capture-bench
connector.class=dev.capstream.connect.CaptureSourceConnector
tasks.max=1
capture.interfaces=$CAP_IFACE
topic=$topic
record.mode=$mode
record.key=$key
value.format=bytes
value.bytes.framing=single-object
producer.override.acks=all
producer.override.enable.idempotence=true
producer.override.linger.ms=5
producer.override.batch.size=262144
producer.override.buffer.memory=67108864
topic.creation.default.replication.factor=1
topic.creation.default.partitions=1
${CONNECTOR_EXTRA:-}
EOF
cat >"$work/log4j2.properties" <<'EOF'
rootLogger.level=WARN
rootLogger.appenderRef.out.ref=out
appender.out.type=Console
appender.out.name=out
appender.out.target=SYSTEM_ERR
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=%d{HH:mm:ss.SSS} %-5level %c{1} - %m%n
logger.capstream.name=dev.capstream
logger.capstream.level=INFO
EOF
err=$work/worker.log
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    -Xmx512m -Dlog4j2.configurationFile="$work/log4j2.properties" ${CONNECT_JAVA_OPTS:-} \
    -cp "$worker_cp" org.apache.kafka.connect.cli.ConnectStandalone \
    "$work/worker.properties" "$work/connector.properties" >"$err" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' TERM INT
deadline=$((SECONDS + ${CAP_DURATION:-60}))
until grep -q 'capturing into topic' "$err"; do
  kill -0 $pid 2>/dev/null || { cat "$err" >&2; rm -rf "$work"; exit 1; }
  sleep 0.1
done
warm=$(warm_up capture-to-connect-reader) || { kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"; exit 1; }
echo ready
# The harness's safety bound: stop by ourselves after CAP_DURATION even without a signal.
( while [ $SECONDS -lt $deadline ] && kill -0 $pid 2>/dev/null; do sleep 1; done; kill -TERM $pid 2>/dev/null ) &
watchdog=$!
wait $pid || true
wait $pid 2>/dev/null || true
kill $watchdog 2>/dev/null || true
line=$(grep 'stopped: captured=' "$err" | tail -1)
grep -v 'WARN\|^\s*at \|WARNING' "$err" | tail -5 >&2
echo "$line" >&2
captured=$(sed -n 's/.*stopped: captured=\([0-9]*\).*/\1/p' <<<"$line")
dropped=$(sed -n 's/.* dropped=\([0-9]*\).*/\1/p' <<<"$line")
delivered=$(sed -n 's/.* delivered=\([0-9]*\).*/\1/p' <<<"$line")
echo "captured=$(minus_warm_up "$captured" "$warm") drops=${dropped:--1} delivered=$(minus_warm_up "$delivered" "$warm") warmup=$warm"
rm -rf "$work"
