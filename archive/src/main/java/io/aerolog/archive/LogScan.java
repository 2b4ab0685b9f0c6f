package io.aerolog.archive;

import io.aerolog.sequencer.LeaderEpochHistory;

/**
 * What reading a partition's recording back found: where it lies, where its last complete batch ends, the offset
 * after it, and the leader epochs its batches carry. A replica compares {@link #history()} with the leader's to find
 * where to truncate ({@link LeaderEpochHistory#truncationPoint}); a new leader drops what lies beyond
 * {@link #endPosition()} (a batch cut short when a copy stopped mid-way).
 *
 * @param recordingId   of the recording.
 * @param startPosition first position still in the recording.
 * @param stopPosition  where the recording stops, or its recorded position when it is still active.
 * @param endPosition   end of the last complete batch ({@code startPosition} when there is none): a batch boundary.
 * @param nextOffset    offset after the last complete batch, or {@link #NO_OFFSET} when there is none.
 * @param history       epoch of the first batch of each leader epoch held, with its start position and offset.
 * @param initialTermId of the recording, for a publication that extends it.
 * @param termLength    of the recording.
 * @param mtuLength     of the recording.
 * @param active        whether the recording was still being recorded when scanned.
 */
public record LogScan(
    long recordingId,
    long startPosition,
    long stopPosition,
    long endPosition,
    long nextOffset,
    LeaderEpochHistory history,
    int initialTermId,
    int termLength,
    int mtuLength,
    boolean active)
{
    /** {@link #nextOffset()} of a recording that holds no complete batch. */
    public static final long NO_OFFSET = -1;

    /** @return whether bytes of an incomplete batch follow the last complete one. */
    public boolean hasPartialBatch()
    {
        return endPosition < stopPosition;
    }
}
