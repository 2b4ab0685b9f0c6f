package io.aerolog.cluster.group;

/**
 * Source of topic partition counts, e.g. {@code name -> ControllerState.topic(name).partitions()}.
 */
@FunctionalInterface
public interface TopicPartitionCounts
{
    /**
     * Value returned for a topic that does not exist.
     */
    int UNKNOWN_TOPIC = -1;

    /**
     * Number of partitions of a topic.
     *
     * @param topic name of the topic.
     * @return number of partitions, or {@link #UNKNOWN_TOPIC} if the topic does not exist.
     */
    int partitionCount(String topic);
}
