package io.aerolog.archive;

import java.util.Arrays;

/**
 * Batches written to a partition log and not yet acknowledged, in stream order: a ring of primitive columns so that
 * the produce agent tracks acknowledgements without allocating (it grows, rarely, when more are in flight than ever).
 * <p>
 * Two heads walk the ring. The <em>local</em> head passes batches as this broker's archive records them: acks=1
 * answers are due there. The ring's own head passes batches as the high watermark does: acks=all answers are due
 * there, and the high watermark offset is the end offset of the last batch it passed. On a leader without followers
 * both move together, and only the ring's head is used ({@link #add(long, long, long, long, Object)}).
 */
public final class PendingBatches
{
    /**
     * Receives the answers {@link #failWaiting} and {@link #failAll} owe.
     */
    @FunctionalInterface
    public interface Answer
    {
        /**
         * @param session       to answer.
         * @param correlationId of the request.
         * @param baseOffset    of the batch.
         */
        void answer(Object session, long correlationId, long baseOffset);
    }

    private long[] endPositions = new long[256];
    private long[] endOffsets = new long[256];
    private long[] baseOffsets = new long[256];
    private long[] correlationIds = new long[256];
    private boolean[] waitsForAll = new boolean[256];
    private Object[] sessions = new Object[256];
    private int head;
    private int size;
    private int localCount;

    /**
     * Adds a batch answered once it is durable here (acks=1, or acks=all on a leader without followers).
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
        add(endPosition, baseOffset, endOffset, correlationId, session, false);
    }

    /**
     * Adds a batch.
     *
     * @param endPosition          stream position after the batch.
     * @param baseOffset           of the batch.
     * @param endOffset            offset after the batch.
     * @param correlationId        of the request to answer, ignored when session is null.
     * @param session              to answer, or null for none (acks=0).
     * @param waitsForHighWatermark true for acks=all on a leader with followers: answered at the ring's head (the
     *                             high watermark), not at the local head.
     */
    public void add(
        final long endPosition, final long baseOffset, final long endOffset, final long correlationId,
        final Object session, final boolean waitsForHighWatermark)
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
        waitsForAll[i] = waitsForHighWatermark;
        sessions[i] = session;
        size++;
    }

    /** @return whether nothing is pending. */
    public boolean isEmpty()
    {
        return 0 == size;
    }

    /** @return batches pending. */
    public int size()
    {
        return size;
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

    /**
     * @return session to answer for the oldest pending batch, or null (acks=0, or already answered at the local
     * head).
     */
    public Object headSession()
    {
        return sessions[head];
    }

    /** Removes the oldest pending batch (the high watermark passed it); the local head moves with it if behind. */
    public void removeHead()
    {
        sessions[head] = null;
        head = (head + 1) & (endPositions.length - 1);
        size--;
        if (localCount > 0)
        {
            localCount--;
        }
    }

    /** @return whether a batch lies at or after the local head (not yet passed by the local recording). */
    public boolean hasLocal()
    {
        return localCount < size;
    }

    /** @return end position of the batch at the local head; only when {@link #hasLocal()}. */
    public long localEndPosition()
    {
        return endPositions[localIndex()];
    }

    /** @return base offset of the batch at the local head. */
    public long localBaseOffset()
    {
        return baseOffsets[localIndex()];
    }

    /** @return correlation id of the batch at the local head. */
    public long localCorrelationId()
    {
        return correlationIds[localIndex()];
    }

    /**
     * @return the session to answer now that the batch at the local head is durable here: null for acks=0 and for
     * batches that wait for the high watermark.
     */
    public Object localSession()
    {
        final int i = localIndex();
        return waitsForAll[i] ? null : sessions[i];
    }

    /** Moves the local head past its batch; a batch not waiting for the high watermark is answered by now. */
    public void advanceLocal()
    {
        final int i = localIndex();
        if (!waitsForAll[i])
        {
            sessions[i] = null;
        }
        localCount++;
    }

    /**
     * Answers every batch still waiting for the high watermark through a handler, and forgets their sessions (the
     * batches stay, for the high watermark offset).
     *
     * @param answer receives each session owed an answer.
     */
    public void failWaiting(final Answer answer)
    {
        final int mask = endPositions.length - 1;
        for (int n = 0; n < size; n++)
        {
            final int i = (head + n) & mask;
            if (waitsForAll[i] && null != sessions[i])
            {
                final Object session = sessions[i];
                sessions[i] = null;
                answer.answer(session, correlationIds[i], baseOffsets[i]);
            }
        }
    }

    /**
     * Answers every batch still owed an answer through a handler, then forgets everything (the log is going away).
     *
     * @param answer receives each session owed an answer.
     */
    public void failAll(final Answer answer)
    {
        final int mask = endPositions.length - 1;
        for (int n = 0; n < size; n++)
        {
            final int i = (head + n) & mask;
            if (null != sessions[i])
            {
                final Object session = sessions[i];
                sessions[i] = null;
                answer.answer(session, correlationIds[i], baseOffsets[i]);
            }
        }
        clear();
    }

    /** Forgets everything pending (the log is going away). */
    public void clear()
    {
        Arrays.fill(sessions, null);
        head = 0;
        size = 0;
        localCount = 0;
    }

    private int localIndex()
    {
        return (head + localCount) & (endPositions.length - 1);
    }

    private void grow()
    {
        final int capacity = endPositions.length * 2;
        endPositions = unroll(endPositions, capacity);
        baseOffsets = unroll(baseOffsets, capacity);
        endOffsets = unroll(endOffsets, capacity);
        correlationIds = unroll(correlationIds, capacity);
        final boolean[] newWaits = new boolean[capacity];
        final Object[] newSessions = new Object[capacity];
        for (int i = 0; i < size; i++)
        {
            newWaits[i] = waitsForAll[(head + i) & (waitsForAll.length - 1)];
            newSessions[i] = sessions[(head + i) & (sessions.length - 1)];
        }
        waitsForAll = newWaits;
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
