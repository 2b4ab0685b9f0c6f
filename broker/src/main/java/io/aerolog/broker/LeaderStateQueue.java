package io.aerolog.broker;

import io.aerolog.codecs.replica.LeaderStateEncoder;

import java.util.Arrays;

/**
 * The leader states waiting to go to one follower: at most one per partition, a newer state replacing the queued
 * one (a state is current only when it is sent). Grows with the partitions the follower copies, never per message.
 * Replica channel thread only.
 */
final class LeaderStateQueue
{
    private int count;
    private int[] topicIds = new int[16];
    private int[] partitions = new int[16];
    private int[] epochs = new int[16];
    private long[] hwPositions = new long[16];
    private long[] hwOffsets = new long[16];
    private long[] logStartOffsets = new long[16];
    private long[] logStartPositions = new long[16];

    /** @return how many partitions have a state queued. */
    int size()
    {
        return count;
    }

    /** Drops every queued state. */
    void clear()
    {
        count = 0;
    }

    /**
     * Queues a partition's state over any state of it already queued.
     *
     * @param topicId          of the partition.
     * @param partition        number.
     * @param leaderEpoch      the leader's epoch.
     * @param hwPosition       stream position of the high watermark.
     * @param hwOffset         high watermark offset.
     * @param logStartOffset   first offset retained.
     * @param logStartPosition first position still in the leader's recording.
     */
    void put(
        final int topicId,
        final int partition,
        final int leaderEpoch,
        final long hwPosition,
        final long hwOffset,
        final long logStartOffset,
        final long logStartPosition)
    {
        int i = 0;
        while (i < count && (topicIds[i] != topicId || partitions[i] != partition))
        {
            i++;
        }
        if (i == count)
        {
            if (count == topicIds.length)
            {
                grow(count * 2);
            }
            count++;
        }
        topicIds[i] = topicId;
        partitions[i] = partition;
        epochs[i] = leaderEpoch;
        hwPositions[i] = hwPosition;
        hwOffsets[i] = hwOffset;
        logStartOffsets[i] = logStartOffset;
        logStartPositions[i] = logStartPosition;
    }

    /**
     * Writes one queued state as the next entry of a message.
     *
     * @param index   of the state, below {@link #size()}.
     * @param entries the message's partitions group, already moved to the entry with {@code next()}.
     */
    void encode(final int index, final LeaderStateEncoder.PartitionsEncoder entries)
    {
        entries
            .topicId(topicIds[index])
            .partition(partitions[index])
            .leaderEpoch(epochs[index])
            .hwPosition(hwPositions[index])
            .hwOffset(hwOffsets[index])
            .logStartOffset(logStartOffsets[index])
            .logStartPosition(logStartPositions[index]);
    }

    private void grow(final int capacity)
    {
        topicIds = Arrays.copyOf(topicIds, capacity);
        partitions = Arrays.copyOf(partitions, capacity);
        epochs = Arrays.copyOf(epochs, capacity);
        hwPositions = Arrays.copyOf(hwPositions, capacity);
        hwOffsets = Arrays.copyOf(hwOffsets, capacity);
        logStartOffsets = Arrays.copyOf(logStartOffsets, capacity);
        logStartPositions = Arrays.copyOf(logStartPositions, capacity);
    }
}
