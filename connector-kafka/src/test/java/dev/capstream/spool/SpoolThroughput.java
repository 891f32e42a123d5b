package dev.capstream.spool;

import dev.capstream.records.EncodeBuffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The spool's write and drain throughput (a benchmark, not a test; {@code bench/spool-throughput.sh}
 * runs it beside {@code dd} to the same directory). One split, the capture loop's calls: write =
 * {@link SplitSpool#append} of records of the size the loop makes; drain = peek, advance, settle
 * and segment deletion, the loop's part of sending a spooled record (Kafka's own cost excluded).
 *
 * <p>Records: frame mode, one frame per record of the frame's size plus 80 bytes of Avro and
 * framing; batch mode, one record of {@code min(1000 frames, 256 KiB)} with 20 bytes per frame
 * around its bytes. The bytes are filler: the spool never looks inside a record.
 *
 * <p>Arguments: DIR [MIB_PER_RUN (default 512)] [REPEATS (3)] [FSYNC (none)]. Prints one
 * {@code spool ...} line per case with the median of the repeats.
 */
public final class SpoolThroughput {

    private SpoolThroughput() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        long mib = args.length > 1 ? Long.parseLong(args[1]) : 512;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        FsyncPolicy fsync = args.length > 3 ? FsyncPolicy.parse(args[3]) : FsyncPolicy.NONE;
        for (String mode : new String[] {"frame", "batch"}) {
            for (int size : new int[] {64, 1514}) {
                run(dir, mode, size, mib << 20, repeats, fsync);
            }
        }
    }

    private static void run(Path dir, String mode, int size, long bytes, int repeats, FsyncPolicy fsync)
            throws IOException {
        int framesPerRecord = mode.equals("frame") ? 1 : Math.min(1000, (256 * 1024) / size);
        int recordBytes = mode.equals("frame") ? size + 80 : framesPerRecord * (size + 20) + 100;
        EncodeBuffer value = new EncodeBuffer(recordBytes);
        byte[] filler = new byte[recordBytes];
        Arrays.fill(filler, (byte) 0x5a);
        value.writeBytes(filler);
        byte[] key = "afpacket:bench0".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long records = bytes / recordBytes;
        double[] write = new double[repeats];
        double[] drain = new double[repeats];
        run(dir.resolve("warm-up"), key, value, Math.min(records, 20_000), framesPerRecord, size, fsync);
        for (int i = 0; i < repeats; i++) {
            double[] secs = run(dir.resolve("run-" + i), key, value, records, framesPerRecord, size, fsync);
            write[i] = secs[0];
            drain[i] = secs[1];
        }
        Arrays.sort(write);
        Arrays.sort(drain);
        double w = write[repeats / 2];
        double d = drain[repeats / 2];
        long frames = records * framesPerRecord;
        System.out.printf("spool mode=%s frame_bytes=%d record_bytes=%d records=%d fsync=%s"
                        + " write_fps=%.0f write_MBps=%.1f drain_fps=%.0f drain_MBps=%.1f%n",
                mode, size, recordBytes, records, fsync.name().toLowerCase(java.util.Locale.ROOT),
                frames / w, records * (double) recordBytes / w / 1e6, frames / d, records * (double) recordBytes / d / 1e6);
    }

    /** Writes {@code records}, then drains them; seconds for each. */
    private static double[] run(Path dir, byte[] key, EncodeBuffer value, long records, int frames, int size,
            FsyncPolicy fsync) throws IOException {
        try (Spool spool = Spool.open(dir, Long.MAX_VALUE / 2, fsync)) {
            SplitSpool s = spool.split("afpacket:bench0");
            long t0 = System.nanoTime();
            for (long i = 0; i < records; i++) {
                if (!s.append(i, key, value, frames, (long) frames * size) || ((i & 1023) == 0 && !s.flush())) {
                    throw new IllegalStateException("spool refused a record: is " + dir + " full?");
                }
            }
            s.flush();
            long t1 = System.nanoTime();
            long n = 0;
            while (s.peek() != null) {
                Runnable ticket = s.ticket();
                s.advance();
                ticket.run();
                if ((++n & 1023) == 0) {
                    s.maintain();
                }
            }
            s.maintain();
            long t2 = System.nanoTime();
            if (n != records) {
                throw new IllegalStateException("drained " + n + " of " + records);
            }
            return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9};
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
