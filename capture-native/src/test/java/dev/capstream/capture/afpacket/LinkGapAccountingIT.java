package dev.capstream.capture.afpacket;

import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.FrameCursor;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A generator numbers its frames and sends them at a known rate through the peer of a veth pair
 * while the captured end goes down and up, or is deleted and created again. Every frame the
 * interface received is either seen by a socket ({@code kernelPackets}) or counted as arriving
 * while no socket was open ({@code reopenDrops}); capture resumes within tens of milliseconds of
 * the link returning. Needs root.
 */
@Timeout(120)
class LinkGapAccountingIT {

    private static final AfPacketOptions SMALL = AfPacketOptions.defaults().withRing(RingConfig.of(1 << 20, 8, 10));
    private static final int RATE = 2000;
    /** Frames the interface counts between our two reads of a counter pair (see ReopeningReader). */
    static final long TOLERANCE = 2;

    @BeforeEach
    void requireLab() {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        assumeTrue(AfPacket.isAvailable(), AfPacket.unavailableReason());
    }

    @Test
    void linkDownForASecondThenUpIsAccountedAndCaptureResumesWithinTensOfMilliseconds() {
        runWithGap(false);
    }

    @Test
    void interfaceDeletedAndRecreatedIsAccountedAndCaptureResumesWithinTensOfMilliseconds() {
        runWithGap(true);
    }

    private void runWithGap(boolean recreate) {
        try (VethLab lab = VethLab.create();
             SplitReader reader = AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()), SMALL)) {
            long rxStart = rx(lab);
            Generator gen = new Generator(lab);
            Thread sender = Thread.ofPlatform().name("cs14-generator").start(gen);
            long endAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            long downAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1000);
            long upAfterNanos = TimeUnit.MILLISECONDS.toNanos(1000);
            long upDoneNanos = 0;
            long firstAfterUpNanos = 0;
            long rxBeforeDown = -1;
            boolean isDown = false;
            try {
                while (System.nanoTime() < endAt) {
                    if (!isDown && upDoneNanos == 0 && System.nanoTime() >= downAt) {
                        if (recreate) {
                            // The old interface's final count is read with the generator paused: after
                            // deletion it can no longer be asked, and until then its socket sees everything.
                            gen.paused = true;
                            drainQuietly(reader, 3);
                            rxBeforeDown = rx(lab);
                        } else {
                            gen.linkDown = true;
                            lab.setHostUp(false);
                        }
                        isDown = true;
                    } else if (isDown && System.nanoTime() >= downAt + upAfterNanos) {
                        if (recreate) {
                            lab.recreatePair();
                            gen.paused = false;
                        } else {
                            lab.setHostUp(true);
                            gen.linkDown = false;
                        }
                        upDoneNanos = System.nanoTime();
                        isDown = false;
                    }
                    FrameCursor c = reader.poll(10);
                    if (c != null) {
                        int n = 0;
                        while (c.next()) {
                            n++;
                        }
                        reader.release();
                        if (n > 0 && upDoneNanos != 0 && firstAfterUpNanos == 0) {
                            firstAfterUpNanos = System.nanoTime();
                        }
                    }
                }
            } finally {
                gen.stop.set(true);
                join(sender);
            }
            drainQuietly(reader, 20);
            CaptureStats s = reader.stats();
            long rxAfter = rx(lab);
            long resumeMillis = TimeUnit.NANOSECONDS.toMillis(Math.max(0, firstAfterUpNanos - upDoneNanos));
            System.out.printf("RESULT link-gap recreate=%b sent=%d sent_while_down=%d send_refused=%d kernel_seen=%d dropped_reopen=%d"
                    + " rx_before_down=%d rx_after=%d resume_ms=%d reopens=%d recovery_ms=%d%n",
                    recreate, gen.sent.get(), gen.sentWhileDown.get(), gen.refused.get(), s.kernelPackets(), s.reopenDrops(), rxBeforeDown, rxAfter,
                    resumeMillis, s.reopens(), s.recoveryMillis());

            long received = s.kernelPackets() + s.reopenDrops();
            if (recreate) {
                // The generator's sends to the deleted pair fail, so what it sent all reached an interface.
                assertThat(received).as("sent = kernel_seen + dropped_reopen").isCloseTo(gen.sent.get(), Offset.offset(TOLERANCE));
            } else {
                // A veth whose far end is down discards what it is given at the sender, counted nowhere
                // on the captured side: only frames sent while the link was down may be missing.
                assertThat(received).as("sent - sent while down <= kernel_seen + dropped_reopen <= sent")
                        .isBetween(gen.sent.get() - gen.sentWhileDown.get() - TOLERANCE, gen.sent.get() + TOLERANCE);
            }
            assertThat(s.reopens()).isEqualTo(1);
            assertThat(firstAfterUpNanos).as("frames captured after the link returned").isPositive();
            assertThat(resumeMillis).as("time from the link's return to the first frame read").isLessThan(250);
            // Every frame the interface received: a socket's count plus the gap's.
            assertThat(s.kernelPackets() + s.reopenDrops())
                    .as("kernel_seen + dropped_reopen = what the interface received")
                    .isCloseTo(recreate ? rxBeforeDown - rxStart + rxAfter : rxAfter - rxStart, Offset.offset(TOLERANCE));
        }
    }

    private static long rx(VethLab lab) {
        LinkWatcher.Link link = LinkWatcher.query(lab.hostInterface());
        return link == null ? -1 : link.rxPackets();
    }

    private static void drainQuietly(SplitReader reader, int rounds) {
        for (int i = 0; i < rounds; i++) {
            FrameCursor c = reader.poll(20);
            if (c != null) {
                while (c.next()) { }
                reader.release();
            }
        }
    }

    private static void join(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends numbered frames at {@link #RATE} per second; reopens its socket when the peer was recreated. */
    private static final class Generator implements Runnable {
        final VethLab lab;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        volatile boolean paused;
        volatile boolean linkDown;
        final AtomicLong sentWhileDown = new AtomicLong();

        Generator(VethLab lab) {
            this.lab = lab;
        }

        @Override
        public void run() {
            long period = 1_000_000_000L / RATE;
            long start = System.nanoTime();
            FrameInjector injector = FrameInjector.open(lab);
            try {
                for (long seq = 0; !stop.get() && seq < 60L * RATE; seq++) {
                    long wait = start + seq * period - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                    if (paused) {
                        continue;
                    }
                    try {
                        injector.send(TestFrames.udp(100, seq));
                        sent.incrementAndGet();
                        if (linkDown) {
                            sentWhileDown.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        refused.incrementAndGet();
                        injector = reopen(injector);
                    }
                }
            } finally {
                injector.close();
            }
        }

        private FrameInjector reopen(FrameInjector old) {
            try {
                FrameInjector fresh = FrameInjector.open(lab);
                if (fresh.interfaceIndex() != old.interfaceIndex()) {
                    old.close();
                    return fresh;
                }
                fresh.close();
            } catch (RuntimeException notYet) {
                // the peer does not exist yet
            }
            return old;
        }

    }
}
