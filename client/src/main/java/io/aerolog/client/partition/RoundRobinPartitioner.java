package io.aerolog.client.partition;

import org.agrona.DirectBuffer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends successive records of a topic to successive partitions, regardless of key, as Kafka's
 * {@code RoundRobinPartitioner}. Each topic has its own cycle, starting at partition 0.
 * <p>
 * Thread-safe. State is allocated only the first time a topic is seen.
 */
public final class RoundRobinPartitioner implements Partitioner
{
    private final ConcurrentHashMap<String, AtomicInteger> counterByTopic = new ConcurrentHashMap<>();

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

        AtomicInteger counter = counterByTopic.get(topic);
        if (null == counter)
        {
            final AtomicInteger newCounter = new AtomicInteger();
            counter = counterByTopic.putIfAbsent(topic, newCounter);
            if (null == counter)
            {
                counter = newCounter;
            }
        }

        // toPositive keeps the cycle going when the counter wraps.
        return Murmur2.toPositive(counter.getAndIncrement()) % numPartitions;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "RoundRobinPartitioner{topics=" + counterByTopic.size() + '}';
    }
}
