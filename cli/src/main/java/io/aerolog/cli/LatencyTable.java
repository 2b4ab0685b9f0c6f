package io.aerolog.cli;

import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * Formats latency histograms (in nanoseconds) as a table in microseconds: p50, p90, p99, p99.9 and max.
 */
final class LatencyTable
{
    private static final double[] PERCENTILES = { 50.0, 90.0, 99.0, 99.9 };
    private static final String ROW_FORMAT = "%-18s%10s%10s%10s%10s%10s%12s";

    private final StringBuilder table = new StringBuilder();

    /**
     * Starts a table with its header line.
     */
    LatencyTable()
    {
        table.append(String.format(Locale.ROOT, ROW_FORMAT, "latency (us)", "p50", "p90", "p99", "p99.9", "max",
            "samples"));
    }

    /**
     * Adds a row.
     *
     * @param name      of the measured path, e.g. {@code produce->ack}.
     * @param histogram of latencies in nanoseconds.
     * @return this.
     */
    LatencyTable row(final String name, final Histogram histogram)
    {
        final String[] cells = new String[PERCENTILES.length + 1];
        for (int i = 0; i < PERCENTILES.length; i++)
        {
            cells[i] = micros(histogram, histogram.getValueAtPercentile(PERCENTILES[i]));
        }
        cells[PERCENTILES.length] = micros(histogram, histogram.getMaxValue());
        table.append(System.lineSeparator()).append(String.format(Locale.ROOT, ROW_FORMAT,
            name, cells[0], cells[1], cells[2], cells[3], cells[4], histogram.getTotalCount()));
        return this;
    }

    private static String micros(final Histogram histogram, final long nanos)
    {
        return 0 == histogram.getTotalCount() ? "-" : String.format(Locale.ROOT, "%.1f", nanos / 1000.0);
    }

    /**
     * @return the table, lines separated by the platform's separator, without a trailing one.
     */
    public String toString()
    {
        return table.toString();
    }
}
