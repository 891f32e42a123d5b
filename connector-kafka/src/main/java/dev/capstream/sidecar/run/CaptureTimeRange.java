package dev.capstream.sidecar.run;

import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.pcap.PcapFiles;
import java.time.Instant;
import java.util.List;

/**
 * The span of capture times in capture files, read ahead of a replay that keeps capture times as
 * record timestamps, so the topic's limits can be checked before anything is sent.
 *
 * @param frames how many frames the files hold (0: the range is empty)
 */
record CaptureTimeRange(long firstNanos, long lastNanos, long frames) {

    /** Reads every file split once, at full speed. */
    static CaptureTimeRange of(List<SplitAddress> splits) {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long frames = 0;
        for (SplitAddress split : splits) {
            try (SplitReader reader = PcapFiles.open((SplitAddress.PcapFile) split)) {
                while (!reader.finished()) {
                    FrameCursor c = reader.poll(0);
                    if (c == null) {
                        continue;
                    }
                    while (c.next()) {
                        long t = c.timestampNanos();
                        first = Math.min(first, t);
                        last = Math.max(last, t);
                        frames++;
                    }
                    reader.release();
                }
            }
        }
        return new CaptureTimeRange(first, last, frames);
    }

    long firstMillis() {
        return Math.floorDiv(firstNanos, 1_000_000L);
    }

    long lastMillis() {
        return Math.floorDiv(lastNanos, 1_000_000L);
    }

    @Override
    public String toString() {
        return frames == 0 ? "no frames" : Instant.ofEpochMilli(firstMillis()) + " to " + Instant.ofEpochMilli(lastMillis());
    }
}
