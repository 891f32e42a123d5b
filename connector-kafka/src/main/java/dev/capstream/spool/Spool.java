package dev.capstream.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable on-disk queue of encoded records, per split, for the time Kafka does not take them.
 * One directory per split under the spool directory, each holding append-only {@link Segment}
 * files. A spool left by an earlier process (a crash, kill -9, a reboot) is found at {@link #open},
 * its segments checked record by record, a torn tail cut and counted.
 *
 * <p>One process at a time: the directory is locked while open.
 */
public final class Spool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    private static final long MAX_SEGMENT_BYTES = 64L << 20;
    private static final long MIN_SEGMENT_BYTES = 256L << 10;

    private final Path dir;
    private final long maxBytes;
    private final FsyncPolicy fsync;
    private final long segmentBytes;
    private final FileChannel lockFile;
    private final FileLock lock;
    private final AtomicLong usedBytes = new AtomicLong();
    private final AtomicLong tornRecords = new AtomicLong();
    private final AtomicLong tornBytes = new AtomicLong();
    private final Map<String, SplitSpool> splits = new LinkedHashMap<>();

    private Spool(Path dir, long maxBytes, FsyncPolicy fsync, FileChannel lockFile, FileLock lock) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.fsync = fsync;
        this.segmentBytes = Math.clamp(maxBytes / 16, MIN_SEGMENT_BYTES, MAX_SEGMENT_BYTES);
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /**
     * Opens (or creates) the spool in {@code dir} and recovers what an earlier process left there.
     *
     * @throws SpoolException naming the directory and the fix when it cannot be used
     */
    public static Spool open(Path dir, long maxBytes, FsyncPolicy fsync) {
        if (maxBytes < MIN_SEGMENT_BYTES) {
            throw new IllegalArgumentException("--spool-max-bytes " + maxBytes + ": the spool needs at least "
                    + MIN_SEGMENT_BYTES + " bytes");
        }
        FileChannel lockFile = null;
        try {
            Files.createDirectories(dir);
            lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = lockFile.tryLock();
            if (lock == null) {
                throw new SpoolException("spool directory " + dir + " is in use by another capstream process: give each"
                        + " sidecar its own --spool-dir");
            }
            Spool spool = new Spool(dir, maxBytes, fsync, lockFile, lock);
            spool.recover();
            return spool;
        } catch (IOException | OverlappingFileLockException e) {
            closeQuietly(lockFile);
            throw new SpoolException("cannot use spool directory " + dir + ": " + e.getMessage()
                    + " (check that it exists or can be created, and is writable by this user)", e);
        } catch (RuntimeException e) {
            closeQuietly(lockFile);
            throw e;
        }
    }

    private void recover() throws IOException {
        List<Path> splitDirs;
        try (Stream<Path> list = Files.list(dir)) {
            splitDirs = list.filter(Files::isDirectory).sorted().toList();
        }
        for (Path splitDir : splitDirs) {
            String split = decode(splitDir.getFileName().toString());
            if (split == null) {
                continue;
            }
            List<Segment> recovered = new ArrayList<>();
            List<Path> files;
            try (Stream<Path> list = Files.list(splitDir)) {
                files = list.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
            }
            for (Path file : files) {
                Segment s = recoverSegment(file);
                if (s != null) {
                    recovered.add(s);
                }
            }
            SplitSpool splitSpool = new SplitSpool(this, split, splitDir, recovered);
            splits.put(split, splitSpool);
            if (splitSpool.recoveredRecords() > 0) {
                LOG.info("spool {}: {} records ({} frames) of split {} left by an earlier run; they are sent first",
                        dir, splitSpool.recoveredRecords(), splitSpool.recoveredFrames(), split);
            }
        }
    }

    private Segment recoverSegment(Path file) throws IOException {
        String name = file.getFileName().toString();
        long index;
        try {
            index = Long.parseLong(name.substring(0, name.length() - ".seg".length()));
        } catch (NumberFormatException e) {
            LOG.warn("spool {}: ignoring {}, not a segment name", dir, file);
            return null;
        }
        Segment.Recovered r = Segment.recover(file, index);
        if (r.tornRecords() > 0) {
            countTorn(r.tornRecords(), r.tornBytes());
            LOG.warn("spool segment {}: a torn record at its end ({} bytes) was cut", file, r.tornBytes());
        }
        Segment s = r.segment();
        if (s == null || s.records == 0) {
            if (s != null) {
                s.closeAndDelete();
            } else {
                Files.deleteIfExists(file);
            }
            return null;
        }
        usedBytes.addAndGet(s.end);
        return s;
    }

    /** The split's spool (created empty when no earlier run left one). Capture thread of that split only. */
    public synchronized SplitSpool split(String split) {
        return splits.computeIfAbsent(split, id -> {
            Path splitDir = dir.resolve(encode(id));
            try {
                Files.createDirectories(splitDir);
            } catch (IOException e) {
                throw new SpoolException("cannot create spool directory " + splitDir + ": " + e.getMessage(), e);
            }
            return new SplitSpool(this, id, splitDir, List.of());
        });
    }

    /** Splits whose records an earlier run left and that no current split has claimed. */
    public synchronized List<SplitSpool> unclaimed(java.util.Collection<String> current) {
        return splits.values().stream().filter(s -> !current.contains(s.split()) && !s.isEmpty()).toList();
    }

    public synchronized List<SplitSpool> splits() {
        return List.copyOf(splits.values());
    }

    boolean reserve(long bytes) {
        long now = usedBytes.addAndGet(bytes);
        if (now > maxBytes) {
            usedBytes.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    void release(long bytes) {
        usedBytes.addAndGet(-bytes);
    }

    void countTorn(long records, long bytes) {
        tornRecords.addAndGet(records);
        tornBytes.addAndGet(bytes);
    }

    long segmentBytes() {
        return segmentBytes;
    }

    FsyncPolicy fsync() {
        return fsync;
    }

    public Path dir() {
        return dir;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Bytes the spool's segment files hold. */
    public long bytes() {
        return usedBytes.get();
    }

    /** Records found torn (cut) or damaged, since start. */
    public long tornRecords() {
        return tornRecords.get();
    }

    public long tornBytes() {
        return tornBytes.get();
    }

    /** Capture threads must have ended: the files are synced (per the policy) and closed, the lock released. */
    @Override
    public synchronized void close() {
        splits.values().forEach(SplitSpool::close);
        try {
            lock.release();
        } catch (IOException e) {
            LOG.debug("spool lock release: {}", e.getMessage());
        }
        closeQuietly(lockFile);
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing left to do with it
            }
        }
    }

    /** A split id as a directory name: letters, digits, '.', '-' and '_' as they are, other bytes as %XX. */
    static String encode(String split) {
        StringBuilder b = new StringBuilder();
        for (byte c : split.getBytes(StandardCharsets.UTF_8)) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
                    || c == '_') {
                b.append((char) c);
            } else {
                b.append('%').append(HexFormat.of().withUpperCase().toHexDigits(c));
            }
        }
        return b.toString();
    }

    /** The inverse of {@link #encode}; null for a name it cannot have made. */
    static String decode(String name) {
        byte[] out = new byte[name.length()];
        int n = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '%' && i + 2 < name.length() + 0 && i + 2 <= name.length() - 1) {
                try {
                    out[n++] = (byte) HexFormat.fromHexDigits(name, i + 1, i + 3);
                } catch (IllegalArgumentException e) {
                    return null;
                }
                i += 2;
            } else if (c == '%' || c > 127) {
                return null;
            } else {
                out[n++] = (byte) c;
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }
}
