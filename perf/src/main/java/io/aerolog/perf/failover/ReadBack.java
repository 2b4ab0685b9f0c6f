package io.aerolog.perf.failover;

import io.aerolog.client.ClientContext;
import io.aerolog.client.Consumer;
import io.aerolog.client.TopicPartition;

import java.nio.ByteOrder;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads partition 0 of the topic from the beginning to its high watermark with a fresh consumer, collecting the
 * sequence in each record's key, for {@link LossCheck}.
 */
final class ReadBack
{
    private static final int POLL_LIMIT = 4096;

    private final BitSet found = new BitSet();
    private long duplicates;
    private long records;

    /**
     * @param ctx            how to reach the cluster.
     * @param topic          to read.
     * @param idleTimeoutMs  most to wait without a new record before giving up.
     * @return the records read, or throws.
     * @throws IllegalStateException if the end was not reached.
     */
    static ReadBack read(final ClientContext ctx, final String topic, final long idleTimeoutMs)
    {
        final ReadBack readBack = new ReadBack();
        try (Consumer consumer = Consumer.connect(ctx.copy().clientName("aerolog-perf-failover-readback"),
            new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            final TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            final long end = consumer.endOffsets(List.of(tp)).get(tp);
            long lastProgressNs = System.nanoTime();
            while (consumer.position(tp) < end)
            {
                final int polled = consumer.poll((r) ->
                {
                    readBack.records++;
                    if (r.hasKey() && r.key().capacity() >= Long.BYTES)
                    {
                        final int seq = (int)r.key().getLong(0, ByteOrder.BIG_ENDIAN);
                        if (readBack.found.get(seq))
                        {
                            readBack.duplicates++;
                        }
                        readBack.found.set(seq);
                    }
                }, POLL_LIMIT);
                final long nowNs = System.nanoTime();
                if (polled > 0)
                {
                    lastProgressNs = nowNs;
                }
                else if (nowNs - lastProgressNs > TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs))
                {
                    throw new IllegalStateException("reading " + topic + " back stopped at offset " +
                        consumer.position(tp) + " of " + end);
                }
                else
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
        }
        return readBack;
    }

    /** @return the sequences found. */
    BitSet found()
    {
        return found;
    }

    /** @return records found more than once. */
    long duplicates()
    {
        return duplicates;
    }

    /** @return records read. */
    long records()
    {
        return records;
    }
}
