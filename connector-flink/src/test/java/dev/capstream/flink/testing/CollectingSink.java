package dev.capstream.flink.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A sink whose output the test reads back in the same JVM (the MiniCluster runs in the test's
 * JVM). Each instance has its own bucket. Optionally slow: each record then waits
 * {@link #delayMillis(long)} while the test keeps that delay set, to make Flink backpressure.
 */
public final class CollectingSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;
    private static final Map<String, Queue<Object>> BUCKETS = new ConcurrentHashMap<>();
    private static final Map<String, Long> DELAYS = new ConcurrentHashMap<>();

    private final String bucket = UUID.randomUUID().toString();
    private final SerializableFunction<T, Object> keep;

    private CollectingSink(SerializableFunction<T, Object> keep) {
        this.keep = keep;
        BUCKETS.put(bucket, new ConcurrentLinkedQueue<>());
    }

    /** Keeps each record as it is. */
    public static <T> CollectingSink<T> create() {
        return new CollectingSink<>(t -> t);
    }

    /** Keeps what {@code keep} takes from each record (e.g. a few fields, to keep memory small). */
    public static <T> CollectingSink<T> keeping(SerializableFunction<T, Object> keep) {
        return new CollectingSink<>(keep);
    }

    /** While set above 0, each record waits this long before it is kept. */
    public void delayMillis(long millis) {
        DELAYS.put(bucket, millis);
    }

    @SuppressWarnings("unchecked")
    public <R> List<R> results() {
        return new ArrayList<>((Queue<R>) (Queue<?>) BUCKETS.get(bucket));
    }

    public int size() {
        return BUCKETS.get(bucket).size();
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        Queue<Object> out = BUCKETS.get(bucket);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) throws InterruptedException {
                long delay = DELAYS.getOrDefault(bucket, 0L);
                if (delay > 0) {
                    Thread.sleep(delay);
                }
                out.add(keep.apply(element));
            }

            @Override
            public void flush(boolean endOfInput) {
            }

            @Override
            public void close() {
            }
        };
    }

    /** A function Flink can ship with the job. */
    public interface SerializableFunction<A, B> extends Function<A, B>, java.io.Serializable {
    }
}
