package io.aerolog.perf.throughput;

import java.util.Locale;

/**
 * Records and value bytes moved in a measured time, and the rates they make.
 */
public final class ThroughputResult
{
    private static final String ROW_FORMAT = "%-28s%14s%12s%14s%10s";

    private final String name;
    private final long records;
    private final long valueBytes;
    private final long nanos;

    /**
     * @param name       of what was measured, e.g. {@code produce}.
     * @param records    moved.
     * @param valueBytes of the records' values.
     * @param nanos      taken.
     */
    public ThroughputResult(final String name, final long records, final long valueBytes, final long nanos)
    {
        this.name = name;
        this.records = records;
        this.valueBytes = valueBytes;
        this.nanos = Math.max(1, nanos);
    }

    /**
     * @return name of what was measured.
     */
    public String name()
    {
        return name;
    }

    /**
     * @param name the copy is called.
     * @return a copy with another name.
     */
    public ThroughputResult named(final String name)
    {
        return new ThroughputResult(name, records, valueBytes, nanos);
    }

    /**
     * @return records moved.
     */
    public long records()
    {
        return records;
    }

    /**
     * @return records per second.
     */
    public double recordsPerSecond()
    {
        return records * 1e9 / nanos;
    }

    /**
     * @return megabytes (10^6 bytes) of values per second.
     */
    public double megabytesPerSecond()
    {
        return valueBytes * 1e3 / nanos;
    }

    /**
     * @return the header line of {@link #row()}.
     */
    public static String header()
    {
        return String.format(Locale.ROOT, ROW_FORMAT, "throughput", "records/s", "MB/s", "records", "seconds");
    }

    /**
     * @return one table line: records/s, MB/s of values, records and seconds.
     */
    public String row()
    {
        return String.format(Locale.ROOT, ROW_FORMAT, name,
            String.format(Locale.ROOT, "%,.0f", recordsPerSecond()),
            String.format(Locale.ROOT, "%,.1f", megabytesPerSecond()),
            String.format(Locale.ROOT, "%,d", records),
            String.format(Locale.ROOT, "%.3f", nanos / 1e9));
    }
}
