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
    final long epochStartPosition;
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
        this.epochStartPosition = log.position();
        this.minInsyncReplicas = minInsyncReplicas;
        this.isr = isr;
    }

    /**
     * @param leaderId          this broker.
     * @param isr               an in-sync set the controller sent.
     * @param minInsyncReplicas its min.insync.replicas.
     * @return true when the tracker can take it: this broker in it, every member a replica, the minimum in range.
     */
    boolean accepts(final int leaderId, final int[] isr, final int minInsyncReplicas)
    {
        if (minInsyncReplicas < 1 || minInsyncReplicas > replicas.length || !contains(isr, leaderId))
        {
            return false;
        }
        for (final int member : isr)
        {
            if (!contains(replicas, member))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(final int[] ids, final int id)
    {
        for (final int candidate : ids)
        {
            if (candidate == id)
            {
                return true;
            }
        }
        return false;
    }
}
