package io.aerolog.broker;

import io.aerolog.archive.PartitionLog;
import io.aerolog.archive.PartitionLogStore;
import io.aerolog.cluster.ControllerClient;
import io.aerolog.cluster.ControllerListener;
import io.aerolog.cluster.TopicMetadata;
import io.aerolog.codecs.cluster.TopicEventType;
import io.aerolog.codecs.log.LogBatchDecoder;
import io.aerolog.codecs.log.LogTimestampType;
import io.aerolog.codecs.wire.AdminResponseEncoder;
import io.aerolog.codecs.wire.ConnectDecoder;
import io.aerolog.codecs.wire.ConnectResponseEncoder;
import io.aerolog.codecs.wire.CreateTopicDecoder;
import io.aerolog.codecs.wire.DeleteTopicDecoder;
import io.aerolog.codecs.wire.DescribeTopicDecoder;
import io.aerolog.codecs.wire.DisconnectDecoder;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.ErrorResponseEncoder;
import io.aerolog.codecs.wire.FetchStartDecoder;
import io.aerolog.codecs.wire.FetchStartResponseEncoder;
import io.aerolog.codecs.wire.FetchStopDecoder;
import io.aerolog.codecs.wire.FetchStoppedEncoder;
import io.aerolog.codecs.wire.HeartbeatDecoder;
import io.aerolog.codecs.wire.InitProducerIdDecoder;
import io.aerolog.codecs.wire.InitProducerIdResponseEncoder;
import io.aerolog.codecs.wire.ListOffsetsDecoder;
import io.aerolog.codecs.wire.ListOffsetsResponseEncoder;
import io.aerolog.codecs.wire.ListTopicsDecoder;
import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import io.aerolog.codecs.wire.OffsetSpec;
import io.aerolog.codecs.wire.TimestampType;
import io.aerolog.codecs.wire.TopicDescriptionEncoder;
import io.aerolog.codecs.wire.TopicListEncoder;
import io.aerolog.sequencer.OffsetIndex;
import io.aerolog.sequencer.RetentionPlanner;
import io.aerolog.transport.RecordSetReader;
import io.aerolog.transport.Wire;
import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.ArchiveException;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The control path of a broker: client sessions, topic administration through the controller (the Aeron Cluster
 * service), starting the archive replays that stream partitions to consumers, offset lookups and retention. One
 * thread. It makes blocking archive calls, which is why it is not on the data path.
 */
final class BrokerConductor implements Agent, ControllerListener
{
    private static final int FRAGMENT_LIMIT = 16;
    private static final long CONTROLLER_REQUEST_TIMEOUT_MS = 10_000;
    private static final long CONNECT_RESPONSE_TIMEOUT_MS = 5_000;
    private static final long SCAN_TIMEOUT_MS = 30_000;
    private static final long STREAM_GONE_GRACE_MS = 1_000;
    private static final long CONTROLLER_RECONNECT_INTERVAL_MS = 1_000;

    private final Broker.Context ctx;
    private final Aeron aeron;
    private final AeronArchive archive;
    private final PartitionLogStore store;
    private final ProduceAgent produceAgent;
    private final BrokerCounters counters;
    private final ResponseSender sender;
    private final EpochClock clock;
    private final ErrorHandler errorHandler;
    private final int maxBatchBytes;
    private final Subscription[] ingress;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
    private final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
    private final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(4096);
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final OffsetIndex.Entry indexEntry = new OffsetIndex.Entry();
    private final RecordSetReader recordSetReader = new RecordSetReader();

    private final Long2ObjectHashMap<ClientSession> sessions = new Long2ObjectHashMap<>();
    private final Int2ObjectHashMap<ClientSession> sessionsByControlImage = new Int2ObjectHashMap<>();
    private final List<ClientSession> awaitingConnect = new ArrayList<>();
    private final Map<String, TopicState> topicsByName = new TreeMap<>();
    private final Int2ObjectHashMap<TopicState> topicsById = new Int2ObjectHashMap<>();
    private final Long2ObjectHashMap<PendingRequest> pendingRequests = new Long2ObjectHashMap<>();
    private final List<PendingRequest> awaitingTopic = new ArrayList<>();
    private final List<PartitionLog> deleting = new ArrayList<>();

    private final GroupRequestForwarder groups;
    private ControllerClient controller;
    private Supplier<ControllerClient> controllerReconnector;
    private long nextReconnectMs;
    private long nextSessionId = 1;
    private long nextControllerCorrelationId = 1;
    private long metadataCorrelationId = -1;
    private boolean metadataLoaded;
    private long nowMs;
    private long nextHousekeepingMs;
    private long nextRetentionMs;

    BrokerConductor(
        final Broker.Context ctx,
        final Aeron aeron,
        final AeronArchive archive,
        final PartitionLogStore store,
        final ProduceAgent produceAgent,
        final BrokerCounters counters,
        final Subscription[] ingress,
        final EpochClock clock,
        final ErrorHandler errorHandler,
        final int maxBatchBytes)
    {
        this.ctx = ctx;
        this.aeron = aeron;
        this.archive = archive;
        this.store = store;
        this.produceAgent = produceAgent;
        this.counters = counters;
        this.sender = new ResponseSender(counters);
        this.ingress = ingress;
        this.clock = clock;
        this.errorHandler = errorHandler;
        this.maxBatchBytes = maxBatchBytes;
        this.groups = new GroupRequestForwarder(sender, this::sendError, new LogView(), counters.rejectedFrames);
    }

    /** @return the current controller client. */
    ControllerClient controllerClient()
    {
        return controller;
    }

    /**
     * @param reconnector connects a new controller client when the current one has given up.
     */
    void controllerReconnector(final Supplier<ControllerClient> reconnector)
    {
        this.controllerReconnector = reconnector;
    }

    void controller(final ControllerClient controller)
    {
        if (null != this.controller && this.controller != controller)
        {
            this.controller.close();
        }
        this.controller = controller;
        groups.controller(controller);
    }

    /**
     * Loads every topic from the controller and opens (recovering) its partition logs. Called before the conductor
     * runs on its own thread.
     *
     * @param timeoutMs bound on the wait.
     */
    void loadMetadata(final long timeoutMs)
    {
        metadataCorrelationId = nextControllerCorrelationId++;
        final long deadlineMs = clock.time() + timeoutMs;
        while (!controller.requestMetadata(metadataCorrelationId))
        {
            checkDeadline(deadlineMs, "sending metadata request to the controller");
            controller.poll();
            Thread.onSpinWait();
        }
        while (!metadataLoaded)
        {
            checkDeadline(deadlineMs, "loading metadata from the controller");
            if (0 == controller.poll())
            {
                Thread.onSpinWait();
            }
        }
    }

    // The cluster client gives up when no leader answers for its message timeout (e.g. a long election): connect a
    // new one. Blocks up to that timeout, which only the control path can afford.
    private int reconnectController()
    {
        if (!controller.isClosed() || null == controllerReconnector || nowMs < nextReconnectMs)
        {
            return 0;
        }
        nextReconnectMs = nowMs + CONTROLLER_RECONNECT_INTERVAL_MS;
        try
        {
            controller(controllerReconnector.get());
            return 1;
        }
        catch (final RuntimeException ex)
        {
            return 0; // no leader yet: try again later
        }
    }

    private void checkDeadline(final long deadlineMs, final String what)
    {
        if (clock.time() > deadlineMs)
        {
            throw new IllegalStateException("timed out " + what);
        }
    }

    @Override
    public String roleName()
    {
        return "aerolog-conductor";
    }

    @Override
    public int doWork()
    {
        nowMs = clock.time();
        // Drain the archive's control responses (recording signals) so the archive never finds our control session
        // back-pressured and closes it.
        int work = archive.pollForRecordingSignals() + controller.poll();
        for (final Subscription subscription : ingress)
        {
            work += subscription.poll(assembler, FRAGMENT_LIMIT);
        }
        if (nowMs >= nextHousekeepingMs)
        {
            nextHousekeepingMs = nowMs + 100;
            work += completeConnects() + expireSessions() + expireRequests() + groups.expire(nowMs) + finishDeletions() +
                reconnectController();
        }
        if (nowMs >= nextRetentionMs)
        {
            nextRetentionMs = nowMs + ctx.retentionCheckIntervalMs();
            work += enforceRetention();
        }
        return work;
    }

    /** @return every partition log open on this broker (for shutdown). */
    List<PartitionLog> logs()
    {
        final List<PartitionLog> logs = new ArrayList<>();
        for (final TopicState topic : topicsByName.values())
        {
            for (final PartitionLog log : topic.logs)
            {
                if (null != log)
                {
                    logs.add(log);
                }
            }
        }
        return logs;
    }

    /** Closes every client session (shutdown). */
    void closeSessions()
    {
        for (final ClientSession session : new ArrayList<>(sessions.values()))
        {
            session.close();
        }
        sessions.clear();
    }

    // ---------------------------------------------------------------- client requests

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final ClientSession imageSession = sessionsByControlImage.get(header.sessionId());
        frame.wrap(buffer, offset, length);
        final String problem = Wire.checkHeader(
            frame, 0, length, headerDecoder, MessageHeaderDecoder.SCHEMA_ID, MessageHeaderDecoder.SCHEMA_VERSION);
        if (null != problem)
        {
            counters.rejectedFrames.increment();
            sendError(imageSession, -1, problem.contains("version") ?
                ErrorCode.UNSUPPORTED_VERSION : ErrorCode.CORRUPT_MESSAGE, problem);
            return;
        }
        try
        {
            dispatch(header.sessionId(), imageSession);
        }
        catch (final IndexOutOfBoundsException | IllegalStateException | IllegalArgumentException |
            NegativeArraySizeException ex) // a var-data length over 2^31 decodes as a negative int
        {
            counters.rejectedFrames.increment();
            sendError(imageSession, -1, ErrorCode.CORRUPT_MESSAGE, "malformed request: " + ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
            sendError(imageSession, -1, ErrorCode.INTERNAL_ERROR, ex.toString());
        }
    }

    private void dispatch(final int imageSessionId, final ClientSession imageSession)
    {
        switch (headerDecoder.templateId())
        {
            case ConnectDecoder.TEMPLATE_ID:
                onConnect(imageSessionId, new ConnectDecoder().wrapAndApplyHeader(frame, 0, headerDecoder));
                break;
            case HeartbeatDecoder.TEMPLATE_ID:
            {
                final ClientSession session = sessions.get(
                    new HeartbeatDecoder().wrapAndApplyHeader(frame, 0, headerDecoder).clientSessionId());
                if (null != session)
                {
                    session.seen(nowMs);
                }
                break;
            }
            case DisconnectDecoder.TEMPLATE_ID:
            {
                final ClientSession session = sessions.get(
                    new DisconnectDecoder().wrapAndApplyHeader(frame, 0, headerDecoder).clientSessionId());
                if (null != session)
                {
                    closeSession(session);
                }
                break;
            }
            case CreateTopicDecoder.TEMPLATE_ID:
            {
                final CreateTopicDecoder d = new CreateTopicDecoder().wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    onCreateTopic(session, d);
                }
                break;
            }
            case DeleteTopicDecoder.TEMPLATE_ID:
            {
                final DeleteTopicDecoder d = new DeleteTopicDecoder().wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    final String name = d.topicName();
                    final long id = nextControllerCorrelationId++;
                    if (sendToController(session, d.correlationId(), controller.deleteTopic(id, name)))
                    {
                        pendingRequests.put(id, new PendingRequest(PendingRequest.DELETE, session, d.correlationId(),
                            nowMs + CONTROLLER_REQUEST_TIMEOUT_MS));
                    }
                }
                break;
            }
            case ListTopicsDecoder.TEMPLATE_ID:
            {
                final ListTopicsDecoder d = new ListTopicsDecoder().wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    onListTopics(session, d.correlationId());
                }
                break;
            }
            case DescribeTopicDecoder.TEMPLATE_ID:
            {
                final DescribeTopicDecoder d = new DescribeTopicDecoder().wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    onDescribeTopic(session, d.correlationId(), d.topicName());
                }
                break;
            }
            case InitProducerIdDecoder.TEMPLATE_ID:
            {
                final InitProducerIdDecoder d = new InitProducerIdDecoder().wrapAndApplyHeader(
                    frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    final long id = nextControllerCorrelationId++;
                    if (sendToController(session, d.correlationId(), controller.allocateProducerId(id)))
                    {
                        pendingRequests.put(id, new PendingRequest(PendingRequest.PRODUCER_ID, session,
                            d.correlationId(), nowMs + CONTROLLER_REQUEST_TIMEOUT_MS));
                    }
                }
                break;
            }
            case FetchStartDecoder.TEMPLATE_ID:
            {
                final FetchStartDecoder d = new FetchStartDecoder().wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    onFetchStart(session, d.correlationId(), d.topicId(), d.partition(), d.fetchOffset());
                }
                break;
            }
            case FetchStopDecoder.TEMPLATE_ID:
            {
                final FetchStopDecoder d = new FetchStopDecoder().wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    stopReplay(session, PartitionLog.key(d.topicId(), d.partition()));
                }
                break;
            }
            case ListOffsetsDecoder.TEMPLATE_ID:
            {
                final ListOffsetsDecoder d = new ListOffsetsDecoder().wrapAndApplyHeader(frame, 0, headerDecoder);
                final ClientSession session = session(d.clientSessionId(), d.correlationId(), imageSession);
                if (null != session)
                {
                    onListOffsets(session, d);
                }
                break;
            }
            default:
                if (GroupRequestForwarder.isGroupRequest(headerDecoder.templateId()))
                {
                    onGroupRequest(imageSession);
                    break;
                }
                counters.rejectedFrames.increment();
                sendError(imageSession, -1, ErrorCode.INVALID_REQUEST,
                    "unknown request type " + headerDecoder.templateId());
        }
    }

    private void onGroupRequest(final ClientSession imageSession)
    {
        final int length = frame.capacity();
        final long clientSessionId = GroupRequestForwarder.clientSessionId(frame, length, headerDecoder);
        if (clientSessionId < 0)
        {
            counters.rejectedFrames.increment();
            sendError(imageSession, -1, ErrorCode.CORRUPT_MESSAGE, "group request too short");
            return;
        }
        final long correlationId = frame.getLong(MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN);
        final ClientSession session = session(clientSessionId, correlationId, imageSession);
        if (null != session)
        {
            groups.forward(session, correlationId, headerDecoder.templateId(), frame, length, nowMs);
        }
    }

    private ClientSession session(final long clientSessionId, final long correlationId, final ClientSession image)
    {
        final ClientSession session = sessions.get(clientSessionId);
        if (null == session)
        {
            sendError(image, correlationId, ErrorCode.UNKNOWN_SESSION, "unknown client session " + clientSessionId);
            return null;
        }
        session.seen(nowMs);
        return session;
    }

    private void onConnect(final int imageSessionId, final ConnectDecoder d)
    {
        final long correlationId = d.correlationId();
        final int clientVersion = d.clientVersion();
        final int responseStreamId = d.responseStreamId();
        final int dataStreamId = d.dataStreamId();
        final int produceSessionId = d.produceSessionId();
        final String responseChannel = d.responseChannel();
        final String dataChannel = d.dataChannel();
        final String clientName = d.clientName();
        if (responseChannel.isEmpty() || dataChannel.isEmpty() ||
            !(responseChannel.startsWith("aeron:udp") || responseChannel.startsWith("aeron:ipc")) ||
            !(dataChannel.startsWith("aeron:udp") || dataChannel.startsWith("aeron:ipc")))
        {
            counters.rejectedFrames.increment();
            return; // nowhere valid to answer
        }
        final Publication publication = aeron.addPublication(responseChannel, responseStreamId);
        final ClientSession session = new ClientSession(nextSessionId++, clientName, publication, dataChannel,
            dataStreamId, produceSessionId, nowMs);
        session.pendingConnect(correlationId, clientVersion, imageSessionId, nowMs + CONNECT_RESPONSE_TIMEOUT_MS);
        awaitingConnect.add(session);
        completeConnects();
    }

    private int completeConnects()
    {
        int work = 0;
        for (final Iterator<ClientSession> it = awaitingConnect.iterator(); it.hasNext(); )
        {
            final ClientSession session = it.next();
            // A new publication may be connected before the driver has given it a limit, and an answer offered
            // then is back-pressured and lost: wait for room as well.
            if (session.responsePublication().isConnected() && session.responsePublication().availableWindow() > 0)
            {
                it.remove();
                final ErrorCode code = session.connectClientVersion() == Wire.CLIENT_VERSION ?
                    ErrorCode.NONE : ErrorCode.UNSUPPORTED_VERSION;
                if (ErrorCode.NONE == code)
                {
                    sessions.put(session.id(), session);
                    sessionsByControlImage.put(session.controlImageSessionId(), session);
                    produceAgent.addSession(session);
                    counters.clientSessions.increment();
                }
                final ConnectResponseEncoder e = new ConnectResponseEncoder()
                    .wrapAndApplyHeader(out, 0, headerEncoder)
                    .correlationId(session.connectCorrelationId())
                    .clientSessionId(session.id())
                    .code(code)
                    .maxBatchBytes(maxBatchBytes)
                    .sessionTimeoutMs(ctx.sessionTimeoutMs())
                    .brokerId(ctx.brokerId())
                    .message(ErrorCode.NONE == code ? "" : "client protocol version " +
                        session.connectClientVersion() + " is not supported; this broker speaks " + Wire.CLIENT_VERSION);
                send(session, e.encodedLength());
                if (ErrorCode.NONE != code)
                {
                    session.close();
                }
                work++;
            }
            else if (nowMs > session.connectDeadlineMs())
            {
                it.remove();
                session.close();
                work++;
            }
        }
        return work;
    }

    private int expireSessions()
    {
        int work = 0;
        for (final ClientSession session : new ArrayList<>(sessions.values()))
        {
            // A client whose stream Aeron has dropped is gone (closed, or its process died); one that is merely
            // quiet keeps its session until the idle timeout, and re-opens it by itself after that.
            final boolean streamGone = !isControlImageAvailable(session.controlImageSessionId());
            final long silentMs = nowMs - session.lastSeenMs();
            if ((streamGone && silentMs > STREAM_GONE_GRACE_MS) || silentMs > ctx.sessionTimeoutMs())
            {
                closeSession(session);
                work++;
            }
        }
        return work;
    }

    private boolean isControlImageAvailable(final int imageSessionId)
    {
        for (final Subscription subscription : ingress)
        {
            if (null != subscription.imageBySessionId(imageSessionId))
            {
                return true;
            }
        }
        return false;
    }

    private void closeSession(final ClientSession session)
    {
        sessions.remove(session.id());
        sessionsByControlImage.remove(session.controlImageSessionId(), session);
        produceAgent.removeSession(session);
        final Long2LongIterator replays = new Long2LongIterator(session);
        while (replays.hasNext())
        {
            stopReplaySession(replays.next());
        }
        session.replayByPartition().clear();
        session.close();
        counters.clientSessions.decrement();
    }

    // ---------------------------------------------------------------- topics

    private void onCreateTopic(final ClientSession session, final CreateTopicDecoder d)
    {
        final long correlationId = d.correlationId();
        final int partitions = d.partitions();
        final long retentionMs = d.retentionMs();
        final long retentionBytes = d.retentionBytes();
        final TimestampType timestampType = d.timestampType();
        final String name = d.topicName();
        if (TimestampType.NULL_VAL == timestampType || TimestampType.SBE_UNKNOWN == timestampType)
        {
            adminResponse(session, correlationId, ErrorCode.INVALID_CONFIG, "unknown timestamp type");
            return;
        }
        final long id = nextControllerCorrelationId++;
        if (sendToController(session, correlationId, controller.createTopic(
            id, name, partitions, retentionMs, retentionBytes, timestampType.value())))
        {
            pendingRequests.put(id, new PendingRequest(PendingRequest.CREATE, session, correlationId,
                nowMs + CONTROLLER_REQUEST_TIMEOUT_MS));
        }
    }

    private boolean sendToController(final ClientSession session, final long correlationId, final boolean sent)
    {
        if (!sent)
        {
            adminResponse(session, correlationId, ErrorCode.NOT_READY, "the controller is busy; retry");
        }
        return sent;
    }

    private void onListTopics(final ClientSession session, final long correlationId)
    {
        final TopicListEncoder e = new TopicListEncoder().wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .code(ErrorCode.NONE);
        final List<TopicState> byId = new ArrayList<>(topicsByName.values());
        byId.sort((a, b) -> Integer.compare(a.metadata.topicId(), b.metadata.topicId()));
        final TopicListEncoder.TopicsEncoder topics = e.topicsCount(byId.size());
        for (final TopicState topic : byId)
        {
            topics.next().topicId(topic.metadata.topicId()).partitions(topic.metadata.partitions())
                .name(topic.metadata.name());
        }
        send(session, e.encodedLength());
    }

    private void onDescribeTopic(final ClientSession session, final long correlationId, final String name)
    {
        final TopicState topic = topicsByName.get(name);
        final TopicDescriptionEncoder e = new TopicDescriptionEncoder().wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId);
        if (null == topic)
        {
            e.code(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).topicId(-1).retentionMs(-1).retentionBytes(-1)
                .timestampType(TimestampType.CREATE_TIME).maxBatchBytes(maxBatchBytes).partitionsCount(0);
            e.topicName(name).message("unknown topic: " + name);
            counters.errorResponses.increment();
            send(session, e.encodedLength());
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
            final PartitionLog log = topic.logs[p];
            partitions.next().partition(p).leaderBrokerId(ctx.brokerId())
                .logStartOffset(null == log ? -1 : log.logStartOffset())
                .logEndOffset(null == log ? -1 : log.logEndOffset())
                .highWatermark(null == log ? -1 : log.highWatermark());
        }
        e.topicName(m.name()).message("");
        send(session, e.encodedLength());
    }

    // ---------------------------------------------------------------- consume

    private void onFetchStart(
        final ClientSession session,
        final long correlationId,
        final int topicId,
        final int partition,
        final long requestedOffset)
    {
        final PartitionLog log = log(topicId, partition);
        final FetchStartResponseEncoder e = new FetchStartResponseEncoder().wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId).topicId(topicId).partition(partition).streamSessionId(0);
        if (null == log)
        {
            e.code(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).fetchOffset(requestedOffset).logStartOffset(-1)
                .logEndOffset(-1).message("unknown topic id " + topicId + " partition " + partition);
            counters.errorResponses.increment();
            send(session, e.encodedLength());
            return;
        }
        final long logStart = log.logStartOffset();
        final long highWatermark = log.highWatermark();
        final long offset = -2 == requestedOffset ? logStart : -1 == requestedOffset ? highWatermark : requestedOffset;
        e.logStartOffset(logStart).logEndOffset(highWatermark).fetchOffset(offset);
        if (offset < logStart || offset > highWatermark)
        {
            e.code(ErrorCode.OFFSET_OUT_OF_RANGE).message("offset " + offset + " is out of range for " + log);
            counters.errorResponses.increment();
            send(session, e.encodedLength());
            return;
        }
        final long highWatermarkPosition = log.highWatermarkPosition();
        final long position = log.index().floorByOffset(offset, indexEntry) ?
            Math.min(indexEntry.position(), highWatermarkPosition) : highWatermarkPosition;
        final long key = PartitionLog.key(topicId, partition);
        stopReplay(session, key);
        try
        {
            final long replaySessionId = archive.startBoundedReplay(log.recordingId(), position,
                AeronArchive.REPLAY_ALL_AND_FOLLOW, log.highWatermarkPositionCounterId(), session.dataChannel(),
                session.dataStreamId());
            session.replayByPartition().put(key, replaySessionId);
            e.code(ErrorCode.NONE).streamSessionId((int)replaySessionId).message("");
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
            counters.errorResponses.increment();
            e.code(ErrorCode.INTERNAL_ERROR).message("could not start streaming " + log + ": " + ex.getMessage());
        }
        send(session, e.encodedLength());
    }

    private void stopReplay(final ClientSession session, final long partitionKey)
    {
        final long replaySessionId = session.replayByPartition().remove(partitionKey);
        if (-1 != replaySessionId)
        {
            stopReplaySession(replaySessionId);
        }
    }

    private void stopReplaySession(final long replaySessionId)
    {
        try
        {
            archive.stopReplay(replaySessionId);
        }
        catch (final RuntimeException ex)
        {
            // the replay ends by itself when its consumer goes away; a failed stop is expected then
            counters.errorResponses.incrementOrdered();
        }
    }

    private void onListOffsets(final ClientSession session, final ListOffsetsDecoder d)
    {
        final long correlationId = d.correlationId();
        final int topicId = d.topicId();
        final int partition = d.partition();
        final OffsetSpec spec = d.spec();
        final long timestamp = d.timestamp();
        final PartitionLog log = log(topicId, partition);
        final ListOffsetsResponseEncoder e = new ListOffsetsResponseEncoder().wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId).topicId(topicId).partition(partition).resultTimestamp(-1);
        if (null == log)
        {
            e.code(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).resultOffset(-1).message("unknown topic or partition");
            counters.errorResponses.increment();
        }
        else if (OffsetSpec.EARLIEST == spec)
        {
            e.code(ErrorCode.NONE).resultOffset(log.logStartOffset()).message("");
        }
        else if (OffsetSpec.LATEST == spec)
        {
            e.code(ErrorCode.NONE).resultOffset(log.highWatermark()).message("");
        }
        else if (OffsetSpec.TIMESTAMP == spec)
        {
            final long[] found = findOffsetForTimestamp(log, timestamp);
            e.code(ErrorCode.NONE).resultOffset(found[0]).resultTimestamp(found[1]).message("");
        }
        else
        {
            e.code(ErrorCode.INVALID_REQUEST).resultOffset(-1).message("unknown offset spec");
            counters.errorResponses.increment();
        }
        send(session, e.encodedLength());
    }

    private long[] findOffsetForTimestamp(final PartitionLog log, final long timestamp)
    {
        final long[] result = {-1, -1};
        final long endPosition = log.highWatermarkPosition();
        final long highWatermark = log.highWatermark();
        if (!log.index().scanStartForTimestamp(timestamp, indexEntry) || indexEntry.position() >= endPosition)
        {
            return result;
        }
        store.scanner().scan(log.recordingId(), indexEntry.position(), endPosition, PartitionLogStore.LOG_MTU,
            (batch, startPosition, batchEndPosition) -> !findInBatch(batch, timestamp, highWatermark, result),
            SCAN_TIMEOUT_MS);
        return result;
    }

    private boolean findInBatch(
        final LogBatchDecoder batch, final long timestamp, final long highWatermark, final long[] result)
    {
        final long baseOffset = batch.baseOffset();
        if (batch.maxTimestamp() < timestamp)
        {
            return false;
        }
        final boolean logAppendTime = batch.timestampType() == LogTimestampType.LOG_APPEND_TIME;
        final long appendTime = batch.appendTime();
        final int recordsLength = batch.recordsLength();
        final int recordsOffset = batch.limit() + LogBatchDecoder.recordsHeaderLength();
        recordSetReader.wrap(batch.buffer(), recordsOffset, recordsLength);
        long offset = baseOffset;
        while (recordSetReader.next() && offset < highWatermark)
        {
            final long recordTimestamp = logAppendTime ? appendTime : recordSetReader.timestamp();
            if (recordTimestamp >= timestamp)
            {
                result[0] = offset;
                result[1] = recordTimestamp;
                return true;
            }
            offset++;
        }
        return false;
    }

    // ---------------------------------------------------------------- controller

    @Override
    public void onCommandResult(
        final long correlationId, final int code, final int topicId, final long value, final String message)
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
                if (ErrorCode.NONE != errorCode)
                {
                    adminResponse(request.session, request.clientCorrelationId, errorCode, message);
                }
                else if (null != topicsById.get(topicId))
                {
                    adminResponse(request.session, request.clientCorrelationId, ErrorCode.NONE, "");
                }
                else
                {
                    request.topicId = topicId;
                    awaitingTopic.add(request); // answered once the CREATED event has opened the logs
                }
                break;
            case PendingRequest.DELETE:
                adminResponse(request.session, request.clientCorrelationId, errorCode, message);
                break;
            case PendingRequest.PRODUCER_ID:
            {
                final InitProducerIdResponseEncoder e = new InitProducerIdResponseEncoder()
                    .wrapAndApplyHeader(out, 0, headerEncoder)
                    .correlationId(request.clientCorrelationId).code(errorCode).producerId(value).producerEpoch((short)0);
                send(request.session, e.encodedLength());
                break;
            }
            default:
                break;
        }
    }

    @Override
    public void onGroupResponse(
        final long correlationId, final DirectBuffer buffer, final int offset, final int length)
    {
        groups.onResponse(correlationId, buffer, offset, length, clock.time());
    }

    @Override
    public void onTopicEvent(final long correlationId, final TopicEventType type, final TopicMetadata topic)
    {
        switch (type)
        {
            case CREATED:
            case SNAPSHOT:
                if (null == topicsById.get(topic.topicId()))
                {
                    openTopic(topic);
                }
                break;
            case DELETED:
                deleteTopic(topic);
                break;
            case UPDATED:
            {
                final TopicState state = topicsById.get(topic.topicId());
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

    @Override
    public void onMetadataEnd(final long correlationId, final int topicCount)
    {
        if (correlationId == metadataCorrelationId)
        {
            metadataLoaded = true;
        }
    }

    private void openTopic(final TopicMetadata topic)
    {
        final TopicState state = new TopicState(topic);
        topicsByName.put(topic.name(), state);
        topicsById.put(topic.topicId(), state);
        for (int p = 0; p < topic.partitions(); p++)
        {
            try
            {
                final PartitionLog log = store.open(topic.topicId(), p, topic.name(), topic.streamId(p),
                    TopicMetadata.LOG_APPEND_TIME == topic.timestampType(), topic.logStartOffset(p));
                log.retention(topic.retentionMs(), topic.retentionBytes());
                state.logs[p] = log;
                produceAgent.addLog(log);
            }
            catch (final RuntimeException ex)
            {
                errorHandler.onError(new IllegalStateException("could not open " + topic.name() + "-" + p, ex));
            }
        }
        for (final Iterator<PendingRequest> it = awaitingTopic.iterator(); it.hasNext(); )
        {
            final PendingRequest request = it.next();
            if (request.topicId == topic.topicId())
            {
                it.remove();
                adminResponse(request.session, request.clientCorrelationId, ErrorCode.NONE, "");
            }
        }
    }

    private void deleteTopic(final TopicMetadata topic)
    {
        final TopicState state = topicsById.remove(topic.topicId());
        if (null == state)
        {
            return;
        }
        topicsByName.remove(state.metadata.name());
        for (final PartitionLog log : state.logs)
        {
            if (null != log)
            {
                produceAgent.removeLog(log);
                deleting.add(log);
            }
        }
    }

    private int finishDeletions()
    {
        int work = 0;
        for (final Iterator<PartitionLog> it = deleting.iterator(); it.hasNext(); )
        {
            final PartitionLog log = it.next();
            if (log.isDetached())
            {
                it.remove();
                try
                {
                    store.delete(log);
                }
                catch (final RuntimeException ex)
                {
                    errorHandler.onError(ex);
                }
                work++;
            }
        }
        return work;
    }

    private int expireRequests()
    {
        int work = 0;
        for (final Long2ObjectHashMap<PendingRequest>.ValueIterator it = pendingRequests.values().iterator();
            it.hasNext(); )
        {
            final PendingRequest request = it.next();
            if (nowMs > request.deadlineMs)
            {
                it.remove();
                adminResponse(request.session, request.clientCorrelationId, ErrorCode.REQUEST_TIMED_OUT,
                    "the controller did not answer in time");
                work++;
            }
        }
        for (final Iterator<PendingRequest> it = awaitingTopic.iterator(); it.hasNext(); )
        {
            final PendingRequest request = it.next();
            if (nowMs > request.deadlineMs)
            {
                it.remove();
                adminResponse(request.session, request.clientCorrelationId, ErrorCode.REQUEST_TIMED_OUT,
                    "the topic was created but its logs did not open in time");
                work++;
            }
        }
        return work;
    }

    // ---------------------------------------------------------------- retention

    private int enforceRetention()
    {
        int work = 0;
        for (final TopicState topic : topicsByName.values())
        {
            for (final PartitionLog log : topic.logs)
            {
                if (null == log || (log.retentionMs() < 0 && log.retentionBytes() < 0))
                {
                    continue;
                }
                final long start = log.recordingStartPosition();
                final long end = log.highWatermarkPosition();
                final int segmentLength = Math.max(ctx.segmentLength(), log.termLength());
                final long bySize = RetentionPlanner.purgePositionForSize(
                    start, end, log.retentionBytes(), log.termLength(), segmentLength);
                final long byTime = RetentionPlanner.purgePositionForTime(log.index(), indexEntry, start, end,
                    clock.time(), log.retentionMs(), log.termLength(), segmentLength);
                final long purgeTo = RetentionPlanner.purgePosition(bySize, byTime);
                if (purgeTo > start)
                {
                    try
                    {
                        store.purgeSegments(log, purgeTo);
                        controller.updateLogStartOffset(nextControllerCorrelationId++, log.topicId(),
                            log.partition(), log.logStartOffset(), log.logEndOffset());
                        work++;
                    }
                    catch (final ArchiveException ex)
                    {
                        if (!isReplayInProgress(ex))
                        {
                            errorHandler.onError(ex);
                        }
                        else if (log.index().entryAtOrAfter(purgeTo, indexEntry))
                        {
                            // A lagging consumer still reads the segments to go. As in Kafka, retention does not
                            // wait for it: the log start moves now, so its next fetch is out of range, its replay
                            // stops, and the purge is tried again next round.
                            log.advanceLogStartOffset(indexEntry.baseOffset());
                            stopReplays(log);
                            work++;
                        }
                    }
                    catch (final RuntimeException ex)
                    {
                        errorHandler.onError(ex);
                    }
                }
            }
        }
        return work;
    }

    private static boolean isReplayInProgress(final ArchiveException ex)
    {
        return null != ex.getMessage() && ex.getMessage().contains("replay in progress");
    }

    /**
     * Ends every consumer stream of a partition and tells each consumer, so it fetches again from its position
     * (and meets "offset out of range" and its reset policy when retention overtook it).
     */
    private void stopReplays(final PartitionLog log)
    {
        final long partitionKey = PartitionLog.key(log.topicId(), log.partition());
        for (final ClientSession session : sessions.values())
        {
            final long replaySessionId = session.replayByPartition().remove(partitionKey);
            if (-1 != replaySessionId)
            {
                stopReplaySession(replaySessionId);
                final FetchStoppedEncoder e = new FetchStoppedEncoder().wrapAndApplyHeader(out, 0, headerEncoder)
                    .correlationId(-1)
                    .topicId(log.topicId())
                    .partition(log.partition())
                    .streamSessionId((int)replaySessionId)
                    .code(ErrorCode.OFFSET_OUT_OF_RANGE)
                    .logStartOffset(log.logStartOffset());
                send(session, e.encodedLength());
            }
        }
    }

    // ---------------------------------------------------------------- answers

    private PartitionLog log(final int topicId, final int partition)
    {
        final TopicState topic = topicsById.get(topicId);
        return null == topic || partition < 0 || partition >= topic.logs.length ? null : topic.logs[partition];
    }

    private void adminResponse(
        final ClientSession session, final long correlationId, final ErrorCode code, final String message)
    {
        if (ErrorCode.NONE != code)
        {
            counters.errorResponses.increment();
        }
        final AdminResponseEncoder e = new AdminResponseEncoder().wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId).code(code).message(null == message ? "" : message);
        send(session, e.encodedLength());
    }

    private void sendError(
        final ClientSession session, final long correlationId, final ErrorCode code, final String message)
    {
        counters.errorResponses.increment();
        if (null == session)
        {
            return;
        }
        final ErrorResponseEncoder e = new ErrorResponseEncoder().wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId).code(code).message(message);
        send(session, e.encodedLength());
    }

    private void send(final ClientSession session, final int encodedLength)
    {
        sender.send(session, out, 0, MessageHeaderEncoder.ENCODED_LENGTH + encodedLength);
    }

    private PartitionLog log(final String topic, final int partition)
    {
        final TopicState state = topicsByName.get(topic);
        return null == state || partition < 0 || partition >= state.logs.length ? null : state.logs[partition];
    }

    /** This broker's partition logs as the group forwarder sees them, for lag. */
    private final class LogView implements GroupRequestForwarder.PartitionLogView
    {
        public long endOffset(final String topic, final int partition)
        {
            final PartitionLog log = log(topic, partition);
            return null == log ? -1 : log.highWatermark();
        }

        public long startOffset(final String topic, final int partition)
        {
            final PartitionLog log = log(topic, partition);
            return null == log ? -1 : log.logStartOffset();
        }

        public long timestampNear(final String topic, final int partition, final long offset)
        {
            final PartitionLog log = log(topic, partition);
            return null != log && log.index().floorByOffset(offset, indexEntry) ? indexEntry.maxTimestamp() : -1;
        }
    }

    private static final class TopicState
    {
        TopicMetadata metadata;
        final PartitionLog[] logs;

        TopicState(final TopicMetadata metadata)
        {
            this.metadata = metadata;
            this.logs = new PartitionLog[metadata.partitions()];
        }
    }

    private static final class PendingRequest
    {
        static final int CREATE = 1;
        static final int DELETE = 2;
        static final int PRODUCER_ID = 3;

        final int type;
        final ClientSession session;
        final long clientCorrelationId;
        final long deadlineMs;
        int topicId = -1;

        PendingRequest(final int type, final ClientSession session, final long clientCorrelationId,
            final long deadlineMs)
        {
            this.type = type;
            this.session = session;
            this.clientCorrelationId = clientCorrelationId;
            this.deadlineMs = deadlineMs;
        }
    }

    private static final class Long2LongIterator
    {
        private final long[] values;
        private int index;

        Long2LongIterator(final ClientSession session)
        {
            values = session.replayByPartition().values().stream().mapToLong(Long::longValue).toArray();
        }

        boolean hasNext()
        {
            return index < values.length;
        }

        long next()
        {
            return values[index++];
        }
    }
}
