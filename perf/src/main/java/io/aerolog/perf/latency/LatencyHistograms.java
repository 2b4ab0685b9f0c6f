package io.aerolog.perf.latency;

import org.HdrHistogram.Histogram;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.UnsupportedEncodingException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Latency histograms in nanoseconds (3 significant digits): making them, recording into them without allocating,
 * and printing them in microseconds, as a summary table or as an HdrHistogram percentile distribution (.hgrm).
 */
public final class LatencyHistograms
{
    /** Largest latency tracked; longer ones are recorded as this. */
    public static final long HIGHEST_TRACKABLE_NS = TimeUnit.MINUTES.toNanos(5);

    /** Scale from recorded nanoseconds to printed microseconds. */
    public static final double NS_PER_US = 1000.0;

    private static final double[] PERCENTILES = { 50.0, 90.0, 99.0, 99.9, 99.99 };
    private static final String ROW_FORMAT = "%-26s%10s%10s%10s%10s%10s%12s%12s";

    private LatencyHistograms()
    {
    }

    /**
     * @return a new histogram of nanoseconds.
     */
    public static Histogram newHistogram()
    {
        return new Histogram(HIGHEST_TRACKABLE_NS, 3);
    }

    /**
     * @param histogram to record into.
     * @param latencyNs measured, clamped into the trackable range.
     */
    public static void record(final Histogram histogram, final long latencyNs)
    {
        histogram.recordValue(Math.max(0, Math.min(latencyNs, HIGHEST_TRACKABLE_NS)));
    }

    /**
     * @return the header line of the summary table.
     */
    public static String header()
    {
        return String.format(Locale.ROOT, ROW_FORMAT, "latency (us)", "p50", "p90", "p99", "p99.9", "p99.99", "max",
            "samples");
    }

    /**
     * @param name      of the measured path, e.g. {@code produce->ack}.
     * @param histogram of latencies in nanoseconds.
     * @return one line of the summary table, in microseconds.
     */
    public static String row(final String name, final Histogram histogram)
    {
        final String[] cells = new String[PERCENTILES.length + 1];
        for (int i = 0; i < PERCENTILES.length; i++)
        {
            cells[i] = micros(histogram, histogram.getValueAtPercentile(PERCENTILES[i]));
        }
        cells[PERCENTILES.length] = micros(histogram, histogram.getMaxValue());
        return String.format(Locale.ROOT, ROW_FORMAT,
            name, cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], histogram.getTotalCount());
    }

    /**
     * Writes a histogram's percentile distribution with values in microseconds.
     *
     * @param histogram of latencies in nanoseconds.
     * @param file      to write.
     */
    public static void writeHgrm(final Histogram histogram, final File file)
    {
        try (PrintStream out = new PrintStream(file, "US-ASCII"))
        {
            histogram.outputPercentileDistribution(out, NS_PER_US);
        }
        catch (final FileNotFoundException | UnsupportedEncodingException ex)
        {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
    }

    private static String micros(final Histogram histogram, final long nanos)
    {
        return 0 == histogram.getTotalCount() ? "-" : String.format(Locale.ROOT, "%.1f", nanos / NS_PER_US);
    }
}
