package dev.capstream.capture.pcap;

import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.TimestampSource;
import java.io.ByteArrayInputStream;
import java.lang.foreign.ValueLayout;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads whole files into copied frames, for assertions. */
final class ReadFrames {

    /** A frame copied out of the reader. */
    record F(long timestampNanos, int captureLength, int wireLength, int interfaceIndex, String interfaceName,
            int linkType, int packetType, TimestampSource source, byte[] data) {}

    private ReadFrames() {}

    static PcapFileReader open(byte[] file, PcapReadOptions options) {
        return PcapFileReader.open(new SplitAddress.PcapFile(Path.of("test.pcapng")),
                Channels.newChannel(new ByteArrayInputStream(file)), options);
    }

    static List<F> readAll(byte[] file) {
        try (PcapFileReader reader = open(file, PcapReadOptions.defaults())) {
            return drain(reader);
        }
    }

    static List<F> drain(SplitReader reader) {
        List<F> frames = new ArrayList<>();
        int polls = 0;
        while (!reader.finished()) {
            if (++polls > 1_000_000) {
                throw new AssertionError("reader never finished");
            }
            FrameCursor c = reader.poll(1000);
            if (c == null) {
                continue;
            }
            try {
                while (c.next()) {
                    frames.add(new F(c.timestampNanos(), c.captureLength(), c.wireLength(), c.interfaceIndex(),
                            reader.interfaceName(c.interfaceIndex()), reader.linkType(c.interfaceIndex()), c.packetType(),
                            c.timestampSource(), c.bytes().toArray(ValueLayout.JAVA_BYTE)));
                }
            } finally {
                reader.release();
            }
        }
        return frames;
    }
}
