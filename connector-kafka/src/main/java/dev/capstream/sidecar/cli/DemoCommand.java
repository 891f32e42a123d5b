package dev.capstream.sidecar.cli;

import dev.capstream.sidecar.broker.EmbeddedBroker;
import dev.capstream.sidecar.run.CaptureRun;
import dev.capstream.sidecar.run.RecordTimestamp;
import dev.capstream.capture.SplitAddress;
import dev.capstream.sidecar.demo.DemoFrames;
import dev.capstream.sidecar.demo.DemoLink;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The capture-into-Kafka job on throw-away parts: a veth pair in its own network namespace, "
                + "a bounded burst of test frames across it, capture into a topic on an embedded broker "
                + "(or --bootstrap-servers), a few records read back decoded, then everything it made removed.",
            "As root it makes a veth pair in its own network namespace (frames only cross that pair); "
                    + "otherwise it replays a pcap shipped in the jar through the same path."})
final class DemoCommand implements Callable<Integer> {

    private static final int[] SIZES = {64, 128, 512, 1024, 1514};
    private static final long TRAFFIC_TIME_LIMIT_MILLIS = 20_000;

    /** Live stats every second: the demo is short. */
    private static final CaptureRun.Pipeline DEMO_PIPELINE = new CaptureRun.Pipeline(
            dev.capstream.pipeline.RecordMode.frames(), dev.capstream.pipeline.RecordKeying.FLOW, 0.8, 0.5, 100, 1_000,
            dev.capstream.sidecar.run.KafkaClients.none(), 0, "127.0.0.1", 1_000, 15_000);

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--topic", defaultValue = "capstream-demo", paramLabel = "TOPIC",
            description = "Topic for the frames (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--frames", defaultValue = "2000", paramLabel = "N",
            description = "How many test frames to send across the veth pair, at most 1000000 (default: ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--show", defaultValue = "5", paramLabel = "N",
            description = "How many records to read back and print (default: ${DEFAULT-VALUE}).")
    int show;

    @Override
    public Integer call() throws Exception {
        if (frames < 1 || frames > 1_000_000) {
            throw new IllegalArgumentException("--frames must be between 1 and 1000000, got " + frames);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EmbeddedBroker broker = null;
        try {
            String bootstrap = connection.bootstrapServers;
            if (bootstrap == null) {
                broker = EmbeddedBroker.start();
                bootstrap = broker.bootstrapServers();
                err.println("embedded Kafka broker (KRaft, single node, in this process) listening at " + bootstrap);
            }
            if (connection.registryUrl() == null) {
                err.println("demo: no --registry-url, so records use Avro single-object encoding");
            }
            int code = DemoLink.unsupportedReason() == null ? captureOnVethPair(bootstrap, out, err) : replayBundledPcap(bootstrap, out, err);
            if (code != Main.EXIT_OK) {
                return code;
            }
            err.println("demo: the first " + show + " frames of topic " + topic + ", read back:");
            err.flush();
            return TailCommand.tail(bootstrap, topic, connection.kafkaClients(), connection.recordDecoder(), show, out, err);
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    private int captureOnVethPair(String bootstrap, PrintWriter out, PrintWriter err) throws InterruptedException {
        try (DemoLink lab = DemoLink.create()) {
            err.println("demo: veth pair " + lab.hostInterface() + " <-> " + lab.peerInterface()
                    + " (netns " + lab.namespace() + "); sending " + frames + " frames from the namespace side");
            err.flush();
            Thread[] traffic = new Thread[1];
            CaptureRun run = new CaptureRun("demo", new CaptureRun.Settings(List.of(SplitAddress.AfPacket.of(lab.hostInterface())),
                    topic, bootstrap, connection.registryUrl(), frames, TRAFFIC_TIME_LIMIT_MILLIS + 10_000)
                    .withPipeline(DEMO_PIPELINE.withKafka(connection.kafkaClients())), out, err);
            int code = run.execute(ignored -> traffic[0] = Thread.ofPlatform().name("demo-traffic")
                    .start(() -> send(lab, frames, err)));
            if (traffic[0] != null) {
                traffic[0].join(TRAFFIC_TIME_LIMIT_MILLIS);
            }
            return code;
        }
    }

    /** Without root there is no veth pair: the same path runs over a pcap shipped in the jar. */
    private int replayBundledPcap(String bootstrap, PrintWriter out, PrintWriter err) throws IOException {
        err.println("demo: not root (" + DemoLink.unsupportedReason() + "), so it replays the bundled demo/frames.pcap "
                + "instead of capturing live");
        Path pcap = Files.createTempFile("capstream-demo-", ".pcap");
        try (InputStream in = DemoCommand.class.getResourceAsStream("/demo/frames.pcap")) {
            Files.copy(Objects.requireNonNull(in, "demo/frames.pcap is missing from the jar"), pcap,
                    StandardCopyOption.REPLACE_EXISTING);
            // The shipped file's capture times are old: stamp records with the time of sending, as replay does.
            CaptureRun run = new CaptureRun("demo", new CaptureRun.Settings(List.of(new SplitAddress.PcapFile(pcap)),
                    topic, bootstrap, connection.registryUrl(), frames, TRAFFIC_TIME_LIMIT_MILLIS)
                    .withPipeline(DEMO_PIPELINE.withRecordTimestamp(RecordTimestamp.SEND)
                            .withKafka(connection.kafkaClients())), out, err);
            return run.execute(null);
        } finally {
            Files.deleteIfExists(pcap);
        }
    }

    /** A bounded burst (count and time), paced so the demo shows capture, not a drop test. */
    private static void send(DemoLink link, int frames, PrintWriter err) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TRAFFIC_TIME_LIMIT_MILLIS);
        try {
            for (int i = 0; i < frames && System.nanoTime() < deadline; i++) {
                link.send(DemoFrames.udp(SIZES[i % SIZES.length], i));
                if (i % 100 == 99) {
                    Thread.sleep(10);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            err.println("demo: sending test frames failed: " + Main.userMessage(e));
            err.flush();
        }
    }
}
