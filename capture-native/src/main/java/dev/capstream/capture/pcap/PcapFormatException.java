package dev.capstream.capture.pcap;

import dev.capstream.capture.CaptureException;
import java.nio.file.Path;

/**
 * A pcap or pcapng file is malformed, truncated, or beyond a configured limit. The message names
 * the file, the byte offset of the record or block at fault and what was wrong there.
 */
public final class PcapFormatException extends CaptureException {

    private final long offset;

    PcapFormatException(String source, long offset, String problem) {
        super(source + ": at byte offset " + offset + ": " + problem);
        this.offset = offset;
    }

    static PcapFormatException at(Path file, long offset, String problem) {
        return new PcapFormatException(String.valueOf(file), offset, problem);
    }

    /** Byte offset in the file of the record or block at fault. */
    public long offset() {
        return offset;
    }
}
