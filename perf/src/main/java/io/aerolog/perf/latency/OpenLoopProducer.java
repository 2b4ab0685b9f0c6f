package io.aerolog.perf.latency;

import io.aerolog.client.AerologException;
import io.aerolog.client.Producer;
import io.aerolog.client.SendCallback;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Fixed-rate, open-loop load on the calling thread: record i is due at {@code startNs + i * intervalNs} whether or
 * not earlier sends were late, carries that intended send time in the first 8 bytes of its value, and goes to
 * partition {@code i % partitions}. Produce-to-ack latency is measured from the intended send time, so a stall
 * counts against every record that should have been sent during it (no coordinated omission). The k-th
 * acknowledgement of partition p is record {@code k * partitions + p} (a partition's records are acknowledged in
 * the order they were sent), so no send times are kept. Allocation-free while it sends.
 */
final class OpenLoopProducer implements SendCallback
{
    private final String topic;
    private final int partitions;
    private final long intervalNs;
    private final long total;
    private final int valueSize;
    private final UnsafeBuffer value;
    private final long[] acksPerPartition;
    private final Histogram histogram = LatencyHistograms.newHistogram();
    private final IdleStrategy idleStrategy;
    private long startNs;
    private long measureFromNs;
    private long sent;
    private long completed;
    private long failed;
    private long sendEndNs;
    private AerologException firstError;

    /**
     * @param topic      to send to.
     * @param partitions of the topic, sent to in turn.
     * @param rate       records per second.
     * @param total      records to send.
     * @param valueSize  bytes of each value, at least 8.
     * @param idleStrategy how the sending thread idles between due times (the client profile's).
     */
    OpenLoopProducer(
        final String topic,
        final int partitions,
        final long rate,
        final long total,
        final int valueSize,
        final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        this.topic = topic;
        this.partitions = partitions;
        this.intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        this.total = total;
        this.valueSize = valueSize;
        value = new UnsafeBuffer(new byte[valueSize]);
        for (int i = Long.BYTES; i < valueSize; i++)
        {
            value.putByte(i, (byte)('a' + (i % 26)));
        }
        acksPerPartition = new long[partitions];
    }

    /**
     * Sends every record at its due time, polling the producer in between, then waits for the outstanding
     * acknowledgements.
     *
     * @param producer connected to the broker, with linger 0.
     * @param startNs  {@link System#nanoTime()} at which the first record is due.
     * @param warmupNs from the start during which records are sent but not measured.
     */
    void run(final Producer producer, final long startNs, final long warmupNs)
    {
        this.startNs = startNs;
        this.measureFromNs = startNs + warmupNs;
        final UnsafeBuffer value = this.value;
        final String topic = this.topic;
        final int partitions = this.partitions;
        final long intervalNs = this.intervalNs;
        final long total = this.total;
        final int valueSize = this.valueSize;
        final IdleStrategy idleStrategy = this.idleStrategy;

        long nextSendNs = startNs;
        long sent = 0;
        int partition = 0;
        while (sent < total)
        {
            final long nowNs = System.nanoTime();
            int work = 0;
            while (nextSendNs <= nowNs && sent < total)
            {
                value.putLong(0, nextSendNs, ByteOrder.LITTLE_ENDIAN);
                producer.send(topic, partition, null, 0, 0, value, 0, valueSize, -1, this);
                sent++;
                this.sent = sent;
                nextSendNs += intervalNs;
                if (++partition == partitions)
                {
                    partition = 0;
                }
                work++;
            }
            work += producer.poll();
            // Yield the CPU while nothing is due: on a small machine the broker needs it more than we do.
            idleStrategy.idle(work);
        }
        sendEndNs = System.nanoTime();
        producer.flush();
    }

    /**
     * {@inheritDoc}
     */
    public void onCompletion(final String topic, final int partition, final long offset, final AerologException error)
    {
        final long nowNs = System.nanoTime();
        final long index = acksPerPartition[partition]++ * partitions + partition;
        final long intendedNs = startNs + index * intervalNs;
        completed++;
        if (null != error)
        {
            failed++;
            if (null == firstError)
            {
                firstError = error;
            }
            return;
        }
        if (intendedNs >= measureFromNs)
        {
            LatencyHistograms.record(histogram, nowNs - intendedNs);
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
     * @return records whose outcome is known (acknowledged or failed).
     */
    long completed()
    {
        return completed;
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

    /**
     * @return {@link System#nanoTime()} just after the last record was sent.
     */
    long sendEndNs()
    {
        return sendEndNs;
    }

    /**
     * @return produce-to-ack latencies in nanoseconds.
     */
    Histogram histogram()
    {
        return histogram;
    }
}
