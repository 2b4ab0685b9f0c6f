package io.aerolog.sequencer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OffsetIndexTest
{
    private static final int TERM_LENGTH = 64 * 1024;

    private final OffsetIndex.Entry entry = new OffsetIndex.Entry();

    @Test
    void shouldValidateArguments()
    {
        assertThatThrownBy(() -> new OffsetIndex(-1, TERM_LENGTH)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OffsetIndex(4096, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OffsetIndex(4096, 1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OffsetIndex(4096, -65536)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldBeEmptyInitially()
    {
        final OffsetIndex index = new OffsetIndex(4096, TERM_LENGTH);

        assertThat(index.entryCount()).isZero();
        assertThat(index.firstEntryOffset()).isEqualTo(OffsetIndex.NULL_VALUE);
        assertThat(index.lastEntryPosition()).isEqualTo(OffsetIndex.NULL_VALUE);
        assertThat(index.logStartOffset()).isZero();
        assertThat(index.logEndOffset()).isZero();
        assertThat(index.floorByOffset(0, entry)).isFalse();
        assertThat(index.scanStartForTimestamp(0, entry)).isFalse();
        assertThat(index.entryAtOrAfter(0, entry)).isFalse();
    }

    @Test
    void shouldIndexFirstBatchThenAtInterval()
    {
        final OffsetIndex index = new OffsetIndex(100, TERM_LENGTH);

        // 40 byte batches of 2 records at positions 0, 40, 80, ...
        for (int i = 0; i < 10; i++)
        {
            index.onBatch(i * 2L, 2, i * 40L, i * 40L + 40, i);
        }

        // Entries at 0, 120 (>= 0 + 100), 240 (>= 120 + 100) and 360.
        assertThat(index.entryCount()).isEqualTo(4);
        assertThat(index.firstEntryOffset()).isZero();
        assertThat(index.lastEntryPosition()).isEqualTo(360L);
        assertThat(index.logEndOffset()).isEqualTo(20L);
        assertThat(index.logEndPosition()).isEqualTo(400L);

        assertThat(index.entryAtOrAfter(1, entry)).isTrue();
        assertEntry(entry, 6L, 120L, 3L);
        assertThat(index.entryAtOrAfter(241, entry)).isTrue();
        assertEntry(entry, 18L, 360L, 9L);
        assertThat(index.entryAtOrAfter(361, entry)).isFalse();
    }

    @Test
    void shouldIndexEveryTermStart()
    {
        final int termLength = 1024;
        final OffsetIndex index = new OffsetIndex(1 << 20, termLength);

        // 128 byte batches: 8 per term, the interval alone would index only the first.
        for (int i = 0; i < 32; i++)
        {
            index.onBatch(i, 1, i * 128L, i * 128L + 128, i);
        }

        assertThat(index.entryCount()).isEqualTo(4);
        for (int term = 0; term < 4; term++)
        {
            final long termStart = (long)term * termLength;
            assertThat(index.entryAtOrAfter(termStart, entry)).isTrue();
            assertEntry(entry, term * 8L, termStart, term * 8L);
        }
    }

    @Test
    void shouldIndexFirstBatchInNewTermEvenWhenNotAtTermStart()
    {
        final OffsetIndex index = new OffsetIndex(1 << 20, 1024);

        index.onBatch(0, 1, 0, 1000, 1);
        index.onBatch(1, 1, 1056, 1100, 2); // padding filled the end of term 0

        assertThat(index.entryCount()).isEqualTo(2);
        assertThat(index.lastEntryPosition()).isEqualTo(1056L);
    }

    @Test
    void shouldFindFloorByOffset()
    {
        final OffsetIndex index = new OffsetIndex(0, TERM_LENGTH);
        index.truncateBefore(0);
        index.clear(1000L);

        // Batches of 10 records at offsets 1000, 1010, ... every one indexed.
        for (int i = 0; i < 5; i++)
        {
            index.onBatch(1000L + i * 10, 10, 64L * i, 64L * i + 64, 100 + i);
        }

        assertThat(index.floorByOffset(999, entry)).isFalse();
        assertThat(index.floorByOffset(1000, entry)).isTrue();
        assertEntry(entry, 1000L, 0L, 100L);
        assertThat(index.floorByOffset(1009, entry)).isTrue();
        assertEntry(entry, 1000L, 0L, 100L);
        assertThat(index.floorByOffset(1010, entry)).isTrue();
        assertEntry(entry, 1010L, 64L, 101L);
        assertThat(index.floorByOffset(1035, entry)).isTrue();
        assertEntry(entry, 1030L, 192L, 103L);
        assertThat(index.floorByOffset(Long.MAX_VALUE, entry)).isTrue();
        assertEntry(entry, 1040L, 256L, 104L);
    }

    @Test
    void shouldFindScanStartForTimestamp()
    {
        final OffsetIndex index = new OffsetIndex(0, TERM_LENGTH);
        final long[] timestamps = { 10, 30, 20, 40, 50 };
        for (int i = 0; i < timestamps.length; i++)
        {
            index.onBatch(i, 1, i * 100L, i * 100L + 100, timestamps[i]);
        }

        // maxTimestampSoFar: 10, 30, 30, 40, 50.
        assertThat(index.scanStartForTimestamp(5, entry)).isTrue();
        assertEntry(entry, 0L, 0L, 10L);
        assertThat(index.scanStartForTimestamp(10, entry)).isTrue();
        assertEntry(entry, 0L, 0L, 10L);
        assertThat(index.scanStartForTimestamp(11, entry)).isTrue();
        assertEntry(entry, 0L, 0L, 10L);
        assertThat(index.scanStartForTimestamp(25, entry)).isTrue();
        assertEntry(entry, 0L, 0L, 10L);
        assertThat(index.scanStartForTimestamp(35, entry)).isTrue();
        assertEntry(entry, 2L, 200L, 30L);
        assertThat(index.scanStartForTimestamp(50, entry)).isTrue();
        assertEntry(entry, 3L, 300L, 40L);
        assertThat(index.scanStartForTimestamp(60, entry)).isTrue();
        assertEntry(entry, 4L, 400L, 50L);
    }

    @Test
    void shouldTruncateBefore()
    {
        final OffsetIndex index = new OffsetIndex(0, TERM_LENGTH);
        for (int i = 0; i < 10; i++)
        {
            index.onBatch(i * 3L, 3, i * 100L, i * 100L + 100, i);
        }

        index.truncateBefore(250);

        assertThat(index.entryCount()).isEqualTo(7);
        assertThat(index.firstEntryOffset()).isEqualTo(9L);
        assertThat(index.logStartOffset()).isEqualTo(9L);
        assertThat(index.floorByOffset(8, entry)).isFalse();
        assertThat(index.floorByOffset(10, entry)).isTrue();
        assertEntry(entry, 9L, 300L, 3L);
        assertThat(index.entryAtOrAfter(0, entry)).isTrue();
        assertEntry(entry, 9L, 300L, 3L);
        assertThat(index.scanStartForTimestamp(0, entry)).isTrue();
        assertEntry(entry, 9L, 300L, 3L);

        // Monotonic: a lower position does not bring entries back.
        index.truncateBefore(0);
        assertThat(index.entryCount()).isEqualTo(7);
        assertThat(index.logStartOffset()).isEqualTo(9L);

        index.truncateBefore(300);
        assertThat(index.entryCount()).isEqualTo(7);

        index.truncateBefore(301);
        assertThat(index.entryCount()).isEqualTo(6);
        assertThat(index.logStartOffset()).isEqualTo(12L);
    }

    @Test
    void shouldIndexFirstBatchAfterTruncation()
    {
        final OffsetIndex index = new OffsetIndex(1000, TERM_LENGTH);
        for (int i = 0; i <= 20; i++)
        {
            index.onBatch(i, 1, i * 100L, i * 100L + 100, i);
        }
        assertThat(index.entryCount()).isEqualTo(3); // 0, 1000, 2000

        index.truncateBefore(1000);
        assertThat(index.logStartOffset()).isEqualTo(10L);
        index.onBatch(21, 1, 2100, 2200, 21);

        assertThat(index.entryCount()).isEqualTo(3); // 1000, 2000, 2100
        assertThat(index.lastEntryPosition()).isEqualTo(2100L);

        index.onBatch(22, 1, 2200, 2300, 22);
        assertThat(index.entryCount()).isEqualTo(3);
    }

    @Test
    void shouldTruncateAllEntriesThenIndexNextBatch()
    {
        final OffsetIndex index = new OffsetIndex(1000, TERM_LENGTH);
        for (int i = 0; i < 5; i++)
        {
            index.onBatch(i, 1, i * 100L, i * 100L + 100, i);
        }

        index.truncateBefore(500);

        assertThat(index.entryCount()).isZero();
        assertThat(index.firstEntryOffset()).isEqualTo(OffsetIndex.NULL_VALUE);
        assertThat(index.logStartOffset()).isEqualTo(5L);
        assertThat(index.floorByOffset(4, entry)).isFalse();

        index.onBatch(5, 1, 500, 600, 5);

        assertThat(index.entryCount()).isEqualTo(1);
        assertThat(index.floorByOffset(5, entry)).isTrue();
        assertEntry(entry, 5L, 500L, 5L);
    }

    @Test
    void shouldGrowPastInitialCapacity()
    {
        final OffsetIndex index = new OffsetIndex(0, TERM_LENGTH);
        final int count = OffsetIndex.INITIAL_CAPACITY * 5 + 3;
        for (int i = 0; i < count; i++)
        {
            index.onBatch(i * 2L, 2, i * 64L, i * 64L + 64, i);
        }

        assertThat(index.entryCount()).isEqualTo(count);
        for (int i = 0; i < count; i++)
        {
            assertThat(index.floorByOffset(i * 2L + 1, entry)).isTrue();
            assertEntry(entry, i * 2L, i * 64L, i);
        }
    }

    @Test
    void shouldCompactTruncatedEntriesWhenGrowing()
    {
        final OffsetIndex index = new OffsetIndex(0, TERM_LENGTH);
        int i = 0;
        for (; i < OffsetIndex.INITIAL_CAPACITY; i++)
        {
            index.onBatch(i, 1, i * 64L, i * 64L + 64, i);
        }

        final int retainedFrom = OffsetIndex.INITIAL_CAPACITY - 10;
        index.truncateBefore(retainedFrom * 64L);

        final int total = OffsetIndex.INITIAL_CAPACITY * 3;
        for (; i < total; i++)
        {
            index.onBatch(i, 1, i * 64L, i * 64L + 64, i);
        }

        assertThat(index.entryCount()).isEqualTo(total - retainedFrom);
        assertThat(index.firstEntryOffset()).isEqualTo(retainedFrom);
        assertThat(index.floorByOffset(retainedFrom - 1, entry)).isFalse();
        for (int offset = retainedFrom; offset < total; offset++)
        {
            assertThat(index.floorByOffset(offset, entry)).isTrue();
            assertEntry(entry, offset, offset * 64L, offset);
        }
    }

    @Test
    void shouldClear()
    {
        final OffsetIndex index = new OffsetIndex(0, TERM_LENGTH);
        for (int i = 0; i < 10; i++)
        {
            index.onBatch(i, 1, i * 64L, i * 64L + 64, 1000 + i);
        }

        index.clear(500L);

        assertThat(index.entryCount()).isZero();
        assertThat(index.logStartOffset()).isEqualTo(500L);
        assertThat(index.logEndOffset()).isEqualTo(500L);
        assertThat(index.floorByOffset(5, entry)).isFalse();

        index.onBatch(500, 4, 4096, 4200, 7);

        assertThat(index.entryCount()).isEqualTo(1);
        assertThat(index.floorByOffset(503, entry)).isTrue();
        assertEntry(entry, 500L, 4096L, 7L);
        assertThat(index.logEndOffset()).isEqualTo(504L);
        assertThat(index.logEndPosition()).isEqualTo(4200L);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldGiveCoherentEntriesToConcurrentReader() throws InterruptedException
    {
        final int batchCount = 1_000_000;
        final int batchLength = 64;
        final int recordsPerBatch = 2;
        final OffsetIndex index = new OffsetIndex(256, 1024 * 1024);
        final AtomicReference<Throwable> writerError = new AtomicReference<>();

        final Thread writer = new Thread(() ->
        {
            try
            {
                for (int i = 0; i < batchCount; i++)
                {
                    final long position = (long)i * batchLength;
                    index.onBatch((long)i * recordsPerBatch, recordsPerBatch, position, position + batchLength, i);

                    if (i % 100_000 == 99_999)
                    {
                        // Exercise truncation and compaction concurrently with the reader.
                        index.truncateBefore(position - 1024 * 1024);
                    }
                }
            }
            catch (final Throwable ex)
            {
                writerError.set(ex);
            }
        }, "index-writer");

        writer.start();

        final ThreadLocalRandom random = ThreadLocalRandom.current();
        long lookups = 0;
        long lastFloorOffset = -1;
        final OffsetIndex.Entry readEntry = new OffsetIndex.Entry();
        do
        {
            final long endOffset = index.logEndOffset();
            if (endOffset == 0)
            {
                Thread.onSpinWait();
                continue;
            }

            final long offset = random.nextLong(Math.max(0, lastFloorOffset), endOffset);
            if (index.floorByOffset(offset, readEntry))
            {
                final long baseOffset = readEntry.baseOffset();
                assertThat(baseOffset).isLessThanOrEqualTo(offset);
                assertThat(baseOffset % recordsPerBatch).isZero();
                assertThat(readEntry.position()).isEqualTo(baseOffset / recordsPerBatch * batchLength);
                assertThat(readEntry.maxTimestamp()).isEqualTo(baseOffset / recordsPerBatch);
                // The batch containing the offset is within one index interval of the entry.
                assertThat(offset - baseOffset).isLessThan(256 / batchLength * recordsPerBatch);
            }
            else
            {
                // Only possible when truncation has since passed the offset.
                assertThat(offset).isLessThan(index.firstEntryOffset());
                lastFloorOffset = index.firstEntryOffset();
            }
            lookups++;
        }
        while (writer.isAlive());

        writer.join();
        assertThat(writerError.get()).isNull();
        assertThat(lookups).isPositive();
        assertThat(index.logEndOffset()).isEqualTo((long)batchCount * recordsPerBatch);
        assertThat(index.floorByOffset(index.logEndOffset() - 1, readEntry)).isTrue();
        assertThat(readEntry.position()).isEqualTo((long)(batchCount - 4) * batchLength);
    }

    private static void assertEntry(
        final OffsetIndex.Entry entry, final long baseOffset, final long position, final long maxTimestamp)
    {
        assertThat(entry.baseOffset()).as("baseOffset").isEqualTo(baseOffset);
        assertThat(entry.position()).as("position").isEqualTo(position);
        assertThat(entry.maxTimestamp()).as("maxTimestamp").isEqualTo(maxTimestamp);
    }
}
