package io.aerolog.transport;

import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aerolog.codecs.wire.RecordSetDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Walks an SBE {@code RecordSet} record by record with views onto keys, values and headers. Reused; allocates
 * nothing. Reading is bounds checked against the slice given to {@link #wrap}, so a malformed set fails with an
 * exception rather than reading past its frame.
 */
public final class RecordSetReader
{
    private final UnsafeBuffer slice = new UnsafeBuffer(0, 0);
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final RecordSetDecoder recordSetDecoder = new RecordSetDecoder();
    private final UnsafeBuffer keyView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer valueView = new UnsafeBuffer(0, 0);
    private RecordSetDecoder.RecordsDecoder records;
    private int remaining;
    private int count;
    private long timestamp;
    private int flags;
    private int headerCount;
    private int[] headerSpans = new int[16];

    /**
     * Wraps a record set.
     *
     * @param buffer holding it.
     * @param offset of it.
     * @param length of it.
     * @return the number of records, or -1 when the header is not a RecordSet of a readable version.
     */
    public int wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        slice.wrap(buffer, offset, length);
        if (null != Wire.checkHeader(slice, 0, length, headerDecoder, RecordSetDecoder.SCHEMA_ID,
            RecordSetDecoder.SCHEMA_VERSION) || headerDecoder.templateId() != RecordSetDecoder.TEMPLATE_ID)
        {
            remaining = 0;
            count = 0;
            return -1;
        }
        recordSetDecoder.wrapAndApplyHeader(slice, 0, headerDecoder);
        records = recordSetDecoder.records();
        count = records.count();
        remaining = count;
        return count;
    }

    /**
     * Moves to the next record; its fields are then read with the accessors.
     *
     * @return false when no record is left.
     */
    public boolean next()
    {
        if (remaining <= 0)
        {
            return false;
        }
        remaining--;
        records.next();
        timestamp = records.timestamp();
        flags = records.flags();
        final RecordSetDecoder.RecordsDecoder.HeadersDecoder headers = records.headers();
        headerCount = headers.count();
        if (headerSpans.length < headerCount * 4)
        {
            headerSpans = new int[Math.max(headerCount * 4, headerSpans.length * 2)];
        }
        int i = 0;
        while (headers.hasNext())
        {
            headers.next();
            headerSpans[i++] = recordSetDecoder.limit() + 4;
            headerSpans[i++] = headers.headerKeyLength();
            headers.skipHeaderKey();
            headerSpans[i++] = recordSetDecoder.limit() + 4;
            headerSpans[i++] = headers.headerValueLength();
            headers.skipHeaderValue();
        }
        final int keyLength = records.keyLength();
        records.wrapKey(keyView);
        final int valueLength = records.valueLength();
        records.wrapValue(valueView);
        if (keyLength != keyView.capacity() || valueLength != valueView.capacity())
        {
            throw new IllegalStateException("record lengths do not match");
        }
        return true;
    }

    /**
     * Walks every record to check the set is well formed.
     *
     * @param buffer holding it.
     * @param offset of it.
     * @param length of it.
     * @param expectedCount of records the request claims.
     * @return the largest record timestamp, or {@link Long#MIN_VALUE} when the set is malformed or counts differ.
     */
    public long validate(final DirectBuffer buffer, final int offset, final int length, final int expectedCount)
    {
        try
        {
            if (wrap(buffer, offset, length) != expectedCount || expectedCount < 1)
            {
                return Long.MIN_VALUE;
            }
            long maxTimestamp = Long.MIN_VALUE + 1;
            while (next())
            {
                maxTimestamp = Math.max(maxTimestamp, timestamp);
            }
            return maxTimestamp;
        }
        catch (final IndexOutOfBoundsException | IllegalStateException ex)
        {
            return Long.MIN_VALUE;
        }
    }

    /** @return records in the set. */
    public int count()
    {
        return count;
    }

    /** @return create time of the current record. */
    public long timestamp()
    {
        return timestamp;
    }

    /** @return whether the current record has a key. */
    public boolean hasKey()
    {
        return 0 == (flags & RecordSetWriter.FLAG_NULL_KEY);
    }

    /** @return whether the current record has a value. */
    public boolean hasValue()
    {
        return 0 == (flags & RecordSetWriter.FLAG_NULL_VALUE);
    }

    /** @return a view of the current record's key (empty when it has none). */
    public DirectBuffer key()
    {
        return keyView;
    }

    /** @return a view of the current record's value (empty when it has none). */
    public DirectBuffer value()
    {
        return valueView;
    }

    /** @return number of headers of the current record. */
    public int headerCount()
    {
        return headerCount;
    }

    /**
     * Name of a header of the current record; allocates a String.
     *
     * @param index of the header, from 0.
     * @return its name.
     */
    public String headerKey(final int index)
    {
        return slice.getStringWithoutLengthUtf8(headerSpans[index * 4], headerSpans[index * 4 + 1]);
    }

    /**
     * Wraps a view onto the value of a header of the current record.
     *
     * @param index of the header, from 0.
     * @param view  to wrap.
     */
    public void wrapHeaderValue(final int index, final UnsafeBuffer view)
    {
        view.wrap(slice, headerSpans[index * 4 + 2], headerSpans[index * 4 + 3]);
    }

    /**
     * Visits the current record's headers, copying each value; for callers that want objects.
     *
     * @param visitor called per header.
     */
    public void forEachHeader(final HeaderVisitor visitor)
    {
        for (int i = 0; i < headerCount; i++)
        {
            final byte[] value = new byte[headerSpans[i * 4 + 3]];
            slice.getBytes(headerSpans[i * 4 + 2], value);
            visitor.onHeader(headerKey(i), value);
        }
    }

    /** Receives one header of a record. */
    @FunctionalInterface
    public interface HeaderVisitor
    {
        /**
         * One header.
         *
         * @param key   of the header.
         * @param value of the header.
         */
        void onHeader(String key, byte[] value);
    }
}
