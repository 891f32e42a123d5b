package dev.capstream.spool;

import java.util.Locale;

/**
 * When the spool asks the kernel to put what it wrote on the disk (fsync). Every policy survives a
 * crash of capstream itself (kill -9, an OOM kill): a record is in the kernel's page cache as soon
 * as the spool has written it, and the ring block it came from is released only after that. The
 * policies differ in what an OS crash or a power loss can take; what it takes is always a tail,
 * which the next start finds by checksum, cuts and counts.
 */
public enum FsyncPolicy {

    /** Never: the kernel writes back when it likes (typically within 30 s). Cheapest. */
    NONE,
    /** At most a second after a record is written, the open segment is synced: a power loss costs at most about a second. */
    INTERVAL,
    /** Each segment is synced when it is closed: a power loss costs at most the segment being written. */
    SEGMENT;

    /** The interval of {@link #INTERVAL}. */
    public static final long INTERVAL_MILLIS = 1_000;

    public static FsyncPolicy parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--spool-fsync " + text + ": allowed values are none, interval, segment");
        }
    }
}
