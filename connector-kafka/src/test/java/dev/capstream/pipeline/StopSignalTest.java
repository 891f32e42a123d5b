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

    @Test
    void aSignalOrDeadlineStopsGracefullyAndASpentBudgetOrAFailureDoesNot() throws Exception {
        StopSignal signalled = StopSignal.after(0, 0);
        signalled.requestStop();
        assertThat(signalled.graceful()).as("a signal: the loops first take what the kernel queued").isTrue();
        StopSignal deadline = StopSignal.after(10, 20);
        Thread.sleep(60);
        assertThat(deadline.isStopped()).isTrue();
        assertThat(deadline.graceful()).as("a deadline with budget left").isTrue();
        StopSignal budget = StopSignal.after(2, 0);
        assertThat(budget.claimFrame()).isTrue();
        assertThat(budget.claimFrame()).isTrue();
        assertThat(budget.isStopped()).isTrue();
        assertThat(budget.graceful()).as("a spent budget: not one frame more").isFalse();
        StopSignal failed = StopSignal.after(0, 0);
        failed.fail(new IllegalStateException("a loop failed"));
        assertThat(failed.graceful()).isFalse();
    }
}
