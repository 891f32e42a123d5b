package dev.capstream.pipeline;

/**
 * Turns the sink's fullness into the capture loop's behaviour: how long to wait in the next ring
 * poll, and whether to take more frames off the ring at all. This is the one place where
 * backpressure meets the kernel: while the sink is above its high-water mark the loop stops
 * draining, the ring fills, and the kernel drops (and counts) what it cannot hold.
 *
 * <p>Hysteresis between the high and low water marks keeps the loop from flapping; the timeout
 * grows stepwise (doubling) to a cap while saturated and snaps back once the sink drains.
 * Owned by one capture thread.
 */
public final class PollGovernor {

    private final double highWater;
    private final double lowWater;
    private final long baseTimeoutMillis;
    private final long maxTimeoutMillis;

    private boolean saturated;
    private long timeoutMillis;
    private long saturations;

    public PollGovernor(double highWater, double lowWater, long baseTimeoutMillis, long maxTimeoutMillis) {
        if (!(lowWater >= 0 && lowWater < highWater && highWater <= 1.0)) {
            throw new IllegalArgumentException("backpressure water marks must satisfy 0 <= low < high <= 1, got low="
                    + lowWater + " high=" + highWater);
        }
        if (baseTimeoutMillis < 1 || maxTimeoutMillis < baseTimeoutMillis) {
            throw new IllegalArgumentException("poll timeouts must satisfy 1 <= base <= max, got base="
                    + baseTimeoutMillis + " max=" + maxTimeoutMillis);
        }
        this.highWater = highWater;
        this.lowWater = lowWater;
        this.baseTimeoutMillis = baseTimeoutMillis;
        this.maxTimeoutMillis = maxTimeoutMillis;
        this.timeoutMillis = baseTimeoutMillis;
    }

    public static PollGovernor defaults() {
        return new PollGovernor(0.8, 0.5, 100, 1_000);
    }

    /** Feeds the sink's fullness (0 = empty, 1 = full) before each poll. */
    public void observe(double sinkFullness) {
        if (!saturated && sinkFullness >= highWater) {
            saturated = true;
            saturations++;
            timeoutMillis = baseTimeoutMillis;
        } else if (saturated && sinkFullness <= lowWater) {
            saturated = false;
            timeoutMillis = baseTimeoutMillis;
        } else if (saturated) {
            timeoutMillis = Math.min(maxTimeoutMillis, timeoutMillis * 2);
        }
    }

    /** The fullness at which the loop stops feeding the sink. */
    public double highWater() {
        return highWater;
    }

    /** The fullness below which a saturated loop resumes. */
    public double lowWater() {
        return lowWater;
    }

    /** While true, the loop must not take blocks off the ring. */
    public boolean saturated() {
        return saturated;
    }

    /** How long the next wait (ring poll, or sink drain while saturated) may last. */
    public long pollTimeoutMillis() {
        return timeoutMillis;
    }

    /** How many times the sink crossed its high-water mark. */
    public long saturations() {
        return saturations;
    }
}
