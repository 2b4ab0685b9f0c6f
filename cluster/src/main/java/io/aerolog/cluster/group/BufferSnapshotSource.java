package io.aerolog.cluster.group;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A {@link SnapshotSource} reading what a {@link BufferSnapshotSink} wrote.
 */
public final class BufferSnapshotSource implements SnapshotSource
{
    private final DirectBuffer buffer;
    private final int limit;
    private int position;

    /**
     * Read from a region of a buffer.
     *
     * @param buffer to read.
     * @param offset of the first byte.
     * @param length of the region.
     */
    public BufferSnapshotSource(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.position = offset;
        this.limit = offset + length;
    }

    /**
     * {@inheritDoc}
     */
    public int readInt()
    {
        check(Integer.BYTES);
        final int value = buffer.getInt(position, ByteOrder.LITTLE_ENDIAN);
        position += Integer.BYTES;

        return value;
    }

    /**
     * {@inheritDoc}
     */
    public long readLong()
    {
        check(Long.BYTES);
        final long value = buffer.getLong(position, ByteOrder.LITTLE_ENDIAN);
        position += Long.BYTES;

        return value;
    }

    /**
     * {@inheritDoc}
     */
    public String readString()
    {
        final int length = readInt();
        if (-1 == length)
        {
            return null;
        }

        if (length < 0)
        {
            throw new IllegalStateException("invalid string length: " + length);
        }

        check(length);
        final byte[] bytes = new byte[length];
        buffer.getBytes(position, bytes);
        position += length;

        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Bytes left to read.
     *
     * @return bytes left to read.
     */
    public int remaining()
    {
        return limit - position;
    }

    private void check(final int length)
    {
        if (position + length > limit)
        {
            throw new IllegalStateException("snapshot truncated at " + position);
        }
    }
}
