package dev.capstream.benchmarks;

import dev.capstream.capture.InterfaceTable;
import dev.capstream.records.CapturedFrameEncoder;
import dev.capstream.records.EncodeBuffer;
import dev.capstream.records.FrameBatchEncoder;
import dev.capstream.records.WireFormat;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The encoders on the per-frame path, writing from native memory into a reused buffer. Every
 * benchmark handles {@value #FRAMES} frames per invocation, so the scores (and the GC profiler's
 * {@code gc.alloc.rate.norm}) are per frame. Steady state must allocate nothing: run with
 * {@code -prof gc} and read {@code gc.alloc.rate.norm}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class EncoderBenchmark {

    static final int FRAMES = 64;

    /** Two named interfaces, as a pcapng file gives them. */
    private static final InterfaceTable INTERFACES = new InterfaceTable() {
        private final String[] names = {"eth0", "eth1"};

        @Override
        public String interfaceName(int index) {
            return names[index & 1];
        }

        @Override
        public int linkType(int index) {
            return 1;
        }
    };

    @Param({"64", "1514", "9000"})
    int frameSize;

    private Arena arena;
    private NativeFrames frames;
    private final CapturedFrameEncoder frameEncoder = new CapturedFrameEncoder("probe-1", "afpacket:eth0#0/2", "eth0", 1);
    private final FrameBatchEncoder batchEncoder = new FrameBatchEncoder("probe-1", "afpacket:eth0#0/2", 0);
    private final EncodeBuffer buffer = new EncodeBuffer(16 * 1024);
    private long sequence;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        frames = new NativeFrames(arena, frameSize, FRAMES);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** One CapturedFrame record per frame, with its Confluent header, as the capture loop sends them. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int capturedFrame() {
        frames.rewind();
        int bytes = 0;
        while (frames.next()) {
            buffer.reset();
            WireFormat.writeConfluentHeader(42, buffer);
            frameEncoder.encode(frames, sequence++, 0, buffer);
            bytes += buffer.length();
        }
        return bytes;
    }

    /** As {@link #capturedFrame()}, with each frame's interface name looked up and encoded per frame. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int capturedFrameWithInterfaceTable() {
        frames.rewind();
        int bytes = 0;
        while (frames.next()) {
            buffer.reset();
            WireFormat.writeConfluentHeader(42, buffer);
            frameEncoder.encode(frames, INTERFACES, sequence++, 0, buffer);
            bytes += buffer.length();
        }
        return bytes;
    }

    /** The same frames as one FrameBatch record. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int frameBatch() {
        frames.rewind();
        while (frames.next()) {
            batchEncoder.add(frames, INTERFACES);
        }
        buffer.reset();
        WireFormat.writeConfluentHeader(43, buffer);
        batchEncoder.finish(0, 0, buffer);
        return buffer.length();
    }
}
