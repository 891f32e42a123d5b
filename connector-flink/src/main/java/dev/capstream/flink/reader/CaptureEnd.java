package dev.capstream.flink.reader;

import dev.capstream.capture.SplitReader;

/** Whether a capture reader has nothing more to give (a file read to its end). */
final class CaptureEnd {

    private CaptureEnd() {
    }

    static boolean reached(SplitReader reader) {
        // Live rings never end. Bounded readers (pcap files) signal their end once they exist.
        return false;
    }
}
