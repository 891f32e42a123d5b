package dev.capstream.flink.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import org.apache.flink.connector.testutils.source.reader.TestingReaderContext;
import org.junit.jupiter.api.Test;

/** A fetch's frames as the task thread reads them, and the batch's way back to its pool. */
class FetchedFramesTest {

    private final CaptureReaderMetrics metrics = new CaptureReaderMetrics(new TestingReaderContext().metricGroup());
    private final ArrayBlockingQueue<FetchedFrames<String>> pool = new ArrayBlockingQueue<>(FetchedFrames.POOL_SIZE);

    @Test
    void framesComeOutInOrderWithTheirSequenceTimeAndTheSplitOnce() {
        FetchedFrames<String> batch = FetchedFrames.take(pool, metrics, "s1", 100, 7, 3);
        batch.add("a", 1000, 60);
        batch.add("b", 1001, 70);
        batch.add("c", 1003, 80);

        assertThat(batch.nextSplit()).isEqualTo("s1");
        List<String> seen = new ArrayList<>();
        for (FetchedFrames<String> f = batch.nextRecordFromSplit(); f != null; f = batch.nextRecordFromSplit()) {
            seen.add(f.value() + "@" + f.timestampMillis() + "#" + f.sequence() + "/" + f.kernelDrops());
        }
        assertThat(seen).containsExactly("a@1000#100/7", "b@1001#101/7", "c@1003#102/7");
        assertThat(batch.nextSplit()).isNull();
        assertThat(batch.bytes()).isEqualTo(210);
    }

    @Test
    void anEmptyFetchNamesNoSplit() {
        FetchedFrames<String> batch = FetchedFrames.take(pool, metrics, "s1", 0, 0, 4);

        assertThat(batch.nextSplit()).isNull();
        assertThat(batch.finishedSplits()).isEmpty();
    }

    @Test
    void aRecycledBatchIsTakenAgainEmptyAndHoldsNoOldRecord() {
        FetchedFrames<String> first = FetchedFrames.take(pool, metrics, "s1", 0, 0, 2);
        first.add("old", 1, 60);
        first.recycle();

        FetchedFrames<String> second = FetchedFrames.take(pool, metrics, "s1", 1, 0, 1);

        assertThat(second).isSameAs(first);
        assertThat(second.size()).isZero();
        assertThat(second.nextSplit()).isNull();
        second.add("new", 2, 60);
        second.nextSplit();
        assertThat(second.nextRecordFromSplit().value()).isEqualTo("new");
        assertThat(second.nextRecordFromSplit()).isNull();
    }

    @Test
    void aBatchCountsAsEmittedWhenRecycled() {
        FetchedFrames<String> batch = FetchedFrames.take(pool, metrics, "s1", 0, 0, 2);
        batch.add("a", 1, 60);
        batch.add("b", 2, 60);
        metrics.fetched(batch.size(), batch.bytes());
        assertThat(metrics.pendingRecords()).isEqualTo(2);

        batch.recycle();

        assertThat(metrics.pendingRecords()).isZero();
    }
}
