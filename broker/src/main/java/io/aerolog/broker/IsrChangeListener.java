package io.aerolog.broker;

/**
 * Where a partition leader's proposals to change its in-sync set go: the broker's conductor turns each into
 * {@code ControllerClient.alterPartition(correlationId, brokerId, brokerEpoch, topicId, partition, leaderEpoch,
 * partitionEpoch, isr, isrBrokerEpochs)}, taking the broker epochs from its {@code ClusterView}, and reports the
 * outcome back through {@code ProduceAgent.onPartitionChange}.
 * <p>
 * Called on the produce agent's thread: an implementation hands off (queues) and never blocks. A proposal is made
 * again after {@code replica.lag.time.max.ms} while the controller has not changed the partition.
 */
@FunctionalInterface
interface IsrChangeListener
{
    /** Drops every proposal (a broker without a controller connection, and tests). */
    IsrChangeListener NONE = (topicId, partition, leaderEpoch, partitionEpoch, isr) -> {};

    /**
     * @param topicId        of the partition.
     * @param partition      number.
     * @param leaderEpoch    this broker's epoch as leader.
     * @param partitionEpoch the partition epoch the proposal is made on.
     * @param isr            the proposed in-sync set (owned by the receiver), the leader among it.
     */
    void onIsrChangeProposed(int topicId, int partition, int leaderEpoch, int partitionEpoch, int[] isr);
}
