package io.aerolog.sequencer;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * Single-writer state of one partition's leader: dense offset assignment plus Kafka-style idempotent-producer
 * de-duplication.
 * <p>
 * A batch is first {@link #check(long, short, int, int) checked}, which decides without changing state, and only
 * if the verdict is {@link #ACCEPT} is it {@link #append(long, short, int, int) appended}, which assigns its base
 * offset. For each idempotent producer the sequencer remembers the epoch and the last
 * {@link #BATCH_HISTORY_SIZE} batches so that a retried batch is recognised and answered with the offset it was
 * originally given, as Kafka does.
 * <p>
 * Sequence numbers do <b>not</b> wrap: a producer's sequence is treated as a monotonically increasing {@code int}
 * and comparisons are done in {@code long} arithmetic so that {@code baseSequence + recordCount - 1} cannot
 * overflow. A producer that would exceed {@link Integer#MAX_VALUE} must bump its epoch, which restarts sequences.
 * <p>
 * Not thread-safe: owned by the partition's leader thread. No allocation takes place apart from the first time a
 * producer id is seen (and the amortised growth of the producer map).
 */
public final class PartitionSequencer
{
    /**
     * Producer id of a non-idempotent producer: its batches are always accepted and never de-duplicated.
     */
    public static final long NO_PRODUCER_ID = -1L;

    /**
     * The batch should be appended.
     */
    public static final int ACCEPT = 0;

    /**
     * The batch is a retry of one of the producer's last batches; see {@link #duplicateBaseOffset()}.
     */
    public static final int DUPLICATE = 1;

    /**
     * The batch's sequence leaves a gap, is older than the remembered batches, or its epoch has been fenced.
     */
    public static final int OUT_OF_ORDER_SEQUENCE = 2;

    /**
     * The batch's record count is less than one.
     */
    public static final int INVALID_RECORD_COUNT = 3;

    /**
     * Number of most recent batches remembered per producer, as Kafka's {@code NUM_BATCHES_TO_RETAIN}.
     */
    public static final int BATCH_HISTORY_SIZE = 5;

    private final Long2ObjectHashMap<ProducerState> producerById = new Long2ObjectHashMap<>();
    private long nextOffset;
    private long duplicateBaseOffset = -1L;

    /**
     * Construct a sequencer for a partition whose next offset to assign is given.
     *
     * @param nextOffset the offset the next appended record will be given.
     */
    public PartitionSequencer(final long nextOffset)
    {
        this.nextOffset = nextOffset;
    }

    /**
     * The offset the next appended record will be given, i.e. the log end offset.
     *
     * @return the offset the next appended record will be given.
     */
    public long nextOffset()
    {
        return nextOffset;
    }

    /**
     * Number of idempotent producers for which state is held.
     *
     * @return number of idempotent producers for which state is held.
     */
    public int producerCount()
    {
        return producerById.size();
    }

    /**
     * The base offset originally given to the batch that the last call to {@link #check(long, short, int, int)}
     * found to be a {@link #DUPLICATE}. Only meaningful directly after such a call.
     *
     * @return the base offset originally given to the duplicated batch.
     */
    public long duplicateBaseOffset()
    {
        return duplicateBaseOffset;
    }

    /**
     * Decide what to do with a batch, without changing the sequencer's state.
     *
     * @param producerId    of the producer, or a negative value such as {@link #NO_PRODUCER_ID} if not idempotent.
     * @param producerEpoch of the producer.
     * @param baseSequence  of the first record in the batch.
     * @param recordCount   of records in the batch.
     * @return {@link #ACCEPT}, {@link #DUPLICATE}, {@link #OUT_OF_ORDER_SEQUENCE} or {@link #INVALID_RECORD_COUNT}.
     */
    public int check(final long producerId, final short producerEpoch, final int baseSequence, final int recordCount)
    {
        if (recordCount < 1)
        {
            return INVALID_RECORD_COUNT;
        }

        if (producerId < 0)
        {
            return ACCEPT;
        }

        final ProducerState state = producerById.get(producerId);
        if (null == state)
        {
            // State may have been lost to retention: like Kafka after UNKNOWN_PRODUCER_ID, start afresh.
            return ACCEPT;
        }

        if (producerEpoch != state.epoch)
        {
            // A newer epoch restarts sequences; an older one belongs to a fenced (zombie) producer.
            return producerEpoch > state.epoch ? ACCEPT : OUT_OF_ORDER_SEQUENCE;
        }

        final int index = state.indexOf(baseSequence, recordCount);
        if (index >= 0)
        {
            duplicateBaseOffset = state.baseOffsets[index];
            return DUPLICATE;
        }

        // An older batch no longer remembered exactly, or a gap, are both out of order.
        return (long)baseSequence == state.lastSequence + 1 ? ACCEPT : OUT_OF_ORDER_SEQUENCE;
    }

    /**
     * Append a batch which {@link #check(long, short, int, int)} has accepted, assigning it offsets.
     *
     * @param producerId    of the producer, or a negative value such as {@link #NO_PRODUCER_ID} if not idempotent.
     * @param producerEpoch of the producer.
     * @param baseSequence  of the first record in the batch.
     * @param recordCount   of records in the batch, at least one.
     * @return the base offset given to the batch.
     */
    public long append(final long producerId, final short producerEpoch, final int baseSequence, final int recordCount)
    {
        final long baseOffset = nextOffset;
        nextOffset = baseOffset + recordCount;

        if (producerId >= 0)
        {
            record(producerId, producerEpoch, baseSequence, recordCount, baseOffset);
        }

        return baseOffset;
    }

    /**
     * Rebuild state from a batch found while scanning an existing log at start-up. Batches must be given in log
     * order. The log may start later than the sequencer's current next offset (after retention), so the next offset
     * becomes the maximum of its current value and the end of the batch.
     *
     * @param baseOffset    of the batch in the log.
     * @param recordCount   of records in the batch.
     * @param producerId    of the producer, or a negative value if not idempotent.
     * @param producerEpoch of the producer.
     * @param baseSequence  of the first record in the batch.
     */
    public void recover(
        final long baseOffset,
        final int recordCount,
        final long producerId,
        final short producerEpoch,
        final int baseSequence)
    {
        nextOffset = Math.max(nextOffset, baseOffset + recordCount);

        if (producerId >= 0)
        {
            final ProducerState state = producerById.get(producerId);
            // A batch from an older epoch than already seen cannot rewind a producer's state.
            if (null == state || producerEpoch >= state.epoch)
            {
                record(producerId, producerEpoch, baseSequence, recordCount, baseOffset);
            }
        }
    }

    /**
     * Forget all producers and set the next offset, used when a log is rebuilt.
     *
     * @param nextOffset the offset the next appended record will be given.
     */
    public void reset(final long nextOffset)
    {
        producerById.clear();
        this.nextOffset = nextOffset;
        duplicateBaseOffset = -1L;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "PartitionSequencer{nextOffset=" + nextOffset + ", producerCount=" + producerById.size() + '}';
    }

    private void record(
        final long producerId,
        final short producerEpoch,
        final int baseSequence,
        final int recordCount,
        final long baseOffset)
    {
        ProducerState state = producerById.get(producerId);
        if (null == state)
        {
            state = new ProducerState(producerEpoch);
            producerById.put(producerId, state);
        }
        else if (producerEpoch != state.epoch)
        {
            state.resetEpoch(producerEpoch);
        }

        state.add(baseSequence, recordCount, baseOffset);
    }

    /**
     * Epoch and ring of the last {@link #BATCH_HISTORY_SIZE} batches of one idempotent producer.
     */
    static final class ProducerState
    {
        final int[] baseSequences = new int[BATCH_HISTORY_SIZE];
        final int[] recordCounts = new int[BATCH_HISTORY_SIZE];
        final long[] baseOffsets = new long[BATCH_HISTORY_SIZE];
        short epoch;
        long lastSequence;
        int size;
        int next;

        ProducerState(final short epoch)
        {
            this.epoch = epoch;
        }

        void resetEpoch(final short epoch)
        {
            this.epoch = epoch;
            size = 0;
            next = 0;
        }

        void add(final int baseSequence, final int recordCount, final long baseOffset)
        {
            baseSequences[next] = baseSequence;
            recordCounts[next] = recordCount;
            baseOffsets[next] = baseOffset;
            lastSequence = (long)baseSequence + recordCount - 1;
            next = next + 1 == BATCH_HISTORY_SIZE ? 0 : next + 1;
            size = Math.min(size + 1, BATCH_HISTORY_SIZE);
        }

        int indexOf(final int baseSequence, final int recordCount)
        {
            for (int i = 0; i < size; i++)
            {
                if (baseSequences[i] == baseSequence && recordCounts[i] == recordCount)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
