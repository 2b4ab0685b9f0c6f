package io.aerolog.cluster.group;

/**
 * Where group state is written as a sequence of primitive fields, in a deterministic order.
 */
public interface SnapshotSink
{
    /**
     * Write an int.
     *
     * @param value to write.
     */
    void writeInt(int value);

    /**
     * Write a long.
     *
     * @param value to write.
     */
    void writeLong(long value);

    /**
     * Write a string, which may be null.
     *
     * @param value to write, or null.
     */
    void writeString(String value);
}
