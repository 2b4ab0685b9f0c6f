package io.aerolog.sequencer;

import java.util.Arrays;

/**
 * Where each leader epoch of a partition starts: entries (epoch, start position, start offset), epochs strictly
 * increasing and starts never decreasing, as Kafka's leader-epoch cache keeps them. A replica that diverged from the
 * leader finds, from the leader's history and its own, the position up to which the two logs agree
 * ({@link #truncationPoint}): everything beyond it is a tail the leader never had and is cut before the replica copies
 * again.
 * <p>
 * Positions are byte positions of the partition's recording (identical on every replica, since followers copy the
 * leader's recording byte for byte); offsets ride along so the offset index and the sequencer can roll back too.
 * Pure and single threaded: the controller holds the agreed history, each broker a copy.
 */
public final class LeaderEpochHistory
{
    /** Returned by lookups that find no entry. */
    public static final int NO_EPOCH = -1;

    private int[] epochs = new int[8];
    private long[] startPositions = new long[8];
    private long[] startOffsets = new long[8];
    private int size;

    /**
     * Records that an epoch starts at a position. A later epoch starting at or before the start of entries already
     * held replaces them (their leaders' tails beyond it were never committed), as Kafka's cache drops conflicting
     * entries so it stays monotonic. Appending the last entry again is a no-op.
     *
     * @param epoch         leader epoch, above every epoch held.
     * @param startPosition position of its first batch, at least 0.
     * @param startOffset   offset of its first record, at least 0.
     * @throws IllegalArgumentException for an epoch not above the last one, or a negative position or offset.
     */
    public void append(final int epoch, final long startPosition, final long startOffset)
    {
        if (startPosition < 0 || startOffset < 0 || epoch < 0)
        {
            throw new IllegalArgumentException("epoch, start position and offset must be >= 0: " + epoch + ", " +
                startPosition + ", " + startOffset);
        }
        if (size > 0)
        {
            final int last = size - 1;
            if (epoch == epochs[last] && startPosition == startPositions[last] && startOffset == startOffsets[last])
            {
                return;
            }
            if (epoch <= epochs[last])
            {
                throw new IllegalArgumentException("epoch " + epoch + " is not above the last epoch " + epochs[last]);
            }
        }
        while (size > 0 && startPositions[size - 1] >= startPosition)
        {
            size--;
        }
        if (size == epochs.length)
        {
            epochs = Arrays.copyOf(epochs, size * 2);
            startPositions = Arrays.copyOf(startPositions, size * 2);
            startOffsets = Arrays.copyOf(startOffsets, size * 2);
        }
        epochs[size] = epoch;
        startPositions[size] = startPosition;
        startOffsets[size] = startOffset;
        size++;
    }

    /**
     * Forgets every entry starting at or beyond a position, as a replica does when it cuts its log there.
     *
     * @param position the new end of the log.
     */
    public void truncateFrom(final long position)
    {
        while (size > 0 && startPositions[size - 1] >= position)
        {
            size--;
        }
    }

    /**
     * @return the number of entries.
     */
    public int size()
    {
        return size;
    }

    /**
     * @param index of an entry, from 0.
     * @return its epoch.
     */
    public int epochAt(final int index)
    {
        checkIndex(index);
        return epochs[index];
    }

    /**
     * @param index of an entry, from 0.
     * @return its start position.
     */
    public long startPositionAt(final int index)
    {
        checkIndex(index);
        return startPositions[index];
    }

    /**
     * @param index of an entry, from 0.
     * @return its start offset.
     */
    public long startOffsetAt(final int index)
    {
        checkIndex(index);
        return startOffsets[index];
    }

    /**
     * @return the latest epoch, or {@link #NO_EPOCH} when empty.
     */
    public int lastEpoch()
    {
        return 0 == size ? NO_EPOCH : epochs[size - 1];
    }

    /**
     * @param epoch to look up.
     * @return the largest epoch held that is at most it, or {@link #NO_EPOCH}.
     */
    public int largestEpochAtMost(final int epoch)
    {
        final int index = indexOfLargestEpochAtMost(epoch);
        return index < 0 ? NO_EPOCH : epochs[index];
    }

    /**
     * Where the log written in epochs up to and including one ends: the start of the first later epoch held, or the
     * log's end if there is none (Kafka's answer to OffsetsForLeaderEpoch).
     *
     * @param epoch  an epoch.
     * @param logEnd the end position of the log this history belongs to.
     * @return the end position of that epoch.
     */
    public long endPositionOf(final int epoch, final long logEnd)
    {
        for (int i = 0; i < size; i++)
        {
            if (epochs[i] > epoch)
            {
                return Math.min(startPositions[i], logEnd);
            }
        }
        return logEnd;
    }

    /**
     * The epoch the record just before a position was written in.
     *
     * @param position a position of the log.
     * @return the epoch of the last entry starting before it, or {@link #NO_EPOCH}.
     */
    public int epochBefore(final long position)
    {
        for (int i = size - 1; i >= 0; i--)
        {
            if (startPositions[i] < position)
            {
                return epochs[i];
            }
        }
        return NO_EPOCH;
    }

    /**
     * The position up to which a replica's log agrees with the leader's, by Kafka's rule (KIP-101, KIP-279): take the
     * replica's last epoch {@code f}; find the leader's largest epoch {@code h <= f} and where it ends on the leader;
     * if {@code h == f} the logs agree up to the smaller of the two ends; otherwise the replica's log beyond its own
     * end of {@code h} is foreign, so cut there and ask again with the epoch before the cut, until the epochs match.
     * With no leader epoch at or before the replica's, they agree only below the leader's first epoch start.
     *
     * @param leader   the leader's history (the controller's agreed one).
     * @param leaderEnd the leader's log end position.
     * @param replica  the replica's own history, of what it holds.
     * @param replicaEnd the replica's log end position.
     * @return the position to truncate the replica's log to: at most {@code replicaEnd}.
     */
    public static long truncationPoint(
        final LeaderEpochHistory leader,
        final long leaderEnd,
        final LeaderEpochHistory replica,
        final long replicaEnd)
    {
        long end = replicaEnd;
        while (true)
        {
            final int replicaEpoch = replica.epochBefore(end);
            final int leaderEpoch = NO_EPOCH == replicaEpoch ? NO_EPOCH : leader.largestEpochAtMost(replicaEpoch);
            if (NO_EPOCH == leaderEpoch)
            {
                // Nothing to compare: the logs can agree only on what lies before the leader's first epoch.
                return Math.min(end, 0 == leader.size ? leaderEnd : leader.startPositions[0]);
            }
            final long leaderEndOfEpoch = leader.endPositionOf(leaderEpoch, leaderEnd);
            if (leaderEpoch == replicaEpoch)
            {
                return Math.min(end, leaderEndOfEpoch);
            }
            final long next = Math.min(replica.endPositionOf(leaderEpoch, end), leaderEndOfEpoch);
            if (next >= end)
            {
                return end; // cannot happen with monotonic histories; never loop
            }
            end = next;
        }
    }

    private int indexOfLargestEpochAtMost(final int epoch)
    {
        for (int i = size - 1; i >= 0; i--)
        {
            if (epochs[i] <= epoch)
            {
                return i;
            }
        }
        return -1;
    }

    private void checkIndex(final int index)
    {
        if (index < 0 || index >= size)
        {
            throw new IndexOutOfBoundsException("entry " + index + " of " + size);
        }
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("LeaderEpochHistory[");
        for (int i = 0; i < size; i++)
        {
            sb.append(0 == i ? "" : ", ").append('(').append(epochs[i]).append(", ").append(startPositions[i])
                .append(", ").append(startOffsets[i]).append(')');
        }
        return sb.append(']').toString();
    }
}
