package io.aerolog.cluster.replication;

import io.aerolog.sequencer.LeaderEpochHistory;

import java.util.Arrays;

/**
 * One partition's agreed leader-epoch history as the controller keeps it: a {@link LeaderEpochHistory} with, per
 * entry, the recording of the leader that started the epoch (the last one is the current leader's, which followers
 * replicate). Bounded to {@link #MAX_ENTRIES}: when full, entries that lie wholly below the partition's log start
 * offset (the next entry starts at or below it, so no retained record belongs to them) are dropped first; if none
 * can be, the new start is refused. <b>Not thread-safe:</b> the controller service's thread.
 */
public final class PartitionEpochHistory
{
    /** Most entries one partition keeps. */
    public static final int MAX_ENTRIES = 1024;

    /** Recording id of a partition no leader has registered an epoch for. */
    public static final long NULL_RECORDING_ID = -1;

    private LeaderEpochHistory history = new LeaderEpochHistory();
    private long[] recordingIds = new long[8];

    /**
     * @return number of entries.
     */
    public int size()
    {
        return history.size();
    }

    /**
     * @return the latest epoch, or {@link LeaderEpochHistory#NO_EPOCH} when empty.
     */
    public int lastEpoch()
    {
        return history.lastEpoch();
    }

    /**
     * @param index of an entry, from 0.
     * @return its epoch.
     */
    public int epochAt(final int index)
    {
        return history.epochAt(index);
    }

    /**
     * @param index of an entry, from 0.
     * @return its start position.
     */
    public long startPositionAt(final int index)
    {
        return history.startPositionAt(index);
    }

    /**
     * @param index of an entry, from 0.
     * @return its start offset.
     */
    public long startOffsetAt(final int index)
    {
        return history.startOffsetAt(index);
    }

    /**
     * @param index of an entry, from 0.
     * @return the recording of the leader that started it.
     */
    public long recordingIdAt(final int index)
    {
        if (index < 0 || index >= history.size())
        {
            throw new IndexOutOfBoundsException("entry " + index + " of " + history.size());
        }
        return recordingIds[index];
    }

    /**
     * @return the current leader's recording (that of the last entry), or {@link #NULL_RECORDING_ID} when empty.
     */
    public long leaderRecordingId()
    {
        return 0 == history.size() ? NULL_RECORDING_ID : recordingIds[history.size() - 1];
    }

    /**
     * @param epoch           to compare.
     * @param startPosition   to compare.
     * @param startOffset     to compare.
     * @param leaderRecordingId to compare.
     * @return true if the last entry holds exactly these values.
     */
    public boolean lastEquals(
        final int epoch, final long startPosition, final long startOffset, final long leaderRecordingId)
    {
        final int last = history.size() - 1;
        return last >= 0 && history.epochAt(last) == epoch && history.startPositionAt(last) == startPosition &&
            history.startOffsetAt(last) == startOffset && recordingIds[last] == leaderRecordingId;
    }

    /**
     * Makes room for one more entry if the history is full, dropping the oldest entries that lie wholly below the log
     * start offset.
     *
     * @param logStartOffset of the partition.
     * @return true if an entry may be appended.
     */
    public boolean makeRoom(final long logStartOffset)
    {
        final int size = history.size();
        if (size < MAX_ENTRIES)
        {
            return true;
        }
        int drop = 0;
        while (drop + 1 < size && history.startOffsetAt(drop + 1) <= logStartOffset)
        {
            drop++;
        }
        if (0 == drop)
        {
            return false;
        }
        // Rare (once per MAX_ENTRIES elections at most), so a rebuild is fine.
        final LeaderEpochHistory kept = new LeaderEpochHistory();
        final long[] keptIds = new long[recordingIds.length];
        for (int i = drop; i < size; i++)
        {
            kept.append(history.epochAt(i), history.startPositionAt(i), history.startOffsetAt(i));
            keptIds[i - drop] = recordingIds[i];
        }
        history = kept;
        recordingIds = keptIds;
        return true;
    }

    /**
     * Appends an entry by {@link LeaderEpochHistory#append} (a start at or before later entries replaces them).
     * Call {@link #makeRoom} first.
     *
     * @param epoch             above the last one.
     * @param startPosition     of its first batch.
     * @param startOffset       of its first record.
     * @param leaderRecordingId of the leader starting it.
     * @throws IllegalArgumentException as {@link LeaderEpochHistory#append} does.
     */
    public void append(final int epoch, final long startPosition, final long startOffset, final long leaderRecordingId)
    {
        history.append(epoch, startPosition, startOffset);
        final int index = history.size() - 1;
        if (index >= recordingIds.length)
        {
            recordingIds = Arrays.copyOf(recordingIds, recordingIds.length * 2);
        }
        recordingIds[index] = leaderRecordingId;
    }

    /**
     * @return a copy of the entries as a pure history (without recording ids).
     */
    public LeaderEpochHistory copyHistory()
    {
        final LeaderEpochHistory copy = new LeaderEpochHistory();
        for (int i = 0; i < history.size(); i++)
        {
            copy.append(history.epochAt(i), history.startPositionAt(i), history.startOffsetAt(i));
        }
        return copy;
    }

    @Override
    public String toString()
    {
        return history + " leaderRecordingId=" + leaderRecordingId();
    }
}
