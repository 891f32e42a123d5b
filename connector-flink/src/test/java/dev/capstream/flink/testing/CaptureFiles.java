package dev.capstream.flink.testing;

import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.pcap.PcapNgWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** pcapng files of {@link TestFrames}, and what a reader must find in them. */
public final class CaptureFiles {

    /** One frame as written. */
    public record Written(long timestampNanos, String interfaceName, byte[] data) {
    }

    private CaptureFiles() {
    }

    /**
     * Writes {@code count} frames of varying sizes, alternating over {@code interfaces}, one
     * millisecond (plus a few nanoseconds, to prove they survive) apart from {@code startNanos}.
     */
    public static List<Written> write(Path file, long startNanos, int count, String... interfaces) {
        List<Written> written = new ArrayList<>(count);
        try (PcapNgWriter writer = PcapNgWriter.create(file)) {
            int[] ids = new int[interfaces.length];
            for (int i = 0; i < interfaces.length; i++) {
                ids[i] = writer.addInterface(interfaces[i], 1, 0);
            }
            for (int i = 0; i < count; i++) {
                int size = TestFrames.MIN_SIZE + (i * 37) % (TestFrames.MAX_SIZE - TestFrames.MIN_SIZE);
                byte[] frame = TestFrames.udp(size, i);
                long ts = startNanos + i * 1_000_000L + i % 1000;
                int iface = i % interfaces.length;
                writer.writePacket(ids[iface], ts, frame.length, 3, frame); // 3: other host
                written.add(new Written(ts, interfaces[iface], frame));
            }
        }
        return written;
    }
}
