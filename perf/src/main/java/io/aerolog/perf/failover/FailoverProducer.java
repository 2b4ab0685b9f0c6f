package io.aerolog.perf.failover;

import io.aerolog.client.AerologException;
import io.aerolog.client.ClientContext;
import io.aerolog.client.Producer;
import io.aerolog.codecs.wire.Acks;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The load of a failover run, on its own thread: an idempotent acks=all producer sending records to partition 0 at
 * a fixed rate (open loop: a record is due at {@code start + seq / rate} whatever happened to earlier ones), each
 * record's key its sequence (8 bytes, big-endian) and its value the sequence then filler. Sends, acknowledgements
 * and failures go into the {@link FailoverLog}; the latest sequence sent and acknowledged are published for the
 * thread that kills brokers. Stopping flushes: it waits for every outstanding record (within the producer's
 * delivery timeout).
 */
final class FailoverProducer implements Runnable
{
    private final ClientContext ctx;
    private final String topic;
    private final long intervalNs;
    private final int size;
    private final long deliveryTimeoutMs;
    private final FailoverLog log;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile int sentPublished;
    private volatile int highestAckedPublished = -1;
    private volatile Throwable error;
    private volatile String firstSendError;
    private int highestAcked = -1;

    /**
     * @param ctx               how to reach the cluster.
     * @param topic             to send to (partition 0).
     * @param rate              records per second.
     * @param size              value bytes, at least 8.
     * @param deliveryTimeoutMs how long a record may take from send to acknowledgement before it fails.
     * @param log               written by this producer's thread.
     */
    FailoverProducer(final ClientContext ctx, final String topic, final long rate, final int size,
        final long deliveryTimeoutMs, final FailoverLog log)
    {
        this.ctx = ctx;
        this.topic = topic;
        this.intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        this.size = size;
        this.deliveryTimeoutMs = deliveryTimeoutMs;
        this.log = log;
    }

    /**
     * Connects, sends until {@link #stop(long)}, flushes and disconnects.
     */
    public void run()
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[Long.BYTES]);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[size]);
        for (int i = Long.BYTES; i < size; i++)
        {
            value.putByte(i, (byte)('a' + (i % 26)));
        }
        final Producer.Config config = new Producer.Config().acks(Acks.ALL).idempotent(true).lingerMs(0)
            .deliveryTimeoutMs(deliveryTimeoutMs);
        try (Producer producer = Producer.connect(ctx.copy().clientName("aerolog-perf-failover-producer"), config))
        {
            producer.partitionCount(topic);
            final IdleStrategy idle = ctx.newIdleStrategy();
            long nextSendNs = System.nanoTime();
            while (!stopRequested)
            {
                final long nowNs = System.nanoTime();
                int work = 0;
                if (nowNs - nextSendNs >= 0)
                {
                    send(producer, key, value, nowNs);
                    nextSendNs += intervalNs;
                    work = 1;
                }
                work += producer.poll();
                idle.idle(work);
            }
            producer.flush();
        }
        catch (final Throwable t)
        {
            error = t;
        }
        finally
        {
            highestAckedPublished = highestAcked;
            done.countDown();
        }
    }

    /** @return records handed to the producer so far. */
    int sent()
    {
        return sentPublished;
    }

    /** @return the highest sequence acknowledged so far, or -1. */
    int highestAcked()
    {
        return highestAckedPublished;
    }

    /** @return the first failed send (which record and why), or null. */
    String firstSendError()
    {
        return firstSendError;
    }

    /** @return what ended the producer's thread, or null. */
    Throwable error()
    {
        return error;
    }

    /** @return whether its thread has ended. */
    boolean isDone()
    {
        return 0 == done.getCount();
    }

    /**
     * Stops sending, waits for what is outstanding, and for the thread to end.
     *
     * @param timeoutMs most to wait.
     * @return true if it ended in time.
     * @throws InterruptedException if interrupted.
     */
    boolean stop(final long timeoutMs) throws InterruptedException
    {
        stopRequested = true;
        return done.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    private void send(final Producer producer, final UnsafeBuffer key, final UnsafeBuffer value, final long nowNs)
    {
        final int seq = log.onSend(nowNs);
        key.putLong(0, seq, ByteOrder.BIG_ENDIAN);
        value.putLong(0, seq, ByteOrder.BIG_ENDIAN);
        try
        {
            // A callback per record (a tool at a modest rate): it must know which record it answers.
            producer.send(topic, 0, key, 0, Long.BYTES, value, 0, size, -1,
                (t, p, offset, e) -> onOutcome(seq, e));
        }
        catch (final AerologException ex)
        {
            onOutcome(seq, ex);
        }
        sentPublished = seq + 1;
    }

    private void onOutcome(final int seq, final AerologException error)
    {
        if (null == error)
        {
            log.onAck(seq, System.nanoTime());
            if (seq > highestAcked)
            {
                highestAcked = seq;
                highestAckedPublished = seq;
            }
        }
        else
        {
            log.onFailed(seq);
            if (null == firstSendError)
            {
                firstSendError = "record " + seq + ": " + error.getMessage();
            }
        }
    }
}
