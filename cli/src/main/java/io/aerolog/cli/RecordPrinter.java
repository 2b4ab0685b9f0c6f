package io.aerolog.cli;

import io.aerolog.client.ConsumedRecord;
import io.aerolog.client.RecordHandler;

import java.io.PrintWriter;

/**
 * Prints each consumed record as a line and counts them.
 */
final class RecordPrinter implements RecordHandler
{
    private final RecordLineFormatter formatter;
    private final PrintWriter out;
    private final StringBuilder line = new StringBuilder(256);
    private long count;

    /**
     * @param formatter makes the lines.
     * @param out       receives them; flushed by the caller.
     */
    RecordPrinter(final RecordLineFormatter formatter, final PrintWriter out)
    {
        this.formatter = formatter;
        this.out = out;
    }

    /**
     * {@inheritDoc}
     */
    public void onRecord(final ConsumedRecord record)
    {
        line.setLength(0);
        formatter.appendTo(line, record.partition(), record.offset(), record.keyAsString(), record.valueAsString());
        line.append('\n');
        out.append(line);
        count++;
    }

    /**
     * @return records printed so far.
     */
    long count()
    {
        return count;
    }
}
