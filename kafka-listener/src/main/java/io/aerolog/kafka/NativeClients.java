package io.aerolog.kafka;

import io.aerolog.client.Admin;
import io.aerolog.client.ClientContext;
import io.aerolog.client.Consumer;
import io.aerolog.client.Producer;
import io.aerolog.codecs.wire.Acks;
import org.agrona.CloseHelper;

/**
 * The listener's native clients of its broker: one admin client, one producer per acks setting (made on first
 * use), and consumers for the fetch sessions. Listener thread only.
 */
final class NativeClients implements AutoCloseable
{
    private final ClientContext context;
    private final Admin admin;
    private final Producer[] producers = new Producer[3];

    NativeClients(final ClientContext context)
    {
        this.context = context;
        this.admin = Admin.connect(context);
    }

    Admin admin()
    {
        return admin;
    }

    /**
     * @param kafkaAcks Kafka's acks: 0, 1 or -1 (all).
     * @return the producer for it.
     */
    Producer producer(final short kafkaAcks)
    {
        final Acks acks = 0 == kafkaAcks ? Acks.NONE : 1 == kafkaAcks ? Acks.LEADER : Acks.ALL;
        final int index = acks.value();
        Producer producer = producers[index];
        if (null == producer)
        {
            // Idempotent underneath: its own retries (leader changes, timeouts) are written once too.
            producer = Producer.connect(context, new Producer.Config().acks(acks));
            producers[index] = producer;
        }
        return producer;
    }

    /** @return a consumer that reads assigned partitions from positions it is told (no group, no reset). */
    Consumer newConsumer()
    {
        return Consumer.connect(context, new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.NONE));
    }

    /** @return the native producers' work: answers read, batches sent. */
    int pollProducers()
    {
        int work = 0;
        for (final Producer producer : producers)
        {
            if (null != producer)
            {
                work += producer.poll();
            }
        }
        return work;
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(producers);
        CloseHelper.quietClose(admin);
    }
}
