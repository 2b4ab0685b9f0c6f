package io.aerolog.transport;

import io.aerolog.codecs.wire.MessageHeaderEncoder;
import io.aerolog.codecs.wire.RecordSetEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Appends records to an SBE {@code RecordSet} one at a time, as a producer's batch fills, and patches the record
 * count when the batch is sealed. One writer per open batch; reused across batches; allocates nothing.
 */
public final class RecordSetWriter
{
    /** Most records one batch may hold (the group count is a uint16 whose top value means null). */
    public static final int MAX_RECORDS = 65534;

    /** Flag bit: the record has no key. */
    public static final int FLAG_NULL_KEY = 1;
    /** Flag bit: the record has no value (a tombstone). */
    public static final int FLAG_NULL_VALUE = 2;

    private static final int NUM_IN_GROUP_OFFSET = MessageHeaderEncoder.ENCODED_LENGTH +
        RecordSetEncoder.BLOCK_LENGTH + 2;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final RecordSetEncoder recordSetEncoder = new RecordSetEncoder();
    private RecordSetEncoder.RecordsEncoder records;
    private MutableDirectBuffer buffer;
    private int offset;
    private int count;

    /**
     * Starts a new, empty record set.
     *
     * @param buffer to encode into; must be large enough for what will be appended.
     * @param offset at which the record set starts.
     */
    public void begin(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.count = 0;
        recordSetEncoder.wrapAndApplyHeader(buffer, offset, headerEncoder);
        records = recordSetEncoder.recordsCount(MAX_RECORDS);
    }

    /**
     * Bytes a record will take, so the caller can tell whether it fits.
     *
     * @param keyLength    of the key, or -1 for none.
     * @param valueLength  of the value, or -1 for none.
     * @param headersBytes sum over headers of key bytes + value bytes + 8.
     * @return encoded length.
     */
    public static int encodedRecordLength(final int keyLength, final int valueLength, final int headersBytes)
    {
        return RecordSetEncoder.RecordsEncoder.sbeBlockLength() + 4 + headersBytes + 4 + Math.max(0, keyLength) + 4 +
            Math.max(0, valueLength);
    }

    /**
     * Length of an empty record set.
     *
     * @return bytes.
     */
    public static int emptyLength()
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + RecordSetEncoder.BLOCK_LENGTH + 4;
    }

    /**
     * Appends a record without headers.
     *
     * @param timestamp   create time in ms since the epoch.
     * @param key         buffer holding the key, or null for none.
     * @param keyOffset   of the key.
     * @param keyLength   of the key.
     * @param value       buffer holding the value, or null for none.
     * @param valueOffset of the value.
     * @param valueLength of the value.
     */
    public void append(
        final long timestamp,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength)
    {
        beginRecord(timestamp, key, value, 0);
        endRecord(key, keyOffset, keyLength, value, valueOffset, valueLength);
    }

    /**
     * Starts a record with headers; follow with {@link #header} per header, then {@link #endRecord}.
     *
     * @param timestamp   create time in ms since the epoch.
     * @param key         the key buffer, or null for none (only its nullness is used here).
     * @param value       the value buffer, or null for none (only its nullness is used here).
     * @param headerCount how many headers follow.
     */
    public void beginRecord(final long timestamp, final DirectBuffer key, final DirectBuffer value, final int headerCount)
    {
        if (count >= MAX_RECORDS)
        {
            throw new IllegalStateException("record set is full: " + MAX_RECORDS + " records");
        }
        count++;
        final int flags = (null == key ? FLAG_NULL_KEY : 0) | (null == value ? FLAG_NULL_VALUE : 0);
        records.next().timestamp(timestamp).flags((short)flags);
        headers = records.headersCount(headerCount);
    }

    private RecordSetEncoder.RecordsEncoder.HeadersEncoder headers;

    /**
     * Adds a header to the record begun with {@link #beginRecord}.
     *
     * @param headerKey   name of the header.
     * @param value       buffer holding the header value.
     * @param valueOffset of the value.
     * @param valueLength of the value.
     */
    public void header(final String headerKey, final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        headers.next().headerKey(headerKey).putHeaderValue(value, valueOffset, valueLength);
    }

    /**
     * Finishes the record begun with {@link #beginRecord} with its key and value.
     *
     * @param key         buffer holding the key, or null for none.
     * @param keyOffset   of the key.
     * @param keyLength   of the key.
     * @param value       buffer holding the value, or null for none.
     * @param valueOffset of the value.
     * @param valueLength of the value.
     */
    public void endRecord(
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength)
    {
        if (null == key)
        {
            records.putKey(value == null ? EMPTY : value, 0, 0);
        }
        else
        {
            records.putKey(key, keyOffset, keyLength);
        }
        if (null == value)
        {
            records.putValue(null == key ? EMPTY : key, 0, 0);
        }
        else
        {
            records.putValue(value, valueOffset, valueLength);
        }
    }

    private static final DirectBuffer EMPTY = new org.agrona.concurrent.UnsafeBuffer(new byte[0]);

    /**
     * Seals the record set: writes the real record count.
     *
     * @return the encoded length from the offset given to {@link #begin}.
     */
    public int seal()
    {
        buffer.putShort(offset + NUM_IN_GROUP_OFFSET, (short)count, java.nio.ByteOrder.LITTLE_ENDIAN);
        return recordSetEncoder.limit() - offset;
    }

    /**
     * Records appended since {@link #begin}.
     *
     * @return the count.
     */
    public int count()
    {
        return count;
    }

    /**
     * Current encoded length, including what has been appended so far.
     *
     * @return bytes from the start offset.
     */
    public int length()
    {
        return recordSetEncoder.limit() - offset;
    }
}
