package dev.capstream.sidecar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.sidecar.broker.EmbeddedBroker;
import dev.capstream.capture.lab.CaptureFileBuilder;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.pcap.PcapNgWriter;
import dev.capstream.testkit.ApicurioRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Capture files go through {@code capstream replay} into a real broker with a real Apicurio registry,
 * come back out through {@code capstream export}, and Wireshark's {@code tshark} reads the original
 * and the export: the same frames (bytes, nanosecond timestamps, wire and captured lengths, interface
 * names) must come out as went in. The expected bytes are also checked against tshark's own hash of
 * each frame, so the comparison does not rest on capstream's reader alone.
 */
class ReplayExportRoundTripIT {

    private static final long T0 = 1_763_000_000_123_456_789L;

    private static EmbeddedBroker broker;
    private static ApicurioRegistry registry;

    @TempDir
    Path dir;

    /** One frame as it was generated. */
    record Sent(long timestampNanos, int wireLength, byte[] data, String interfaceName) {}

    /** One frame as tshark shows it. */
    record Seen(BigDecimal epoch, int wireLength, int capturedLength, String interfaceName, String md5) {}

    @BeforeAll
    static void start() {
        assertThat(Path.of("/usr/bin/tshark")).as("tshark (Debian package tshark; .ci/run installs it)").isExecutable();
        broker = EmbeddedBroker.start();
        registry = ApicurioRegistry.start();
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void classicPcapLittleEndianMicrosecondsSurvivesReplayAndExport() throws Exception {
        List<Sent> sent = variety(1_000); // microsecond file: whole microseconds only
        CaptureFileBuilder.Pcap pcap = CaptureFileBuilder.pcap(ByteOrder.LITTLE_ENDIAN, false, 1, 65535);
        sent.forEach(s -> pcap.packet(s.timestampNanos(), s.wireLength(), s.data()));
        roundTrip("le-micros.pcap", pcap.toBytes(), sent, Names.NONE);
    }

    @Test
    void classicPcapBigEndianNanosecondsSurvivesReplayAndExport() throws Exception {
        List<Sent> sent = variety(1);
        CaptureFileBuilder.Pcap pcap = CaptureFileBuilder.pcap(ByteOrder.BIG_ENDIAN, true, 1, 65535);
        sent.forEach(s -> pcap.packet(s.timestampNanos(), s.wireLength(), s.data()));
        roundTrip("be-nanos.pcap", pcap.toBytes(), sent, Names.NONE);
    }

    @Test
    void pcapNgWithSeveralInterfacesKeepsTheirNames() throws Exception {
        List<Sent> base = variety(1);
        List<String> names = List.of("eth0", "eth1", "bond0.100");
        List<Sent> sent = new ArrayList<>();
        Path file = dir.resolve("three.pcapng");
        try (PcapNgWriter writer = PcapNgWriter.create(file)) {
            names.forEach(n -> writer.addInterface(n, 1, 0));
            for (int i = 0; i < base.size(); i++) {
                Sent s = base.get(i);
                int iface = (i * 7) % names.size();
                writer.writePacket(iface, s.timestampNanos(), s.wireLength(), -1, s.data());
                sent.add(new Sent(s.timestampNanos(), s.wireLength(), s.data(), names.get(iface)));
            }
        }
        roundTrip("three.pcapng", Files.readAllBytes(file), sent, Names.BOTH);
    }

    @Test
    void pcapNgWithTwoSectionsInBothByteOrdersAndResolutions() throws Exception {
        List<Sent> base = variety(1);
        CaptureFileBuilder.PcapNg file = CaptureFileBuilder.pcapng()
                .section(ByteOrder.BIG_ENDIAN).interfaceBlock(1, 0, "big0", 9, 0);
        List<Sent> sent = new ArrayList<>();
        int half = base.size() / 2;
        for (int i = 0; i < half; i++) {
            Sent s = base.get(i);
            file.enhancedPacket(0, s.timestampNanos(), s.wireLength(), s.data(), -1);
            sent.add(new Sent(s.timestampNanos(), s.wireLength(), s.data(), "big0"));
        }
        file.section(ByteOrder.LITTLE_ENDIAN).interfaceBlock(1, 0, "little0", 6, 0);
        for (int i = half; i < base.size(); i++) {
            Sent s = base.get(i);
            long micros = s.timestampNanos() / 1000;
            file.enhancedPacket(0, micros, s.wireLength(), s.data(), -1);
            sent.add(new Sent(micros * 1000, s.wireLength(), s.data(), "little0"));
        }
        // tshark 4.0 (Debian 12) names the second section's interface after the first section's
        // interface 0 (it does not restart interface numbering per section), so only the export's
        // names are compared here; the export has one section.
        roundTrip("sections.pcapng", file.toBytes(), sent, Names.EXPORT_ONLY);
    }

    /**
     * VLAN-tagged, IPv6, jumbo and snaplen-truncated frames, with timestamps that are multiples of
     * {@code resolution} nanoseconds.
     */
    private static List<Sent> variety(long resolution) {
        List<Sent> frames = new ArrayList<>();
        long t = T0 / resolution * resolution;
        for (int i = 0; i < 40; i++) {
            byte[] data;
            int wire;
            switch (i % 5) {
                case 0 -> { data = TestFrames.udpWithVlan(100 + i, i, 0x2000 | i); wire = data.length; }
                case 1 -> { data = CaptureFileBuilder.ipv6Udp(80 + i, i); wire = data.length; }
                case 2 -> { data = CaptureFileBuilder.ipv4Udp(9000, i); wire = data.length; }
                case 3 -> { data = Arrays.copyOf(TestFrames.udp(1514, i), 96); wire = 1514; }
                default -> { data = TestFrames.udp(60 + i, i); wire = data.length; }
            }
            frames.add(new Sent(t + i * 1_000L * resolution + (i % 3) * resolution, wire, data, null));
        }
        return frames;
    }

    /** Which files' interface names to compare (classic pcap has none). */
    private enum Names { NONE, BOTH, EXPORT_ONLY }

    private void roundTrip(String name, byte[] original, List<Sent> sent, Names names) throws Exception {
        Path source = dir.resolve(name);
        Files.write(source, original);
        Path exported = dir.resolve("export-" + name + ".pcapng");
        String topic = "roundtrip-" + UUID.randomUUID();

        Run replay = run("replay", "--pcap", source.toString(), "--topic", topic,
                "--bootstrap-servers", broker.bootstrapServers(), "--registry-url", registry.confluentUrl());
        assertThat(replay.exit).as("replay exit; stderr:%n%s", replay.err).isZero();
        SummaryLine replayed = SummaryLine.find(replay.out);
        assertThat(replayed.number("captured")).isEqualTo(sent.size());
        assertThat(replayed.number("delivered")).isEqualTo(sent.size());
        assertThat(replayed.number("failed")).isZero();
        assertThat(replayed.number("in_flight")).isZero();

        Run export = run("export", "--topic", topic, "--output", exported.toString(),
                "--bootstrap-servers", broker.bootstrapServers(), "--registry-url", registry.confluentUrl());
        assertThat(export.exit).as("export exit; stderr:%n%s", export.err).isZero();
        SummaryLine exportSummary = SummaryLine.find(export.out);
        assertThat(exportSummary.number("frames")).isEqualTo(sent.size());
        assertThat(exportSummary.number("undecodable")).isZero();

        List<Seen> expectedUnnamed = expected(sent, false);
        List<Seen> fromOriginal = tshark(source, names == Names.BOTH);
        List<Seen> fromExport = tshark(exported, names != Names.NONE);
        assertThat(fromOriginal).as("tshark on the original agrees with what was generated")
                .isEqualTo(expected(sent, names == Names.BOTH));
        assertThat(fromExport).as("tshark on the export").isEqualTo(expected(sent, names != Names.NONE));
        assertThat(tshark(exported, false)).as("the export against the original").isEqualTo(tshark(source, false))
                .isEqualTo(expectedUnnamed);
    }

    private static List<Seen> expected(List<Sent> sent, boolean withNames) {
        return sent.stream().map(s -> new Seen(epoch(s.timestampNanos()), s.wireLength(), s.data().length,
                withNames ? s.interfaceName() : null, md5(s.data()))).sorted(ORDER).toList();
    }

    private static final Comparator<Seen> ORDER = Comparator.comparing(Seen::epoch).thenComparing(Seen::md5);

    private static List<Seen> tshark(Path file, boolean withNames) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tshark", "-r", file.toString(), "-o", "frame.generate_md5_hash:TRUE",
                "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len",
                "-e", "frame.interface_name", "-e", "frame.md5_hash")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("tshark -r %s; output:%n%s", file, output).isZero();
        List<Seen> seen = new ArrayList<>();
        for (String line : output.lines().toList()) {
            String[] f = line.split("\t", -1);
            seen.add(new Seen(new BigDecimal(f[0]).stripTrailingZeros(), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                    withNames ? f[3] : null, f[4]));
        }
        seen.sort(ORDER);
        return seen;
    }

    private static BigDecimal epoch(long nanos) {
        return BigDecimal.valueOf(nanos, 9).stripTrailingZeros();
    }

    private static String md5(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }
}
