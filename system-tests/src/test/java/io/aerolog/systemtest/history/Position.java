package io.aerolog.systemtest.history;

/**
 * Where a record sits: a partition of the topic under test and an offset in it.
 *
 * @param partition of the topic.
 * @param offset    in the partition.
 */
public record Position(int partition, long offset) implements Comparable<Position>
{
    @Override
    public int compareTo(final Position other)
    {
        final int byPartition = Integer.compare(partition, other.partition);
        return 0 != byPartition ? byPartition : Long.compare(offset, other.offset);
    }

    @Override
    public String toString()
    {
        return partition + "@" + offset;
    }
}
