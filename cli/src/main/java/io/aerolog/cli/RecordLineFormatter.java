package io.aerolog.cli;

/**
 * Formats a consumed record as one line for {@code aerolog consume}: the fields asked for, in the order partition,
 * offset, key, value, separated by a TAB; a missing key or value prints as {@code null}.
 */
final class RecordLineFormatter
{
    /** Separates the fields of a line. */
    static final char SEPARATOR = '\t';
    /** Printed for a missing key or value. */
    static final String NULL = "null";

    private final boolean printPartition;
    private final boolean printOffset;
    private final boolean printKey;

    /**
     * @param printPartition whether lines start with the partition.
     * @param printOffset    whether lines carry the offset.
     * @param printKey       whether lines carry the key.
     */
    RecordLineFormatter(final boolean printPartition, final boolean printOffset, final boolean printKey)
    {
        this.printPartition = printPartition;
        this.printOffset = printOffset;
        this.printKey = printKey;
    }

    /**
     * Appends a record's line, without a line terminator.
     *
     * @param sb        to append to.
     * @param partition of the record.
     * @param offset    of the record.
     * @param key       of the record, or null.
     * @param value     of the record, or null.
     * @return sb.
     */
    StringBuilder appendTo(
        final StringBuilder sb, final int partition, final long offset, final String key, final String value)
    {
        if (printPartition)
        {
            sb.append(partition).append(SEPARATOR);
        }
        if (printOffset)
        {
            sb.append(offset).append(SEPARATOR);
        }
        if (printKey)
        {
            sb.append(null == key ? NULL : key).append(SEPARATOR);
        }
        return sb.append(null == value ? NULL : value);
    }

    /**
     * @param partition of the record.
     * @param offset    of the record.
     * @param key       of the record, or null.
     * @param value     of the record, or null.
     * @return the record's line, without a line terminator.
     */
    String format(final int partition, final long offset, final String key, final String value)
    {
        return appendTo(new StringBuilder(), partition, offset, key, value).toString();
    }
}
