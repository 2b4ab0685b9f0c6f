package io.aerolog.perf.failover;

import java.util.Arrays;

/**
 * Minimum, median and maximum of one number over the rounds of a run. The median of an even count is the mean of
 * the two middle values.
 *
 * @param min    smallest.
 * @param median middle.
 * @param max    largest.
 */
public record RoundStats(long min, long median, long max)
{
    /**
     * @param values one per round, at least one.
     * @return their statistics.
     * @throws IllegalArgumentException for no values.
     */
    public static RoundStats of(final long[] values)
    {
        if (0 == values.length)
        {
            throw new IllegalArgumentException("no rounds");
        }
        final long[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        final long median = 1 == (n & 1) ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new RoundStats(sorted[0], median, sorted[n - 1]);
    }
}
