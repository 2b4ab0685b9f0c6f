package io.aerolog.perf.latency;

import io.aerolog.client.ClientContext;
import io.aerolog.client.ConsumedRecord;
import io.aerolog.client.Consumer;
import io.aerolog.client.RecordHandler;
import io.aerolog.client.TopicPartition;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.nio.ByteOrder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The consumer of a latency run, on its own thread: reads every partition of the topic from the beginning and
 * records produce-to-consume latency, from the intended send time in the first 8 bytes of each value to the time
 * the record is handed over, for records intended to be sent at or after the end of the warmup. Allocation-free
 * while it polls.
 */
final class LatencyConsumer implements Runnable, RecordHandler
{
    private static final int POLL_LIMIT = 1024;

    private final ClientContext ctx;
    private final String topic;
    private final Histogram histogram = LatencyHistograms.newHistogram();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile long measureFromNs = Long.MAX_VALUE;
    private volatile long receivedPublished;
    private volatile long malformedPublished;
    private volatile Throwable error;
    private long received;
    private long malformed;

    /**
     * @param ctx   how to reach the broker.
     * @param topic to read.
     */
    LatencyConsumer(final ClientContext ctx, final String topic)
    {
        this.ctx = ctx;
        this.topic = topic;
    }

    /**
     * Connects, reads until {@link #stop(long)} is called, and disconnects.
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
            final IdleStrategy idleStrategy = ctx.newIdleStrategy(); // the threading profile's client.idle
            while (!stopRequested)
            {
                final int polled = consumer.poll(this, POLL_LIMIT);
                if (polled > 0)
                {
                    receivedPublished = received;
                    malformedPublished = malformed;
                }
                idleStrategy.idle(polled);
            }
        }
        catch (final Throwable t)
        {
            error = t;
        }
        finally
        {
            receivedPublished = received;
            malformedPublished = malformed;
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
        received++;
        final DirectBuffer value = record.value();
        if (!record.hasValue() || value.capacity() < Long.BYTES)
        {
            malformed++;
            return;
        }
        final long intendedNs = value.getLong(0, ByteOrder.LITTLE_ENDIAN);
        if (intendedNs >= measureFromNs)
        {
            LatencyHistograms.record(histogram, nowNs - intendedNs);
        }
    }

    /**
     * @param measureFromNs records intended to be sent from this {@link System#nanoTime()} on are measured.
     */
    void measureFrom(final long measureFromNs)
    {
        this.measureFromNs = measureFromNs;
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
     * @return true if it stopped in time.
     * @throws InterruptedException if interrupted.
     */
    boolean stop(final long timeoutMs) throws InterruptedException
    {
        stopRequested = true;
        return done.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /**
     * @return true once the consumer has stopped (asked to, or failed).
     */
    boolean isDone()
    {
        return 0 == done.getCount();
    }

    /**
     * @return records received so far, as of the consumer's last poll (readable from any thread).
     */
    long received()
    {
        return receivedPublished;
    }

    /**
     * @return records without room for a send time, as of the consumer's last poll.
     */
    long malformed()
    {
        return malformedPublished;
    }

    /**
     * @return what made the consumer fail, or null.
     */
    Throwable error()
    {
        return error;
    }

    /**
     * @return produce-to-consume latencies in nanoseconds; read after {@link #stop(long)}.
     */
    Histogram histogram()
    {
        return histogram;
    }
}
