package dev.capstream.flink.enumerator;

import dev.capstream.flink.split.CaptureSplit;
import java.util.List;
import java.util.Objects;

/**
 * What the enumerator checkpoints: the splits not handed to any reader yet. Splits a reader holds
 * are in that reader's state, and come back through {@code addSplitsBack} if it fails.
 *
 * @param pending splits waiting for a reader, in the order they will be offered
 */
public record CaptureEnumeratorState(List<CaptureSplit> pending) {

    public CaptureEnumeratorState {
        pending = List.copyOf(Objects.requireNonNull(pending, "pending"));
    }
}
