package dev.capstream.benchmarks;

import dev.capstream.avro.CapturedFrame;
import dev.capstream.capture.InterfaceTable;
import dev.capstream.flink.deserializer.FrameDeserializer;
import dev.capstream.flink.deserializer.FrameOrigin;
import dev.capstream.flink.deserializer.CapturedFrameTypeInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The Flink source's per-frame work: a {@link CapturedFrame} built from a frame in native memory
 * (the record object plus a copy of the bytes, which Flink needs, since the ring block goes back
 * to the kernel), and that record written by flink-avro's serializer, as it is when it crosses a
 * network exchange between operators; and the same for the {@code byte[]} records of
 * {@link FrameDeserializer#bytes()}. Per frame ({@value #FRAMES} per invocation); run with
 * {@code -prof gc} for the bytes allocated per frame:
 * {@code java -jar benchmarks/target/benchmarks.jar -prof gc -p frameSize=64 FlinkRecordBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class FlinkRecordBenchmark {

    static final int FRAMES = 64;

    private static final InterfaceTable ONE_INTERFACE = new InterfaceTable() {
        @Override
        public String interfaceName(int index) {
            return "eth0";
        }

        @Override
        public int linkType(int index) {
            return 1;
        }
    };

    @Param({"64", "1514"})
    int frameSize;

    private Arena arena;
    private NativeFrames frames;
    private final FrameDeserializer<CapturedFrame> converter = FrameDeserializer.capturedFrames();
    private final FrameDeserializer<byte[]> bytesDeserializer = FrameDeserializer.bytes();
    /** The serializer Flink picks for {@code byte[]} ({@link FrameDeserializer#bytes()}'s type). */
    private final TypeSerializer<byte[]> bytesSerializer =
            bytesDeserializer.getProducedType().createSerializer((SerializerConfig) null);
    private final FrameOrigin origin = new FrameOrigin("probe-1", "afpacket:eth0#0/2", ONE_INTERFACE);
    private final TypeSerializer<CapturedFrame> serializer =
            CapturedFrameTypeInfo.INSTANCE.createSerializer((SerializerConfig) null);
    private final DataOutputSerializer out = new DataOutputSerializer(16 * 1024);
    /** flink-avro's plain serializer, whose copy is Avro's generic deepCopy: the copy before capstream's own. */
    private final TypeSerializer<CapturedFrame> avroSerializer = new AvroSerializer<>(CapturedFrame.class);
    private CapturedFrame record;
    private byte[] bytesRecord;
    private long sequence;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        frames = new NativeFrames(arena, frameSize, FRAMES);
        frames.next();
        record = converter.convert(frames, origin, 0, 0);
        bytesRecord = bytesDeserializer.convert(frames, origin, 0, 0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** What a fetch does per frame: build the record, copying the bytes out of the block. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void convert(Blackhole sink) {
        frames.rewind();
        while (frames.next()) {
            sink.consume(converter.convert(frames, origin, sequence++, 0));
        }
    }

    /** Build the record and serialize it with flink-avro, as a network exchange does. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int convertAndSerialize() throws IOException {
        frames.rewind();
        int bytes = 0;
        while (frames.next()) {
            out.clear();
            serializer.serialize(converter.convert(frames, origin, sequence++, 0), out);
            bytes += out.length();
        }
        return bytes;
    }

    /**
     * The copy Flink makes of each record for every chained operator (object reuse off, the
     * default): {@link CapturedFrameTypeInfo}'s field-by-field copy.
     */
    @Benchmark
    public CapturedFrame chainedCopy() {
        return serializer.copy(record);
    }

    /** The same copy by flink-avro's own AvroSerializer (Avro's generic deepCopy), for the same-run ratio. */
    @Benchmark
    public CapturedFrame chainedCopyAvroDeepCopy() {
        return avroSerializer.copy(record);
    }

    /** What a fetch does per frame with {@link FrameDeserializer#bytes()}: copy the bytes out of the block. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void convertBytes(Blackhole sink) {
        frames.rewind();
        while (frames.next()) {
            sink.consume(bytesDeserializer.convert(frames, origin, sequence++, 0));
        }
    }

    /** The bytes record serialized by Flink's byte[] serializer, as a network exchange does. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int convertBytesAndSerialize() throws IOException {
        frames.rewind();
        int bytes = 0;
        while (frames.next()) {
            out.clear();
            bytesSerializer.serialize(bytesDeserializer.convert(frames, origin, sequence++, 0), out);
            bytes += out.length();
        }
        return bytes;
    }

    /** The copy Flink makes of a bytes record for every chained operator (object reuse off): a new array. */
    @Benchmark
    public byte[] chainedCopyBytes() {
        return bytesSerializer.copy(bytesRecord);
    }
}
