package dev.capstream.flink.enumerator;

import dev.capstream.flink.split.CaptureSplit;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the enumerator places splits.
 *
 * @param bounded whether the source is bounded (readers are told when no more splits come)
 * @param splitsPerHost when the source names no hosts: the live splits of one host, made for each
 *     host a reader runs on as the readers register; null when every split is made up front
 * @param hostWaitTimeout how long a live split may wait for a reader on its host before the job
 *     fails (only splits of named hosts wait: the others are made where readers are)
 */
public record EnumeratorSettings(boolean bounded, SplitsPerHost splitsPerHost, Duration hostWaitTimeout)
        implements Serializable {

    /** The default of {@code hosts.wait-timeout}: long enough for a task manager to start. */
    public static final Duration DEFAULT_HOST_WAIT_TIMEOUT = Duration.ofMinutes(3);

    public EnumeratorSettings {
        Objects.requireNonNull(hostWaitTimeout, "hostWaitTimeout");
        if (hostWaitTimeout.isNegative() || hostWaitTimeout.isZero()) {
            throw new IllegalArgumentException("host wait timeout " + hostWaitTimeout + " must be positive");
        }
    }

    /** Every split made up front (files, or live splits of named hosts), with the default wait. */
    public static EnumeratorSettings upFront(boolean bounded) {
        return new EnumeratorSettings(bounded, null, DEFAULT_HOST_WAIT_TIMEOUT);
    }

    /** Makes the live splits of one host: every interface and fanout member the source names. */
    @FunctionalInterface
    public interface SplitsPerHost extends Serializable {
        List<CaptureSplit> splitsOf(String host);
    }
}
