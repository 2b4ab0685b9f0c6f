package io.aerolog.cluster.group;

/**
 * A partition of a topic, ordered by topic name then partition index so sets of them iterate deterministically.
 *
 * @param topic     name of the topic.
 * @param partition index from 0.
 */
public record TopicPartition(String topic, int partition) implements Comparable<TopicPartition>
{
    /**
     * {@inheritDoc}
     */
    public int compareTo(final TopicPartition other)
    {
        final int byTopic = topic.compareTo(other.topic);

        return 0 != byTopic ? byTopic : Integer.compare(partition, other.partition);
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return topic + "-" + partition;
    }
}
