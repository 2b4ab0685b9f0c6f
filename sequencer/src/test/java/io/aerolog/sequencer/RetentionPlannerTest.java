package io.aerolog.sequencer;

import org.junit.jupiter.api.Test;

import static io.aerolog.sequencer.RetentionPlanner.NO_PURGE;
import static io.aerolog.sequencer.RetentionPlanner.purgePosition;
import static io.aerolog.sequencer.RetentionPlanner.purgePositionForSize;
import static io.aerolog.sequencer.RetentionPlanner.purgePositionForTime;
import static io.aerolog.sequencer.RetentionPlanner.segmentBasePosition;
import static org.assertj.core.api.Assertions.assertThat;

class RetentionPlannerTest
{
    private static final int TERM_LENGTH = 1024;
    private static final int SEGMENT_LENGTH = 4 * TERM_LENGTH;
    private static final int BATCH_LENGTH = 256;

    private final OffsetIndex.Entry scratch = new OffsetIndex.Entry();

    @Test
    void shouldComputeSegmentBasePositionLikeArchive()
    {
        assertThat(segmentBasePosition(0, 0, TERM_LENGTH, SEGMENT_LENGTH)).isZero();
        assertThat(segmentBasePosition(0, 4095, TERM_LENGTH, SEGMENT_LENGTH)).isZero();
        assertThat(segmentBasePosition(0, 4096, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(4096L);
        assertThat(segmentBasePosition(0, 10000, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(8192L);

        // Segments are aligned to the term containing the start position.
        final long start = 3 * TERM_LENGTH + 100;
        assertThat(segmentBasePosition(start, start, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(3072L);
        assertThat(segmentBasePosition(start, 7167, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(3072L);
        assertThat(segmentBasePosition(start, 7168, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(7168L);
        assertThat(segmentBasePosition(start, 12000, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(11264L);
    }

    @Test
    void shouldNotPurgeForSizeWhenUnlimited()
    {
        assertThat(purgePositionForSize(0, 1 << 20, -1, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(NO_PURGE);
    }

    @Test
    void shouldPurgeForSizeOnlyWhenOverRetention()
    {
        assertThat(purgePositionForSize(0, 10000, 10000, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(NO_PURGE);
        assertThat(purgePositionForSize(0, 10000, 100000, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(NO_PURGE);
        // Over retention by less than a segment: the oldest segment still goes, leaving at most the retention.
        assertThat(purgePositionForSize(0, 10000, 9000, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(4096L);
        assertThat(purgePositionForSize(0, 10000, 5905, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(4096L);
        assertThat(purgePositionForSize(0, 10000, 5904, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(4096L);
    }

    @Test
    void shouldPurgeOldestWholeSegmentsForSize()
    {
        // Smallest segment base B with 10000 - B <= retention.
        assertThat(purgePositionForSize(0, 10000, 6000, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(4096L);
        assertThat(purgePositionForSize(0, 10000, 5903, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(8192L);
        assertThat(purgePositionForSize(0, 10000, 5000, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(8192L);
    }

    @Test
    void shouldNeverPurgeActiveSegmentForSize()
    {
        assertThat(purgePositionForSize(0, 10000, 0, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(8192L);
        assertThat(purgePositionForSize(0, 10000, 1000, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(8192L);
        // Only the active segment exists.
        assertThat(purgePositionForSize(0, 4000, 0, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(NO_PURGE);
        assertThat(purgePositionForSize(8192, 10000, 0, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(NO_PURGE);
        // An end exactly on a boundary starts a new, empty, active segment: the archive's upper bound for a purge.
        assertThat(purgePositionForSize(0, 8192, 0, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(8192L);
    }

    @Test
    void shouldPurgeForSizeWhenStartPositionIsNotZero()
    {
        final long start = 3 * TERM_LENGTH + 100; // segments at 3072, 7168, 11264, 15360
        assertThat(purgePositionForSize(start, 16000, 5000, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(11264L);
        assertThat(purgePositionForSize(start, 16000, 9000, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(7168L);
        assertThat(purgePositionForSize(start, 16000, 0, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(15360L);
        assertThat(purgePositionForSize(start, 16000, 12928, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(NO_PURGE);

        // After a purge the start is the segment base, so the next plan continues from there.
        assertThat(purgePositionForSize(11264, 16000, 0, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(15360L);
        assertThat(purgePositionForSize(11264, 16000, 5000, TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(NO_PURGE);
    }

    @Test
    void shouldNotPurgeForTimeWhenUnlimited()
    {
        final OffsetIndex index = indexOf(60, 0);

        assertThat(purgePositionForTime(index, scratch, 0, 60 * BATCH_LENGTH, Long.MAX_VALUE, -1,
            TERM_LENGTH, SEGMENT_LENGTH)).isEqualTo(NO_PURGE);
    }

    @Test
    void shouldPurgeForTimeUpToLastSegmentBoundaryBeforeCutoff()
    {
        // Batch i at position i * 256 with timestamp i * 10: boundaries 4096 (ts 160), 8192 (ts 320), 12288 (ts 480).
        final OffsetIndex index = indexOf(60, 0);
        final long end = 60 * BATCH_LENGTH;

        assertThat(timePurge(index, 0, end, 1000, 1000 - 321)).isEqualTo(8192L);
        assertThat(timePurge(index, 0, end, 1000, 1000 - 320)).isEqualTo(4096L);
        assertThat(timePurge(index, 0, end, 1000, 1000 - 161)).isEqualTo(4096L);
    }

    @Test
    void shouldNotPurgeForTimeWhenNothingIsOldEnough()
    {
        final OffsetIndex index = indexOf(60, 0);

        assertThat(timePurge(index, 0, 60 * BATCH_LENGTH, 1000, 1000 - 160)).isEqualTo(NO_PURGE);
        assertThat(timePurge(index, 0, 60 * BATCH_LENGTH, 0, 1000)).isEqualTo(NO_PURGE);
    }

    @Test
    void shouldNeverPurgeActiveSegmentForTime()
    {
        final OffsetIndex index = indexOf(60, 0);

        // Everything is older than the cut-off, but the active segment from 12288 stays.
        assertThat(timePurge(index, 0, 60 * BATCH_LENGTH, 1_000_000, 0)).isEqualTo(12288L);
        // Only the active segment.
        final OffsetIndex small = indexOf(10, 0);
        assertThat(timePurge(small, 0, 10 * BATCH_LENGTH, 1_000_000, 0)).isEqualTo(NO_PURGE);
    }

    @Test
    void shouldPurgeForTimeWhenStartPositionIsNotZero()
    {
        final OffsetIndex index = indexOf(60, 0);
        index.truncateBefore(4096);

        assertThat(timePurge(index, 4096, 60 * BATCH_LENGTH, 1000, 1000 - 321)).isEqualTo(8192L);
        assertThat(timePurge(index, 4096, 60 * BATCH_LENGTH, 1000, 1000 - 320)).isEqualTo(NO_PURGE);
        assertThat(timePurge(index, 4096, 60 * BATCH_LENGTH, 1_000_000, 0)).isEqualTo(12288L);

        // A recording starting mid-term: segments at 3072, 7168, 11264, 15360.
        final long start = 3 * TERM_LENGTH + 256;
        final OffsetIndex offsetIndex = new OffsetIndex(1 << 20, TERM_LENGTH);
        for (int i = 0; i < 60; i++)
        {
            final long position = start + (long)i * BATCH_LENGTH;
            offsetIndex.onBatch(i, 1, position, position + BATCH_LENGTH, i * 10L);
        }
        final long end = start + 60 * BATCH_LENGTH;

        // Boundary 7168 is batch 15 (ts 150), 11264 is batch 31 (ts 310), 15360 is batch 47 (ts 470).
        assertThat(timePurge(offsetIndex, start, end, 1000, 1000 - 311)).isEqualTo(11264L);
        assertThat(timePurge(offsetIndex, start, end, 1000, 1000 - 310)).isEqualTo(7168L);
        assertThat(timePurge(offsetIndex, start, end, 1_000_000, 0)).isEqualTo(15360L);
    }

    @Test
    void shouldSkipBoundaryWithoutExactEntry()
    {
        final OffsetIndex index = new OffsetIndex(1 << 20, SEGMENT_LENGTH);
        index.onBatch(0, 1, 0, 4000, 10);
        index.onBatch(1, 1, 4000, 4200, 20); // straddles 4096: no exact entry there
        index.onBatch(2, 1, 8192, 8300, 30);
        index.onBatch(3, 1, 12288, 12400, 40);

        assertThat(timePurge(index, 0, 12400, 1000, 1000 - 35)).isEqualTo(8192L);
        assertThat(timePurge(index, 0, 12400, 1000, 1000 - 25)).isEqualTo(NO_PURGE);
    }

    @Test
    void shouldUseLaterTimeOrSizePurge()
    {
        assertThat(purgePosition(NO_PURGE, NO_PURGE)).isEqualTo(NO_PURGE);
        assertThat(purgePosition(4096, NO_PURGE)).isEqualTo(4096L);
        assertThat(purgePosition(NO_PURGE, 8192)).isEqualTo(8192L);
        assertThat(purgePosition(4096, 8192)).isEqualTo(8192L);
    }

    private long timePurge(
        final OffsetIndex index, final long start, final long end, final long nowMs, final long retentionMs)
    {
        return purgePositionForTime(index, scratch, start, end, nowMs, retentionMs, TERM_LENGTH, SEGMENT_LENGTH);
    }

    private static OffsetIndex indexOf(final int batchCount, final long startPosition)
    {
        // A large interval so that only term starts are indexed.
        final OffsetIndex index = new OffsetIndex(1 << 20, TERM_LENGTH);
        for (int i = 0; i < batchCount; i++)
        {
            final long position = startPosition + (long)i * BATCH_LENGTH;
            index.onBatch(i, 1, position, position + BATCH_LENGTH, i * 10L);
        }

        return index;
    }
}
