package io.aerolog.cli;

import io.aerolog.client.ClientContext;
import io.aerolog.client.ConsumedRecord;
import io.aerolog.client.Consumer;
import io.aerolog.client.RecordHandler;
import io.aerolog.client.TopicPartition;
import io.aerolog.perf.latency.LatencyHistograms;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.BitSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The demo's consumer, run on its own thread: reads every partition of the topic from the beginning, records
 * produce-to-consume latency from the send time in each value, and checks that every record arrives exactly once
 * and each partition's records arrive at consecutive offsets from 0.
 */
final class DemoConsumer implements Runnable, RecordHandler
{
    private final ClientContext ctx;
    private final String topic;
    private final int records;
    private final int valueSize;
    private final BitSet seen;
    private final long[] nextOffsets;
    private final Histogram histogram = LatencyHistograms.newHistogram();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile long received;
    private volatile Throwable error;
    private long duplicates;
    private long outOfOrder;
    private long malformed;

    /**
     * @param ctx        how to reach the broker.
     * @param topic      to read.
     * @param partitions of the topic.
     * @param records    expected.
     * @param valueSize  of every record.
     */
    DemoConsumer(
        final ClientContext ctx, final String topic, final int partitions, final int records, final int valueSize)
    {
        this.ctx = ctx;
        this.topic = topic;
        this.records = records;
        this.valueSize = valueSize;
        seen = new BitSet(records);
        nextOffsets = new long[partitions];
    }

    /**
     * Connects, reads until every record has arrived or {@link #stop()} is called, and disconnects.
     */
    public void run()
    {
        try (Consumer consumer = Consumer.connect(
            ctx, new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            consumer.assignAll(topic);
            for (final TopicPartition tp : consumer.assignment())
            {
                consumer.position(tp);
            }
            ready.countDown();
            final IdleStrategy idleStrategy = new BackoffIdleStrategy(
                100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
            while (!stopRequested && received < records)
            {
                idleStrategy.idle(consumer.poll(this, 1024));
            }
        }
        catch (final Throwable t)
        {
            error = t;
        }
        finally
        {
            ready.countDown();
            done.countDown();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onRecord(final ConsumedRecord record)
    {
        final long nowNs = System.nanoTime();
        final DirectBuffer value = record.value();
        final DirectBuffer key = record.key();
        final int index = record.hasKey() ? DemoRecords.keyIndex(key, key.capacity()) : -1;
        if (!record.hasValue() || value.capacity() != valueSize || index < 0 || index >= records)
        {
            malformed++;
        }
        else
        {
            LatencyHistograms.record(histogram, nowNs - DemoRecords.sendTime(value));
            if (seen.get(index))
            {
                duplicates++;
            }
            seen.set(index);
        }

        final int partition = record.partition();
        if (record.offset() != nextOffsets[partition])
        {
            outOfOrder++;
        }
        nextOffsets[partition] = record.offset() + 1;
        received = received + 1;
    }

    /**
     * Waits until the consumer is reading (or has failed).
     *
     * @param timeoutMs most to wait.
     * @return true if it is ready.
     * @throws InterruptedException if interrupted.
     */
    boolean awaitReady(final long timeoutMs) throws InterruptedException
    {
        return ready.await(timeoutMs, TimeUnit.MILLISECONDS) && null == error;
    }

    /**
     * Asks the consumer to stop and waits until it has.
     *
     * @param timeoutMs most to wait.
     * @throws InterruptedException if interrupted.
     */
    void stop(final long timeoutMs) throws InterruptedException
    {
        stopRequested = true;
        done.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /**
     * @return true once the consumer has stopped (finished or failed).
     */
    boolean isDone()
    {
        return 0 == done.getCount();
    }

    /**
     * @return records received so far (readable from any thread).
     */
    long received()
    {
        return received;
    }

    /**
     * @return what made the consumer fail, or null.
     */
    Throwable error()
    {
        return error;
    }

    /**
     * @return records of the demo never received; read after {@link #stop(long)}.
     */
    long missing()
    {
        return records - seen.cardinality();
    }

    /**
     * @return records received more than once; read after {@link #stop(long)}.
     */
    long duplicates()
    {
        return duplicates;
    }

    /**
     * @return records not at the offset after the previous one of their partition; read after {@link #stop(long)}.
     */
    long outOfOrder()
    {
        return outOfOrder;
    }

    /**
     * @return records that are not the demo's (bad key or value size); read after {@link #stop(long)}.
     */
    long malformed()
    {
        return malformed;
    }

    /**
     * @param partition of the topic.
     * @return the offset after the last one received from it; read after {@link #stop(long)}.
     */
    long nextOffset(final int partition)
    {
        return nextOffsets[partition];
    }

    /**
     * @return produce-to-consume latencies in nanoseconds; read after {@link #stop(long)}.
     */
    Histogram histogram()
    {
        return histogram;
    }
}
