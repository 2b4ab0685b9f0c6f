package io.aerolog.broker;

import io.aerolog.archive.PartitionLog;
import io.aerolog.archive.PartitionReplicator;
import io.aerolog.cluster.ControllerClient;
import io.aerolog.cluster.registry.RegisteredBroker;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.node.NodePorts;
import io.aerolog.sequencer.LeaderEpochHistory;
import io.aerolog.sequencer.PartitionElection;
import org.agrona.ErrorHandler;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Decides, per partition, what this broker does with it from the controller's view ({@link ClusterView}), and carries
 * it out:
 * <ul>
 *     <li><b>leader</b>: its log open for appends. With followers, the broker first opens whatever it holds of the
 *     partition (its own log, or the copy it made as a follower: never truncated to a high watermark), registers
 *     where its epoch starts with the controller ({@code LeaderEpochStart}), and only then hands the log to the
 *     produce agent to lead over the in-sync set;</li>
 *     <li><b>follower</b>: once the controller has the leader's epoch start, the local copy is cut back to where it
 *     agrees with the agreed epoch history and then extended by a continuous replication of the leader's recording,
 *     whose position the replica channel reports to the leader;</li>
 *     <li>neither: nothing open here.</li>
 * </ul>
 * Every change is carried out on the {@link LogWorker} (it waits on the archive) and its result applied back on the
 * conductor; one transition per partition at a time, and the partition is looked at again when one ends, so a role
 * that changed meanwhile is caught up. A copy that fails or ends by itself is tried again on the conductor's tick.
 * A replication factor of 1 keeps the single-broker path: open and lead, no epoch registration, no extra hop.
 * Conductor thread only.
 */
final class PartitionRoles
{
    private static final long RETRY_INTERVAL_MS = 250;
    private static final long EPOCH_START_TIMEOUT_MS = 10_000;

    private final ClusterView cluster;
    private final TopicRegistry topics;
    private final LogWorker worker;
    private final ProduceAgent produceAgent;
    private final FetchService fetch;
    private final ClientSessions sessions;
    private final Consumer<TopicRegistry.TopicState> onSettled;
    private final Long2ObjectHashMap<PendingEpochStart> pendingEpochStarts = new Long2ObjectHashMap<>();
    private ReplicaChannel replicaChannel;
    private Supplier<ControllerClient> controller;
    private LongSupplier brokerEpoch;
    private LongSupplier correlationIds;
    private ErrorHandler errorHandler;
    private long nowMs;

    private record PendingEpochStart(
        TopicRegistry.TopicState topic, int partition, PartitionLog log, int leaderEpoch, long deadlineMs)
    {
    }

    PartitionRoles(
        final ClusterView cluster,
        final TopicRegistry topics,
        final LogWorker worker,
        final ProduceAgent produceAgent,
        final FetchService fetch,
        final ClientSessions sessions,
        final Consumer<TopicRegistry.TopicState> onSettled)
    {
        this.cluster = cluster;
        this.topics = topics;
        this.worker = worker;
        this.produceAgent = produceAgent;
        this.fetch = fetch;
        this.sessions = sessions;
        this.onSettled = onSettled;
    }

    /**
     * What replicated partitions need; without it (a broker that never replicates) only factor 1 is served.
     *
     * @param replicaChannel reports this broker's copies to their leaders.
     * @param controller     the current controller client, for epoch starts.
     * @param brokerEpoch    this broker's registration epoch.
     * @param correlationIds allocates controller correlation ids.
     * @param errorHandler   for failures worth recording.
     */
    void replication(
        final ReplicaChannel replicaChannel,
        final Supplier<ControllerClient> controller,
        final LongSupplier brokerEpoch,
        final LongSupplier correlationIds,
        final ErrorHandler errorHandler)
    {
        this.replicaChannel = replicaChannel;
        this.controller = controller;
        this.brokerEpoch = brokerEpoch;
        this.correlationIds = correlationIds;
        this.errorHandler = errorHandler;
    }

    /** A topic became known (created, or loaded at start): give each partition its role. */
    void onTopicAdded(final TopicRegistry.TopicState topic)
    {
        for (int p = 0; p < topic.logs.length; p++)
        {
            reconcile(topic, p);
        }
    }

    /** The controller changed a partition's replication state or its epoch history. */
    void onPartitionChange(final int topicId, final int partition)
    {
        final TopicRegistry.TopicState topic = topics.byId(topicId);
        if (null != topic && partition >= 0 && partition < topic.logs.length)
        {
            reconcile(topic, partition);
        }
    }

    /** A topic was deleted: its copies stop (its logs are released by the topic's deletion). */
    void onTopicDeleted(final TopicRegistry.TopicState topic)
    {
        for (int p = 0; p < topic.roles.length; p++)
        {
            final PartitionRole role = topic.roles[p];
            if (null != role.copy)
            {
                final PartitionReplicator copy = role.copy;
                role.copy = null;
                replicaChannel.unfollow(topic.metadata.topicId(), p);
                worker.stopFollowing(copy, () -> {});
            }
        }
    }

    /**
     * Retries what waited or failed, and gives up on epoch starts the controller never answered.
     *
     * @param nowMs the conductor's time.
     * @return work done.
     */
    int tick(final long nowMs)
    {
        this.nowMs = nowMs;
        int work = 0;
        for (final TopicRegistry.TopicState topic : topics.all())
        {
            for (int p = 0; p < topic.roles.length; p++)
            {
                final PartitionRole role = topic.roles[p];
                if (0 != role.retryAtMs && nowMs >= role.retryAtMs)
                {
                    role.retryAtMs = 0;
                    reconcile(topic, p);
                    work++;
                }
            }
        }
        if (!pendingEpochStarts.isEmpty())
        {
            for (final Long2ObjectHashMap<PendingEpochStart>.ValueIterator it = pendingEpochStarts.values().iterator();
                it.hasNext(); )
            {
                final PendingEpochStart pending = it.next();
                if (nowMs > pending.deadlineMs())
                {
                    it.remove();
                    abandonLead(pending);
                    work++;
                }
            }
        }
        return work;
    }

    /**
     * The controller's answer to an epoch start.
     *
     * @return true if it answered one of this class's requests.
     */
    boolean onCommandResult(final long correlationId, final int code, final String message)
    {
        final PendingEpochStart pending = pendingEpochStarts.remove(correlationId);
        if (null == pending)
        {
            return false;
        }
        final TopicRegistry.TopicState topic = pending.topic();
        final int partition = pending.partition();
        final ClusterView.PartitionView view = cluster.partition(topic.metadata.topicId(), partition);
        if (ErrorCode.NONE.value() != code || topics.byId(topic.metadata.topicId()) != topic || null == view ||
            !view.isLedBy(cluster.localBrokerId()) || view.state().leaderEpoch() != pending.leaderEpoch())
        {
            abandonLead(pending); // the leadership moved on meanwhile, or the controller refused (says why)
            return true;
        }
        final PartitionRole role = topic.roles[partition];
        final PartitionLog log = pending.log();
        final PartitionElection.State state = view.state();
        try
        {
            produceAgent.lead(log, state.leaderEpoch(), state.partitionEpoch(), state.replicas(), state.isr(),
                view.minInsyncReplicas(), log.highWatermarkPosition());
        }
        catch (final IllegalArgumentException ex)
        {
            errorHandler.onError(ex);
            abandonLead(pending);
            return true;
        }
        role.transitioning = false;
        role.ledEpoch = state.leaderEpoch();
        topic.logs[partition] = log;
        reconcile(topic, partition);
        return true;
    }

    /**
     * A copy ended without being asked to (its leader died, or the link to it broke): stop using it and try again
     * after a pause, from the leader the controller names by then.
     */
    void onCopyEnded(final PartitionReplicator copy)
    {
        for (final TopicRegistry.TopicState topic : topics.all())
        {
            for (int p = 0; p < topic.roles.length; p++)
            {
                final PartitionRole role = topic.roles[p];
                if (role.copy == copy)
                {
                    role.copy = null;
                    replicaChannel.unfollow(topic.metadata.topicId(), p);
                    role.transitioning = true;
                    final int partition = p;
                    worker.stopFollowing(copy, () ->
                    {
                        role.transitioning = false;
                        role.retryAtMs = nowMs + RETRY_INTERVAL_MS;
                        reconcileIfPresent(topic, partition);
                    });
                    return;
                }
            }
        }
    }

    private void reconcileIfPresent(final TopicRegistry.TopicState topic, final int partition)
    {
        if (topics.byId(topic.metadata.topicId()) == topic)
        {
            reconcile(topic, partition);
        }
    }

    private void reconcile(final TopicRegistry.TopicState topic, final int partition)
    {
        final PartitionRole role = topic.roles[partition];
        if (role.transitioning)
        {
            return; // looked at again when the transition ends
        }
        final ClusterView.PartitionView view = cluster.partition(topic.metadata.topicId(), partition);
        if (null == view)
        {
            return; // the controller tells every partition's state right after the topic
        }
        final PartitionElection.State state = view.state();
        if (state.replicas().length > 1 || null != role.copy || PartitionRole.NOT_LEADING != role.ledEpoch)
        {
            reconcileReplicated(topic, partition, role, view);
        }
        else
        {
            reconcileSingle(topic, partition, role, view);
        }
    }

    // Replication factor 1: open and lead, as a single broker always has.
    private void reconcileSingle(
        final TopicRegistry.TopicState topic,
        final int partition,
        final PartitionRole role,
        final ClusterView.PartitionView view)
    {
        final PartitionLog log = topic.logs[partition];
        final boolean lead = view.isLedBy(cluster.localBrokerId()) || (null != log && isSoleReplicaOffline(view));
        if (lead && null == log && null == role.failed)
        {
            openSingle(topic, partition, role);
        }
        else if (!lead && null != log)
        {
            stepDown(topic, partition, role, log);
        }
        else
        {
            settle(topic, partition);
        }
    }

    private void reconcileReplicated(
        final TopicRegistry.TopicState topic,
        final int partition,
        final PartitionRole role,
        final ClusterView.PartitionView view)
    {
        final int self = cluster.localBrokerId();
        final PartitionElection.State state = view.state();
        final PartitionLog log = topic.logs[partition];
        if (view.isLedBy(self))
        {
            if (null != role.copy)
            {
                stopCopy(topic, partition, role);
            }
            else if (null == log)
            {
                if (null == role.failed && null != controller)
                {
                    promote(topic, partition, role, state.leaderEpoch());
                }
                else
                {
                    settle(topic, partition);
                }
            }
            else if (role.ledEpoch == state.leaderEpoch())
            {
                produceAgent.onPartitionChange(topic.metadata.topicId(), partition, state.leaderEpoch(),
                    state.partitionEpoch(), state.isr(), view.minInsyncReplicas());
                settle(topic, partition);
            }
            else
            {
                stepDown(topic, partition, role, log); // a new epoch of its own: lead it afresh from its log end
            }
            return;
        }

        if (null != log)
        {
            stepDown(topic, partition, role, log);
            return;
        }
        final boolean follow = view.hasReplica(self) && PartitionElection.NO_LEADER != state.leader() &&
            null != replicaChannel;
        if (null != role.copy)
        {
            if (!follow || role.copyLeader != state.leader() || role.copyEpoch != state.leaderEpoch())
            {
                stopCopy(topic, partition, role);
            }
            else
            {
                settle(topic, partition);
            }
            return;
        }
        settle(topic, partition); // a follower serves no client: its role is settled before its copy runs
        if (follow && nowMs >= role.retryAtMs)
        {
            final ClusterView.LeaderEpochs epochs = cluster.leaderEpochs(topic.metadata.topicId(), partition);
            final RegisteredBroker leader = cluster.broker(state.leader());
            if (null == epochs || null == leader || epochs.history().lastEpoch() != state.leaderEpoch() ||
                epochs.leaderRecordingId() < 0)
            {
                role.retryAtMs = nowMs + RETRY_INTERVAL_MS; // the leader has not registered its epoch start yet
                return;
            }
            startCopy(topic, partition, role, state, epochs, leader);
        }
    }

    // A partition whose only replica is this broker goes offline when the controller fences it (a late heartbeat).
    // Nobody else can ever lead it, so its log stays open: a stall of this broker's heartbeats must not close and
    // reopen (rescan) every log of a single broker.
    private boolean isSoleReplicaOffline(final ClusterView.PartitionView view)
    {
        final int[] replicas = view.state().replicas();
        return PartitionElection.NO_LEADER == view.state().leader() &&
            1 == replicas.length && cluster.localBrokerId() == replicas[0];
    }

    private void openSingle(final TopicRegistry.TopicState topic, final int partition, final PartitionRole role)
    {
        role.transitioning = true;
        final boolean submitted = worker.open(topic.metadata, partition, (log, failure) ->
        {
            role.transitioning = false;
            if (topics.byId(topic.metadata.topicId()) != topic)
            {
                discard(log);
                return;
            }
            if (null == log)
            {
                role.failed = failure;
            }
            else
            {
                topic.logs[partition] = log;
                produceAgent.addLog(log);
            }
            reconcile(topic, partition);
        });
        if (!submitted)
        {
            role.transitioning = false;
            role.failed = "the broker was too busy to open the log";
            settle(topic, partition);
        }
    }

    private void promote(
        final TopicRegistry.TopicState topic, final int partition, final PartitionRole role, final int leaderEpoch)
    {
        role.transitioning = true;
        final boolean submitted = worker.openAsLeader(topic.metadata, partition, leaderEpoch, (log, failure) ->
        {
            if (topics.byId(topic.metadata.topicId()) != topic)
            {
                role.transitioning = false;
                discard(log);
                return;
            }
            if (null == log)
            {
                role.transitioning = false;
                role.failed = failure;
                reconcile(topic, partition);
                return;
            }
            // Where the epoch starts is agreed before anything is written in it, so followers can always find
            // where their logs and this one part.
            final long correlationId = correlationIds.getAsLong();
            final ControllerClient client = controller.get();
            final PendingEpochStart pending = new PendingEpochStart(
                topic, partition, log, leaderEpoch, nowMs + EPOCH_START_TIMEOUT_MS);
            pendingEpochStarts.put(correlationId, pending);
            if (null == client || !client.leaderEpochStart(correlationId, cluster.localBrokerId(),
                brokerEpoch.getAsLong(), topic.metadata.topicId(), partition, leaderEpoch, log.epochStartPosition(),
                log.logEndOffset(), log.recordingId()))
            {
                pendingEpochStarts.remove(correlationId);
                abandonLead(pending);
            }
        });
        if (!submitted)
        {
            role.transitioning = false;
            role.retryAtMs = nowMs + RETRY_INTERVAL_MS;
        }
    }

    // The epoch start did not go through: close the log (its recording stays) and look again shortly.
    private void abandonLead(final PendingEpochStart pending)
    {
        final PartitionRole role = pending.topic().roles[pending.partition()];
        final PartitionLog log = pending.log();
        log.detach(); // never given to the produce agent
        worker.close(log, () ->
        {
            role.transitioning = false;
            role.retryAtMs = nowMs + RETRY_INTERVAL_MS;
            reconcileIfPresent(pending.topic(), pending.partition());
        });
    }

    private void stepDown(
        final TopicRegistry.TopicState topic, final int partition, final PartitionRole role, final PartitionLog log)
    {
        topic.logs[partition] = null;
        role.ledEpoch = PartitionRole.NOT_LEADING;
        role.transitioning = true;
        produceAgent.removeLog(log);
        fetch.stopAll(log, sessions.all(), ErrorCode.NOT_LEADER_OR_FOLLOWER);
        worker.close(log, () ->
        {
            role.transitioning = false;
            reconcileIfPresent(topic, partition);
        });
        settle(topic, partition);
    }

    private void startCopy(
        final TopicRegistry.TopicState topic,
        final int partition,
        final PartitionRole role,
        final PartitionElection.State state,
        final ClusterView.LeaderEpochs epochs,
        final RegisteredBroker leader)
    {
        final LeaderEpochHistory history = new LeaderEpochHistory();
        final LeaderEpochHistory agreed = epochs.history();
        for (int i = 0; i < agreed.size(); i++)
        {
            history.append(agreed.epochAt(i), agreed.startPositionAt(i), agreed.startOffsetAt(i));
        }
        final int leaderId = leader.brokerId();
        final int leaderEpoch = state.leaderEpoch();
        final String leaderHost = leader.internalHost();
        final int leaderPortBase = leader.portBase();
        final String channel = "aeron:udp?endpoint=" +
            NodePorts.endpoint(leaderHost, leaderPortBase, NodePorts.ARCHIVE_CONTROL_PORT_OFFSET);
        role.transitioning = true;
        final boolean submitted = worker.follow(topic.metadata, partition, history, epochs.leaderRecordingId(),
            channel, (copy, failure) ->
            {
                role.transitioning = false;
                if (topics.byId(topic.metadata.topicId()) != topic)
                {
                    if (null != copy)
                    {
                        worker.stopFollowing(copy, () -> {});
                    }
                    return;
                }
                if (null == copy)
                {
                    role.retryAtMs = nowMs + RETRY_INTERVAL_MS; // the leader may be gone: the controller will say
                    return;
                }
                role.copy = copy;
                role.copyLeader = leaderId;
                role.copyEpoch = leaderEpoch;
                replicaChannel.follow(topic.metadata.topicId(), partition, leaderId, leaderHost, leaderPortBase,
                    leaderEpoch, copy.recordingPositionCounterId(), copy::leaderStartPosition);
                reconcile(topic, partition);
            });
        if (!submitted)
        {
            role.transitioning = false;
            role.retryAtMs = nowMs + RETRY_INTERVAL_MS;
        }
    }

    private void stopCopy(final TopicRegistry.TopicState topic, final int partition, final PartitionRole role)
    {
        final PartitionReplicator copy = role.copy;
        role.copy = null;
        role.transitioning = true;
        replicaChannel.unfollow(topic.metadata.topicId(), partition);
        worker.stopFollowing(copy, () ->
        {
            role.transitioning = false;
            reconcileIfPresent(topic, partition);
        });
    }

    private void discard(final PartitionLog log)
    {
        if (null != log)
        {
            log.detach(); // deleted while it opened: the produce agent never had it
            worker.delete(List.of(log));
        }
    }

    private void settle(final TopicRegistry.TopicState topic, final int partition)
    {
        final PartitionRole role = topic.roles[partition];
        if (role.settled)
        {
            return;
        }
        role.settled = true;
        for (final PartitionRole other : topic.roles)
        {
            if (!other.settled)
            {
                return;
            }
        }
        topic.opened = true;
        StringBuilder failed = null;
        for (int p = 0; p < topic.roles.length; p++)
        {
            if (null != topic.roles[p].failed)
            {
                failed = (null == failed ? new StringBuilder() : failed.append("; "))
                    .append(topic.metadata.name()).append('-').append(p).append(": ").append(topic.roles[p].failed);
            }
        }
        topic.failedToOpen = null == failed ? null : failed.toString();
        onSettled.accept(topic);
    }
}
