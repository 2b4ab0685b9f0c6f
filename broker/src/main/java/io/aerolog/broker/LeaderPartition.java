package io.aerolog.broker;

import io.aerolog.archive.PartitionLog;
import io.aerolog.sequencer.InSyncReplicas;

/**
 * A partition this broker leads with followers: its log, the epochs it leads under, and the followers' positions
 * with the high watermark over the in-sync set ({@link InSyncReplicas}). Produce agent thread only.
 */
final class LeaderPartition
{
    final PartitionLog log;
    final int leaderEpoch;
    final int[] replicas;
    int partitionEpoch;
    int minInsyncReplicas;
    InSyncReplicas isr;
    long nextStateMs;
    long lastProposalMs = Long.MIN_VALUE / 2;
    boolean stateChanged = true;

    LeaderPartition(
        final PartitionLog log,
        final int leaderEpoch,
        final int partitionEpoch,
        final int[] replicas,
        final int minInsyncReplicas,
        final InSyncReplicas isr)
    {
        this.log = log;
        this.leaderEpoch = leaderEpoch;
        this.partitionEpoch = partitionEpoch;
        this.replicas = replicas;
        this.minInsyncReplicas = minInsyncReplicas;
        this.isr = isr;
    }
}
