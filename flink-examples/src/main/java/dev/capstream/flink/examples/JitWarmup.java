package dev.capstream.flink.examples;

import dev.capstream.capture.pcap.PcapNgWriter;
import dev.capstream.flink.deserializer.FrameDeserializer;
import dev.capstream.flink.source.CaptureSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Compiles the live job's per-frame path before it is measured: the same pipeline (capture source
 * -> counting filter -> discarding sink) over a pcapng file of frames of the measured size, in a
 * bounded job of its own in this JVM. Conversion, fetch hand-off, emission, the chained copy and the
 * filter are shared with the live job; only the ring walk is not. Without it the JIT compiles the
 * hot path inside the measured window, on the one CPU the harness gives a reader (the sidecar's
 * bench-capture warms up before {@code ready} for the same reason).
 */
final class JitWarmup {

    private JitWarmup() {
    }

    static void run(Configuration conf, int frames, int frameBytes, FrameDeserializer<?> records) throws Exception {
        if (frames <= 0) {
            return;
        }
        Path file = Files.createTempFile("capstream-flink-warmup-", ".pcapng");
        try {
            write(file, frames, frameBytes);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(1);
            CaptureThroughputJob.discard(env, CaptureSource.builder().pcapFiles(file).build(records), "warm-up");
            env.execute("capstream benchmark warm-up");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void write(Path file, int frames, int frameBytes) throws IOException {
        byte[] frame = new byte[frameBytes];
        frame[12] = 0x08;   // EtherType IPv4, as the generator's frames
        try (PcapNgWriter writer = PcapNgWriter.create(file)) {
            int ifc = writer.addInterface("warmup0", 1, 65535);
            long t = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < frames; i++) {
                writer.writePacket(ifc, t + i, frameBytes, 0, frame);
            }
        }
    }
}
