package io.aerolog.cluster.replication;

import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.sequencer.PartitionElection;
import io.aerolog.sequencer.ReplicaPlacer;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.function.IntToLongFunction;

/**
 * Each partition's replication state ({@link PartitionElection.State}) and each topic's
 * {@code min.insync.replicas}, kept beside the topics of the controller state. Replicated state: changed only by
 * commands and timer events, iterated in (topic id, partition) order, so every member and every replay decides
 * alike. Bounded by the topic and partition caps of the topics it mirrors. <b>Not thread-safe:</b> the controller
 * service's thread.
 */
public final class PartitionReplicas
{
    /** The broker that holds every partition of a controller used without registered brokers (one node). */
    public static final int DEFAULT_BROKER_ID = 0;

    /**
     * Told of each partition whose state changed.
     */
    @FunctionalInterface
    public interface ChangeListener
    {
        /**
         * @param topicId           of the partition.
         * @param partition         index.
         * @param minInsyncReplicas of the topic.
         * @param state             the partition's new state.
         */
        void onChange(int topicId, int partition, int minInsyncReplicas, PartitionElection.State state);
    }

    /**
     * A topic's partitions.
     *
     * @param minInsyncReplicas of the topic.
     * @param partitions        each partition's state, by index.
     * @param histories         each partition's leader-epoch history, by index.
     */
    public record TopicReplicas(
        int minInsyncReplicas, PartitionElection.State[] partitions, PartitionEpochHistory[] histories)
    {
        TopicReplicas(final int minInsyncReplicas, final PartitionElection.State[] partitions)
        {
            this(minInsyncReplicas, partitions, newHistories(partitions.length));
        }
    }

    /**
     * One entry of a partition's leader-epoch history, as snapshots and metadata answers carry it.
     *
     * @param topicId           of the topic.
     * @param partition         index.
     * @param epoch             leader epoch.
     * @param startPosition     of its first batch.
     * @param startOffset       of its first record.
     * @param leaderRecordingId of the leader that started it.
     */
    public record EpochRecord(
        int topicId, int partition, int epoch, long startPosition, long startOffset, long leaderRecordingId)
    {
    }

    /**
     * Told of each entry of a partition's leader-epoch history.
     */
    @FunctionalInterface
    public interface EpochListener
    {
        /**
         * @param topicId           of the partition.
         * @param partition         index.
         * @param epoch             leader epoch.
         * @param startPosition     of its first batch.
         * @param startOffset       of its first record.
         * @param leaderRecordingId of the leader that started it.
         */
        void onEpoch(
            int topicId, int partition, int epoch, long startPosition, long startOffset, long leaderRecordingId);
    }

    /**
     * One partition of a snapshot.
     *
     * @param topicId           of the topic.
     * @param partition         index.
     * @param minInsyncReplicas of the topic.
     * @param state             of the partition.
     */
    public record PartitionRecord(int topicId, int partition, int minInsyncReplicas, PartitionElection.State state)
    {
    }

    private static final int NONE = ErrorCode.NONE.value();
    private static final int[] NO_BROKERS = new int[0];

    private final TreeMap<Integer, TopicReplicas> topics = new TreeMap<>();
    private String lastErrorMessage;
    private PartitionElection.State lastState;

    /**
     * Checks a topic's replication settings against the live brokers, before the topic is created.
     *
     * @param replicationFactor replicas per partition.
     * @param minInsyncReplicas of the topic.
     * @param liveBrokers       number of unfenced registered brokers.
     * @param registeredBrokers number of registered brokers in any state.
     * @return {@code NONE}, {@code INVALID_REPLICATION_FACTOR} or {@code INVALID_CONFIG}.
     */
    public int validate(
        final int replicationFactor, final int minInsyncReplicas, final int liveBrokers, final int registeredBrokers)
    {
        lastErrorMessage = null;
        if (replicationFactor < 1)
        {
            return fail(ErrorCode.INVALID_REPLICATION_FACTOR, "replication factor must be >= 1: " + replicationFactor);
        }
        // A controller no broker has registered with yet (one node): a factor of 1 lands on broker 0.
        final boolean singleNode = 0 == registeredBrokers && 1 == replicationFactor;
        if (!singleNode && replicationFactor > liveBrokers)
        {
            return fail(ErrorCode.INVALID_REPLICATION_FACTOR, "replication factor " + replicationFactor +
                " is larger than the " + liveBrokers + " live brokers");
        }
        if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor)
        {
            return fail(ErrorCode.INVALID_CONFIG, "min.insync.replicas must be in 1.." + replicationFactor + ": " +
                minInsyncReplicas);
        }
        return NONE;
    }

    /**
     * Places a new topic's partitions: replicas by {@link ReplicaPlacer} over the live brokers (broker
     * {@link #DEFAULT_BROKER_ID} when none is registered), leader the first replica, epochs 0, in-sync set all
     * replicas, no eligible replicas. Call after {@link #validate} accepted the settings.
     *
     * @param topicId           of the new topic.
     * @param partitions        of the topic.
     * @param replicationFactor replicas per partition.
     * @param minInsyncReplicas of the topic.
     * @param liveBrokers       ids of the unfenced brokers, any order; empty for none registered.
     * @param listener          told of each partition's state, in partition order.
     */
    public void create(
        final int topicId,
        final int partitions,
        final int replicationFactor,
        final int minInsyncReplicas,
        final int[] liveBrokers,
        final ChangeListener listener)
    {
        final int[] brokers = 0 == liveBrokers.length ? new int[]{ DEFAULT_BROKER_ID } : liveBrokers;
        final int[][] placement = ReplicaPlacer.place(topicId, partitions, replicationFactor, brokers);
        final PartitionElection.State[] states = new PartitionElection.State[partitions];
        for (int p = 0; p < partitions; p++)
        {
            final int[] replicas = placement[p];
            states[p] = new PartitionElection.State(replicas, replicas[0], 0, 0, replicas.clone(), NO_BROKERS);
        }
        topics.put(topicId, new TopicReplicas(minInsyncReplicas, states));
        for (int p = 0; p < partitions; p++)
        {
            listener.onChange(topicId, p, minInsyncReplicas, states[p]);
        }
    }

    /**
     * @param topicId of a deleted topic: its partitions are forgotten.
     */
    public void remove(final int topicId)
    {
        topics.remove(topicId);
    }

    /**
     * A broker was fenced: {@link PartitionElection#onBrokerFenced} for every partition, in (topic id, partition)
     * order.
     *
     * @param brokerId      fenced.
     * @param cleanShutdown whether it stopped cleanly.
     * @param isFenced      tells which brokers are fenced now.
     * @param listener      told of each partition that changed.
     * @return number of partitions changed.
     */
    public int onBrokerFenced(
        final int brokerId, final boolean cleanShutdown, final IntPredicate isFenced, final ChangeListener listener)
    {
        int changed = 0;
        for (final Map.Entry<Integer, TopicReplicas> entry : topics.entrySet())
        {
            final TopicReplicas topic = entry.getValue();
            final PartitionElection.State[] states = topic.partitions();
            for (int p = 0; p < states.length; p++)
            {
                final PartitionElection.State next = PartitionElection.onBrokerFenced(
                    states[p], brokerId, cleanShutdown, topic.minInsyncReplicas(), isFenced);
                if (next != states[p])
                {
                    states[p] = next;
                    changed++;
                    listener.onChange(entry.getKey(), p, topic.minInsyncReplicas(), next);
                }
            }
        }
        return changed;
    }

    /**
     * A broker is back: {@link PartitionElection#onBrokerUnfenced} for every partition, in (topic id, partition)
     * order.
     *
     * @param brokerId unfenced.
     * @param listener told of each partition that changed.
     * @return number of partitions changed.
     */
    public int onBrokerUnfenced(final int brokerId, final ChangeListener listener)
    {
        int changed = 0;
        for (final Map.Entry<Integer, TopicReplicas> entry : topics.entrySet())
        {
            final TopicReplicas topic = entry.getValue();
            final PartitionElection.State[] states = topic.partitions();
            for (int p = 0; p < states.length; p++)
            {
                final PartitionElection.State next = PartitionElection.onBrokerUnfenced(states[p], brokerId);
                if (next != states[p])
                {
                    states[p] = next;
                    changed++;
                    listener.onChange(entry.getKey(), p, topic.minInsyncReplicas(), next);
                }
            }
        }
        return changed;
    }

    /** Topic id of {@link #electPreferred} that means every topic. */
    public static final int ALL_TOPICS = -1;

    /** Partition of {@link #electPreferred} that means every partition of the topic. */
    public static final int ALL_PARTITIONS = -1;

    /**
     * Moves leadership back to the preferred leaders by {@link PartitionElection#electPreferred}, in
     * (topic id, partition) order.
     *
     * @param topicId  of one topic, or {@link #ALL_TOPICS}.
     * @param isFenced tells which brokers are fenced.
     * @param listener told of each partition that changed.
     * @return number of partitions whose leader moved, or -1 if the topic is unknown.
     */
    public int electPreferred(final int topicId, final IntPredicate isFenced, final ChangeListener listener)
    {
        return electPreferred(topicId, ALL_PARTITIONS, isFenced, listener);
    }

    /**
     * Moves leadership back to the preferred leaders by {@link PartitionElection#electPreferred}, in
     * (topic id, partition) order: of every topic, of one topic, or of one partition.
     *
     * @param topicId   of one topic, or {@link #ALL_TOPICS}.
     * @param partition of that topic, or {@link #ALL_PARTITIONS} (always with {@link #ALL_TOPICS}).
     * @param isFenced  tells which brokers are fenced.
     * @param listener  told of each partition that changed.
     * @return number of partitions whose leader moved, or -1 if the topic or partition is unknown.
     */
    public int electPreferred(
        final int topicId, final int partition, final IntPredicate isFenced, final ChangeListener listener)
    {
        lastErrorMessage = null;
        if (ALL_TOPICS == topicId ? ALL_PARTITIONS != partition : !topics.containsKey(topicId))
        {
            lastErrorMessage = "unknown topic id " + topicId;
            return -1;
        }
        if (ALL_PARTITIONS != partition && (partition < 0 || partition >= topics.get(topicId).partitions().length))
        {
            lastErrorMessage = "unknown partition " + topicId + "-" + partition;
            return -1;
        }
        int changed = 0;
        for (final Map.Entry<Integer, TopicReplicas> entry : topics.entrySet())
        {
            if (ALL_TOPICS != topicId && entry.getKey() != topicId)
            {
                continue;
            }
            final TopicReplicas topic = entry.getValue();
            final PartitionElection.State[] states = topic.partitions();
            for (int p = 0; p < states.length; p++)
            {
                if (ALL_PARTITIONS != partition && p != partition)
                {
                    continue;
                }
                final PartitionElection.State next = PartitionElection.electPreferred(states[p], isFenced);
                if (next != states[p])
                {
                    states[p] = next;
                    changed++;
                    listener.onChange(entry.getKey(), p, topic.minInsyncReplicas(), next);
                }
            }
        }
        return changed;
    }

    /**
     * Automatic leader balancing, as Kafka's: a broker is imbalanced when more than {@code imbalancePercentage} % of
     * the partitions it is the preferred leader of (first replica) are led by another broker; each such partition of
     * an imbalanced broker gets a preferred election ({@link PartitionElection#electPreferred}: only where the
     * preferred replica is unfenced and in sync). In (topic id, partition) order.
     *
     * @param imbalancePercentage {@code leader.imbalance.per.broker.percentage}, 0 to 100.
     * @param isFenced            tells which brokers are fenced.
     * @param listener            told of each partition that changed.
     * @return number of partitions whose leader moved.
     */
    public int balance(final int imbalancePercentage, final IntPredicate isFenced, final ChangeListener listener)
    {
        final TreeMap<Integer, long[]> counts = new TreeMap<>(); // preferred broker -> {preferred of, not led}
        for (final TopicReplicas topic : topics.values())
        {
            for (final PartitionElection.State state : topic.partitions())
            {
                final long[] count = counts.computeIfAbsent(state.replicas()[0], (id) -> new long[2]);
                count[0]++;
                count[1] += state.leader() == state.replicas()[0] ? 0 : 1;
            }
        }
        int changed = 0;
        for (final Map.Entry<Integer, TopicReplicas> entry : topics.entrySet())
        {
            final TopicReplicas topic = entry.getValue();
            final PartitionElection.State[] states = topic.partitions();
            for (int p = 0; p < states.length; p++)
            {
                final long[] count = counts.get(states[p].replicas()[0]);
                if (states[p].leader() == states[p].replicas()[0] || count[1] * 100 <= imbalancePercentage * count[0])
                {
                    continue;
                }
                final PartitionElection.State next = PartitionElection.electPreferred(states[p], isFenced);
                if (next != states[p])
                {
                    states[p] = next;
                    changed++;
                    listener.onChange(entry.getKey(), p, topic.minInsyncReplicas(), next);
                }
            }
        }
        return changed;
    }

    /**
     * A leader's proposal of a new in-sync set, by {@link PartitionElection#alterIsr}.
     *
     * @param topicId         of the partition.
     * @param partition       index.
     * @param brokerId        proposing.
     * @param brokerEpoch     of the proposer.
     * @param leaderEpoch     the proposer leads in.
     * @param partitionEpoch  the proposal was made on.
     * @param newIsr          the proposed set.
     * @param newIsrEpochs    each member's broker epoch as the leader saw it, -1 where unknown.
     * @param registeredEpoch each broker's registered epoch, -1 for none.
     * @param isFenced        tells which brokers are fenced.
     * @param listener        told of the partition if it changed.
     * @return an {@link ErrorCode} value; {@link #lastState()} is the partition's state after it (null if unknown),
     * {@link #lastErrorMessage()} says why it was refused.
     */
    public int alter(
        final int topicId,
        final int partition,
        final int brokerId,
        final long brokerEpoch,
        final int leaderEpoch,
        final int partitionEpoch,
        final int[] newIsr,
        final long[] newIsrEpochs,
        final IntToLongFunction registeredEpoch,
        final IntPredicate isFenced,
        final ChangeListener listener)
    {
        lastErrorMessage = null;
        lastState = null;
        final TopicReplicas topic = topics.get(topicId);
        if (null == topic || partition < 0 || partition >= topic.partitions().length)
        {
            return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "unknown partition " + topicId + "-" + partition);
        }
        final PartitionElection.State state = topic.partitions()[partition];
        final PartitionElection.AlterResult result = PartitionElection.alterIsr(state, brokerId, brokerEpoch,
            leaderEpoch, partitionEpoch, newIsr, newIsrEpochs, topic.minInsyncReplicas(), registeredEpoch, isFenced);
        lastState = result.state();
        final String where = " for " + topicId + "-" + partition + " " + state;
        switch (result.outcome())
        {
            case ACCEPTED:
                if (result.state() != state)
                {
                    topic.partitions()[partition] = result.state();
                    listener.onChange(topicId, partition, topic.minInsyncReplicas(), result.state());
                }
                return NONE;
            case STALE_BROKER_EPOCH:
                return fail(ErrorCode.STALE_BROKER_EPOCH, "broker " + brokerId + " epoch " + brokerEpoch +
                    " is stale or fenced");
            case FENCED_LEADER_EPOCH:
                return fail(ErrorCode.FENCED_LEADER_EPOCH, "leader epoch " + leaderEpoch + " is fenced" + where);
            case NOT_LEADER_OR_FOLLOWER:
                return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER, "broker " + brokerId + " at leader epoch " +
                    leaderEpoch + " does not lead" + where);
            case STALE_PARTITION_EPOCH:
                return fail(ErrorCode.FENCED_LEADER_EPOCH, "partition epoch " + partitionEpoch + " is stale" + where);
            default:
                return fail(ErrorCode.INELIGIBLE_REPLICA, "ineligible in-sync set " + Arrays.toString(newIsr) + where);
        }
    }

    /**
     * @param topicId   of a topic.
     * @param partition index.
     * @return the partition's state, or null if unknown.
     */
    public PartitionElection.State state(final int topicId, final int partition)
    {
        final TopicReplicas topic = topics.get(topicId);
        return null == topic || partition < 0 || partition >= topic.partitions().length ?
            null : topic.partitions()[partition];
    }

    /**
     * @param topicId of a topic.
     * @return its {@code min.insync.replicas}, or 0 if unknown.
     */
    public int minInsyncReplicas(final int topicId)
    {
        final TopicReplicas topic = topics.get(topicId);
        return null == topic ? 0 : topic.minInsyncReplicas();
    }

    /**
     * Visits every partition in (topic id, partition) order.
     *
     * @param listener told of each; returning normally continues.
     */
    public void forEach(final ChangeListener listener)
    {
        for (final Map.Entry<Integer, TopicReplicas> entry : topics.entrySet())
        {
            final TopicReplicas topic = entry.getValue();
            final PartitionElection.State[] states = topic.partitions();
            for (int p = 0; p < states.length; p++)
            {
                listener.onChange(entry.getKey(), p, topic.minInsyncReplicas(), states[p]);
            }
        }
    }

    /** @return number of partitions held, over all topics. */
    public int partitionCount()
    {
        int count = 0;
        for (final TopicReplicas topic : topics.values())
        {
            count += topic.partitions().length;
        }
        return count;
    }

    /**
     * Replaces the content with a snapshot's. A topic without records (a snapshot written before replication) gets
     * today's single-node layout: one replica, broker {@link #DEFAULT_BROKER_ID}, leading at epoch 0.
     *
     * @param partitionCounts each topic's id and partition count, from the restored topics.
     * @param records         the partitions of the snapshot, any order.
     * @throws IllegalStateException if a record names an unknown topic or partition, repeats one, or a topic has some
     *                               partitions but not all.
     */
    public void restore(final Map<Integer, Integer> partitionCounts, final List<PartitionRecord> records)
    {
        restore(partitionCounts, records, List.of());
    }

    /**
     * Replaces the content with a snapshot's, leader-epoch histories included. A topic without records (a snapshot
     * written before replication) gets today's single-node layout: one replica, broker {@link #DEFAULT_BROKER_ID},
     * leading at epoch 0.
     *
     * @param partitionCounts each topic's id and partition count, from the restored topics.
     * @param records         the partitions of the snapshot, any order.
     * @param epochs          the history entries of the snapshot, each partition's in epoch order.
     * @throws IllegalStateException if a record names an unknown topic or partition, repeats one, a topic has some
     *                               partitions but not all, or a history entry is out of order or beyond the bound.
     */
    public void restore(
        final Map<Integer, Integer> partitionCounts, final List<PartitionRecord> records, final List<EpochRecord> epochs)
    {
        final TreeMap<Integer, TopicReplicas> restored = new TreeMap<>();
        for (final PartitionRecord record : records)
        {
            final Integer count = partitionCounts.get(record.topicId());
            if (null == count || record.partition() < 0 || record.partition() >= count ||
                record.minInsyncReplicas() < 1 || 0 == record.state().replicas().length)
            {
                throw new IllegalStateException("snapshot partition of no topic: " + record);
            }
            final TopicReplicas topic = restored.computeIfAbsent(record.topicId(),
                (id) -> new TopicReplicas(record.minInsyncReplicas(), new PartitionElection.State[count]));
            if (null != topic.partitions()[record.partition()])
            {
                throw new IllegalStateException("duplicate snapshot partition: " + record);
            }
            topic.partitions()[record.partition()] = record.state();
        }
        for (final Map.Entry<Integer, Integer> entry : partitionCounts.entrySet())
        {
            final TopicReplicas topic = restored.get(entry.getKey());
            if (null == topic)
            {
                final PartitionElection.State[] states = new PartitionElection.State[entry.getValue()];
                for (int p = 0; p < states.length; p++)
                {
                    final int[] replicas = { DEFAULT_BROKER_ID };
                    states[p] = new PartitionElection.State(replicas, DEFAULT_BROKER_ID, 0, 0, replicas, NO_BROKERS);
                }
                restored.put(entry.getKey(), new TopicReplicas(1, states));
            }
            else if (Arrays.asList(topic.partitions()).contains(null))
            {
                throw new IllegalStateException("snapshot lacks partitions of topic " + entry.getKey());
            }
        }
        for (final EpochRecord epoch : epochs)
        {
            final TopicReplicas topic = restored.get(epoch.topicId());
            if (null == topic || epoch.partition() < 0 || epoch.partition() >= topic.partitions().length)
            {
                throw new IllegalStateException("snapshot leader epoch of no partition: " + epoch);
            }
            final PartitionEpochHistory history = topic.histories()[epoch.partition()];
            if (history.size() >= PartitionEpochHistory.MAX_ENTRIES || epoch.epoch() <= history.lastEpoch() ||
                (history.size() > 0 && (epoch.startPosition() < history.startPositionAt(history.size() - 1) ||
                epoch.startOffset() < history.startOffsetAt(history.size() - 1))) ||
                epoch.startPosition() < 0 || epoch.startOffset() < 0)
            {
                throw new IllegalStateException("snapshot leader epoch out of order: " + epoch + " after " + history);
            }
            history.append(epoch.epoch(), epoch.startPosition(), epoch.startOffset(), epoch.leaderRecordingId());
        }
        topics.clear();
        topics.putAll(restored);
    }

    /**
     * A partition's leader registers where its current epoch starts, before it writes in it. Checks, in order: the
     * partition exists; the broker is registered with that epoch and unfenced; it is the partition's leader; the
     * epoch is the partition's current one; the start is not negative nor below the last entry's start; the epoch is
     * not already registered at another start. The same values again are accepted and change nothing.
     *
     * @param topicId           of the partition.
     * @param partition         index.
     * @param brokerId          registering.
     * @param brokerEpoch       of its registration.
     * @param leaderEpoch       it starts.
     * @param startPosition     of the epoch's first batch: the leader's log end.
     * @param startOffset       of the epoch's first record.
     * @param leaderRecordingId the leader's recording.
     * @param logStartOffset    of the partition, below which whole entries may be dropped when the history is full.
     * @param registeredEpoch   each broker's registered epoch, -1 for none.
     * @param isFenced          tells which brokers are fenced.
     * @param listener          told of the entry if it was added.
     * @return an {@link ErrorCode} value; {@link #lastErrorMessage()} says why it was refused.
     */
    public int startEpoch(
        final int topicId,
        final int partition,
        final int brokerId,
        final long brokerEpoch,
        final int leaderEpoch,
        final long startPosition,
        final long startOffset,
        final long leaderRecordingId,
        final long logStartOffset,
        final IntToLongFunction registeredEpoch,
        final IntPredicate isFenced,
        final EpochListener listener)
    {
        lastErrorMessage = null;
        final TopicReplicas topic = topics.get(topicId);
        if (null == topic || partition < 0 || partition >= topic.partitions().length)
        {
            return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "unknown partition " + topicId + "-" + partition);
        }
        final PartitionElection.State state = topic.partitions()[partition];
        final PartitionEpochHistory history = topic.histories()[partition];
        final String where = " for " + topicId + "-" + partition + " " + state;
        if (registeredEpoch.applyAsLong(brokerId) != brokerEpoch || isFenced.test(brokerId))
        {
            return fail(ErrorCode.STALE_BROKER_EPOCH, "broker " + brokerId + " epoch " + brokerEpoch +
                " is stale or fenced");
        }
        if (state.leader() != brokerId)
        {
            return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER, "broker " + brokerId + " does not lead" + where);
        }
        if (leaderEpoch < state.leaderEpoch())
        {
            return fail(ErrorCode.FENCED_LEADER_EPOCH, "leader epoch " + leaderEpoch + " is fenced" + where);
        }
        if (leaderEpoch > state.leaderEpoch())
        {
            return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER, "leader epoch " + leaderEpoch + " is newer" + where);
        }
        if (history.lastEquals(leaderEpoch, startPosition, startOffset, leaderRecordingId))
        {
            return NONE;
        }
        final int last = history.size() - 1;
        if (startPosition < 0 || startOffset < 0)
        {
            return fail(ErrorCode.INVALID_REQUEST, "negative start " + startPosition + "/" + startOffset + where);
        }
        if (leaderEpoch == history.lastEpoch())
        {
            return fail(ErrorCode.INVALID_REQUEST, "leader epoch " + leaderEpoch + " already starts at " +
                history.startPositionAt(last) + "/" + history.startOffsetAt(last) + where);
        }
        if (last >= 0 && (startPosition < history.startPositionAt(last) || startOffset < history.startOffsetAt(last)))
        {
            return fail(ErrorCode.INVALID_REQUEST, "start " + startPosition + "/" + startOffset +
                " is below the last epoch's start " + history.startPositionAt(last) + "/" +
                history.startOffsetAt(last) + where);
        }
        if (!history.makeRoom(logStartOffset))
        {
            return fail(ErrorCode.LIMIT_REACHED, "leader epoch history holds " + PartitionEpochHistory.MAX_ENTRIES +
                " entries above the log start offset " + logStartOffset + where);
        }
        history.append(leaderEpoch, startPosition, startOffset, leaderRecordingId);
        listener.onEpoch(topicId, partition, leaderEpoch, startPosition, startOffset, leaderRecordingId);
        return NONE;
    }

    /**
     * @param topicId   of a topic.
     * @param partition index.
     * @return the partition's leader-epoch history, or null if unknown; to be read only.
     */
    public PartitionEpochHistory history(final int topicId, final int partition)
    {
        final TopicReplicas topic = topics.get(topicId);
        return null == topic || partition < 0 || partition >= topic.partitions().length ?
            null : topic.histories()[partition];
    }

    /** @return number of leader-epoch history entries held, over all partitions. */
    public int epochCount()
    {
        int count = 0;
        for (final TopicReplicas topic : topics.values())
        {
            for (final PartitionEpochHistory history : topic.histories())
            {
                count += history.size();
            }
        }
        return count;
    }

    /**
     * Visits every entry of one partition's history, oldest first.
     *
     * @param topicId   of the partition.
     * @param partition index.
     * @param listener  told of each entry.
     */
    public void forEachEpoch(final int topicId, final int partition, final EpochListener listener)
    {
        final PartitionEpochHistory history = history(topicId, partition);
        if (null != history)
        {
            for (int i = 0; i < history.size(); i++)
            {
                listener.onEpoch(topicId, partition, history.epochAt(i), history.startPositionAt(i),
                    history.startOffsetAt(i), history.recordingIdAt(i));
            }
        }
    }

    private static PartitionEpochHistory[] newHistories(final int partitions)
    {
        final PartitionEpochHistory[] histories = new PartitionEpochHistory[partitions];
        for (int p = 0; p < partitions; p++)
        {
            histories[p] = new PartitionEpochHistory();
        }
        return histories;
    }

    /** @return the state after the last {@link #alter}, or null. */
    public PartitionElection.State lastState()
    {
        return lastState;
    }

    /** @return why the last check or proposal was refused, or null. */
    public String lastErrorMessage()
    {
        return lastErrorMessage;
    }

    private int fail(final ErrorCode code, final String message)
    {
        lastErrorMessage = message;
        return code.value();
    }
}
