package io.aerolog.perf.throughput;

import io.aerolog.client.AerologException;
import io.aerolog.client.Producer;
import io.aerolog.client.SendCallback;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Sends records as fast as the producer takes them, on the calling thread, to the partitions of a topic in turn,
 * then flushes: the time from the first send to the last acknowledgement is the produce throughput. Stops after a
 * number of records or at a deadline, whichever comes first. Allocation-free while it sends.
 */
final class ProduceLoad implements SendCallback
{
    private static final int POLL_EVERY_MASK = 63;
    private static final int CLOCK_EVERY_MASK = 1023;

    private final String topic;
    private final int partitions;
    private final int valueSize;
    private final UnsafeBuffer value;
    private long sent;
    private long completed;
    private long failed;
    private AerologException firstError;

    /**
     * @param topic      to send to.
     * @param partitions of the topic, sent to in turn.
     * @param valueSize  bytes of each value, at least 8.
     */
    ProduceLoad(final String topic, final int partitions, final int valueSize)
    {
        this.topic = topic;
        this.partitions = partitions;
        this.valueSize = valueSize;
        value = new UnsafeBuffer(new byte[valueSize]);
        for (int i = Long.BYTES; i < valueSize; i++)
        {
            value.putByte(i, (byte)('a' + (i % 26)));
        }
    }

    /**
     * Sends and waits for every acknowledgement.
     *
     * @param producer   connected, with the topic's partition count known.
     * @param maxRecords most records to send.
     * @param deadlineNs {@link System#nanoTime()} after which no more are sent, or {@link Long#MAX_VALUE}.
     * @return nanoseconds from the first send until every record was acknowledged or failed.
     */
    long run(final Producer producer, final long maxRecords, final long deadlineNs)
    {
        final UnsafeBuffer value = this.value;
        final String topic = this.topic;
        final int partitions = this.partitions;
        final int valueSize = this.valueSize;

        final long startNs = System.nanoTime();
        long sent = 0;
        int partition = 0;
        while (sent < maxRecords)
        {
            value.putLong(0, sent, ByteOrder.LITTLE_ENDIAN);
            producer.send(topic, partition, null, 0, 0, value, 0, valueSize, -1, this);
            sent++;
            if (++partition == partitions)
            {
                partition = 0;
            }
            if (0 == (sent & POLL_EVERY_MASK))
            {
                producer.poll();
                if (0 == (sent & CLOCK_EVERY_MASK) && System.nanoTime() >= deadlineNs)
                {
                    break;
                }
            }
        }
        this.sent = sent;
        producer.flush();
        return System.nanoTime() - startNs;
    }

    /**
     * {@inheritDoc}
     */
    public void onCompletion(final String topic, final int partition, final long offset, final AerologException error)
    {
        completed++;
        if (null != error)
        {
            failed++;
            if (null == firstError)
            {
                firstError = error;
            }
        }
    }

    /**
     * @return records sent.
     */
    long sent()
    {
        return sent;
    }

    /**
     * @return records acknowledged without error (with acks=0: handed to the transport).
     */
    long succeeded()
    {
        return completed - failed;
    }

    /**
     * @return records that failed.
     */
    long failed()
    {
        return failed;
    }

    /**
     * @return the first failure, or null.
     */
    AerologException firstError()
    {
        return firstError;
    }
}
