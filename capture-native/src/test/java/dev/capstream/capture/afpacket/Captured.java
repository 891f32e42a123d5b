package dev.capstream.capture.afpacket;

import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.TimestampSource;
import dev.capstream.capture.lab.TestFrames;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** A frame copied out of a ring with what the cursor said about it, and helpers to drain readers in tests. */
record Captured(int reader, byte[] bytes, int captureLength, int wireLength, int ifindex, TimestampSource source,
                boolean hasVlan, int vlanTci, int vlanTpid) {

    static final long DEADLINE_NANOS = 10_000_000_000L;

    long sequence() {
        return TestFrames.sequenceOf(bytes);
    }

    int sourcePort() {
        return TestFrames.sourcePortOf(MemorySegment.ofArray(bytes));
    }

    /**
     * Polls the readers in turn until {@code expected} of our test frames arrived (or 10 s passed),
     * then a few more short rounds, so that anything extra the kernel passed on shows up too.
     */
    static List<Captured> drain(int expected, SplitReader... readers) {
        List<Captured> seen = new ArrayList<>();
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (seen.size() < expected && System.nanoTime() < deadline) {
            drainOnce(seen, 50, readers);
        }
        for (int i = 0; i < 3; i++) {
            drainOnce(seen, 30, readers);
        }
        return seen;
    }

    static void drainOnce(List<Captured> into, long timeoutMillis, SplitReader... readers) {
        for (int r = 0; r < readers.length; r++) {
            FrameCursor c = readers[r].poll(timeoutMillis);
            if (c == null) {
                continue;
            }
            try {
                while (c.next()) {
                    into.add(new Captured(r, c.bytes().toArray(ValueLayout.JAVA_BYTE), c.captureLength(), c.wireLength(),
                            c.interfaceIndex(), c.timestampSource(), c.hasVlan(), c.vlanTci(), c.vlanTpid()));
                }
            } finally {
                readers[r].release();
            }
        }
    }
}
