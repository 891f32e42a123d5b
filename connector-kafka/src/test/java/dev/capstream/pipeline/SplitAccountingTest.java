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
    void whatTheKernelSawButWasNotReadIsDroppedByReason() {
        SplitAccounting a = new SplitAccounting("afpacket:eth0");
        a.countRead(90, 9000);
        // tp_packets includes tp_drops: 100 seen = 90 read + 4 dropped (ring full) + 6 still unread
        a.updateKernel(new CaptureStats(100, 4, 1, 90, 9000), false);
        SplitAccounting.Snapshot s = a.snapshot();
        assertThat(s.droppedRingFull()).isEqualTo(4);
        assertThat(s.unread()).isEqualTo(6);
        assertThat(s.dropped()).isEqualTo(10);
        assertThat(s.kernelSeen()).isEqualTo(s.read() + s.dropped());
        assertThat(s.toKeyValues()).contains("captured=90 ").contains("dropped=10 ")
                .contains("dropped_ring_full=4 ").contains("kernel_freezes=1");
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
