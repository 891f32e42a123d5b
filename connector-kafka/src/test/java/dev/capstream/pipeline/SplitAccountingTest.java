package dev.capstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.capture.CaptureStats;
import org.junit.jupiter.api.Test;

class SplitAccountingTest {

    @Test
    void readFramesAreDeliveredFailedOrInFlight() {
        SplitAccounting a = new SplitAccounting("afpacket:eth0");
        a.countRead(10, 1000);
        a.countDelivered(6, 600);
        a.countFailed(1, "TimeoutException: expired");
        SplitAccounting.Snapshot s = a.snapshot();
        assertThat(s.read()).isEqualTo(10);
        assertThat(s.delivered()).isEqualTo(6);
        assertThat(s.failed()).isEqualTo(1);
        assertThat(s.inFlight()).isEqualTo(3);
        assertThat(s.lastFailure()).contains("expired");
    }

    @Test
    void framesStillInTheRingAreAGaugeWhileRunningNeverADrop() {
        SplitAccounting a = new SplitAccounting("afpacket:eth0");
        a.countRead(90, 9000);
        // tp_packets includes tp_drops: 100 seen = 90 read + 4 dropped (ring full) + 6 still in the ring
        a.updateKernel(new CaptureStats(100, 4, 1, 90, 9000), false);
        SplitAccounting.Snapshot s = a.snapshot();
        assertThat(s.droppedRingFull()).isEqualTo(4);
        assertThat(s.inRing()).isEqualTo(6);
        assertThat(s.droppedUnread()).isZero();
        assertThat(s.dropped()).isEqualTo(4);
        assertThat(s.kernelSeen()).isEqualTo(s.read() + s.dropped() + s.inRing());
        assertThat(s.toKeyValues()).contains("captured=90 ").contains("dropped=4 ").contains("in_ring=6 ")
                .contains("dropped_ring_full=4 ").contains("dropped_unread=0 ").contains("kernel_freezes=1");

        // The reader catches up: the ring empties, and no drop count is taken back.
        a.countRead(6, 600);
        SplitAccounting.Snapshot later = a.snapshot();
        assertThat(later.inRing()).isZero();
        assertThat(later.dropped()).isEqualTo(4);
    }

    @Test
    void framesAUserSpaceFilterRejectedArePartOfKernelSeenNeitherInTheRingNorDropped() {
        SplitAccounting a = new SplitAccounting("afxdp:eth1:0");
        a.countRead(30, 3000);
        // AF_XDP: 100 put on the RX ring + 2 dropped; the filter rejected 60, 30 were read, 10 wait in the ring
        a.updateKernel(new CaptureStats(102, 2, 0, 30, 3000, 0, 0, 0, 60), false);
        SplitAccounting.Snapshot s = a.snapshot();
        assertThat(s.filtered()).isEqualTo(60);
        assertThat(s.inRing()).isEqualTo(10);
        assertThat(s.dropped()).isEqualTo(2);
        assertThat(s.kernelSeen()).isEqualTo(s.read() + s.dropped() + s.filtered() + s.inRing());
        assertThat(s.toKeyValues()).contains("filtered=60 ").contains("dropped=2 ").contains("in_ring=10 ");

        a.markStopped();
        SplitAccounting.Snapshot stopped = a.snapshot();
        assertThat(stopped.droppedUnread()).isEqualTo(10);
        assertThat(stopped.kernelSeen()).as("at stop").isEqualTo(stopped.read() + stopped.dropped() + stopped.filtered());
        assertThat(stopped.plus(stopped).filtered()).isEqualTo(120);
    }

    @Test
    void whatTheRingHeldAtStopBecomesDroppedUnreadAndLaterKernelCountsAreNotTaken() {
        SplitAccounting a = new SplitAccounting("afpacket:eth0");
        a.countRead(90, 9000);
        a.updateKernel(new CaptureStats(100, 4, 1, 90, 9000, 1, 20, 7), false);
        a.markStopped();
        a.updateKernel(new CaptureStats(150, 4, 1, 90, 9000, 1, 20, 7), false);
        SplitAccounting.Snapshot s = a.snapshot();
        assertThat(s.inRing()).isZero();
        assertThat(s.droppedUnread()).isEqualTo(6);
        assertThat(s.kernelSeen()).isEqualTo(100);
        assertThat(s.kernelSeen()).as("kernel_seen = captured + dropped at stop").isEqualTo(s.read() + s.dropped());
        assertThat(s.droppedReopen()).as("the interface's count, outside kernel_seen").isEqualTo(7);
    }

    @Test
    void anAcknowledgementThatOutrunsTheReadCountNeverMakesCapturedRunBackwards() {
        SplitAccounting a = new SplitAccounting("afpacket:eth0");
        a.countRead(10, 100);
        // The producer acknowledged a record before the capture thread counted it as read.
        a.countDelivered(12, 120);
        SplitAccounting.Snapshot early = a.snapshot();
        assertThat(early.read()).isEqualTo(12);
        assertThat(early.inFlight()).isZero();
        a.countRead(2, 20);
        SplitAccounting.Snapshot s = a.snapshot();
        assertThat(s.read()).isEqualTo(12);
        assertThat(s.read()).isEqualTo(s.delivered() + s.failed() + s.inFlight());
    }

    @Test
    void identityHoldsWhileAcknowledgementsRaceTheCaptureThread() throws Exception {
        SplitAccounting a = new SplitAccounting("afpacket:eth0");
        int frames = 200_000;
        Thread acker = Thread.ofPlatform().start(() -> {
            long acked = 0;
            while (acked < frames) {
                // acknowledge only what was read, as a producer callback would
                if (a.snapshot().read() > acked) {
                    a.countDelivered(1, 1);
                    acked++;
                }
            }
        });
        for (int i = 0; i < frames; i++) {
            a.countRead(1, 1);
            if (i % 1000 == 0) {
                SplitAccounting.Snapshot s = a.snapshot();
                assertThat(s.inFlight()).isGreaterThanOrEqualTo(0);
                assertThat(s.read()).isGreaterThanOrEqualTo(s.delivered() + s.failed());
            }
        }
        acker.join(30_000);
        SplitAccounting.Snapshot end = a.snapshot();
        assertThat(end.read()).isEqualTo(end.delivered() + end.failed() + end.inFlight());
        assertThat(end.inFlight()).isZero();
    }
}
