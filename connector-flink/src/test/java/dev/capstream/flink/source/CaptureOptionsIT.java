package dev.capstream.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.capture.ffi.LinuxConstants;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;
import dev.capstream.flink.testing.CollectingSink;
import dev.capstream.flink.testing.Waiting;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each capture option a Flink job sets (through the builder, from the capture spec) changes what
 * the job receives, on real frames over a veth pair in the default local cluster: the filter,
 * the snaplen, VLAN restoring and promiscuous mode. Needs root (CAP_NET_ADMIN for the veth pair).
 */
class CaptureOptionsIT {

    /** Test frames carry sequences below this; probes (sent until the job captures) above it. */
    private static final long PROBES = 1_000_000_000L;
    private static final int FILTERED_FLOW = 1;

    @BeforeEach
    void requireLab() {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
    }

    @Test
    void aFilterKeepsOnlyTheFramesItMatches() throws Exception {
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            CollectingSink<CapturedFrame> sink = CollectingSink.keeping(Kept::of);
            JobClient job = start(CaptureSource.builder().interfaces(lab.hostInterface())
                    .filter("udp src port " + (TestFrames.SOURCE_PORT + FILTERED_FLOW)).build(), sink);
            try {
                awaitCapturing(injector, sink, FILTERED_FLOW);
                for (int i = 0; i < 100; i++) {
                    injector.send(TestFrames.udp(100, i, i % 2));
                }
                Waiting.until(Duration.ofSeconds(30), "50 frames of the filtered flow", () -> testFrames(sink).size() >= 50);
                Thread.sleep(500); // room for a frame the filter should have dropped
                List<Kept> kept = testFrames(sink);
                assertThat(kept).hasSize(50).allMatch(k -> k.sourcePort() == TestFrames.SOURCE_PORT + FILTERED_FLOW);
                assertThat(kept).extracting(Kept::testSequence).allMatch(s -> s % 2 == 1);
            } finally {
                LiveCaptureIT.cancel(job);
            }
        }
    }

    @Test
    void aSnaplenCutsEachFrameAndKeepsItsWireLength() throws Exception {
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            CollectingSink<CapturedFrame> sink = CollectingSink.keeping(Kept::of);
            JobClient job = start(CaptureSource.builder().interfaces(lab.hostInterface()).snaplen(64).build(), sink);
            try {
                awaitCapturing(injector, sink, 0);
                for (int i = 0; i < 20; i++) {
                    injector.send(TestFrames.udp(600, i));
                }
                Waiting.until(Duration.ofSeconds(30), "20 frames", () -> testFrames(sink).size() >= 20);
                assertThat(testFrames(sink)).hasSize(20).allSatisfy(k -> {
                    assertThat(k.capturedLength()).isEqualTo(64);
                    assertThat(k.dataLength()).isEqualTo(64);
                    assertThat(k.wireLength()).isEqualTo(600);
                });
            } finally {
                LiveCaptureIT.cancel(job);
            }
        }
    }

    @Test
    void vlanTagsAreBackInTheBytesUnlessRestoringIsTurnedOff() throws Exception {
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            StreamExecutionEnvironment env = CaptureAnywhereIT.localEnvironment();
            CollectingSink<CapturedFrame> restored = CollectingSink.keeping(Kept::of);
            CollectingSink<CapturedFrame> stripped = CollectingSink.keeping(Kept::of);
            env.fromSource(CaptureSource.builder().interfaces(lab.hostInterface()).build(),
                    WatermarkStrategy.noWatermarks(), "restoring").setParallelism(1).sinkTo(restored).setParallelism(1);
            env.fromSource(CaptureSource.builder().interfaces(lab.hostInterface()).vlanRestore(false).build(),
                    WatermarkStrategy.noWatermarks(), "not restoring").setParallelism(1).sinkTo(stripped).setParallelism(1);
            JobClient job = env.executeAsync("capture with and without VLAN restoring");
            try {
                awaitCapturing(injector, restored, 0);
                awaitCapturing(injector, stripped, 0);
                for (int i = 0; i < 10; i++) {
                    injector.send(TestFrames.udpWithVlan(128, i, 0x2064));
                }
                Waiting.until(Duration.ofSeconds(30), "10 tagged frames in both sinks",
                        () -> testFrames(restored).size() >= 10 && testFrames(stripped).size() >= 10);
                assertThat(testFrames(restored)).hasSize(10).allSatisfy(k -> {
                    assertThat(k.etherType()).as("the 802.1Q TPID after the MACs").isEqualTo(0x8100);
                    assertThat(k.wireLength()).isEqualTo(128);
                    assertThat(k.vlanTci()).isEqualTo(0x2064);
                });
                assertThat(testFrames(stripped)).hasSize(10).allSatisfy(k -> {
                    assertThat(k.etherType()).as("IPv4 right after the MACs: the tag stays out").isEqualTo(0x0800);
                    assertThat(k.wireLength()).isEqualTo(124);
                    assertThat(k.vlanTci()).as("the tag is in the record either way").isEqualTo(0x2064);
                });
            } finally {
                LiveCaptureIT.cancel(job);
            }
        }
    }

    @Test
    void promiscuousModeIsOnWhileTheJobCapturesAndOffAfterIt() throws Exception {
        try (VethLab lab = VethLab.create(); FrameInjector injector = FrameInjector.open(lab)) {
            assertThat(lab.hostFlags() & LinuxConstants.IFF_PROMISC).as("promiscuous before the job").isZero();
            CollectingSink<CapturedFrame> sink = CollectingSink.keeping(Kept::of);
            JobClient job = start(CaptureSource.builder().interfaces(lab.hostInterface()).promiscuous(true).build(), sink);
            try {
                awaitCapturing(injector, sink, 0);
                assertThat(lab.hostFlags() & LinuxConstants.IFF_PROMISC).as("promiscuous while capturing").isNotZero();
            } finally {
                LiveCaptureIT.cancel(job);
            }
            Waiting.until(Duration.ofSeconds(30), "the promiscuous flag to be dropped with the socket",
                    () -> (lab.hostFlags() & LinuxConstants.IFF_PROMISC) == 0);
        }
    }

    private static JobClient start(CaptureSource source, CollectingSink<CapturedFrame> sink) throws Exception {
        StreamExecutionEnvironment env = CaptureAnywhereIT.localEnvironment();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "capture").setParallelism(1)
                .sinkTo(sink).setParallelism(1);
        return env.executeAsync("capture option");
    }

    /** Sends probe frames of a flow until one arrives: the job's socket is bound (and its filter attached). */
    private static void awaitCapturing(FrameInjector injector, CollectingSink<?> sink, int flow)
            throws InterruptedException {
        AtomicLong probe = new AtomicLong(PROBES);
        Waiting.untilWhile(Duration.ofSeconds(60), "the job to capture a probe frame",
                () -> injector.send(TestFrames.udp(100, probe.getAndIncrement(), flow)),
                () -> sink.<Kept>results().stream().anyMatch(k -> k.testSequence() >= PROBES));
    }

    private static List<Kept> testFrames(CollectingSink<?> sink) {
        return sink.<Kept>results().stream().filter(k -> k.testSequence() >= 0 && k.testSequence() < PROBES).toList();
    }

    /** What the tests look at in a record. */
    record Kept(long testSequence, int sourcePort, int etherType, int capturedLength, int wireLength, int dataLength,
            Integer vlanTci) implements Serializable {

        static Kept of(CapturedFrame frame) {
            ByteBuffer data = frame.getData().duplicate();
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            int etherType = bytes.length >= 14 ? (bytes[12] & 0xff) << 8 | bytes[13] & 0xff : -1;
            // The UDP source port of an untagged IPv4 frame: after 14 bytes of Ethernet and 20 of IP.
            int sourcePort = etherType == 0x0800 && bytes.length >= 36 ? (bytes[34] & 0xff) << 8 | bytes[35] & 0xff : -1;
            return new Kept(TestFrames.sequenceOf(bytes), sourcePort, etherType, frame.getCapturedLength(),
                    frame.getWireLength(), bytes.length, frame.getVlan() == null ? null : frame.getVlan().getTci());
        }
    }
}
