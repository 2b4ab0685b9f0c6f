package io.aerolog.client;

import io.aerolog.transport.RecordSetReader;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * A view of one record handed to a {@link RecordHandler}. It is reused for the next record: copy out what you
 * need to keep. Allocation-free accessors return buffer views; the byte[]/String ones allocate.
 */
public final class ConsumedRecord
{
    private RecordSetReader reader;
    private String topic;
    private int partition;
    private long offset;
    private long timestamp;
    private boolean logAppendTime;

    void set(
        final RecordSetReader reader,
        final String topic,
        final int partition,
        final long offset,
        final long timestamp,
        final boolean logAppendTime)
    {
        this.reader = reader;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.logAppendTime = logAppendTime;
    }

    /** @return topic of the record. */
    public String topic()
    {
        return topic;
    }

    /** @return partition of the record. */
    public int partition()
    {
        return partition;
    }

    /** @return offset of the record. */
    public long offset()
    {
        return offset;
    }

    /** @return the record's timestamp in ms since the epoch: create time, or log-append time per topic config. */
    public long timestamp()
    {
        return timestamp;
    }

    /** @return whether {@link #timestamp()} is the broker's log-append time. */
    public boolean isLogAppendTime()
    {
        return logAppendTime;
    }

    /** @return whether the record has a key. */
    public boolean hasKey()
    {
        return reader.hasKey();
    }

    /** @return whether the record has a value (false for a tombstone). */
    public boolean hasValue()
    {
        return reader.hasValue();
    }

    /** @return a view of the key from index 0 (empty when there is none). */
    public DirectBuffer key()
    {
        return reader.key();
    }

    /** @return a view of the value from index 0 (empty when there is none). */
    public DirectBuffer value()
    {
        return reader.value();
    }

    /** @return the key copied, or null when there is none. */
    public byte[] keyBytes()
    {
        return hasKey() ? copy(reader.key()) : null;
    }

    /** @return the value copied, or null when there is none. */
    public byte[] valueBytes()
    {
        return hasValue() ? copy(reader.value()) : null;
    }

    /** @return the key as UTF-8 text, or null. */
    public String keyAsString()
    {
        return hasKey() ? reader.key().getStringWithoutLengthUtf8(0, reader.key().capacity()) : null;
    }

    /** @return the value as UTF-8 text, or null. */
    public String valueAsString()
    {
        return hasValue() ? reader.value().getStringWithoutLengthUtf8(0, reader.value().capacity()) : null;
    }

    /** @return number of headers. */
    public int headerCount()
    {
        return reader.headerCount();
    }

    /**
     * @param index of a header, from 0.
     * @return its name (allocates).
     */
    public String headerKey(final int index)
    {
        return reader.headerKey(index);
    }

    /**
     * @param index of a header, from 0.
     * @param view  wrapped onto its value.
     */
    public void headerValue(final int index, final UnsafeBuffer view)
    {
        reader.wrapHeaderValue(index, view);
    }

    /**
     * @param index of a header, from 0.
     * @return its value copied.
     */
    public byte[] headerValueBytes(final int index)
    {
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        reader.wrapHeaderValue(index, view);
        return copy(view);
    }

    private static byte[] copy(final DirectBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.capacity()];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    @Override
    public String toString()
    {
        return topic + "-" + partition + "@" + offset + " " + keyAsString() + "=" +
            (hasValue() ? new String(valueBytes(), StandardCharsets.UTF_8) : null);
    }
}
