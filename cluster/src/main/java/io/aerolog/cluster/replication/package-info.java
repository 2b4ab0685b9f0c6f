/**
 * The controller's partition replication state: for each partition its replicas, leader, leader and partition
 * epochs, in-sync and eligible leader replicas ({@link io.aerolog.cluster.replication.PartitionReplicas}), changed by
 * the rules of {@link io.aerolog.sequencer.PartitionElection} when brokers are fenced or come back and when a leader
 * proposes a new in-sync set. Pure and deterministic, as the rest of the controller's state.
 * {@link io.aerolog.cluster.replication.PartitionChangeCodec} turns a partition's state into a
 * {@code PartitionChangeEvent} and back for egress, metadata answers and snapshots.
 */
package io.aerolog.cluster.replication;
