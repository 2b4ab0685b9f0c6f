package io.aerolog.broker;

import io.aerolog.archive.PartitionLog;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.sequencer.PartitionElection;

import java.util.function.Consumer;

/**
 * Decides, per partition, what this broker does with it from the controller's view ({@link ClusterView}): it leads
 * it (its log open for appends), or it does not (no log open here). Each change of role is carried out on the
 * {@link LogWorker} (opening or closing a log waits on the archive) and its result applied back on the conductor; one
 * transition per partition at a time, and the partition is looked at again when one ends, so a role that changed
 * meanwhile is caught up. A topic is settled once every partition has its role here; its create request is answered
 * then. Conductor thread only.
 */
final class PartitionRoles
{
    private final ClusterView cluster;
    private final TopicRegistry topics;
    private final LogWorker worker;
    private final ProduceAgent produceAgent;
    private final FetchService fetch;
    private final ClientSessions sessions;
    private final Consumer<TopicRegistry.TopicState> onSettled;

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

    /** A topic became known (created, or loaded at start): give each partition its role. */
    void onTopicAdded(final TopicRegistry.TopicState topic)
    {
        for (int p = 0; p < topic.logs.length; p++)
        {
            reconcile(topic, p);
        }
    }

    /** The controller changed a partition's replication state. */
    void onPartitionChange(final int topicId, final int partition)
    {
        final TopicRegistry.TopicState topic = topics.byId(topicId);
        if (null != topic && partition >= 0 && partition < topic.logs.length)
        {
            reconcile(topic, partition);
        }
    }

    private void reconcile(final TopicRegistry.TopicState topic, final int partition)
    {
        if (topic.transitioning[partition])
        {
            return; // looked at again when the transition ends
        }
        final ClusterView.PartitionView view = cluster.partition(topic.metadata.topicId(), partition);
        if (null == view)
        {
            return; // the controller tells every partition's state right after the topic
        }
        final PartitionLog log = topic.logs[partition];
        final boolean lead = view.isLedBy(cluster.localBrokerId()) || (null != log && isSoleReplicaOffline(view));
        if (lead && null == log && null == topic.failed[partition])
        {
            open(topic, partition);
        }
        else if (!lead && null != log)
        {
            stepDown(topic, partition, log);
        }
        else
        {
            settle(topic, partition);
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

    private void open(final TopicRegistry.TopicState topic, final int partition)
    {
        topic.transitioning[partition] = true;
        final boolean submitted = worker.open(topic.metadata, partition, (log, failure) ->
        {
            topic.transitioning[partition] = false;
            if (topics.byId(topic.metadata.topicId()) != topic)
            {
                if (null != log)
                {
                    log.detach(); // deleted while it opened: the produce agent never had it
                    worker.delete(java.util.List.of(log));
                }
                return;
            }
            if (null == log)
            {
                topic.failed[partition] = failure;
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
            topic.transitioning[partition] = false;
            topic.failed[partition] = "the broker was too busy to open the log";
            settle(topic, partition);
        }
    }

    private void stepDown(final TopicRegistry.TopicState topic, final int partition, final PartitionLog log)
    {
        topic.logs[partition] = null;
        produceAgent.removeLog(log);
        fetch.stopAll(log, sessions.all(), ErrorCode.NOT_LEADER_OR_FOLLOWER);
        worker.close(log);
        settle(topic, partition);
    }

    private void settle(final TopicRegistry.TopicState topic, final int partition)
    {
        if (topic.settled[partition])
        {
            return;
        }
        topic.settled[partition] = true;
        for (final boolean settled : topic.settled)
        {
            if (!settled)
            {
                return;
            }
        }
        topic.opened = true;
        StringBuilder failed = null;
        for (int p = 0; p < topic.failed.length; p++)
        {
            if (null != topic.failed[p])
            {
                failed = (null == failed ? new StringBuilder() : failed.append("; "))
                    .append(topic.metadata.name()).append('-').append(p).append(": ").append(topic.failed[p]);
            }
        }
        topic.failedToOpen = null == failed ? null : failed.toString();
        onSettled.accept(topic);
    }
}
