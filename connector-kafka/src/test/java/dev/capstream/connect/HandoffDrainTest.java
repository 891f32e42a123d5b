package dev.capstream.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.pipeline.SplitAccounting;
import dev.capstream.records.EncodeBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The capture loop's wait for the worker's acks ({@link Handoff#awaitDrain}): it ends once the acks
 * bring the hand-off down to the fullness it waits for, not at the first ack and not at its timeout.
 * Only lower bounds on time and upper bounds far above any scheduling delay are asserted.
 */
class HandoffDrainTest {

    private final SplitAccounting accounting = new SplitAccounting("test");
    private final Handoff handoff = new Handoff(100, 1L << 30, accounting);

    @Test
    void aWaitForHalfFullEndsWithTheAckThatBringsItThereNotBefore() throws Exception {
        hand(100);
        CompletableFuture<Double> waited = CompletableFuture.supplyAsync(() -> {
            try {
                handoff.awaitDrain(0.5, 30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return handoff.fullness();
        });
        Thread.sleep(50);       // the waiter is (most likely) waiting now; either way the assertions hold
        settle(49);
        Thread.sleep(100);
        assertThat(waited).as("51 of 100 frames still unacknowledged").isNotDone();

        long start = System.nanoTime();
        settle(1);
        assertThat(waited.get(10, TimeUnit.SECONDS)).isEqualTo(0.5);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
        assertThat(accounting.snapshot().delivered()).isEqualTo(50);
    }

    @Test
    void aWaitThatNoAckAnswersEndsAtItsTimeoutWithNothingLost() throws Exception {
        hand(100);
        long start = System.nanoTime();
        handoff.awaitDrain(0.5, 50);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(handoff.fullness()).isEqualTo(1.0);
        assertThat(handoff.queued()).isEqualTo(100);
    }

    @Test
    void aWaitForALevelAlreadyReachedReturnsAtOnce() throws Exception {
        hand(10);
        long start = System.nanoTime();
        handoff.awaitDrain(0.5, 30_000);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
    }

    private void hand(int records) {
        EncodeBuffer value = new EncodeBuffer();
        for (int i = 0; i < records; i++) {
            value.reset();
            value.writeLong(i);
            assertThat(handoff.send(accounting, 0, null, value, 1, 64, i, 0)).isTrue();
        }
    }

    private void settle(int records) {
        for (int i = 0; i < records; i++) {
            handoff.settled(1, 64, 8, true);
        }
    }
}
