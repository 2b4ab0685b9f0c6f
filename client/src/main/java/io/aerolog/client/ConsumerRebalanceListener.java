package io.aerolog.client;

import java.util.Collection;

/**
 * Told when a group member's partitions change, like Kafka's {@code ConsumerRebalanceListener}. Called on the
 * thread that calls {@link Consumer#poll}, inside it, so the application can commit or flush before a partition
 * moves to another member.
 */
public interface ConsumerRebalanceListener
{
    /**
     * Partitions are about to move to another member: no more records of them will be delivered here. Commit what
     * was processed now (with auto-commit the consumer commits its positions after this returns).
     *
     * @param partitions being revoked.
     */
    void onPartitionsRevoked(Collection<TopicPartition> partitions);

    /**
     * Partitions were assigned: records of them are delivered from the group's committed offset (or per the reset
     * policy when there is none).
     *
     * @param partitions newly assigned.
     */
    void onPartitionsAssigned(Collection<TopicPartition> partitions);

    /**
     * Partitions were lost without a chance to commit (the member was removed from the group, e.g. after missing
     * heartbeats for the session timeout); another member may already own them. By default treated as revoked.
     *
     * @param partitions lost.
     */
    default void onPartitionsLost(final Collection<TopicPartition> partitions)
    {
        onPartitionsRevoked(partitions);
    }
}
