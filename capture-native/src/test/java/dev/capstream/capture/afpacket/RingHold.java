package dev.capstream.capture.afpacket;

import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;

/**
 * The ring's time capacity, as an outage sees it: a capture socket whose reader takes nothing off
 * its ring (as the capture loop does while Kafka refuses records and there is no spool) for a
 * while, then counts what the ring held and what the kernel dropped. Run by
 * {@code bench/ring-time-capacity.sh} while a paced generator sends; the frames held divided by the
 * generator's rate is the seconds of traffic the ring carries. A benchmark tool, not a test.
 *
 * <p>Usage: {@code RingHold IFACE HOLD_SECONDS [BLOCK_BYTES BLOCKS TIMEOUT_MS]} (default: the
 * default ring). Prints {@code ready ring=...} once bound, and after HOLD_SECONDS
 * {@code held=N drops=M kernel_seen=K blocks=B}.
 */
public final class RingHold {

    private RingHold() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2 && args.length != 5) {
            System.err.println("usage: RingHold IFACE HOLD_SECONDS [BLOCK_BYTES BLOCKS TIMEOUT_MS]");
            System.exit(2);
        }
        RingConfig ring = args.length == 5
                ? RingConfig.of(Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]))
                : RingConfig.defaults();
        long holdMillis = Math.round(Double.parseDouble(args[1]) * 1000);
        try (SplitReader reader = AfPacket.open(new SplitAddress.AfPacket(args[0], 0, 1), ring)) {
            System.out.println("ready ring=" + ring.blockCount() + "x" + ring.blockSize() + " timeout_ms="
                    + ring.blockTimeoutMillis());
            System.out.flush();
            Thread.sleep(holdMillis);
            long held = 0;
            int blocks = 0;
            // Every block the kernel handed over; the generator has stopped, so none refills.
            for (FrameCursor block; (block = reader.poll(0)) != null; blocks++) {
                while (block.next()) {
                    held++;
                }
                reader.release();
            }
            CaptureStats stats = reader.stats();
            System.out.println("held=" + held + " drops=" + stats.kernelDrops() + " kernel_seen="
                    + stats.kernelPackets() + " blocks=" + blocks);
        }
    }
}
