package dev.capstream.capture.pcap;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.capstream.capture.FrameCursor;
import java.lang.foreign.ValueLayout;

/**
 * Any bytes given to the pcap/pcapng reader end in frames or a {@link PcapFormatException}: no other
 * exception, no endless loop (Jazzer's timeout), no memory beyond the configured limit. In
 * regression mode (every build) this replays the seed corpus in {@code PcapReaderFuzzTestInputs};
 * with {@code JAZZER_FUZZ=1} (the {@code fuzz} profile, CI) it fuzzes for a bounded time.
 */
class PcapReaderFuzzTest {

    private static final PcapReadOptions SMALL = PcapReadOptions.defaults().withMaxBlockBytes(64 * 1024).withFramesPerBlock(16);

    @FuzzTest(maxDuration = "25s")
    void anyBytesGiveFramesOrAFormatError(byte[] file) {
        try (PcapFileReader reader = ReadFrames.open(file, SMALL)) {
            for (int polls = 0; !reader.finished(); polls++) {
                if (polls > file.length + 10) {
                    throw new AssertionError("no end after " + polls + " polls of a " + file.length + "-byte file");
                }
                FrameCursor c = reader.poll(0);
                if (c == null) {
                    continue;
                }
                while (c.next()) {
                    long size = c.bytes().byteSize();
                    if (size != c.captureLength() || size > SMALL.maxBlockBytes()) {
                        throw new AssertionError("frame of " + size + " bytes, captureLength " + c.captureLength());
                    }
                    if (size > 0) {
                        c.bytes().get(ValueLayout.JAVA_BYTE, size - 1);
                    }
                    reader.interfaceName(c.interfaceIndex());
                }
                reader.release();
            }
        } catch (PcapFormatException expected) {
            if (expected.offset() < 0 || expected.offset() > file.length + 8) {
                throw new AssertionError("offset " + expected.offset() + " outside a " + file.length + "-byte file", expected);
            }
        }
    }
}
