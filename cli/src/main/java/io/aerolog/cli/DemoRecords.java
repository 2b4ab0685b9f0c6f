package io.aerolog.cli;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The records of {@code aerolog demo}: key {@code key-<i>}, value of a fixed size whose first 8 bytes are the
 * {@link System#nanoTime()} at which it was sent.
 */
final class DemoRecords
{
    /** Smallest value: room for the send time. */
    static final int MIN_VALUE_SIZE = Long.BYTES;

    private static final String KEY_PREFIX = "key-";
    private static final int KEY_PREFIX_LENGTH = KEY_PREFIX.length();

    private DemoRecords()
    {
    }

    /**
     * Writes the key of record i.
     *
     * @param buffer to write to, from index 0.
     * @param index  of the record.
     * @return length of the key.
     */
    static int putKey(final MutableDirectBuffer buffer, final int index)
    {
        buffer.putStringWithoutLengthAscii(0, KEY_PREFIX);
        return KEY_PREFIX_LENGTH + buffer.putIntAscii(KEY_PREFIX_LENGTH, index);
    }

    /**
     * Reads the index of a record from its key.
     *
     * @param key    buffer holding the key.
     * @param length of the key.
     * @return the index, or -1 when the key is not one the demo writes.
     */
    static int keyIndex(final DirectBuffer key, final int length)
    {
        if (length <= KEY_PREFIX_LENGTH || length > KEY_PREFIX_LENGTH + 10)
        {
            return -1;
        }
        for (int i = 0; i < KEY_PREFIX_LENGTH; i++)
        {
            if (key.getByte(i) != KEY_PREFIX.charAt(i))
            {
                return -1;
            }
        }
        long index = 0;
        for (int i = KEY_PREFIX_LENGTH; i < length; i++)
        {
            final int digit = key.getByte(i) - '0';
            if (digit < 0 || digit > 9)
            {
                return -1;
            }
            index = index * 10 + digit;
        }
        return index > Integer.MAX_VALUE ? -1 : (int)index;
    }

    /**
     * Stamps a value with its send time.
     *
     * @param value  buffer holding the value from index 0.
     * @param sendNs {@link System#nanoTime()} at send.
     */
    static void putSendTime(final MutableDirectBuffer value, final long sendNs)
    {
        value.putLong(0, sendNs, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @param value buffer holding the value from index 0, at least {@link #MIN_VALUE_SIZE} long.
     * @return the send time stamped on it.
     */
    static long sendTime(final DirectBuffer value)
    {
        return value.getLong(0, ByteOrder.LITTLE_ENDIAN);
    }
}
