package dev.capstream.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstream.pipeline.SplitAccounting;
import dev.capstream.records.EncodeBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code poll()} gathers: once a record is there, {@link Handoff#take(int, long, long)} lingers for
 * more, so the worker gets few large batches instead of many small ones, and returns as soon as the
 * batch is full. The linger is an upper bound on the wait; these tests only assert lower bounds on
 * time, and an upper bound far above any scheduling delay, so a busy machine cannot fail them.
 */
class HandoffGatheringTest {

    private final SplitAccounting accounting = new SplitAccounting("test");
    private final Handoff handoff = new Handoff(100_000, 1L << 30, accounting);
    private long sequence;

    @Test
    void recordsThatArriveDuringTheLingerGoOutInTheSamePoll() throws Exception {
        hand(1);
        Thread capture = Thread.ofPlatform().start(() -> {
            sleep(50);
            hand(49);
            sleep(50);
            hand(50);
        });
        List<Handoff.Item> batch = handoff.take(100, 1_000, TimeUnit.SECONDS.toNanos(30));
        capture.join();
        assertThat(batch).hasSize(100);
        assertThat(batch).extracting(Handoff.Item::lastSequence).isSorted().startsWith(0L).endsWith(99L);
    }

    @Test
    void aFullBatchReturnsWithoutWaitingOutTheLinger() throws Exception {
        hand(10);
        long start = System.nanoTime();
        List<Handoff.Item> batch = handoff.take(10, 1_000, TimeUnit.SECONDS.toNanos(30));
        assertThat(batch).hasSize(10);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    void aPartBatchWaitsTheLingerThenReturnsWhatCameAndLeavesTheRestQueued() throws Exception {
        hand(3);
        long start = System.nanoTime();
        List<Handoff.Item> batch = handoff.take(100, 1_000, TimeUnit.MILLISECONDS.toNanos(40));
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(40));
        assertThat(batch).hasSize(3);

        hand(5);
        assertThat(handoff.take(2, 1_000, TimeUnit.SECONDS.toNanos(30))).hasSize(2);
        assertThat(handoff.queued()).isEqualTo(3);
    }

    @Test
    void anInterruptedLingerHandsOverWhatItTookAndKeepsTheInterrupt() throws Exception {
        hand(3);
        Thread poller = Thread.currentThread();
        Thread interrupter = Thread.ofPlatform().start(() -> {
            sleep(100);
            poller.interrupt();
        });
        try {
            List<Handoff.Item> batch = handoff.take(100, 1_000, TimeUnit.SECONDS.toNanos(30));
            assertThat(batch).hasSize(3);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            interrupter.join();
            Thread.interrupted();
        }
    }

    @Test
    void withoutALingerAPollReturnsWhatIsQueuedAtOnce() throws Exception {
        hand(3);
        assertThat(handoff.take(100, 1_000, 0)).hasSize(3);
        assertThat(handoff.queued()).isZero();
    }

    @Test
    void anEmptyQueueReturnsNothingAfterThePollTimeoutWithoutLingering() throws Exception {
        long start = System.nanoTime();
        assertThat(handoff.take(100, 20, TimeUnit.SECONDS.toNanos(30))).isEmpty();
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
    }

    private void hand(int records) {
        EncodeBuffer value = new EncodeBuffer();
        for (int i = 0; i < records; i++) {
            value.reset();
            value.writeLong(sequence);
            assertThat(handoff.send(accounting, 0, null, value, 1, 64, sequence++, 0)).isTrue();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
