package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.sidecar.broker.EmbeddedBroker;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.VethLab;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** With {@code --key flow}, both directions of a TCP flow land in one partition, in capture order. */
class FlowKeyingIT {

    private static final int FLOWS = 16;
    private static final int ROUNDS = 20;

    @Test
    void bothDirectionsOfEachTcpFlowLandInOnePartitionInCaptureOrder() throws Exception {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        String topic = "flows-" + UUID.randomUUID();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try (EmbeddedBroker broker = EmbeddedBroker.start(); VethLab lab = VethLab.create();
                FrameInjector injector = FrameInjector.open(lab)) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topic, Optional.of(4), Optional.empty()))).all()
                        .get(30, TimeUnit.SECONDS);
            }
            int total = FLOWS * ROUNDS * 2;
            CompletableFuture<Integer> capture = CompletableFuture.supplyAsync(() -> Main.run(
                    new PrintWriter(out, true), new PrintWriter(err, true),
                    "capture", "--interface", lab.hostInterface(), "--topic", topic, "--key", "flow",
                    "--bootstrap-servers", broker.bootstrapServers(), "--count", String.valueOf(total),
                    "--duration", "60", "--metrics-port", "0"));
            CaptureToKafkaIT.awaitOutput(err, "capturing on", capture);
            for (int round = 0; round < ROUNDS; round++) {
                for (int flow = 0; flow < FLOWS; flow++) {
                    injector.send(tcp(flow, false, round));
                    injector.send(tcp(flow, true, round));
                }
            }
            assertThat(capture.get(60, TimeUnit.SECONDS)).as("stderr:%n%s", err).isZero();

            Map<Integer, List<TopicReader.Received>> byFlow = new HashMap<>();
            for (TopicReader.Received r : TopicReader.readAll(broker.bootstrapServers(), topic)) {
                byFlow.computeIfAbsent(flowOf(bytes(r.frame().getData())), f -> new ArrayList<>()).add(r);
            }
            assertThat(byFlow).hasSize(FLOWS);
            List<Integer> partitionsUsed = new ArrayList<>();
            byFlow.forEach((flow, records) -> {
                assertThat(records).as("flow %d, both directions", flow).hasSize(ROUNDS * 2);
                assertThat(records.stream().map(TopicReader.Received::partition).distinct().toList())
                        .as("partitions of flow %d", flow).hasSize(1);
                partitionsUsed.add(records.getFirst().partition());
                List<Long> sequences = records.stream().sorted(java.util.Comparator.comparingLong(TopicReader.Received::offset))
                        .map(r -> r.frame().getSequence()).toList();
                assertThat(sequences).as("capture order of flow %d", flow).isSorted();
            });
            assertThat(partitionsUsed.stream().distinct().count()).as("flows spread over partitions").isGreaterThan(1);
        }
    }

    /** An Ethernet/IPv4/TCP frame of flow {@code flow}, client to server or back. */
    static byte[] tcp(int flow, boolean reply, int round) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 20 + 8);
        byte[] clientMac = {0x02, 0x63, 0x73, 0x00, 0x01, 0x01};
        byte[] serverMac = {0x02, 0x63, 0x73, 0x00, 0x01, 0x02};
        byte[] clientIp = {127, 0, 1, (byte) (10 + flow)};
        byte[] serverIp = {127, 0, 2, 1};
        int clientPort = 30_000 + flow;
        int serverPort = 443;
        b.put(reply ? clientMac : serverMac).put(reply ? serverMac : clientMac).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 20 + 8)).putShort((short) round).putShort((short) 0)
                .put((byte) 64).put((byte) 6).putShort((short) 0)
                .put(reply ? serverIp : clientIp).put(reply ? clientIp : serverIp);
        b.putShort((short) (reply ? serverPort : clientPort)).putShort((short) (reply ? clientPort : serverPort))
                .putInt(round).putInt(round).put((byte) 0x50).put((byte) 0x18).putShort((short) 1024)
                .putShort((short) 0).putShort((short) 0);
        b.putLong(round);
        return b.array();
    }

    /** The flow a frame built by {@link #tcp} belongs to: the client's port, whichever direction. */
    private static int flowOf(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        int sport = b.getShort(34) & 0xffff;
        int dport = b.getShort(36) & 0xffff;
        return (sport == 443 ? dport : sport) - 30_000;
    }

    static byte[] bytes(ByteBuffer data) {
        byte[] out = new byte[data.remaining()];
        data.duplicate().get(out);
        return out;
    }
}
