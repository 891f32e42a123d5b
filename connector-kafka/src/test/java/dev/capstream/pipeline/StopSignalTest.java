package dev.capstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StopSignalTest {

    @Test
    void aDurationOfCenturiesIsNoDeadlineRatherThanAnOverflowIntoThePast() {
        // --duration 1e10 (seconds) becomes 1e13 ms; in nanoseconds that overflowed a long.
        StopSignal stop = StopSignal.after(0, Math.round(1e10 * 1000));
        assertThat(stop.isStopped()).isFalse();
        StopSignal longest = StopSignal.after(0, Long.MAX_VALUE);
        assertThat(longest.isStopped()).isFalse();
    }

    @Test
    void aShortDurationStillStops() throws Exception {
        StopSignal stop = StopSignal.after(0, 20);
        Thread.sleep(60);
        assertThat(stop.isStopped()).isTrue();
    }
}
