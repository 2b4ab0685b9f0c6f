package io.aerolog.broker;

import io.aerolog.archive.PartitionLog;
import io.aerolog.cluster.ControllerClient;
import io.aerolog.cluster.TopicMetadata;
import io.aerolog.codecs.cluster.TopicEventType;
import io.aerolog.codecs.wire.CreateTopicDecoder;
import io.aerolog.codecs.wire.ElectLeadersResponseEncoder;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.InitProducerIdResponseEncoder;
import io.aerolog.codecs.wire.TimestampType;
import io.aerolog.codecs.wire.TopicDescriptionEncoder;
import io.aerolog.codecs.wire.TopicListEncoder;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;

/**
 * Topic administration through the controller: create, delete, producer-id and preferred leader election requests
 * (and plain ones for others, such as users and ACLs) with their pending answers,
 * the controller's topic events (a created topic's logs are opened on the {@link LogWorker}, a deleted one's let go
 * and deleted), and the answers read from what the broker holds (list, describe). Conductor thread.
 */
final class TopicAdmin
{
    /** Controller requests one session may have outstanding; more are answered LIMIT_REACHED. */
    static final int MAX_PENDING_REQUESTS_PER_SESSION = 64;
    private static final long CONTROLLER_REQUEST_TIMEOUT_MS = 10_000;

    private final Broker.Context ctx;
    private final TopicRegistry topics;
    private final LogWorker worker;
    private final ProduceAgent produceAgent;
    private final Answers answers;
    private final Supplier<ControllerClient> controller;
    private final ClusterView cluster;
    private final int maxBatchBytes;
    private PartitionRoles roles;
    private final Long2ObjectHashMap<PendingRequest> pendingRequests = new Long2ObjectHashMap<>();
    private final List<PendingRequest> awaitingTopic = new ArrayList<>();
    private final TopicListEncoder topicListEncoder = new TopicListEncoder();
    private final TopicDescriptionEncoder topicDescriptionEncoder = new TopicDescriptionEncoder();
    private final InitProducerIdResponseEncoder initProducerIdResponseEncoder = new InitProducerIdResponseEncoder();
    private final ElectLeadersResponseEncoder electLeadersResponseEncoder = new ElectLeadersResponseEncoder();
    private long nextCorrelationId = 1;

    TopicAdmin(
        final Broker.Context ctx,
        final TopicRegistry topics,
        final LogWorker worker,
        final ProduceAgent produceAgent,
        final Answers answers,
        final Supplier<ControllerClient> controller,
        final ClusterView cluster,
        final int maxBatchBytes)
    {
        this.cluster = cluster;
        this.ctx = ctx;
        this.topics = topics;
        this.worker = worker;
        this.produceAgent = produceAgent;
        this.answers = answers;
        this.controller = controller;
        this.maxBatchBytes = maxBatchBytes;
    }

    /** @return a correlation id for a controller request (this broker's sequence). */
    long nextCorrelationId()
    {
        return nextCorrelationId++;
    }

    void onCreateTopic(final ClientSession session, final CreateTopicDecoder d, final long nowMs)
    {
        final long correlationId = d.correlationId();
        final int partitions = d.partitions();
        final long retentionMs = d.retentionMs();
        final long retentionBytes = d.retentionBytes();
        final TimestampType timestampType = d.timestampType();
        final int replicationFactor = CreateTopicDecoder.replicationFactorNullValue() == d.replicationFactor() ?
            ctx.defaultReplicationFactor() : d.replicationFactor();
        final int minInsyncReplicas = CreateTopicDecoder.minInsyncReplicasNullValue() == d.minInsyncReplicas() ?
            ctx.minInsyncReplicas() : d.minInsyncReplicas();
        final String name = d.topicName();
        if (TimestampType.NULL_VAL == timestampType || TimestampType.SBE_UNKNOWN == timestampType)
        {
            answers.adminResponse(session, correlationId, ErrorCode.INVALID_CONFIG, "unknown timestamp type");
            return;
        }
        final long id = nextCorrelationId++;
        if (admit(session, correlationId) && sent(session, correlationId, controller.get().createTopic(
            id, name, partitions, retentionMs, retentionBytes, timestampType.value(), replicationFactor,
            minInsyncReplicas)))
        {
            track(id, new PendingRequest(PendingRequest.CREATE, session, correlationId, nowMs));
        }
    }

    void onDeleteTopic(final ClientSession session, final long correlationId, final String name, final long nowMs)
    {
        final long id = nextCorrelationId++;
        if (admit(session, correlationId) && sent(session, correlationId, controller.get().deleteTopic(id, name)))
        {
            track(id, new PendingRequest(PendingRequest.DELETE, session, correlationId, nowMs));
        }
    }

    void onInitProducerId(final ClientSession session, final long correlationId, final long nowMs)
    {
        final long id = nextCorrelationId++;
        if (admit(session, correlationId) && sent(session, correlationId, controller.get().allocateProducerId(id)))
        {
            track(id, new PendingRequest(PendingRequest.PRODUCER_ID, session, correlationId, nowMs));
        }
    }

    /**
     * Preferred leader elections ({@code ElectLeaders}): of every topic (empty name), of one topic, or of one of its
     * partitions. A topic or partition this broker does not know is answered {@code UNKNOWN_TOPIC_OR_PARTITION}
     * here; the rest goes to the controller, whose answer carries how many partitions changed leader.
     *
     * @param session       asking.
     * @param correlationId the client's.
     * @param topicName     the topic, or empty for every topic.
     * @param partition     a partition of the topic, or -1 for all of them.
     * @param nowMs         now.
     */
    void onElectLeaders(
        final ClientSession session,
        final long correlationId,
        final String topicName,
        final int partition,
        final long nowMs)
    {
        int topicId = -1;
        if (!topicName.isEmpty())
        {
            final TopicRegistry.TopicState topic = topics.byName(topicName);
            if (null == topic || !topic.opened)
            {
                answerElection(session, correlationId, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0,
                    "unknown topic: " + topicName);
                return;
            }
            if (-1 != partition && (partition < 0 || partition >= topic.metadata.partitions()))
            {
                answerElection(session, correlationId, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0,
                    "unknown partition: " + topicName + "-" + partition);
                return;
            }
            topicId = topic.metadata.topicId();
        }
        else if (-1 != partition)
        {
            answerElection(session, correlationId, ErrorCode.INVALID_REQUEST, 0, "a partition needs a topic");
            return;
        }
        if (session.outstandingRequests() >= MAX_PENDING_REQUESTS_PER_SESSION)
        {
            answerElection(session, correlationId, ErrorCode.LIMIT_REACHED, 0, "more than " +
                MAX_PENDING_REQUESTS_PER_SESSION + " requests outstanding on this session");
            return;
        }
        final long id = nextCorrelationId++;
        if (!controller.get().electLeaders(id, topicId, partition))
        {
            answerElection(session, correlationId, ErrorCode.NOT_READY, 0, "the controller is busy; retry");
            return;
        }
        track(id, new PendingRequest(PendingRequest.ELECT, session, correlationId, nowMs));
    }

    private void answerElection(
        final ClientSession session,
        final long correlationId,
        final ErrorCode code,
        final int partitionsMoved,
        final String message)
    {
        if (ErrorCode.NONE != code)
        {
            answers.countError();
        }
        electLeadersResponseEncoder.wrapAndApplyHeader(answers.buffer(), 0, answers.headerEncoder())
            .correlationId(correlationId).code(code).partitionsMoved(partitionsMoved).message(message);
        answers.send(session, electLeadersResponseEncoder.encodedLength());
    }

    /**
     * Sends a controller request whose answer is a plain {@code AdminResponse} (users, ACLs) and tracks it.
     *
     * @param session       asking.
     * @param correlationId the client's.
     * @param send          sends the request with the controller correlation id given; false if not sent.
     * @param nowMs         now.
     */
    void sendPlain(
        final ClientSession session,
        final long correlationId,
        final java.util.function.LongPredicate send,
        final long nowMs)
    {
        final long id = nextCorrelationId++;
        if (admit(session, correlationId) && sent(session, correlationId, send.test(id)))
        {
            track(id, new PendingRequest(PendingRequest.PLAIN, session, correlationId, nowMs));
        }
    }

    // A session may have only so many controller requests outstanding: the broker holds each until it is answered.
    private boolean admit(final ClientSession session, final long correlationId)
    {
        if (session.outstandingRequests() >= MAX_PENDING_REQUESTS_PER_SESSION)
        {
            answers.adminResponse(session, correlationId, ErrorCode.LIMIT_REACHED, "more than " +
                MAX_PENDING_REQUESTS_PER_SESSION + " requests outstanding on this session");
            return false;
        }
        return true;
    }

    private boolean sent(final ClientSession session, final long correlationId, final boolean sent)
    {
        if (!sent)
        {
            answers.adminResponse(session, correlationId, ErrorCode.NOT_READY, "the controller is busy; retry");
        }
        return sent;
    }

    private void track(final long controllerCorrelationId, final PendingRequest request)
    {
        request.session.outstandingRequests(request.session.outstandingRequests() + 1);
        pendingRequests.put(controllerCorrelationId, request);
    }

    private static void untrack(final PendingRequest request)
    {
        request.session.outstandingRequests(request.session.outstandingRequests() - 1);
    }

    void onCommandResult(final long correlationId, final int code, final int topicId, final long value,
        final String message)
    {
        final PendingRequest request = pendingRequests.remove(correlationId);
        if (null == request)
        {
            return; // e.g. a log start offset update, which needs no answer
        }
        final ErrorCode errorCode = ErrorCode.get((short)code);
        switch (request.type)
        {
            case PendingRequest.CREATE:
            {
                final TopicRegistry.TopicState state = topics.byId(topicId);
                if (ErrorCode.NONE != errorCode)
                {
                    untrack(request);
                    answers.adminResponse(request.session, request.clientCorrelationId, errorCode, message);
                }
                else if (null != state && state.opened)
                {
                    untrack(request);
                    answerCreated(request, state);
                }
                else
                {
                    request.topicId = topicId;
                    awaitingTopic.add(request); // answered once the CREATED event has opened the logs
                }
                break;
            }
            case PendingRequest.DELETE:
            case PendingRequest.PLAIN:
                untrack(request);
                answers.adminResponse(request.session, request.clientCorrelationId, errorCode, message);
                break;
            case PendingRequest.ELECT:
                untrack(request);
                answerElection(request.session, request.clientCorrelationId, errorCode, (int)value,
                    null == message ? "" : message);
                break;
            case PendingRequest.PRODUCER_ID:
            {
                untrack(request);
                if (ErrorCode.NONE != errorCode)
                {
                    answers.countError();
                }
                initProducerIdResponseEncoder.wrapAndApplyHeader(answers.buffer(), 0, answers.headerEncoder())
                    .correlationId(request.clientCorrelationId).code(errorCode).producerId(value)
                    .producerEpoch((short)0);
                answers.send(request.session, initProducerIdResponseEncoder.encodedLength());
                break;
            }
            default:
                untrack(request);
                break;
        }
    }

    /** @param roles gives each partition of a topic its role here. */
    void roles(final PartitionRoles roles)
    {
        this.roles = roles;
    }

    void onTopicEvent(final TopicEventType type, final TopicMetadata topic)
    {
        switch (type)
        {
            case CREATED:
            case SNAPSHOT:
                if (null == topics.byId(topic.topicId()))
                {
                    openTopic(topic);
                }
                break;
            case DELETED:
                deleteTopic(topic.topicId());
                break;
            case UPDATED:
            {
                final TopicRegistry.TopicState state = topics.byId(topic.topicId());
                if (null != state)
                {
                    state.metadata = topic;
                }
                break;
            }
            default:
                break;
        }
    }

    private void openTopic(final TopicMetadata topic)
    {
        roles.onTopicAdded(topics.add(topic));
    }

    /** Every partition of a topic has its role here: answer the creates that waited for it. */
    void onTopicSettled(final TopicRegistry.TopicState state)
    {
        for (final Iterator<PendingRequest> it = awaitingTopic.iterator(); it.hasNext(); )
        {
            final PendingRequest request = it.next();
            if (request.topicId == state.metadata.topicId())
            {
                it.remove();
                untrack(request);
                answerCreated(request, state);
            }
        }
    }

    // Success only when every partition log is open: a client told "created" can produce to every partition.
    private void answerCreated(final PendingRequest request, final TopicRegistry.TopicState state)
    {
        if (null == state.failedToOpen)
        {
            answers.adminResponse(request.session, request.clientCorrelationId, ErrorCode.NONE, "");
        }
        else
        {
            answers.adminResponse(request.session, request.clientCorrelationId, ErrorCode.INTERNAL_ERROR,
                "the topic was created but some partition logs did not open: " + state.failedToOpen);
        }
    }

    private void deleteTopic(final int topicId)
    {
        final TopicRegistry.TopicState state = topics.remove(topicId);
        if (null != state)
        {
            roles.onTopicDeleted(state);
            releaseLogs(state.logs);
        }
    }

    private void releaseLogs(final PartitionLog[] logs)
    {
        final List<PartitionLog> toDelete = new ArrayList<>();
        for (final PartitionLog log : logs)
        {
            if (null != log)
            {
                produceAgent.removeLog(log); // marks it detached once the produce agent has let it go
                toDelete.add(log);
            }
        }
        if (!toDelete.isEmpty())
        {
            worker.delete(toDelete);
        }
    }

    int expire(final long nowMs)
    {
        int work = 0;
        for (final Long2ObjectHashMap<PendingRequest>.ValueIterator it = pendingRequests.values().iterator();
            it.hasNext(); )
        {
            final PendingRequest request = it.next();
            if (nowMs > request.deadlineMs)
            {
                it.remove();
                untrack(request);
                if (PendingRequest.ELECT == request.type)
                {
                    answerElection(request.session, request.clientCorrelationId, ErrorCode.REQUEST_TIMED_OUT, 0,
                        "the controller did not answer in time");
                }
                else
                {
                    answers.adminResponse(request.session, request.clientCorrelationId, ErrorCode.REQUEST_TIMED_OUT,
                        "the controller did not answer in time");
                }
                work++;
            }
        }
        for (final Iterator<PendingRequest> it = awaitingTopic.iterator(); it.hasNext(); )
        {
            final PendingRequest request = it.next();
            if (nowMs > request.deadlineMs)
            {
                it.remove();
                untrack(request);
                answers.adminResponse(request.session, request.clientCorrelationId, ErrorCode.REQUEST_TIMED_OUT,
                    "the topic was created but its logs did not open in time");
                work++;
            }
        }
        return work;
    }

    void onListTopics(
        final ClientSession session, final long correlationId, final java.util.function.Predicate<String> visible)
    {
        final TopicListEncoder e = topicListEncoder.wrapAndApplyHeader(answers.buffer(), 0, answers.headerEncoder())
            .correlationId(correlationId)
            .code(ErrorCode.NONE);
        final List<TopicRegistry.TopicState> byId = new ArrayList<>();
        for (final TopicRegistry.TopicState topic : topics.all())
        {
            if (topic.opened && visible.test(topic.metadata.name()))
            {
                byId.add(topic);
            }
        }
        byId.sort((a, b) -> Integer.compare(a.metadata.topicId(), b.metadata.topicId()));
        final TopicListEncoder.TopicsEncoder encoder = e.topicsCount(byId.size());
        for (final TopicRegistry.TopicState topic : byId)
        {
            encoder.next().topicId(topic.metadata.topicId()).partitions(topic.metadata.partitions())
                .name(topic.metadata.name());
        }
        answers.send(session, e.encodedLength());
    }

    void onDescribeTopic(final ClientSession session, final long correlationId, final String name)
    {
        // A topic whose logs are still opening is not served yet: nobody may produce to it before they are open.
        final TopicRegistry.TopicState found = topics.byName(name);
        final TopicRegistry.TopicState topic = null == found || !found.opened ? null : found;
        final TopicDescriptionEncoder e = topicDescriptionEncoder
            .wrapAndApplyHeader(answers.buffer(), 0, answers.headerEncoder())
            .correlationId(correlationId);
        if (null == topic)
        {
            e.code(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).topicId(-1).retentionMs(-1).retentionBytes(-1)
                .timestampType(TimestampType.CREATE_TIME).maxBatchBytes(maxBatchBytes).partitionsCount(0);
            e.topicName(name).message("unknown topic: " + name);
            answers.countError();
            answers.send(session, e.encodedLength());
            return;
        }
        final TopicMetadata m = topic.metadata;
        e.code(ErrorCode.NONE).topicId(m.topicId()).retentionMs(m.retentionMs()).retentionBytes(m.retentionBytes())
            .timestampType(TopicMetadata.LOG_APPEND_TIME == m.timestampType() ?
                TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME)
            .maxBatchBytes(maxBatchBytes);
        final TopicDescriptionEncoder.PartitionsEncoder partitions = e.partitionsCount(m.partitions());
        for (int p = 0; p < m.partitions(); p++)
        {
            // Offsets only where this broker leads: a log it holds otherwise is not the partition's (yet).
            final ClusterView.PartitionView view = cluster.partition(m.topicId(), p);
            final PartitionLog log = null == view || view.isLedBy(ctx.brokerId()) ? topic.logs[p] : null;
            partitions.next().partition(p)
                .leaderBrokerId(null == view ? ctx.brokerId() : view.state().leader())
                .logStartOffset(null == log ? -1 : log.logStartOffset())
                .logEndOffset(null == log ? -1 : log.logEndOffset())
                .highWatermark(null == log ? -1 : log.highWatermark())
                .leaderEpoch(null == view ? -1 : view.state().leaderEpoch());
            final int[] replicas = null == view ? new int[]{ctx.brokerId()} : view.state().replicas();
            final TopicDescriptionEncoder.PartitionsEncoder.ReplicasEncoder replicasEncoder =
                partitions.replicasCount(replicas.length);
            for (final int replica : replicas)
            {
                replicasEncoder.next().brokerId(replica);
            }
            final int[] isr = null == view ? replicas : view.state().isr();
            final TopicDescriptionEncoder.PartitionsEncoder.IsrEncoder isrEncoder = partitions.isrCount(isr.length);
            for (final int replica : isr)
            {
                isrEncoder.next().brokerId(replica);
            }
        }
        e.topicName(m.name()).message("");
        answers.send(session, e.encodedLength());
    }

    private static final class PendingRequest
    {
        static final int CREATE = 1;
        static final int DELETE = 2;
        static final int PRODUCER_ID = 3;
        static final int PLAIN = 4;
        static final int ELECT = 5;

        final int type;
        final ClientSession session;
        final long clientCorrelationId;
        final long deadlineMs;
        int topicId = -1;

        PendingRequest(final int type, final ClientSession session, final long clientCorrelationId, final long nowMs)
        {
            this.type = type;
            this.session = session;
            this.clientCorrelationId = clientCorrelationId;
            this.deadlineMs = nowMs + CONTROLLER_REQUEST_TIMEOUT_MS;
        }
    }
}
