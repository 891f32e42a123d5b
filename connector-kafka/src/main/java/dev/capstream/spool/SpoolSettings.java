package dev.capstream.spool;

import java.nio.file.Path;

/**
 * Where and how big the spool is, and its fsync policy (sidecar options {@code --spool-dir},
 * {@code --spool-max-bytes}, {@code --spool-fsync}).
 */
public record SpoolSettings(Path dir, long maxBytes, FsyncPolicy fsync) {

    /** 1 GiB unless told. */
    public static final long DEFAULT_MAX_BYTES = 1L << 30;

    public Spool open() {
        return Spool.open(dir, maxBytes, fsync);
    }
}
