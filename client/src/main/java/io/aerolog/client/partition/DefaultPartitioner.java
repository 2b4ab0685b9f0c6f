package io.aerolog.client.partition;

import org.agrona.DirectBuffer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kafka's default partitioning: a keyed record goes to {@code toPositive(murmur2(key)) % numPartitions}, as Kafka's
 * {@code BuiltInPartitioner.partitionForKey}, so keys land on the same partitions as with a Kafka producer. Keyless
 * records stick to one partition per topic, so they fill batches, until {@link #onNewBatch(String, int, int)} moves
 * them on to the next partition round-robin.
 * <p>
 * Thread-safe. State is allocated only the first time a topic is seen; the first sticky partition of a topic is
 * random so that many producers do not all start on the same partition.
 */
public final class DefaultPartitioner implements Partitioner
{
    private final ConcurrentHashMap<String, AtomicInteger> stickyPartitionByTopic = new ConcurrentHashMap<>();

    /**
     * {@inheritDoc}
     */
    public int partition(
        final String topic, final DirectBuffer key, final int keyOffset, final int keyLength, final int numPartitions)
    {
        if (numPartitions < 1)
        {
            throw new IllegalArgumentException("numPartitions must be >= 1: " + numPartitions);
        }

        if (null != key && keyLength >= 0)
        {
            return partitionForKey(key, keyOffset, keyLength, numPartitions);
        }

        final int partition = stickyPartition(topic, numPartitions).get();

        // The topic may be seen with fewer partitions than when the sticky one was chosen, e.g. by a stale view.
        return partition < numPartitions ? partition : partition % numPartitions;
    }

    /**
     * {@inheritDoc}
     */
    public void onNewBatch(final String topic, final int numPartitions, final int prevPartition)
    {
        if (numPartitions < 1)
        {
            return;
        }

        final int next = prevPartition + 1 < numPartitions ? prevPartition + 1 : 0;
        final AtomicInteger sticky = stickyPartitionByTopic.get(topic);
        if (null == sticky)
        {
            stickyPartitionByTopic.putIfAbsent(topic, new AtomicInteger(next));
        }
        else
        {
            // Only move on if no other thread has already done so for this batch.
            sticky.compareAndSet(prevPartition, next);
        }
    }

    /**
     * The partition of a keyed record: {@code toPositive(murmur2(key)) % numPartitions}.
     *
     * @param key           buffer holding the serialised key.
     * @param keyOffset     in the buffer at which the key starts.
     * @param keyLength     of the key in bytes.
     * @param numPartitions of the topic, at least one.
     * @return the partition for the key.
     */
    public static int partitionForKey(
        final DirectBuffer key, final int keyOffset, final int keyLength, final int numPartitions)
    {
        return Murmur2.toPositive(Murmur2.hash(key, keyOffset, keyLength)) % numPartitions;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "DefaultPartitioner{topics=" + stickyPartitionByTopic.size() + '}';
    }

    private AtomicInteger stickyPartition(final String topic, final int numPartitions)
    {
        AtomicInteger sticky = stickyPartitionByTopic.get(topic);
        if (null == sticky)
        {
            final AtomicInteger newSticky = new AtomicInteger(ThreadLocalRandom.current().nextInt(numPartitions));
            sticky = stickyPartitionByTopic.putIfAbsent(topic, newSticky);
            if (null == sticky)
            {
                sticky = newSticky;
            }
        }

        return sticky;
    }
}
