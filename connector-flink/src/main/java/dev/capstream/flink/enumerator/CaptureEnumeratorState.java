package dev.capstream.flink.enumerator;

import dev.capstream.flink.split.CaptureSplit;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the enumerator checkpoints: the splits not handed to any reader yet, and (for a source that
 * names no hosts) the hosts whose splits are already made. Splits a reader holds are in that
 * reader's state, and come back through {@code addSplitsBack} if it fails; remembering their hosts
 * keeps a restored enumerator from making them a second time.
 *
 * @param pending splits waiting for a reader, in the order they will be offered
 * @param hostsWithSplits hosts whose live splits were made as their readers registered (lower case)
 */
public record CaptureEnumeratorState(List<CaptureSplit> pending, Set<String> hostsWithSplits) {

    public CaptureEnumeratorState {
        pending = List.copyOf(Objects.requireNonNull(pending, "pending"));
        hostsWithSplits = Set.copyOf(Objects.requireNonNull(hostsWithSplits, "hostsWithSplits"));
    }

    /** State of a source whose splits are all made up front. */
    public CaptureEnumeratorState(List<CaptureSplit> pending) {
        this(pending, Set.of());
    }
}
