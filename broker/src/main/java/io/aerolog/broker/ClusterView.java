package io.aerolog.broker;

import io.aerolog.archive.PartitionLog;
import io.aerolog.cluster.registry.RegisteredBroker;
import io.aerolog.codecs.cluster.BrokerEventType;
import io.aerolog.sequencer.LeaderEpochHistory;
import io.aerolog.sequencer.PartitionElection;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What this broker knows of the cluster from the controller's events: every registered broker and every partition's
 * replication state (replicas, leader, epochs, in-sync replicas). Conductor thread only; the values are the copies
 * the controller client decoded, never changed in place, so a reader may keep one.
 */
public final class ClusterView
{
    /** A partition's replication state with its topic's min.insync.replicas. */
    public record PartitionView(int topicId, int partition, int minInsyncReplicas, PartitionElection.State state)
    {
        /** @return whether the broker leads the partition. */
        public boolean isLedBy(final int brokerId)
        {
            return state.leader() == brokerId;
        }

        /** @return whether the broker is one of its replicas. */
        public boolean hasReplica(final int brokerId)
        {
            for (final int replica : state.replicas())
            {
                if (replica == brokerId)
                {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * A partition's agreed leader-epoch history as the controller told it, and the recording of the leader that
     * started its last epoch (the one followers replicate).
     */
    public static final class LeaderEpochs
    {
        private LeaderEpochHistory history = new LeaderEpochHistory();
        private long leaderRecordingId = -1;
        private long answerCorrelationId = -1;

        /** @return the history; to be read only. */
        public LeaderEpochHistory history()
        {
            return history;
        }

        /** @return the recording of the leader that started the last epoch, -1 if none was told. */
        public long leaderRecordingId()
        {
            return leaderRecordingId;
        }
    }

    private final Long2ObjectHashMap<LeaderEpochs> epochs = new Long2ObjectHashMap<>();
    private final int localBrokerId;
    private final Int2ObjectHashMap<RegisteredBroker> brokers = new Int2ObjectHashMap<>();
    private final Long2ObjectHashMap<PartitionView> partitions = new Long2ObjectHashMap<>();

    /**
     * @param localBrokerId this broker's id.
     */
    public ClusterView(final int localBrokerId)
    {
        this.localBrokerId = localBrokerId;
    }

    /** @return this broker's id. */
    public int localBrokerId()
    {
        return localBrokerId;
    }

    /**
     * Applies a broker event.
     *
     * @param type   of the event.
     * @param broker the broker after it.
     */
    public void onBrokerEvent(final BrokerEventType type, final RegisteredBroker broker)
    {
        brokers.put(broker.brokerId(), broker);
    }

    /**
     * Applies a partition change.
     *
     * @param topicId           of the partition.
     * @param partition         index.
     * @param minInsyncReplicas of the topic.
     * @param state             after the change.
     * @return the view before the change, or null if the partition was not known.
     */
    public PartitionView onPartitionChange(
        final int topicId, final int partition, final int minInsyncReplicas, final PartitionElection.State state)
    {
        return partitions.put(
            PartitionLog.key(topicId, partition), new PartitionView(topicId, partition, minInsyncReplicas, state));
    }

    /**
     * Applies a leader epoch start: a new one (correlation id -1), or one entry of a metadata answer, whose first
     * entry for a partition replaces what was known of it.
     *
     * @param correlationId     of the metadata answer, or -1.
     * @param topicId           of the partition.
     * @param partition         index.
     * @param epoch             leader epoch.
     * @param startPosition     of its first batch.
     * @param startOffset       of its first record.
     * @param leaderRecordingId of the leader that started it.
     * @return false if ignored: an epoch not above the last one known (already told, or out of order).
     */
    public boolean onLeaderEpochStart(
        final long correlationId,
        final int topicId,
        final int partition,
        final int epoch,
        final long startPosition,
        final long startOffset,
        final long leaderRecordingId)
    {
        final long key = PartitionLog.key(topicId, partition);
        LeaderEpochs entry = epochs.get(key);
        if (null == entry)
        {
            entry = new LeaderEpochs();
            epochs.put(key, entry);
        }
        if (correlationId >= 0 && correlationId != entry.answerCorrelationId)
        {
            entry.history = new LeaderEpochHistory();
            entry.answerCorrelationId = correlationId;
        }
        final LeaderEpochHistory history = entry.history;
        if (epoch <= history.lastEpoch() || startPosition < 0 || startOffset < 0)
        {
            return false;
        }
        history.append(epoch, startPosition, startOffset);
        entry.leaderRecordingId = leaderRecordingId;
        return true;
    }

    /**
     * @param topicId   of the partition.
     * @param partition index.
     * @return its leader-epoch history and leader recording, or null when the controller has told none.
     */
    public LeaderEpochs leaderEpochs(final int topicId, final int partition)
    {
        return epochs.get(PartitionLog.key(topicId, partition));
    }

    /**
     * Forgets a deleted topic's partitions.
     *
     * @param topicId    of the topic.
     * @param partitions how many it had.
     */
    public void onTopicDeleted(final int topicId, final int partitions)
    {
        for (int p = 0; p < partitions; p++)
        {
            this.partitions.remove(PartitionLog.key(topicId, p));
            epochs.remove(PartitionLog.key(topicId, p));
        }
    }

    /**
     * @param topicId   of the partition.
     * @param partition index.
     * @return its replication state, or null when the controller has not told it (yet).
     */
    public PartitionView partition(final int topicId, final int partition)
    {
        return partitions.get(PartitionLog.key(topicId, partition));
    }

    /**
     * @param topicId   of the partition.
     * @param partition index.
     * @return whether this broker leads it. A partition the controller has not told of yet is not led.
     */
    public boolean isLocalLeader(final int topicId, final int partition)
    {
        final PartitionView view = partition(topicId, partition);
        return null != view && view.isLedBy(localBrokerId);
    }

    /**
     * @param topicId   of the partition.
     * @param partition index.
     * @return the leader's broker id, or {@link PartitionElection#NO_LEADER} when offline or unknown.
     */
    public int leaderOf(final int topicId, final int partition)
    {
        final PartitionView view = partition(topicId, partition);
        return null == view ? PartitionElection.NO_LEADER : view.state().leader();
    }

    /**
     * @param brokerId a broker's id.
     * @return the broker as last registered, or null if it never registered.
     */
    public RegisteredBroker broker(final int brokerId)
    {
        return brokers.get(brokerId);
    }

    /** @return every broker that registered, in id order. */
    public List<RegisteredBroker> brokers()
    {
        final List<RegisteredBroker> all = new ArrayList<>(brokers.values());
        all.sort((a, b) -> Integer.compare(a.brokerId(), b.brokerId()));
        return all;
    }

    /** @return every partition's view. */
    public Collection<PartitionView> partitions()
    {
        return partitions.values();
    }
}
