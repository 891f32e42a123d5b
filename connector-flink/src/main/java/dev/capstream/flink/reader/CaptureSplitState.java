package dev.capstream.flink.reader;

import dev.capstream.flink.split.CaptureSplit;

/** A split's position as the task thread emits its frames; becomes the checkpointed split. */
final class CaptureSplitState {

    private final CaptureSplit split;
    private long nextSequence;
    private long kernelDrops;

    CaptureSplitState(CaptureSplit split) {
        this.split = split;
        this.nextSequence = split.nextSequence();
        this.kernelDrops = split.kernelDropsBefore();
    }

    void emitted(long sequence, long kernelDropsSoFar) {
        nextSequence = sequence + 1;
        kernelDrops = Math.max(kernelDrops, kernelDropsSoFar);
    }

    CaptureSplit toSplit() {
        return split.resumingAt(nextSequence, kernelDrops);
    }
}
