package io.aerolog.cluster.group;

/**
 * Reads back, in the same order, the fields a {@link SnapshotSink} was given.
 */
public interface SnapshotSource
{
    /**
     * Read an int.
     *
     * @return the value.
     */
    int readInt();

    /**
     * Read a long.
     *
     * @return the value.
     */
    long readLong();

    /**
     * Read a string.
     *
     * @return the value, which may be null.
     */
    String readString();
}
