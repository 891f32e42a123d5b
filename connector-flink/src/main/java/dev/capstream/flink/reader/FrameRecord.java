package dev.capstream.flink.reader;

/**
 * A converted frame on its way from the fetcher thread to the emitter, with what the emitter
 * needs without knowing the record type: the event time, the split position and the size.
 */
record FrameRecord<T>(T value, long timestampMillis, long sequence, long kernelDrops, int capturedLength) {
}
