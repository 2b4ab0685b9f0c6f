package io.aerolog.archive;

import java.util.Arrays;

/**
 * Batches written to a partition log and not yet durable, in stream order: a ring of primitive columns so that the
 * produce agent tracks acknowledgements without allocating (it grows, rarely, when more are in flight than ever).
 */
public final class PendingBatches
{
    private long[] endPositions = new long[256];
    private long[] endOffsets = new long[256];
    private long[] baseOffsets = new long[256];
    private long[] correlationIds = new long[256];
    private Object[] sessions = new Object[256];
    private int head;
    private int size;

    /**
     * Adds a batch.
     *
     * @param endPosition   stream position after the batch.
     * @param baseOffset    of the batch.
     * @param endOffset     offset after the batch.
     * @param correlationId of the request to answer, ignored when session is null.
     * @param session       to answer, or null for none (acks=0).
     */
    public void add(
        final long endPosition, final long baseOffset, final long endOffset, final long correlationId,
        final Object session)
    {
        if (size == endPositions.length)
        {
            grow();
        }
        final int i = (head + size) & (endPositions.length - 1);
        endPositions[i] = endPosition;
        baseOffsets[i] = baseOffset;
        endOffsets[i] = endOffset;
        correlationIds[i] = correlationId;
        sessions[i] = session;
        size++;
    }

    /** @return whether nothing is pending. */
    public boolean isEmpty()
    {
        return 0 == size;
    }

    /** @return end position of the oldest pending batch. */
    public long headEndPosition()
    {
        return endPositions[head];
    }

    /** @return end offset of the oldest pending batch. */
    public long headEndOffset()
    {
        return endOffsets[head];
    }

    /** @return base offset of the oldest pending batch. */
    public long headBaseOffset()
    {
        return baseOffsets[head];
    }

    /** @return correlation id of the oldest pending batch. */
    public long headCorrelationId()
    {
        return correlationIds[head];
    }

    /** @return session to answer for the oldest pending batch, or null. */
    public Object headSession()
    {
        return sessions[head];
    }

    /** Removes the oldest pending batch. */
    public void removeHead()
    {
        sessions[head] = null;
        head = (head + 1) & (endPositions.length - 1);
        size--;
    }

    /** Forgets everything pending (the log is going away). */
    public void clear()
    {
        Arrays.fill(sessions, null);
        head = 0;
        size = 0;
    }

    private void grow()
    {
        final int capacity = endPositions.length * 2;
        endPositions = unroll(endPositions, capacity);
        baseOffsets = unroll(baseOffsets, capacity);
        endOffsets = unroll(endOffsets, capacity);
        correlationIds = unroll(correlationIds, capacity);
        final Object[] newSessions = new Object[capacity];
        for (int i = 0; i < size; i++)
        {
            newSessions[i] = sessions[(head + i) & (sessions.length - 1)];
        }
        sessions = newSessions;
        head = 0;
    }

    private long[] unroll(final long[] array, final int capacity)
    {
        final long[] grown = new long[capacity];
        for (int i = 0; i < size; i++)
        {
            grown[i] = array[(head + i) & (array.length - 1)];
        }
        return grown;
    }
}
