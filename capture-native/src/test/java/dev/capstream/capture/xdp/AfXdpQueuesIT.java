package dev.capstream.capture.xdp;

import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Several flows over a two-queue veth pair: one {@code afxdp:} split per queue, sharing the
 * interface's program. The sending veth spreads flows over its TX queues by flow hash, and the
 * receiving end's RX queue is the sender's TX queue.
 */
@Timeout(60)
class AfXdpQueuesIT {

    private static final int QUEUES = 2;

    @BeforeEach
    void requireLab() {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        assumeTrue(AfXdp.isAvailable(), AfXdp.unavailableReason());
    }

    @Test
    void flowsSpreadOverTwoQueuesArriveExactlyOnceThroughOneSplitPerQueue() throws Exception {
        String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt(1 << 20)).substring(3);
        String host = "x18h" + suffix;
        String peer = "x18p" + suffix;
        String ns = "x18-" + suffix;
        try {
            ip("netns", "add", ns);
            ip("link", "add", host, "numtxqueues", "2", "numrxqueues", "2", "type", "veth", "peer", "name", peer,
                    "numtxqueues", "2", "numrxqueues", "2", "netns", ns);
            sysctl("/proc/sys/net/ipv6/conf/" + host + "/disable_ipv6");
            ip("netns", "exec", ns, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/" + peer + "/disable_ipv6");
            ip("link", "set", host, "up");
            ip("-n", ns, "link", "set", peer, "up");

            int flows = 64;
            int perFlow = 5;
            Map<Long, Integer> queueOf = new HashMap<>();
            try (SplitReader q0 = AfXdp.open(new SplitAddress.AfXdp(host, 0));
                 SplitReader q1 = AfXdp.open(new SplitAddress.AfXdp(host, 1));
                 FrameInjector injector = FrameInjector.open(ns, peer)) {
                assertThat(XdpLinks.show(host)).as("one program for both queues").containsOnlyOnce("prog/xdp");
                long seq = 0;
                for (int f = 0; f < flows; f++) {
                    for (int i = 0; i < perFlow; i++) {
                        injector.send(TestFrames.udp(128, seq++, f));
                    }
                }
                List<SplitReader> readers = List.of(q0, q1);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (queueOf.size() < flows * perFlow && System.nanoTime() < deadline) {
                    for (int q = 0; q < QUEUES; q++) {
                        FrameCursor c = readers.get(q).poll(20);
                        if (c == null) {
                            continue;
                        }
                        while (c.next()) {
                            long s = TestFrames.sequenceOf(c.bytes());
                            assertThat(queueOf.put(s, q)).as("frame %d seen twice", s).isNull();
                            assertThat(c.bytes().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 0x02);
                        }
                        readers.get(q).release();
                    }
                }
            }
            assertThat(queueOf).hasSize(flows * perFlow);
            assertThat(queueOf.values()).as("both queues carried frames").contains(0, 1);
            // A flow stays on its queue: the hash is per flow.
            Map<Long, Integer> flowQueue = new HashMap<>();
            for (var e : queueOf.entrySet()) {
                long flow = e.getKey() / perFlow;
                Integer before = flowQueue.putIfAbsent(flow, e.getValue());
                assertThat(before == null || before.equals(e.getValue())).as("flow %d on one queue", flow).isTrue();
            }
        } finally {
            ipAllowingFailure("link", "del", host);
            ipAllowingFailure("netns", "del", ns);
        }
    }

    private static void sysctl(String path) throws IOException {
        if (java.nio.file.Files.exists(java.nio.file.Path.of(path))) {
            java.nio.file.Files.writeString(java.nio.file.Path.of(path), "1\n");
        }
    }

    private static void ip(String... args) throws Exception {
        int rc = runIp(args);
        assertThat(rc).as("ip " + String.join(" ", args)).isZero();
    }

    private static void ipAllowingFailure(String... args) {
        try {
            runIp(args);
        } catch (Exception ignored) {
            // cleanup of something that may not exist
        }
    }

    private static int runIp(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "ip";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        if (p.exitValue() != 0) {
            System.err.println("ip " + String.join(" ", args) + ": " + out.strip());
        }
        return p.exitValue();
    }
}
