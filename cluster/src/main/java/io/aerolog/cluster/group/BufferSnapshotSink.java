package io.aerolog.cluster.group;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A {@link SnapshotSink} writing little-endian fields into a growing buffer; strings as a length (-1 for null) then
 * UTF-8 bytes.
 */
public final class BufferSnapshotSink implements SnapshotSink
{
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
    private int length;

    /**
     * {@inheritDoc}
     */
    public void writeInt(final int value)
    {
        buffer.putInt(length, value, ByteOrder.LITTLE_ENDIAN);
        length += Integer.BYTES;
    }

    /**
     * {@inheritDoc}
     */
    public void writeLong(final long value)
    {
        buffer.putLong(length, value, ByteOrder.LITTLE_ENDIAN);
        length += Long.BYTES;
    }

    /**
     * {@inheritDoc}
     */
    public void writeString(final String value)
    {
        if (null == value)
        {
            writeInt(-1);
            return;
        }

        final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        writeInt(bytes.length);
        buffer.putBytes(length, bytes);
        length += bytes.length;
    }

    /**
     * The buffer written so far, valid from 0 to {@link #length()}.
     *
     * @return the buffer.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Number of bytes written.
     *
     * @return number of bytes written.
     */
    public int length()
    {
        return length;
    }

    /**
     * Copy of the bytes written.
     *
     * @return a new array of the bytes written.
     */
    public byte[] toByteArray()
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);

        return bytes;
    }
}
