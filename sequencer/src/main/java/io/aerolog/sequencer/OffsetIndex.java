package io.aerolog.sequencer;

import org.agrona.BitUtil;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Sparse offset and time index of one partition log, the equivalent of Kafka's {@code .index} and
 * {@code .timeindex} files combined.
 * <p>
 * Each entry holds the base offset of a batch, the stream position at which the batch's frame starts, and the
 * maximum record timestamp of all batches up to and including that batch ({@code maxTimestampSoFar}), which makes
 * timestamps monotonic over entries and so searchable.
 * <p>
 * <b>Threading:</b> {@link #onBatch(long, int, long, long, long)} and {@link #clear(long)} are called by a single
 * writer thread. All lookups and {@link #truncateBefore(long)} may be called from any thread without locks. Entries
 * are appended to a {@code long[]} which is never written below the published count, so a reader never sees a torn
 * entry; growth copies the retained entries into a new array published before the count is advanced. Entries are
 * identified by an absolute, ever increasing sequence: {@code count} is the sequence of the next entry and
 * {@code lowerBound} that of the first retained entry.
 */
public final class OffsetIndex
{
    /**
     * Value returned by {@link #firstEntryOffset()} and {@link #lastEntryPosition()} when the index is empty.
     */
    public static final long NULL_VALUE = -1L;

    /**
     * Initial capacity, in entries, of the index and the minimum capacity it is compacted to.
     */
    static final int INITIAL_CAPACITY = 256;

    private static final int ENTRY_LONGS = 3;
    private static final int BASE_OFFSET_INDEX = 0;
    private static final int POSITION_INDEX = 1;
    private static final int MAX_TIMESTAMP_INDEX = 2;

    private static final VarHandle ENTRIES_VH;
    private static final VarHandle COUNT_VH;
    private static final VarHandle LOWER_BOUND_VH;
    private static final VarHandle LOG_START_OFFSET_VH;
    private static final VarHandle LOG_END_OFFSET_VH;
    private static final VarHandle LOG_END_POSITION_VH;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            ENTRIES_VH = lookup.findVarHandle(OffsetIndex.class, "entries", Entries.class);
            COUNT_VH = lookup.findVarHandle(OffsetIndex.class, "count", long.class);
            LOWER_BOUND_VH = lookup.findVarHandle(OffsetIndex.class, "lowerBound", long.class);
            LOG_START_OFFSET_VH = lookup.findVarHandle(OffsetIndex.class, "logStartOffset", long.class);
            LOG_END_OFFSET_VH = lookup.findVarHandle(OffsetIndex.class, "logEndOffset", long.class);
            LOG_END_POSITION_VH = lookup.findVarHandle(OffsetIndex.class, "logEndPosition", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final int indexIntervalBytes;
    private final int termLengthShift;

    // Writer thread state.
    private long writerLastEntryPosition;
    private long writerMaxTimestamp = Long.MIN_VALUE;
    private long writerLastSeenLowerBound;

    // Published state: written with release semantics, read as volatile.
    private volatile Entries entries;
    private volatile long count;
    private volatile long lowerBound;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile long logEndPosition;

    /**
     * Construct an empty index with a log start offset of 0.
     *
     * @param indexIntervalBytes minimum number of stream bytes between entries within a term, 0 to index every batch.
     * @param termLength         of the stream being indexed, a power of two.
     * @throws IllegalArgumentException if an argument is invalid.
     */
    public OffsetIndex(final int indexIntervalBytes, final int termLength)
    {
        if (indexIntervalBytes < 0)
        {
            throw new IllegalArgumentException("indexIntervalBytes must be >= 0: " + indexIntervalBytes);
        }

        if (termLength <= 0 || !BitUtil.isPowerOfTwo(termLength))
        {
            throw new IllegalArgumentException("termLength must be a positive power of two: " + termLength);
        }

        this.indexIntervalBytes = indexIntervalBytes;
        this.termLengthShift = Integer.numberOfTrailingZeros(termLength);
        this.entries = new Entries(new long[INITIAL_CAPACITY * ENTRY_LONGS], 0);
    }

    /**
     * Record a batch appended to the log. Must be called for every batch, in log order, by the writer thread.
     * <p>
     * An entry is added for the first batch, for the first batch after a {@link #truncateBefore(long)} which dropped
     * entries, when the batch starts at least {@code indexIntervalBytes} after the last entry, and when the batch
     * starts in a different term than the last entry. The last rule guarantees that every term start, and hence every
     * archive segment boundary, has an exact entry, which retention relies on.
     *
     * @param baseOffset    of the batch.
     * @param recordCount   of records in the batch.
     * @param startPosition stream position at which the batch's frame starts.
     * @param endPosition   stream position after the batch's frame, i.e. the new log end position.
     * @param maxTimestamp  the maximum record timestamp in the batch.
     */
    public void onBatch(
        final long baseOffset,
        final int recordCount,
        final long startPosition,
        final long endPosition,
        final long maxTimestamp)
    {
        if (maxTimestamp > writerMaxTimestamp)
        {
            writerMaxTimestamp = maxTimestamp;
        }

        final long count = this.count;
        final long lowerBound = this.lowerBound;

        if (count == lowerBound ||
            lowerBound != writerLastSeenLowerBound ||
            startPosition - writerLastEntryPosition >= indexIntervalBytes ||
            (startPosition >> termLengthShift) != (writerLastEntryPosition >> termLengthShift))
        {
            addEntry(count, lowerBound, baseOffset, startPosition, writerMaxTimestamp);
            writerLastSeenLowerBound = lowerBound;
            writerLastEntryPosition = startPosition;
        }

        // Entry first, then the log end, so a reader that sees the log end can find the batch in the index.
        LOG_END_POSITION_VH.setRelease(this, endPosition);
        LOG_END_OFFSET_VH.setRelease(this, baseOffset + recordCount);
    }

    /**
     * Drop entries whose position is less than the given position, as when the log is purged up to it. The lower
     * bound of retained entries only ever rises, so this is safe to call from any thread, concurrently with the
     * writer and readers. The log start offset becomes the base offset of the first retained entry, or the log end
     * offset if no entry is retained. Callers should truncate at term (segment) boundaries, which always have an exact
     * entry, for the log start offset to be exact.
     *
     * @param position before which entries are dropped.
     */
    public void truncateBefore(final long position)
    {
        // Read the log end before the entries: all batches up to it are then covered by the snapshot.
        final long endOffset = logEndOffset;

        // Rare (retention), so a fresh holder is fine; the consistent read itself lives in snapshot().
        final Entry view = new Entry();
        snapshot(view);
        final long count = view.limit;
        final Entries entries = view.entries;
        final long first = view.first;

        final long newLowerBound = entries.firstAtOrAfter(first, count, POSITION_INDEX, position);
        if (newLowerBound <= first)
        {
            return;
        }

        final long newStartOffset = newLowerBound < count ?
            entries.get(newLowerBound, BASE_OFFSET_INDEX) : Math.max(endOffset, logStartOffset);

        if (raise(LOWER_BOUND_VH, newLowerBound))
        {
            raise(LOG_START_OFFSET_VH, newStartOffset);
        }
    }

    /**
     * Drop all entries and start afresh with an empty log at the given offset. Writer thread, at start-up only:
     * concurrent readers remain safe but {@link #logStartOffset()} may be lowered, unlike with
     * {@link #truncateBefore(long)}. The log end position reads 0 until the next batch.
     *
     * @param logStartOffset of the now empty log.
     */
    public void clear(final long logStartOffset)
    {
        final long count = this.count;

        // A fresh array so that readers of the old one never see it overwritten.
        ENTRIES_VH.setRelease(this, new Entries(new long[INITIAL_CAPACITY * ENTRY_LONGS], count));
        raise(LOWER_BOUND_VH, count);
        LOG_START_OFFSET_VH.setRelease(this, logStartOffset);
        LOG_END_POSITION_VH.setRelease(this, 0L);
        LOG_END_OFFSET_VH.setRelease(this, logStartOffset);

        writerLastEntryPosition = 0;
        writerMaxTimestamp = Long.MIN_VALUE;
        writerLastSeenLowerBound = count;
    }

    /**
     * Find the last entry whose base offset is less than or equal to the given offset.
     *
     * @param offset to look up.
     * @param out    reusable holder, owned by the calling thread, into which the entry is copied.
     * @return true if found, false if the index is empty or the offset is below the first retained entry.
     */
    public boolean floorByOffset(final long offset, final Entry out)
    {
        if (!snapshot(out))
        {
            return false;
        }

        final Entries entries = out.entries;
        final long first = out.first;
        if (offset < entries.get(first, BASE_OFFSET_INDEX))
        {
            return false;
        }

        final long next = entries.firstAfter(first, out.limit, BASE_OFFSET_INDEX, offset);
        out.set(entries, next - 1);

        return true;
    }

    /**
     * Find where to start scanning the log for the first record with a timestamp greater than or equal to the given
     * timestamp. Let j be the first entry whose {@code maxTimestampSoFar} is at least the timestamp: the result is the
     * entry before j, or j itself if j is the first retained entry, or the last entry if there is no such j.
     *
     * @param timestamp to look up.
     * @param out       reusable holder, owned by the calling thread, into which the entry is copied.
     * @return true if found, false only if the index is empty.
     */
    public boolean scanStartForTimestamp(final long timestamp, final Entry out)
    {
        if (!snapshot(out))
        {
            return false;
        }

        final Entries entries = out.entries;
        final long first = out.first;
        final long limit = out.limit;
        final long j = entries.firstAtOrAfter(first, limit, MAX_TIMESTAMP_INDEX, timestamp);

        // Entry j's batch or one before it up to the previous entry may hold the first record reaching the timestamp.
        final long sequence = j == limit ? limit - 1 : (j == first ? first : j - 1);
        out.set(entries, sequence);

        return true;
    }

    /**
     * Find the first entry whose position is greater than or equal to the given position.
     *
     * @param position to look up.
     * @param out      reusable holder, owned by the calling thread, into which the entry is copied.
     * @return true if found, false if the index is empty or all entries are before the position.
     */
    public boolean entryAtOrAfter(final long position, final Entry out)
    {
        if (!snapshot(out))
        {
            return false;
        }

        final Entries entries = out.entries;
        final long j = entries.firstAtOrAfter(out.first, out.limit, POSITION_INDEX, position);
        if (j == out.limit)
        {
            return false;
        }

        out.set(entries, j);

        return true;
    }

    /**
     * Base offset of the first retained entry. Allocates a view: for tools and tests, not a duty cycle.
     *
     * @return base offset of the first retained entry, or {@link #NULL_VALUE} if the index is empty.
     */
    public long firstEntryOffset()
    {
        final Entry view = new Entry();
        return snapshot(view) ? view.entries.get(view.first, BASE_OFFSET_INDEX) : NULL_VALUE;
    }

    /**
     * Position of the last entry. Allocates a view: for tools and tests, not a duty cycle.
     *
     * @return position of the last entry, or {@link #NULL_VALUE} if the index is empty.
     */
    public long lastEntryPosition()
    {
        final Entry view = new Entry();
        return snapshot(view) ? view.entries.get(view.limit - 1, POSITION_INDEX) : NULL_VALUE;
    }

    /**
     * Number of retained entries.
     *
     * @return number of retained entries.
     */
    public int entryCount()
    {
        final long count = this.count;
        return (int)Math.max(0, count - Math.max(lowerBound, entries.baseSequence));
    }

    /**
     * Offset of the first record retained in the log: the base offset of the first retained entry after a
     * {@link #truncateBefore(long)}, else the value given to {@link #clear(long)}, initially 0.
     *
     * @return offset of the first record retained in the log.
     */
    public long logStartOffset()
    {
        return logStartOffset;
    }

    /**
     * Offset after the last batch given to {@link #onBatch(long, int, long, long, long)}, i.e. the log end offset.
     *
     * @return offset after the last batch.
     */
    public long logEndOffset()
    {
        return logEndOffset;
    }

    /**
     * Stream position after the last batch given to {@link #onBatch(long, int, long, long, long)}.
     *
     * @return stream position after the last batch.
     */
    public long logEndPosition()
    {
        return logEndPosition;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "OffsetIndex{" +
            "entryCount=" + entryCount() +
            ", logStartOffset=" + logStartOffset +
            ", logEndOffset=" + logEndOffset +
            ", logEndPosition=" + logEndPosition +
            '}';
    }

    private void addEntry(
        final long count, final long lowerBound, final long baseOffset, final long position, final long maxTimestamp)
    {
        Entries entries = this.entries;
        if (count - entries.baseSequence == entries.capacity)
        {
            entries = grow(entries, count, lowerBound);
        }

        final long[] data = entries.data;
        final int index = (int)(count - entries.baseSequence) * ENTRY_LONGS;
        data[index + BASE_OFFSET_INDEX] = baseOffset;
        data[index + POSITION_INDEX] = position;
        data[index + MAX_TIMESTAMP_INDEX] = maxTimestamp;

        // Release orders the entry's longs, and any new array, before the count which makes them visible.
        COUNT_VH.setRelease(this, count + 1);
    }

    private Entries grow(final Entries entries, final long count, final long lowerBound)
    {
        // Compact away truncated entries while copying: the old array is left intact for readers still using it.
        final long from = Math.max(lowerBound, entries.baseSequence);
        final int live = (int)(count - from);
        final int capacity = Math.max(INITIAL_CAPACITY, live * 2);
        final long[] data = new long[capacity * ENTRY_LONGS];
        System.arraycopy(
            entries.data, (int)(from - entries.baseSequence) * ENTRY_LONGS, data, 0, live * ENTRY_LONGS);

        final Entries newEntries = new Entries(data, from);
        ENTRIES_VH.setRelease(this, newEntries);

        return newEntries;
    }

    private boolean snapshot(final Entry out)
    {
        long count;
        Entries entries;
        long first;
        do
        {
            // Count before entries: the entries array read is then at least as new as the count.
            count = this.count;
            entries = this.entries;
            first = Math.max(lowerBound, entries.baseSequence);
        }
        while (first > count); // truncation or compaction overtook the count read, so read again.

        out.entries = entries;
        out.first = first;
        out.limit = count;

        return first < count;
    }

    private boolean raise(final VarHandle varHandle, final long value)
    {
        long current;
        do
        {
            current = (long)varHandle.getVolatile(this);
            if (value <= current)
            {
                return false;
            }
        }
        while (!varHandle.compareAndSet(this, current, value));

        return true;
    }

    /**
     * Reusable holder for an index entry, owned by one reader thread.
     */
    public static final class Entry
    {
        private long baseOffset = NULL_VALUE;
        private long position = NULL_VALUE;
        private long maxTimestamp = NULL_VALUE;

        // Snapshot of the index taken by the lookup in progress, kept here so lookups do not allocate.
        Entries entries;
        long first;
        long limit;

        /**
         * Base offset of the batch the entry refers to.
         *
         * @return base offset of the batch the entry refers to.
         */
        public long baseOffset()
        {
            return baseOffset;
        }

        /**
         * Stream position at which the batch's frame starts.
         *
         * @return stream position at which the batch's frame starts.
         */
        public long position()
        {
            return position;
        }

        /**
         * Maximum record timestamp of all batches up to and including this one.
         *
         * @return maximum record timestamp of all batches up to and including this one.
         */
        public long maxTimestamp()
        {
            return maxTimestamp;
        }

        /**
         * {@inheritDoc}
         */
        public String toString()
        {
            return "Entry{baseOffset=" + baseOffset + ", position=" + position + ", maxTimestamp=" + maxTimestamp + '}';
        }

        void set(final Entries entries, final long sequence)
        {
            baseOffset = entries.get(sequence, BASE_OFFSET_INDEX);
            position = entries.get(sequence, POSITION_INDEX);
            maxTimestamp = entries.get(sequence, MAX_TIMESTAMP_INDEX);
            this.entries = null;
        }
    }

    /**
     * Immutable reference to an entry array and the absolute sequence of its first slot.
     */
    static final class Entries
    {
        final long[] data;
        final long baseSequence;
        final int capacity;

        Entries(final long[] data, final long baseSequence)
        {
            this.data = data;
            this.baseSequence = baseSequence;
            this.capacity = data.length / ENTRY_LONGS;
        }

        long get(final long sequence, final int field)
        {
            return data[(int)(sequence - baseSequence) * ENTRY_LONGS + field];
        }

        /**
         * First sequence in [from, limit) whose field value is >= value, or limit; values are non-decreasing.
         */
        long firstAtOrAfter(final long from, final long limit, final int field, final long value)
        {
            long low = from;
            long high = limit;
            while (low < high)
            {
                final long mid = (low + high) >>> 1;
                if (get(mid, field) < value)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid;
                }
            }

            return low;
        }

        /**
         * First sequence in [from, limit) whose field value is > value, or limit; values are non-decreasing.
         */
        long firstAfter(final long from, final long limit, final int field, final long value)
        {
            long low = from;
            long high = limit;
            while (low < high)
            {
                final long mid = (low + high) >>> 1;
                if (get(mid, field) <= value)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid;
                }
            }

            return low;
        }
    }
}
