package dev.capstream.connect.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;
import dev.capstream.records.RecordDecoder;
import dev.capstream.registry.SchemaRegistryClient;
import dev.capstream.testkit.ApicurioRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged plugin in a real Connect worker: the component archive unpacked into a plugin.path
 * directory that is not on this test's class path, a distributed worker (EmbeddedConnectCluster)
 * on an in-JVM KRaft broker, capture on veth pairs made here, and records consumed back.
 */
class CaptureSourceConnectorIT {

    private static final String CONNECTOR_CLASS = "dev.capstream.connect.CaptureSourceConnector";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path pluginPath;

    private static EmbeddedConnectCluster connect;
    private static CompletableFuture<ApicurioRegistry> registry;

    @BeforeAll
    static void startWorkerWithThePackagedPlugin() throws IOException {
        unzip(Path.of(System.getProperty("capstream.connect.archive")), pluginPath);
        if (VethLab.isSupported()) {
            // Started alongside the worker: only the fast-path test needs it.
            registry = CompletableFuture.supplyAsync(ApicurioRegistry::start);
        }
        Map<String, String> workerProps = new HashMap<>();
        workerProps.put("plugin.path", pluginPath.toString());
        workerProps.put("plugin.discovery", "service_load");
        workerProps.put("offset.flush.interval.ms", "1000");
        workerProps.put("connector.client.config.override.policy", "All");
        connect = new EmbeddedConnectCluster.Builder().name("capstream-it").numWorkers(1).workerProps(workerProps)
                .build();
        connect.start();
    }

    @AfterAll
    static void stop() {
        if (connect != null) {
            connect.stop();
        }
        if (registry != null) {
            registry.thenAccept(ApicurioRegistry::close).exceptionally(t -> null);
        }
    }

    @Test
    void theWorkerLoadsThePluginFromItsPluginPathOnlyAndReportsTheBuildVersion() throws Exception {
        assertThatThrownBy(() -> Class.forName(CONNECTOR_CLASS)).as("the connector must not be on the test class path")
                .isInstanceOf(ClassNotFoundException.class);
        String plugins = (String) connect.requestGet(connect.endpointForResource("connector-plugins")).getEntity();
        JsonNode ours = null;
        for (JsonNode p : JSON.readTree(plugins)) {
            if (p.get("class").asText().equals(CONNECTOR_CLASS)) {
                ours = p;
            }
        }
        assertThat(ours).as("plugins listed: %s", plugins).isNotNull();
        assertThat(ours.get("type").asText()).isEqualTo("source");
        assertThat(ours.get("version").asText()).isEqualTo(System.getProperty("capstream.connect.version"));

        Path lib = Files.list(pluginPath).findFirst().orElseThrow().resolve("lib");
        List<String> jars = Files.list(lib).map(p -> p.getFileName().toString()).sorted().toList();
        assertThat(jars).anyMatch(j -> j.startsWith("connector-kafka")).anyMatch(j -> j.startsWith("capture-native"))
                .anyMatch(j -> j.startsWith("schemas")).anyMatch(j -> j.startsWith("avro"));
        assertThat(jars).as("the worker provides these; the sidecar's broker kit is not the plugin's")
                .noneMatch(j -> j.startsWith("kafka-clients") || j.startsWith("connect-api") || j.startsWith("kafka_")
                        || j.startsWith("kafka-test-common") || j.startsWith("kafka-server") || j.startsWith("log4j")
                        || j.startsWith("slf4j") || j.startsWith("picocli") || j.startsWith("scala"));
        assertThat(Files.list(pluginPath).findFirst().orElseThrow().resolve("manifest.json")).exists();
    }

    @Test
    void theValidateEndpointShowsEachBadValueAtItsField() {
        Map<String, String> config = new HashMap<>(Map.of(
                "connector.class", CONNECTOR_CLASS, "name", "bad", "topic", "t", "tasks.max", "1",
                "capture.interfaces", "eth0",
                "capture.fanout.mode", "roundrobin",
                "capture.fanout.members", "0",
                "record.mode", "batch",
                "record.key", "flow",
                "value.format", "bytes"));
        ConfigInfos result = connect.validateConnectorConfig("CaptureSourceConnector", config);
        Map<String, List<String>> errors = new HashMap<>();
        for (ConfigInfo info : result.configs()) {
            if (info.configValue() != null && !info.configValue().errors().isEmpty()) {
                errors.put(info.configValue().name(), info.configValue().errors());
            }
        }
        assertThat(errors.get("capture.fanout.mode")).singleElement().asString().contains("not one of hash, lb, cpu, rnd, qm");
        assertThat(errors.get("capture.fanout.members")).singleElement().asString().contains("out of range: need 1 to 256");
        assertThat(errors.get("record.key")).singleElement().asString().contains("cannot be keyed by flow");
        assertThat(errors.get("registry.url")).singleElement().asString().contains("needs a schema registry");
        assertThat(result.errorCount()).isEqualTo(4);
        assertThat(result.groups()).contains("Capture", "Ring", "Records", "Schema registry", "Backpressure");
    }

    @Test
    void framesBecomeStructRecordsThatJsonConverterWrites() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            String name = "json-" + lab.hostInterface();
            String topic = name;
            connect.kafka().createTopic(topic, 1);
            Map<String, String> config = connector(name, topic, lab.hostInterface(), 1);
            config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
            config.put("value.converter.schemas.enable", "true");
            config.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
            connect.configureConnector(name, config);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(name, 1, "capture task running");

            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                byte[] frame = TestFrames.udp(100 + 10 * i, i, i % 4);
                sent.add(frame);
                injector.send(frame);
            }
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            connect.kafka().consume(20, 30_000, topic).forEach(records::add);
            assertThat(records).hasSize(20);
            long now = System.currentTimeMillis();
            for (int i = 0; i < 20; i++) {
                JsonNode message = JSON.readTree(records.get(i).value());
                assertThat(message.at("/schema/name").asText()).isEqualTo("dev.capstream.avro.CapturedFrame");
                JsonNode v = message.get("payload");
                assertThat(v.get("interface_name").asText()).isEqualTo(lab.hostInterface());
                assertThat(v.get("split").asText()).isEqualTo("afpacket:" + lab.hostInterface());
                assertThat(v.get("captured_length").asInt()).isEqualTo(sent.get(i).length);
                assertThat(v.get("wire_length").asInt()).isEqualTo(sent.get(i).length);
                assertThat(v.get("sequence").asLong()).isEqualTo(i);
                assertThat(v.get("kernel_drops").asLong()).isZero();
                assertThat(v.get("link_type").asInt()).isEqualTo(1);
                assertThat(Base64.getDecoder().decode(v.get("data").asText())).isEqualTo(sent.get(i));
                // The record's Kafka timestamp is the capture time, to the millisecond of the ns field.
                assertThat(records.get(i).timestamp()).isEqualTo(Math.floorDiv(v.get("timestamp").asLong(), 1_000_000L))
                        .isBetween(now - 60_000, now);
                assertThat(JSON.readTree(records.get(i).key()).get("schema").get("type").asText()).isEqualTo("int64");
            }
            connect.deleteConnector(name);
        }
    }

    @Test
    void theBytesFastPathWritesConfluentWireFormatThatTheRegistryDecodes() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        ApicurioRegistry apicurio = registry.get(150, TimeUnit.SECONDS);
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            String name = "bytes-" + lab.hostInterface();
            String topic = name;
            connect.kafka().createTopic(topic, 1);
            Map<String, String> config = connector(name, topic, lab.hostInterface(), 1);
            config.put("value.format", "bytes");
            config.put("registry.url", apicurio.confluentUrl());
            config.put("record.key", "split");
            config.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
            config.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
            connect.configureConnector(name, config);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(name, 1, "capture task running");

            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                byte[] frame = TestFrames.udp(64 + 50 * i, 100 + i);
                sent.add(frame);
                injector.send(frame);
            }
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            connect.kafka().consume(10, 30_000, topic).forEach(records::add);
            assertThat(records).hasSize(10);
            try (SchemaRegistryClient client = new SchemaRegistryClient(apicurio.confluentUrl())) {
                RecordDecoder decoder = new RecordDecoder(client);
                for (int i = 0; i < 10; i++) {
                    byte[] value = records.get(i).value();
                    assertThat(value[0]).as("Confluent magic byte").isZero();
                    RecordDecoder.Decoded decoded = decoder.decode(value);
                    assertThat(decoded.kind()).isEqualTo(RecordDecoder.Kind.CAPTURED_FRAME);
                    assertThat(decoded.split()).isEqualTo("afpacket:" + lab.hostInterface());
                    RecordDecoder.DecodedFrame frame = decoded.frames().getFirst();
                    assertThat(frame.sequence()).isEqualTo(i);
                    assertThat(frame.interfaceName()).isEqualTo(lab.hostInterface());
                    assertThat(frame.data()).isEqualTo(sent.get(i));
                    assertThat(new String(records.get(i).key(), java.nio.charset.StandardCharsets.UTF_8))
                            .isEqualTo("afpacket:" + lab.hostInterface());
                }
            }
            connect.deleteConnector(name);
        }
    }

    @Test
    void twoTasksOnOneInterfaceAreTwoMembersOfOneFanoutGroupAndBothCapture() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            String name = "fanout-" + lab.hostInterface();
            String topic = name;
            connect.kafka().createTopic(topic, 2);
            Map<String, String> config = connector(name, topic, lab.hostInterface() + ":2", 2);
            config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
            config.put("value.converter.schemas.enable", "false");
            connect.configureConnector(name, config);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(name, 2, "two capture tasks running");
            List<String> groups = connect.taskConfigs(name).stream()
                    .map(t -> t.config().get("capstream.task.fanout.group.id")).toList();
            assertThat(groups).hasSize(2).doesNotContain("-1");
            assertThat(groups.get(0)).isEqualTo(groups.get(1));

            int flows = 32;
            int perFlow = 5;
            for (int round = 0; round < perFlow; round++) {
                for (int flow = 0; flow < flows; flow++) {
                    injector.send(TestFrames.udp(128, round * flows + flow, flow));
                }
            }
            Map<String, Integer> perSplit = new HashMap<>();
            Map<String, Integer> portsToSplit = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : connect.kafka().consume(flows * perFlow, 30_000, topic)) {
                JsonNode v = JSON.readTree(r.value());
                String split = v.get("split").asText();
                perSplit.merge(split, 1, Integer::sum);
                byte[] data = Base64.getDecoder().decode(v.get("data").asText());
                int sourcePort = ((data[34] & 0xff) << 8) | (data[35] & 0xff);
                // hash fanout: every frame of a flow goes to the same member
                assertThat(portsToSplit.merge(String.valueOf(sourcePort), split.hashCode(), (a, b) -> a.equals(b) ? a : -1))
                        .as("flow with source port %d stays on one member", sourcePort).isNotEqualTo(-1);
            }
            assertThat(perSplit).containsOnlyKeys("afpacket:" + lab.hostInterface() + "#0/2",
                    "afpacket:" + lab.hostInterface() + "#1/2");
            assertThat(perSplit.values()).allMatch(n -> n > 0);
            assertThat(perSplit.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(flows * perFlow);
            connect.deleteConnector(name);
        }
    }

    @Test
    void aTaskWithoutItsInterfaceFailsSayingSoAndTheWorkerCarriesOn() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            String healthy = "healthy-" + lab.hostInterface();
            connect.kafka().createTopic(healthy, 1);
            Map<String, String> good = connector(healthy, healthy, lab.hostInterface(), 1);
            good.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
            good.put("value.format", "bytes");
            good.put("value.bytes.framing", "single-object");
            good.put("record.key", "none");
            connect.configureConnector(healthy, good);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(healthy, 1, "healthy connector running");

            String missing = "missing-" + lab.hostInterface();
            connect.configureConnector(missing, connector(missing, missing, "nosuch" + lab.hostInterface().substring(3), 1));
            connect.assertions().assertConnectorIsRunningAndTasksHaveFailed(missing, 1, "the task cannot capture");
            ConnectorStateInfo status = connect.connectorStatus(missing);
            String trace = status.tasks().getFirst().trace();
            assertThat(trace).contains("interface 'nosuch" + lab.hostInterface().substring(3) + "' not found on this host;"
                    + " interfaces here: ").contains(lab.hostInterface()).contains("a standalone worker per host");

            // The worker goes on: the other connector still runs and still captures.
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(healthy, 1, "healthy connector still running");
            injector.send(TestFrames.udp(200, 1));
            assertThat(connect.kafka().consume(1, 30_000, healthy).count()).isEqualTo(1);
            assertThat(connect.connectorStatus(healthy).tasks().getFirst().version())
                    .isEqualTo(System.getProperty("capstream.connect.version"));
            connect.deleteConnector(missing);
            connect.deleteConnector(healthy);
        }
    }

    @Test
    void underAThrottledProducerTheRingIsHeldBackDropsAreCountedAndMemoryStaysBounded() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab);
                Admin admin = connect.kafka().createAdminClient()) {
            String name = "bp-" + lab.hostInterface();
            connect.kafka().createTopic(name, 1);
            ClientQuotaEntity producer = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, "connector-producer-" + name + "-0"));
            admin.alterClientQuotas(List.of(new ClientQuotaAlteration(producer,
                    List.of(new ClientQuotaAlteration.Op("producer_byte_rate", 20_000.0))))).all().get(30, TimeUnit.SECONDS);

            int maxUnackedFrames = 100;
            Map<String, String> config = connector(name, name, lab.hostInterface(), 1);
            config.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
            config.put("value.format", "bytes");
            config.put("value.bytes.framing", "single-object");
            config.put("record.key", "none");
            config.put("capture.ring.block.size", "65536");
            config.put("capture.ring.blocks", "4");
            config.put("backpressure.max.unacked.frames", String.valueOf(maxUnackedFrames));
            config.put("backpressure.max.unacked.bytes", String.valueOf(1 << 20));
            connect.configureConnector(name, config);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(name, 1, "capture task running");

            int sent = 3_000;
            for (int i = 0; i < sent; i++) {
                injector.send(TestFrames.udp(1000, i));
            }
            ObjectName mbean = new ObjectName("kafka.connect:type=plugins,connector=" + name + ",task=0");
            var server = ManagementFactory.getPlatformMBeanServer();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (metric(server, mbean, "kernel-drops") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            long drops = metric(server, mbean, "kernel-drops");
            long captured = metric(server, mbean, "frames-captured");
            System.out.printf("backpressure: sent=%d captured=%d acknowledged=%d kernel_drops=%d (backpressure %d)"
                            + " peak_unacked_frames=%d peak_unacked_bytes=%d saturations=%d%n", sent, captured,
                    metric(server, mbean, "frames-acknowledged"), drops, metric(server, mbean, "kernel-drops-backpressure"),
                    metric(server, mbean, "frames-unacknowledged-peak"), metric(server, mbean, "bytes-unacknowledged-peak"),
                    metric(server, mbean, "backpressure-saturations"));
            assertThat(drops).as("the kernel dropped what the held-back ring could not hold").isPositive();
            assertThat(metric(server, mbean, "kernel-drops-backpressure")).as("and they are put down to backpressure")
                    .isPositive();
            assertThat(metric(server, mbean, "backpressure-saturations")).isPositive();
            assertThat(metric(server, mbean, "frames-unacknowledged-peak")).as("memory bound in frames")
                    .isLessThanOrEqualTo(maxUnackedFrames);
            assertThat(metric(server, mbean, "bytes-unacknowledged-peak")).as("memory bound in bytes")
                    .isLessThanOrEqualTo(1 << 20);
            assertThat(captured + drops).as("nothing counted twice").isLessThanOrEqualTo(sent);
            assertThat(metric(server, mbean, "kernel-frames-seen")).isGreaterThanOrEqualTo(captured + drops);

            admin.alterClientQuotas(List.of(new ClientQuotaAlteration(producer,
                    List.of(new ClientQuotaAlteration.Op("producer_byte_rate", null))))).all().get(30, TimeUnit.SECONDS);
            connect.deleteConnector(name);
        }
    }

    @Test
    void aPcapSplitIsATaskOfItsOwnAndNeedsNoPrivileges() throws Exception {
        Path file = pluginPath.resolveSibling(pluginPath.getFileName() + "-trace.pcap");
        var pcap = dev.capstream.capture.lab.CaptureFileBuilder.pcap(java.nio.ByteOrder.LITTLE_ENDIAN, true, 1, 65535);
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            byte[] frame = TestFrames.udp(80 + i, i);
            frames.add(frame);
            pcap.packet(1_700_000_000_000_000_000L + i * 1_000L, frame.length, frame);
        }
        Files.write(file, pcap.toBytes());
        try {
            String name = "pcap-split";
            connect.kafka().createTopic(name, 1);
            Map<String, String> config = connector(name, name, "", 1);
            config.put("capture.splits", "pcap:" + file);
            config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
            config.put("value.converter.schemas.enable", "false");
            connect.configureConnector(name, config);
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(name, 1, "pcap task running");
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            connect.kafka().consume(12, 30_000, name).forEach(records::add);
            for (int i = 0; i < 12; i++) {
                JsonNode v = JSON.readTree(records.get(i).value());
                assertThat(v.get("split").asText()).isEqualTo("pcap:" + file);
                assertThat(v.get("timestamp").asLong()).as("nanoseconds survive").isEqualTo(1_700_000_000_000_000_000L + i * 1_000L);
                assertThat(v.get("timestamp_source").asText()).isEqualTo("FILE");
                assertThat(Base64.getDecoder().decode(v.get("data").asText())).isEqualTo(frames.get(i));
            }
            connect.deleteConnector(name);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static long metric(javax.management.MBeanServer server, ObjectName name, String attribute) throws Exception {
        if (!server.isRegistered(name)) {
            return 0;
        }
        return ((Number) server.getAttribute(name, attribute)).longValue();
    }

    private static Map<String, String> connector(String name, String topic, String interfaces, int tasks) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", CONNECTOR_CLASS);
        config.put("name", name);
        config.put("tasks.max", String.valueOf(tasks));
        config.put("topic", topic);
        config.put("capture.interfaces", interfaces);
        config.put("poll.timeout.ms", "200");
        return config;
    }

    private static void unzip(Path zip, Path into) throws IOException {
        try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in)) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                Path target = into.resolve(e.getName()).normalize();
                if (!target.startsWith(into)) {
                    throw new IOException("zip entry outside the target: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(z, target);
                }
            }
        }
    }
}
