package io.aerolog.cli;

import io.aerolog.client.AerologException;
import io.aerolog.client.SendCallback;
import io.aerolog.perf.latency.LatencyHistograms;
import org.HdrHistogram.Histogram;
import org.agrona.collections.LongArrayQueue;

/**
 * The demo producer's callback: records produce-to-ack latency, and checks that each partition's records are
 * acknowledged at consecutive offsets from 0. Send times are queued per partition, as a partition's records are
 * acknowledged in the order they were sent. Used on the producer's thread.
 */
final class AckLatencyRecorder implements SendCallback
{
    private final LongArrayQueue[] sendTimes;
    private final long[] nextOffsets;
    private final Histogram histogram = LatencyHistograms.newHistogram();
    private long acked;
    private long failed;
    private long unexpectedOffsets;
    private AerologException firstError;

    /**
     * @param partitions of the topic.
     */
    AckLatencyRecorder(final int partitions)
    {
        sendTimes = new LongArrayQueue[partitions];
        for (int i = 0; i < partitions; i++)
        {
            sendTimes[i] = new LongArrayQueue(Long.MIN_VALUE);
        }
        nextOffsets = new long[partitions];
    }

    /**
     * Notes that a record was sent.
     *
     * @param partition it was sent to.
     * @param sendNs    {@link System#nanoTime()} at send.
     */
    void onSend(final int partition, final long sendNs)
    {
        sendTimes[partition].addLong(sendNs);
    }

    /**
     * {@inheritDoc}
     */
    public void onCompletion(final String topic, final int partition, final long offset, final AerologException error)
    {
        final long nowNs = System.nanoTime();
        final long sendNs = sendTimes[partition].pollLong();
        if (null != error)
        {
            failed++;
            if (null == firstError)
            {
                firstError = error;
            }
            return;
        }
        acked++;
        if (Long.MIN_VALUE != sendNs)
        {
            LatencyHistograms.record(histogram, nowNs - sendNs);
        }
        if (offset != nextOffsets[partition])
        {
            unexpectedOffsets++;
        }
        nextOffsets[partition] = offset + 1;
    }

    /**
     * @return produce-to-ack latencies in nanoseconds.
     */
    Histogram histogram()
    {
        return histogram;
    }

    /**
     * @return records acknowledged.
     */
    long acked()
    {
        return acked;
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
     * @return acknowledgements at an offset other than the one after the partition's previous one.
     */
    long unexpectedOffsets()
    {
        return unexpectedOffsets;
    }

    /**
     * @param partition a partition of the topic.
     * @return the offset after the last one acknowledged on it.
     */
    long nextOffset(final int partition)
    {
        return nextOffsets[partition];
    }
}
