package io.aerolog.perf.failover;

import io.aerolog.client.ClientContext;
import io.aerolog.client.ConsumedRecord;
import io.aerolog.client.Consumer;
import io.aerolog.client.RecordHandler;
import io.aerolog.client.TopicPartition;
import org.agrona.concurrent.IdleStrategy;

import java.nio.ByteOrder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The consumer of a failover run, on its own thread: reads the topic from the beginning and writes every delivery
 * (when, which sequence) into the {@link FailoverLog}; the highest sequence delivered is published for the thread
 * that kills brokers. It follows a leader change on its own (the client resumes from its position on the new
 * leader).
 */
final class FailoverConsumer implements Runnable, RecordHandler
{
    private static final int POLL_LIMIT = 1024;

    private final ClientContext ctx;
    private final String topic;
    private final FailoverLog log;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile long highestDeliveredPublished = -1;
    private volatile Throwable error;
    private long highestDelivered = -1;

    /**
     * @param ctx   how to reach the cluster.
     * @param topic to read.
     * @param log   whose delivery log this consumer's thread writes.
     */
    FailoverConsumer(final ClientContext ctx, final String topic, final FailoverLog log)
    {
        this.ctx = ctx;
        this.topic = topic;
        this.log = log;
    }

    /**
     * Connects, reads until {@link #stop(long)}, disconnects.
     */
    public void run()
    {
        try (Consumer consumer = Consumer.connect(ctx.copy().clientName("aerolog-perf-failover-consumer"),
            new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            consumer.assignAll(topic);
            for (final TopicPartition tp : consumer.assignment())
            {
                consumer.position(tp);
            }
            ready.countDown();
            final IdleStrategy idle = ctx.newIdleStrategy();
            while (!stopRequested)
            {
                idle.idle(consumer.poll(this, POLL_LIMIT));
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
        if (record.hasKey() && record.key().capacity() >= Long.BYTES)
        {
            final long seq = record.key().getLong(0, ByteOrder.BIG_ENDIAN);
            log.onDelivery(seq, nowNs);
            if (seq > highestDelivered)
            {
                highestDelivered = seq;
                highestDeliveredPublished = seq;
            }
        }
    }

    /** @return the highest sequence delivered so far, or -1. */
    long highestDelivered()
    {
        return highestDeliveredPublished;
    }

    /** @return what ended the consumer's thread, or null. */
    Throwable error()
    {
        return error;
    }

    /**
     * @param timeoutMs most to wait.
     * @return true once it reads (false if it failed or timed out).
     * @throws InterruptedException if interrupted.
     */
    boolean awaitReady(final long timeoutMs) throws InterruptedException
    {
        return ready.await(timeoutMs, TimeUnit.MILLISECONDS) && null == error;
    }

    /**
     * @param timeoutMs most to wait.
     * @return true if its thread ended in time.
     * @throws InterruptedException if interrupted.
     */
    boolean stop(final long timeoutMs) throws InterruptedException
    {
        stopRequested = true;
        return done.await(timeoutMs, TimeUnit.MILLISECONDS);
    }
}
