package dev.capstream.capture.afpacket;

import dev.capstream.capture.CaptureStats;
import dev.capstream.capture.SplitAddress;
import dev.capstream.capture.SplitReader;
import dev.capstream.capture.lab.FrameInjector;
import dev.capstream.capture.lab.TestFrames;
import dev.capstream.capture.lab.VethLab;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The interface goes down and up, or is deleted and created again, in the middle of a traffic
 * run: the reader keeps polling (null while it waits), reopens by itself, captures what is sent
 * afterwards, and its statistics carry on and show the gap. Needs root.
 */
@Timeout(90)
class AfPacketRecoveryIT {

    private static final AfPacketOptions SMALL = AfPacketOptions.defaults().withRing(RingConfig.of(1 << 20, 4, 10));
    private static final long RESUME_DEADLINE_NANOS = 10_000_000_000L;

    @BeforeEach
    void requireLab() {
        assumeTrue(VethLab.isSupported(), VethLab.unsupportedReason());
        assumeTrue(AfPacket.isAvailable(), AfPacket.unavailableReason());
    }

    @Test
    void linkDownAndUpMidRunResumesAndShowsTheGap() {
        runThroughAnEvent(1, (lab, readers) -> {
            lab.setHostUp(false);
            // While the link is down, poll only waits: no exception reaches the caller.
            long deadline = System.nanoTime() + RESUME_DEADLINE_NANOS;
            while (((ReopeningReader) readers[0]).current() != null && System.nanoTime() < deadline) {
                assertThat(readers[0].poll(50)).isNull();
            }
            for (int i = 0; i < 3; i++) {
                assertThat(readers[0].poll(50)).as("polling a reader whose link is down").isNull();
            }
            assertThat(((ReopeningReader) readers[0]).current()).as("no socket while the link is down").isNull();
            lab.setHostUp(true);
        }, false);
    }

    @Test
    void interfaceDeletedAndRecreatedMidRunResumesOnTheNewIfindex() {
        runThroughAnEvent(2, (lab, readers) -> lab.recreatePair(), true);
    }

    private void runThroughAnEvent(int members, BiConsumer<VethLab, SplitReader[]> event, boolean newIfindex) {
        try (VethLab lab = VethLab.create()) {
            SplitReader[] readers = new SplitReader[members];
            for (int m = 0; m < members; m++) {
                readers[m] = AfPacket.open(new SplitAddress.AfPacket(lab.hostInterface(), m, members), SMALL);
            }
            try {
                int oldIfindex = readers[0].interfaceIndex();
                try (FrameInjector before = FrameInjector.open(lab)) {
                    for (int i = 0; i < 100; i++) {
                        before.send(TestFrames.udp(100, i, i % 16));
                    }
                    assertThat(Captured.drain(100, readers)).hasSize(100);
                }

                event.accept(lab, readers);

                // Keep the traffic going, as a live link would, until every member has its socket back.
                List<Captured> after = new ArrayList<>();
                long deadline = System.nanoTime() + RESUME_DEADLINE_NANOS;
                try (FrameInjector injector = FrameInjector.open(lab)) {
                    long seq = 1_000_000;
                    while (!allReopened(readers) && System.nanoTime() < deadline) {
                        injector.send(TestFrames.udp(100, seq++, (int) (seq % 16)));
                        Captured.drainOnce(after, 20, readers);
                    }
                    assertThat(allReopened(readers)).as("every member reopened within 10 s").isTrue();

                    // Frames sent after the reopening are all captured.
                    after.clear();
                    for (int i = 0; i < 200; i++) {
                        injector.send(TestFrames.udp(100, 2_000_000 + i, i % 16));
                    }
                    List<Captured> resumed = Captured.drain(200, readers);
                    assertThat(resumed.stream().filter(c -> c.sequence() >= 2_000_000).count()).isEqualTo(200);
                }

                if (newIfindex) {
                    assertThat(readers[0].interfaceIndex()).as("the recreated interface's ifindex").isNotEqualTo(oldIfindex);
                }
                CaptureStats total = CaptureStats.EMPTY;
                for (SplitReader r : readers) {
                    CaptureStats s = r.stats();
                    assertThat(s.reopens()).as("reopens of %s", r.address()).isEqualTo(1);
                    assertThat(s.recoveryMillis()).as("time without a socket").isPositive();
                    total = total.plus(s);
                }
                assertThat(total.framesRead()).as("counters carry on across sockets").isGreaterThanOrEqualTo(300);
                assertThat(total.kernelPackets()).isGreaterThanOrEqualTo(total.framesRead());
            } finally {
                for (int m = members - 1; m >= 0; m--) {
                    readers[m].close();
                }
            }
        }
    }

    private static boolean allReopened(SplitReader[] readers) {
        for (SplitReader r : readers) {
            if (r.stats().reopens() < 1 || ((ReopeningReader) r).current() == null) {
                return false;
            }
        }
        return true;
    }

    @Test
    void quietLinkIsNotAFailure() {
        try (VethLab lab = VethLab.create();
             SplitReader reader = AfPacket.open(SplitAddress.AfPacket.of(lab.hostInterface()), SMALL)) {
            for (int i = 0; i < 5; i++) {
                assertThat(reader.poll(50)).isNull();
            }
            assertThat(reader.stats().reopens()).isZero();
        }
    }
}
