package dev.capstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PollGovernorTest {

    @Test
    void staysDrainingBelowTheHighWaterMark() {
        PollGovernor g = new PollGovernor(0.8, 0.5, 100, 1000);
        g.observe(0.79);
        assertThat(g.saturated()).isFalse();
        assertThat(g.pollTimeoutMillis()).isEqualTo(100);
    }

    @Test
    void saturatesAtTheHighWaterMarkAndGrowsTheTimeoutStepwiseToTheCap() {
        PollGovernor g = new PollGovernor(0.8, 0.5, 100, 1000);
        g.observe(0.8);
        assertThat(g.saturated()).isTrue();
        long previous = g.pollTimeoutMillis();
        for (int i = 0; i < 10; i++) {
            g.observe(0.7);
            assertThat(g.pollTimeoutMillis()).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(1000);
            previous = g.pollTimeoutMillis();
        }
        assertThat(g.pollTimeoutMillis()).isEqualTo(1000);
        assertThat(g.saturated()).as("hysteresis: 0.7 is above the low-water mark").isTrue();
    }

    @Test
    void resumesBelowTheLowWaterMarkWithTheBaseTimeout() {
        PollGovernor g = new PollGovernor(0.8, 0.5, 100, 1000);
        g.observe(1.0);
        g.observe(0.9);
        g.observe(0.9);
        g.observe(0.5);
        assertThat(g.saturated()).isFalse();
        assertThat(g.pollTimeoutMillis()).isEqualTo(100);
        assertThat(g.saturations()).isEqualTo(1);
    }

    @Test
    void rejectsWaterMarksThatCannotWork() {
        assertThatThrownBy(() -> new PollGovernor(0.5, 0.5, 100, 1000))
                .hasMessageContaining("low=0.5").hasMessageContaining("high=0.5");
        assertThatThrownBy(() -> new PollGovernor(0.8, 0.5, 100, 10)).hasMessageContaining("base=100");
    }
}
