package io.aerolog.systemtest.history;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What producers and consumers of one topic did, recorded as they do it: every send (invoked, then acked at a
 * position, failed or unknown) with its value, and every record read, in order, per consumer incarnation. Values are
 * unique: a producer must never send the same value twice. Thread safe: producers and consumers record from threads of
 * their own; {@link HistoryChecker} judges the whole once they are done.
 */
public final class History
{
    private final Map<String, SendEntry> sends = new LinkedHashMap<>();
    private final List<Read> reads = new ArrayList<>();

    /**
     * A producer is about to send a value.
     *
     * @param producer name of the producer.
     * @param value    of the record, never sent before in this history.
     * @throws IllegalArgumentException if the value was sent before (the history could not tell the two apart).
     */
    public synchronized void invoke(final String producer, final String value)
    {
        if (null != sends.putIfAbsent(value, new SendEntry(producer)))
        {
            throw new IllegalArgumentException("value sent twice: " + value + " (values must be unique)");
        }
    }

    /**
     * The broker acknowledged a value at a position. An acknowledgement is a fact: it wins over an earlier failure
     * or time-out of the same send.
     *
     * @param value     acknowledged.
     * @param partition it was written to.
     * @param offset    it was given.
     */
    public synchronized void ack(final String value, final int partition, final long offset)
    {
        final SendEntry entry = entry(value);
        entry.acks.add(new Position(partition, offset));
        entry.outcome = Send.Outcome.ACKED;
    }

    /**
     * The send definitely failed: the broker refused it before writing it.
     *
     * @param value  that failed.
     * @param detail the error.
     */
    public synchronized void fail(final String value, final String detail)
    {
        resolve(value, Send.Outcome.FAILED, detail);
    }

    /**
     * The send's fate is unknown (a time-out, a lost connection): it may or may not have been written.
     *
     * @param value  whose fate is unknown.
     * @param detail the error.
     */
    public synchronized void unknown(final String value, final String detail)
    {
        resolve(value, Send.Outcome.UNKNOWN, detail);
    }

    /**
     * A consumer read a record. One consumer incarnation reads each partition in offset order; a consumer that
     * starts again (after a crash, a reconnect or a seek) records under a new name.
     *
     * @param consumer  name of the consumer incarnation.
     * @param partition read.
     * @param offset    read.
     * @param value     the record held.
     */
    public synchronized void read(final String consumer, final int partition, final long offset, final String value)
    {
        reads.add(new Read(consumer, new Position(partition, offset), value));
    }

    /** @return every send so far, in invocation order. */
    public synchronized List<Send> sends()
    {
        final List<Send> result = new ArrayList<>(sends.size());
        sends.forEach((value, e) -> result.add(new Send(e.producer, value, e.outcome, List.copyOf(e.acks), e.detail)));
        return result;
    }

    /** @return every read so far, in the order they were recorded. */
    public synchronized List<Read> reads()
    {
        return List.copyOf(reads);
    }

    /** @return how many sends were acknowledged so far. */
    public synchronized long ackedCount()
    {
        return sends.values().stream().filter((e) -> Send.Outcome.ACKED == e.outcome).count();
    }

    private void resolve(final String value, final Send.Outcome outcome, final String detail)
    {
        final SendEntry entry = entry(value);
        if (Send.Outcome.ACKED != entry.outcome)
        {
            entry.outcome = outcome;
            entry.detail = detail;
        }
    }

    private SendEntry entry(final String value)
    {
        final SendEntry entry = sends.get(value);
        if (null == entry)
        {
            throw new IllegalArgumentException("no send of " + value + " was invoked");
        }
        return entry;
    }

    private static final class SendEntry
    {
        final String producer;
        final List<Position> acks = new ArrayList<>(1);
        Send.Outcome outcome = Send.Outcome.INVOKED;
        String detail;

        SendEntry(final String producer)
        {
            this.producer = producer;
        }
    }
}
