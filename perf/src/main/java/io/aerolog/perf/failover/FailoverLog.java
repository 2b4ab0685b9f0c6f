package io.aerolog.perf.failover;

import org.agrona.collections.LongArrayList;

/**
 * What a failover run records, for {@link FailoverMeasure} to compute from once the load has stopped. The producer's
 * thread writes the send log (record {@code seq} handed to the producer at {@code sendNs(seq)}, acknowledged at
 * {@code ackNs(seq)}); the consumer's thread writes the delivery log (the {@code k}-th record delivered, at
 * {@code deliverNs(k)}, was {@code deliveredSeq(k)}). Times are {@link System#nanoTime()}. Not thread-safe: read
 * it only after both threads have stopped.
 */
public final class FailoverLog
{
    /** {@link #ackNs(int)} of a record not (yet) acknowledged. */
    public static final long NOT_ACKED = 0;

    /** {@link #ackNs(int)} of a record whose send failed. */
    public static final long FAILED = -1;

    private final LongArrayList sendNs = new LongArrayList();
    private final LongArrayList ackNs = new LongArrayList();
    private final LongArrayList deliverNs = new LongArrayList();
    private final LongArrayList deliveredSeq = new LongArrayList();

    /**
     * A record is handed to the producer: its sequence is the number of records sent before it.
     *
     * @param nowNs when.
     * @return its sequence.
     */
    public int onSend(final long nowNs)
    {
        sendNs.addLong(nowNs);
        ackNs.addLong(NOT_ACKED);
        return sendNs.size() - 1;
    }

    /**
     * @param seq   of the record.
     * @param nowNs when its acknowledgement arrived.
     */
    public void onAck(final int seq, final long nowNs)
    {
        ackNs.setLong(seq, nowNs);
    }

    /**
     * @param seq of the record whose send failed.
     */
    public void onFailed(final int seq)
    {
        ackNs.setLong(seq, FAILED);
    }

    /**
     * @param seq   of the record the consumer got.
     * @param nowNs when.
     */
    public void onDelivery(final long seq, final long nowNs)
    {
        deliverNs.addLong(nowNs);
        deliveredSeq.addLong(seq);
    }

    /** @return records sent. */
    public int sent()
    {
        return sendNs.size();
    }

    /**
     * @param seq of a record.
     * @return when it was handed to the producer.
     */
    public long sendNs(final int seq)
    {
        return sendNs.getLong(seq);
    }

    /**
     * @param seq of a record.
     * @return when its acknowledgement arrived, {@link #NOT_ACKED} or {@link #FAILED}.
     */
    public long ackNs(final int seq)
    {
        return ackNs.getLong(seq);
    }

    /**
     * @param seq of a record.
     * @return whether it was acknowledged.
     */
    public boolean isAcked(final int seq)
    {
        return ackNs.getLong(seq) > 0;
    }

    /** @return deliveries to the consumer. */
    public int deliveries()
    {
        return deliverNs.size();
    }

    /**
     * @param k index of a delivery.
     * @return when it was made.
     */
    public long deliverNs(final int k)
    {
        return deliverNs.getLong(k);
    }

    /**
     * @param k index of a delivery.
     * @return the sequence of the record delivered.
     */
    public long deliveredSeq(final int k)
    {
        return deliveredSeq.getLong(k);
    }
}
