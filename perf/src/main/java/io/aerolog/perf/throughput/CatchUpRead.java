package io.aerolog.perf.throughput;

import io.aerolog.client.ClientContext;
import io.aerolog.client.ConsumedRecord;
import io.aerolog.client.Consumer;
import io.aerolog.client.RecordHandler;
import io.aerolog.client.TopicPartition;

import java.util.concurrent.TimeUnit;

/**
 * Reads a topic that is already written, from the beginning, as fast as the consumer delivers, on the calling
 * thread: the time from the first poll to the last expected record is the catch-up read throughput (the broker
 * replays the log from its archive). Allocation-free while it reads.
 */
final class CatchUpRead implements RecordHandler
{
    private static final int POLL_LIMIT = 4096;
    private static final long IDLE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private long received;
    private long valueBytes;

    /**
     * Reads until the expected records have come, or nothing came for 10 s.
     *
     * @param ctx      how to reach the broker.
     * @param topic    to read.
     * @param expected records in the topic.
     * @return nanoseconds from the first poll to the last record.
     */
    long run(final ClientContext ctx, final String topic, final long expected)
    {
        try (Consumer consumer = Consumer.connect(
            ctx, new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            consumer.assignAll(topic);
            for (final TopicPartition tp : consumer.assignment())
            {
                consumer.position(tp);
            }
            final long startNs = System.nanoTime();
            long lastProgressNs = startNs;
            long endNs = startNs;
            while (received < expected)
            {
                final long before = received;
                consumer.poll(this, POLL_LIMIT);
                final long nowNs = System.nanoTime();
                if (received != before)
                {
                    lastProgressNs = nowNs;
                    endNs = nowNs;
                }
                else if (nowNs - lastProgressNs > IDLE_TIMEOUT_NS)
                {
                    break;
                }
                else
                {
                    Thread.onSpinWait();
                }
            }
            return endNs - startNs;
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onRecord(final ConsumedRecord record)
    {
        received++;
        valueBytes += record.hasValue() ? record.value().capacity() : 0;
    }

    /**
     * @return records read.
     */
    long received()
    {
        return received;
    }

    /**
     * @return bytes of the values read.
     */
    long valueBytes()
    {
        return valueBytes;
    }
}
