package dev.capstream.pipeline;

/**
 * What one Kafka record holds: one frame ({@code CapturedFrame}), or a batch of one split's frames
 * ({@code FrameBatch}) cut at a frame count, a size or a linger time, whichever comes first.
 *
 * @param maxBytes encoded frame bytes at which a batch is cut
 * @param lingerNanos how long the first frame of a batch may wait for company
 */
public record RecordMode(boolean batched, int maxFrames, int maxBytes, long lingerNanos) {

    public RecordMode {
        if (batched && (maxFrames < 1 || maxBytes < 1 || lingerNanos < 0)) {
            throw new IllegalArgumentException("batch limits must be positive: frames=" + maxFrames
                    + " bytes=" + maxBytes + " linger=" + lingerNanos / 1_000_000 + " ms");
        }
    }

    public static RecordMode frames() {
        return new RecordMode(false, 1, Integer.MAX_VALUE, 0);
    }

    public static RecordMode batches(int maxFrames, int maxBytes, long lingerMillis) {
        return new RecordMode(true, maxFrames, maxBytes, lingerMillis * 1_000_000L);
    }
}
