package io.aerolog.sequencer;

/**
 * Pure arithmetic deciding how far a partition log, recorded as segment files of an archive, may be purged under
 * size and time retention, in the manner of Kafka's {@code retention.bytes} and {@code retention.ms}.
 * <p>
 * Only whole segments are purged, so a purge position is always a segment base, and never the segment containing
 * the end position (the active segment): the same bounds the archive applies when detaching or purging segments.
 * All lengths are powers of two. Methods return {@link #NO_PURGE} when there is nothing to purge.
 */
public final class RetentionPlanner
{
    /**
     * Returned when nothing should be purged.
     */
    public static final long NO_PURGE = -1L;

    private RetentionPlanner()
    {
    }

    /**
     * Base position of the segment file containing a position, as Aeron's
     * {@code AeronArchive.segmentFileBasePosition}: segments are aligned to the start of the term containing the
     * recording's start position.
     *
     * @param recordingStartPosition start position of the recording.
     * @param position               whose segment base is wanted.
     * @param termLength             of the recorded stream, a power of two.
     * @param segmentLength          of the recording's segment files, a power of two multiple of the term length.
     * @return base position of the segment containing the position.
     */
    public static long segmentBasePosition(
        final long recordingStartPosition, final long position, final int termLength, final int segmentLength)
    {
        final long startTermBase = recordingStartPosition - (recordingStartPosition & (termLength - 1));
        final long lengthFromBase = position - startTermBase;

        return startTermBase + (lengthFromBase - (lengthFromBase & (segmentLength - 1)));
    }

    /**
     * New start position to purge up to so that the log keeps no more than {@code retentionBytes}: the oldest whole
     * segments are dropped while the remaining size {@code endPosition - newStart} still exceeds the retention.
     * The result is the smallest segment base {@code B} with {@code endPosition - B <= retentionBytes}, capped at the
     * active segment's base, so the log may still hold more than the retention when the active segment is large.
     *
     * @param startPosition  current start position of the recording.
     * @param endPosition    current end position of the recording.
     * @param retentionBytes maximum bytes to retain, negative for unlimited.
     * @param termLength     of the recorded stream, a power of two.
     * @param segmentLength  of the recording's segment files, a power of two.
     * @return the segment base to purge up to, or {@link #NO_PURGE} if it is not beyond the first segment's base.
     */
    public static long purgePositionForSize(
        final long startPosition,
        final long endPosition,
        final long retentionBytes,
        final int termLength,
        final int segmentLength)
    {
        if (retentionBytes < 0)
        {
            return NO_PURGE;
        }

        final long firstBase = segmentBasePosition(startPosition, startPosition, termLength, segmentLength);
        final long activeBase = segmentBasePosition(startPosition, endPosition, termLength, segmentLength);
        final long required = endPosition - retentionBytes;
        if (required <= firstBase)
        {
            return NO_PURGE;
        }

        // Round up to a segment base: a segment is only dropped when all of it lies before the required start.
        long purgePosition = segmentBasePosition(startPosition, required, termLength, segmentLength);
        if (purgePosition < required)
        {
            purgePosition += segmentLength;
        }
        purgePosition = Math.min(purgePosition, activeBase);

        return purgePosition > firstBase ? purgePosition : NO_PURGE;
    }

    /**
     * New start position to purge up to so that records older than {@code nowMs - retentionMs} are dropped, in whole
     * segments. A segment boundary {@code B} (after the first segment's base, at most the active segment's base) may
     * be purged up to when the index has an entry exactly at {@code B} whose {@code maxTimestampSoFar} is before the
     * cut-off. This is conservative: that entry's batch, which is kept, is also old. As the index timestamps are
     * non-decreasing the boundaries are scanned from the oldest, stopping at the first that is too recent.
     *
     * @param index         of the partition log.
     * @param scratch       reusable entry holder owned by the calling thread.
     * @param startPosition current start position of the recording.
     * @param endPosition   current end position of the recording.
     * @param nowMs         current time in milliseconds, in the same clock as the record timestamps.
     * @param retentionMs   maximum age of records to retain, negative for unlimited.
     * @param termLength    of the recorded stream, a power of two.
     * @param segmentLength of the recording's segment files, a power of two.
     * @return the largest segment base that may be purged up to, or {@link #NO_PURGE}.
     */
    public static long purgePositionForTime(
        final OffsetIndex index,
        final OffsetIndex.Entry scratch,
        final long startPosition,
        final long endPosition,
        final long nowMs,
        final long retentionMs,
        final int termLength,
        final int segmentLength)
    {
        if (retentionMs < 0)
        {
            return NO_PURGE;
        }

        final long cutoff = nowMs - retentionMs;
        final long firstBase = segmentBasePosition(startPosition, startPosition, termLength, segmentLength);
        final long activeBase = segmentBasePosition(startPosition, endPosition, termLength, segmentLength);
        long purgePosition = NO_PURGE;

        for (long base = firstBase + segmentLength; base <= activeBase; base += segmentLength)
        {
            if (!index.entryAtOrAfter(base, scratch))
            {
                break;
            }

            // Without an exact entry a boundary cannot be judged, but a later one still can.
            if (scratch.position() == base)
            {
                if (scratch.maxTimestamp() >= cutoff)
                {
                    break;
                }

                purgePosition = base;
            }
        }

        return purgePosition;
    }

    /**
     * Combine size and time purge positions: the further of the two, as a log is purged when either retention is
     * exceeded.
     *
     * @param sizePurge purge position for size, or {@link #NO_PURGE}.
     * @param timePurge purge position for time, or {@link #NO_PURGE}.
     * @return the greater of the two, or {@link #NO_PURGE} if neither purges.
     */
    public static long purgePosition(final long sizePurge, final long timePurge)
    {
        return Math.max(Math.max(sizePurge, timePurge), NO_PURGE);
    }
}
