package io.aerolog.client.partition;

import org.agrona.DirectBuffer;

/**
 * Chooses the partition of a topic to which a record is sent, as Kafka's {@code Partitioner}. Implementations must be
 * thread-safe, as a producer may be used by several threads, and should not allocate per record.
 */
public interface Partitioner
{
    /**
     * Choose the partition for a record.
     *
     * @param topic         the record is sent to.
     * @param key           buffer holding the serialised key, or null if the record has no key.
     * @param keyOffset     in the buffer at which the key starts.
     * @param keyLength     of the key in bytes, or -1 if the record has no key.
     * @param numPartitions of the topic, at least one.
     * @return the partition, from 0 to {@code numPartitions - 1}.
     */
    int partition(String topic, DirectBuffer key, int keyOffset, int keyLength, int numPartitions);

    /**
     * Notification that a batch for a partition has been closed and a new batch is being started, so that a sticky
     * partitioner may move keyless records on to another partition.
     *
     * @param topic         of the batch.
     * @param numPartitions of the topic.
     * @param prevPartition the partition of the batch just completed.
     */
    default void onNewBatch(final String topic, final int numPartitions, final int prevPartition)
    {
    }
}
