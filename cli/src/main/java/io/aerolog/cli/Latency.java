package io.aerolog.cli;

import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * Makes latency histograms in nanoseconds with 3 significant digits, and records into them safely.
 */
final class Latency
{
    /** Largest latency tracked; longer ones are recorded as this. */
    static final long HIGHEST_TRACKABLE_NS = TimeUnit.MINUTES.toNanos(5);

    private Latency()
    {
    }

    /**
     * @return a new histogram of nanoseconds.
     */
    static Histogram newHistogram()
    {
        return new Histogram(HIGHEST_TRACKABLE_NS, 3);
    }

    /**
     * @param histogram to record into.
     * @param latencyNs measured, clamped into the trackable range.
     */
    static void record(final Histogram histogram, final long latencyNs)
    {
        histogram.recordValue(Math.max(0, Math.min(latencyNs, HIGHEST_TRACKABLE_NS)));
    }
}
