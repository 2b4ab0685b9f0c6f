package io.aerolog.broker;

import io.aerolog.archive.PartitionLog;
import io.aerolog.archive.PendingBatches;
import io.aerolog.cluster.security.AclOperation;
import io.aerolog.cluster.security.AclResourceType;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.ErrorResponseEncoder;
import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import io.aerolog.codecs.wire.ProduceRequestDecoder;
import io.aerolog.codecs.wire.ProduceResponseEncoder;
import io.aerolog.sequencer.InSyncReplicas;
import io.aerolog.sequencer.PartitionSequencer;
import io.aerolog.transport.BoundedControlledFragmentAssembler;
import io.aerolog.transport.FrameValidator;
import io.aerolog.transport.Offers;
import io.aerolog.transport.RecordSetReader;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;

/**
 * The data path of a broker: reads produce requests from the produce ingress, sequences each batch onto its
 * partition log, and answers once the batch is durable in the archive, moving the high watermark. One thread;
 * allocation-free in steady state. Other threads reach it only through its command queue.
 * <p>
 * A log added with {@link #addLog} is led alone: a batch is acknowledged (acks=1 and all) once this broker's archive
 * has it, and the high watermark moves with the local recording. A log added with {@link #lead} has followers: acks=1
 * is answered at the local recording, acks=all at the high watermark over the in-sync set, which the followers'
 * reports on the {@link ReplicaChannel} (polled on this agent's duty cycle) move.
 */
final class ProduceAgent implements Agent
{
    private static final int FRAGMENT_LIMIT = 32;
    private static final int MAX_REQUEST_HEADER_BYTES = 256;
    private static final int COMMAND_DRAIN_LIMIT = 16;
    /** Default {@code replica.lag.time.max.ms}: how long a follower may lag before it is proposed for removal. */
    static final long DEFAULT_REPLICA_LAG_TIME_MAX_MS = 3_000;
    /** How soon a leader proposes again after the controller refused its in-sync set proposal. */
    static final long REFUSED_PROPOSAL_RETRY_MS = 500;
    /** How often a leader sends its state to followers when the high watermark has not moved. */
    static final long LEADER_STATE_INTERVAL_MS = 100;

    private final Subscription[] ingress;
    private final BrokerCounters counters;
    private final ResponseSender sender;
    private final EpochClock clock;
    private final int maxBatchBytes;
    private final AccessControl access;
    private final int brokerId;
    private final long replicaLagTimeMaxMs;
    private final IsrChangeListener isrChanges;
    private final Long2ObjectHashMap<LeaderPartition> leaders = new Long2ObjectHashMap<>();
    private final ArrayList<LeaderPartition> leaderList = new ArrayList<>();
    private final PendingBatches.Answer failAnswer = this::onFailAnswer;
    private ReplicaChannel replicaChannel;
    private int failTopicId;
    private int failPartition;
    private ErrorCode failCode;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands = new ManyToOneConcurrentArrayQueue<>(1024);
    private final Long2ObjectHashMap<PartitionLog> logs = new Long2ObjectHashMap<>();
    private final ArrayList<PartitionLog> logList = new ArrayList<>();
    private final Int2ObjectHashMap<ClientSession> sessionsByImage = new Int2ObjectHashMap<>();
    private final ArrayList<ClientSession> closingSessions = new ArrayList<>();
    private final BoundedControlledFragmentAssembler assembler;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ProduceRequestDecoder requestDecoder = new ProduceRequestDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ProduceResponseEncoder responseEncoder = new ProduceResponseEncoder();
    private final ErrorResponseEncoder errorEncoder = new ErrorResponseEncoder();
    private final RecordSetReader recordSetReader = new RecordSetReader();
    private final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
    private final FrameValidator validator = FrameValidator.wire();
    private final UnsafeBuffer batchHeader = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
    private final UnsafeBuffer responseBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
    private long nowMs;

    ProduceAgent(
        final Subscription[] ingress,
        final BrokerCounters counters,
        final EpochClock clock,
        final int maxBatchBytes,
        final AccessControl access)
    {
        this(ingress, counters, clock, maxBatchBytes, access, 0, DEFAULT_REPLICA_LAG_TIME_MAX_MS,
            IsrChangeListener.NONE);
    }

    ProduceAgent(
        final Subscription[] ingress,
        final BrokerCounters counters,
        final EpochClock clock,
        final int maxBatchBytes,
        final AccessControl access,
        final int brokerId,
        final long replicaLagTimeMaxMs,
        final IsrChangeListener isrChanges)
    {
        this.brokerId = brokerId;
        this.replicaLagTimeMaxMs = replicaLagTimeMaxMs;
        this.isrChanges = isrChanges;
        this.access = access;
        this.ingress = ingress;
        this.counters = counters;
        this.sender = new ResponseSender(counters.data);
        this.clock = clock;
        this.maxBatchBytes = maxBatchBytes;
        // A request is its header and one batch: a longer message is dropped while it is reassembled, never held.
        this.assembler = new BoundedControlledFragmentAssembler(this::onFragment,
            maxBatchBytes + MAX_REQUEST_HEADER_BYTES, BoundedControlledFragmentAssembler.DEFAULT_MAX_SESSIONS,
            this::onOversizedRequest);
    }

    /**
     * Called by the Aeron client when a produce image goes away: its partial message, if any, is freed on this
     * agent's thread.
     *
     * @param image that went away.
     */
    void onImageUnavailable(final Image image)
    {
        final int imageSessionId = image.sessionId();
        enqueue(() -> assembler.freeSessionBuffer(imageSessionId));
    }

    @Override
    public String roleName()
    {
        return "aerolog-produce";
    }

    @Override
    public int doWork()
    {
        nowMs = clock.time();
        int work = commands.drain(Runnable::run, COMMAND_DRAIN_LIMIT);
        for (final Subscription subscription : ingress)
        {
            work += subscription.controlledPoll(assembler, FRAGMENT_LIMIT);
        }
        final ReplicaChannel channel = replicaChannel;
        if (null != channel)
        {
            work += channel.poll();
        }
        work += acknowledgeDurable();
        if (!leaderList.isEmpty())
        {
            work += acknowledgeReplicated();
        }
        if (null != channel)
        {
            work += channel.send(nowMs);
        }
        return work + forgetDrainedSessions();
    }

    /**
     * Set once before the agent starts: the replica channel this agent polls and sends on.
     *
     * @param channel the broker's replica channel.
     */
    void replicaChannel(final ReplicaChannel channel)
    {
        this.replicaChannel = channel;
    }

    /**
     * Called from the conductor: lead a partition with followers. Batches are acknowledged as described on the
     * class; a log led alone before (by {@link #addLog}) keeps its pending batches.
     *
     * @param log                           the partition's log, open for appends at this epoch.
     * @param leaderEpoch                   the epoch this broker leads.
     * @param partitionEpoch                the partition epoch the controller gave it.
     * @param replicas                      every replica, this broker among them.
     * @param isr                           the agreed in-sync set, this broker among it.
     * @param minInsyncReplicas             members the set needs for acks=all and for the high watermark to move.
     * @param initialHighWatermarkPosition  the last high watermark position known (the previous leader's), at most
     *                                      the log's end.
     * @throws IllegalArgumentException when this broker is not a replica and in sync, or the minimum is out of range.
     */
    void lead(
        final PartitionLog log,
        final int leaderEpoch,
        final int partitionEpoch,
        final int[] replicas,
        final int[] isr,
        final int minInsyncReplicas,
        final long initialHighWatermarkPosition)
    {
        final int[] replicasCopy = replicas.clone();
        final int[] isrCopy = isr.clone();
        // Checked here, on the caller's thread: a bad argument never reaches the data path's duty cycle.
        new InSyncReplicas(brokerId, replicasCopy, isrCopy, minInsyncReplicas, replicaLagTimeMaxMs, leaderEpoch, 0,
            initialHighWatermarkPosition, 0);
        enqueue(() -> onLead(log, leaderEpoch, partitionEpoch, replicasCopy, isrCopy, minInsyncReplicas,
            initialHighWatermarkPosition));
    }

    /**
     * Called from the conductor: the controller changed a partition this broker leads (its in-sync set, its
     * min.insync.replicas). Ignored unless it names the epoch led. When the set falls below min.insync.replicas,
     * pending acks=all batches are answered {@code NOT_ENOUGH_REPLICAS_AFTER_APPEND}.
     *
     * @param topicId           of the partition.
     * @param partition         number.
     * @param leaderEpoch       the partition's leader epoch.
     * @param partitionEpoch    the partition epoch after the change.
     * @param isr               the agreed in-sync set.
     * @param minInsyncReplicas the partition's min.insync.replicas.
     */
    void onPartitionChange(
        final int topicId,
        final int partition,
        final int leaderEpoch,
        final int partitionEpoch,
        final int[] isr,
        final int minInsyncReplicas)
    {
        final int[] isrCopy = isr.clone();
        enqueue(() -> applyPartitionChange(topicId, partition, leaderEpoch, partitionEpoch, isrCopy,
            minInsyncReplicas));
    }

    /**
     * A follower's report from the replica channel (this agent's thread).
     *
     * @param followerId  the follower.
     * @param topicId     of the partition.
     * @param partition   number.
     * @param leaderEpoch the epoch it follows.
     * @param position    its recorded position.
     */
    void onReplicaPosition(
        final int followerId, final int topicId, final int partition, final int leaderEpoch, final long position)
    {
        final LeaderPartition leader = leaders.get(PartitionLog.key(topicId, partition));
        if (null != leader)
        {
            leader.isr.onReport(followerId, leaderEpoch, position, leader.log.position(), nowMs);
        }
    }

    private void onLead(
        final PartitionLog log,
        final int leaderEpoch,
        final int partitionEpoch,
        final int[] replicas,
        final int[] isr,
        final int minInsyncReplicas,
        final long initialHighWatermarkPosition)
    {
        final long key = PartitionLog.key(log.topicId(), log.partition());
        if (logs.get(key) != log)
        {
            final PartitionLog previous = logs.put(key, log);
            if (null != previous)
            {
                logList.remove(previous);
            }
            logList.add(log);
        }
        forgetLeader(key);
        final InSyncReplicas tracker = new InSyncReplicas(brokerId, replicas, isr, minInsyncReplicas,
            replicaLagTimeMaxMs, leaderEpoch, log.position(), initialHighWatermarkPosition, nowMs);
        final LeaderPartition leader = new LeaderPartition(
            log, leaderEpoch, partitionEpoch, replicas, minInsyncReplicas, tracker);
        leaders.put(key, leader);
        leaderList.add(leader);
        for (final int replica : replicas)
        {
            if (replica != brokerId && null != replicaChannel)
            {
                replicaChannel.retainPeer(replica);
            }
        }
    }

    private void applyPartitionChange(
        final int topicId,
        final int partition,
        final int leaderEpoch,
        final int partitionEpoch,
        final int[] isr,
        final int minInsyncReplicas)
    {
        final LeaderPartition leader = leaders.get(PartitionLog.key(topicId, partition));
        if (null == leader || leader.leaderEpoch != leaderEpoch || partitionEpoch < leader.partitionEpoch ||
            !leader.accepts(brokerId, isr, minInsyncReplicas))
        {
            return; // another epoch, an old change, or a set without this broker (stepping down: removeLog follows)
        }
        leader.partitionEpoch = partitionEpoch;
        leader.lastProposalMs = Long.MIN_VALUE / 2; // a new state: propose again at once if still needed
        if (minInsyncReplicas != leader.minInsyncReplicas)
        {
            // Followers' positions start unknown again and come back with their next reports (every 100 ms).
            leader.minInsyncReplicas = minInsyncReplicas;
            leader.isr = new InSyncReplicas(brokerId, leader.replicas, isr, minInsyncReplicas, replicaLagTimeMaxMs,
                leaderEpoch, leader.epochStartPosition, leader.isr.highWatermark(), nowMs);
        }
        else
        {
            leader.isr.applyInSync(isr);
        }
        if (!leader.isr.hasMinInsync())
        {
            failPending(leader.log, ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, false);
        }
    }

    /**
     * Called from the conductor: the controller refused an in-sync set proposal (the partition changed while it
     * travelled, or a proposed replica was not eligible). Replicas proposed for addition stop holding the high
     * watermark, and the leader proposes again from its state after {@link #REFUSED_PROPOSAL_RETRY_MS}.
     *
     * @param topicId        of the partition.
     * @param partition      number.
     * @param leaderEpoch    the epoch the proposal was made in.
     * @param partitionEpoch the partition epoch it was made on.
     */
    void onIsrChangeRefused(final int topicId, final int partition, final int leaderEpoch, final int partitionEpoch)
    {
        enqueue(() ->
        {
            final LeaderPartition leader = leaders.get(PartitionLog.key(topicId, partition));
            if (null != leader && leader.leaderEpoch == leaderEpoch && leader.partitionEpoch == partitionEpoch)
            {
                leader.isr.cancelProposedAdditions();
                leader.lastProposalMs = nowMs - replicaLagTimeMaxMs + REFUSED_PROPOSAL_RETRY_MS;
            }
        });
    }

    private void forgetLeader(final long key)
    {
        final LeaderPartition leader = leaders.remove(key);
        if (null != leader)
        {
            leaderList.remove(leader);
            for (final int replica : leader.replicas)
            {
                if (replica != brokerId && null != replicaChannel)
                {
                    replicaChannel.releasePeer(replica);
                }
            }
        }
    }

    private void failPending(final PartitionLog log, final ErrorCode code, final boolean all)
    {
        failTopicId = log.topicId();
        failPartition = log.partition();
        failCode = code;
        if (all)
        {
            log.pending().failAll(failAnswer);
        }
        else
        {
            log.pending().failWaiting(failAnswer);
        }
    }

    private void onFailAnswer(final Object session, final long correlationId, final long baseOffset)
    {
        respond((ClientSession)session, correlationId, failTopicId, failPartition, failCode, -1);
    }

    /** Called from the conductor: start accepting batches for a log. */
    void addLog(final PartitionLog log)
    {
        enqueue(() ->
        {
            logs.put(PartitionLog.key(log.topicId(), log.partition()), log);
            logList.add(log);
        });
    }

    /** Called from the conductor: stop using a log; it is marked detached once let go. */
    void removeLog(final PartitionLog log)
    {
        enqueue(() ->
        {
            final long key = PartitionLog.key(log.topicId(), log.partition());
            logs.remove(key);
            logList.remove(log);
            forgetLeader(key);
            failPending(log, ErrorCode.NOT_LEADER_OR_FOLLOWER, true); // stepping down: nothing more is acknowledged
            log.detach();
        });
    }

    /** Called from the conductor: a client may now produce. */
    void addSession(final ClientSession session)
    {
        enqueue(() -> sessionsByImage.put(session.produceSessionId(), session));
    }

    /**
     * Called from the conductor: a client has gone. Its produce stream may still hold batches it sent before its
     * goodbye (which came on the control stream): they are written until the stream itself has gone.
     */
    void removeSession(final ClientSession session)
    {
        enqueue(() -> closingSessions.add(session));
    }

    private int forgetDrainedSessions()
    {
        int work = 0;
        for (int i = closingSessions.size() - 1; i >= 0; i--)
        {
            final ClientSession session = closingSessions.get(i);
            final int produceSessionId = session.produceSessionId();
            if (sessionsByImage.get(produceSessionId) != session || !isProduceImageAvailable(produceSessionId))
            {
                sessionsByImage.remove(produceSessionId, session);
                closingSessions.remove(i);
                work++;
            }
        }
        return work;
    }

    private boolean isProduceImageAvailable(final int produceSessionId)
    {
        for (final Subscription subscription : ingress)
        {
            if (null != subscription.imageBySessionId(produceSessionId))
            {
                return true;
            }
        }
        return false;
    }

    private void enqueue(final Runnable command)
    {
        while (!commands.offer(command))
        {
            Thread.onSpinWait(); // control path only: the agent drains every duty cycle
        }
    }

    private Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        ClientSession session = sessionsByImage.get(header.sessionId());
        if (null == session)
        {
            // A client sends its first batch only after its connect was answered, so the command may be queued.
            commands.drain(Runnable::run, COMMAND_DRAIN_LIMIT);
            session = sessionsByImage.get(header.sessionId());
        }
        frame.wrap(buffer, offset, length);
        // Every length in the frame is checked against the frame before the decoder reads it.
        final String problem = validator.check(frame, 0, length);
        if (FrameValidator.BAD_VAR_DATA.equals(problem) && isProduceRequest(length))
        {
            // Its fixed fields are whole: answer the batch itself, so the producer fails it at once.
            counters.data.rejectedFrames.increment();
            final ProduceRequestDecoder request = requestDecoder.wrapAndApplyHeader(frame, 0, headerDecoder);
            respond(session, request.correlationId(), request.topicId(), request.partition(),
                ErrorCode.CORRUPT_MESSAGE, -1);
            return Action.CONTINUE;
        }
        if (null == problem)
        {
            headerDecoder.wrap(frame, 0);
        }
        if (null != problem || headerDecoder.templateId() != ProduceRequestDecoder.TEMPLATE_ID)
        {
            counters.data.rejectedFrames.increment();
            final boolean badVersion = FrameValidator.UNSUPPORTED_VERSION.equals(problem);
            sendError(session, -1, badVersion ? ErrorCode.UNSUPPORTED_VERSION : ErrorCode.CORRUPT_MESSAGE,
                null != problem ? problem : "not a produce request");
            return Action.CONTINUE;
        }
        if (null == session)
        {
            counters.data.rejectedFrames.increment();
            return Action.CONTINUE; // nobody to answer: the sender never opened a session
        }
        try
        {
            return onProduceRequest(session, length);
        }
        catch (final IndexOutOfBoundsException | IllegalStateException ex)
        {
            counters.data.rejectedFrames.increment();
            sendError(session, -1, ErrorCode.CORRUPT_MESSAGE, "malformed produce request");
            return Action.CONTINUE;
        }
    }

    private boolean isProduceRequest(final int length)
    {
        headerDecoder.wrap(frame, 0);
        return ProduceRequestDecoder.TEMPLATE_ID == headerDecoder.templateId() &&
            length >= MessageHeaderDecoder.ENCODED_LENGTH + headerDecoder.blockLength();
    }

    private Action onProduceRequest(final ClientSession session, final int length)
    {
        final ProduceRequestDecoder request = requestDecoder.wrapAndApplyHeader(frame, 0, headerDecoder);
        final long correlationId = request.correlationId();
        final int topicId = request.topicId();
        final int partition = request.partition();
        final int recordCount = request.recordCount();
        final Acks acks = request.acks();
        final int recordsLength = request.recordsLength();
        final int recordsOffset = request.limit() + ProduceRequestDecoder.recordsHeaderLength();
        if (recordsLength < 0 || recordsOffset + recordsLength > length || Acks.NULL_VAL == acks ||
            Acks.SBE_UNKNOWN == acks)
        {
            counters.data.rejectedFrames.increment();
            respond(session, correlationId, topicId, partition, ErrorCode.CORRUPT_MESSAGE, -1);
            return Action.CONTINUE;
        }
        final PartitionLog log = logs.get(PartitionLog.key(topicId, partition));
        if (null == log)
        {
            respond(session, correlationId, topicId, partition, ErrorCode.NOT_LEADER_OR_FOLLOWER, -1);
            return Action.CONTINUE;
        }
        if (!mayWrite(session, log))
        {
            counters.data.authorizationFailures.increment();
            respond(session, correlationId, topicId, partition, ErrorCode.AUTHORIZATION_FAILED, -1);
            return Action.CONTINUE;
        }
        // A log created under a shorter log.term.length keeps it, and takes smaller batches than the broker's limit.
        if (recordsLength > maxBatchBytes || recordsLength > log.maxRecordSetLength())
        {
            respond(session, correlationId, topicId, partition, ErrorCode.RECORD_TOO_LARGE, -1);
            return Action.CONTINUE;
        }
        final long maxTimestamp = recordSetReader.validate(frame, recordsOffset, recordsLength, recordCount);
        if (Long.MIN_VALUE == maxTimestamp)
        {
            counters.data.rejectedFrames.increment();
            respond(session, correlationId, topicId, partition, ErrorCode.CORRUPT_MESSAGE, -1);
            return Action.CONTINUE;
        }

        final long producerId = request.producerId();
        final short producerEpoch = request.producerEpoch();
        final int baseSequence = request.baseSequence();
        final LeaderPartition leader = leaders.isEmpty() ? null : leaders.get(PartitionLog.key(topicId, partition));
        final boolean waitsForAll = null != leader && Acks.ALL == acks;
        if (waitsForAll && !leader.isr.hasMinInsync())
        {
            respond(session, correlationId, topicId, partition, ErrorCode.NOT_ENOUGH_REPLICAS, -1);
            return Action.CONTINUE;
        }
        final PartitionSequencer sequencer = log.sequencer();
        final ClientSession answerTo = Acks.NONE == acks ? null : session;
        switch (sequencer.check(producerId, producerEpoch, baseSequence, recordCount))
        {
            case PartitionSequencer.ACCEPT:
                break;
            case PartitionSequencer.DUPLICATE:
                // Already written: answer with its offsets once everything written so far is durable.
                log.pending().add(log.position(), sequencer.duplicateBaseOffset(), sequencer.nextOffset(),
                    correlationId, answerTo, waitsForAll);
                return Action.CONTINUE;
            case PartitionSequencer.OUT_OF_ORDER_SEQUENCE:
                respond(session, correlationId, topicId, partition, ErrorCode.OUT_OF_ORDER_SEQUENCE, -1);
                return Action.CONTINUE;
            default:
                respond(session, correlationId, topicId, partition, ErrorCode.INVALID_REQUEST, -1);
                return Action.CONTINUE;
        }

        final long baseOffset = sequencer.nextOffset();
        final long position = log.append(batchHeader, producerId, producerEpoch, baseSequence, recordCount,
            maxTimestamp, nowMs, frame, recordsOffset, recordsLength);
        if (position > 0)
        {
            counters.produceRequests.incrementOrdered();
            log.pending().add(position, baseOffset, baseOffset + recordCount, correlationId, answerTo, waitsForAll);
            return Action.CONTINUE;
        }
        if (Offers.isTransient(position))
        {
            counters.data.backPressureEvents.incrementOrdered();
            return Action.ABORT; // the archive is behind: take the request again next duty cycle
        }
        respond(session, correlationId, topicId, partition, ErrorCode.BROKER_NOT_AVAILABLE, -1);
        return Action.CONTINUE;
    }

    // A request too long to take is dropped as it arrives, but its beginning names it: answer it, so the producer
    // fails the batch at once instead of waiting for a timeout.
    private void onOversizedRequest(final int imageSessionId, final DirectBuffer start, final int offset, final int length)
    {
        counters.data.rejectedFrames.increment();
        final ClientSession session = sessionsByImage.get(imageSessionId);
        final int fieldsEnd = offset + MessageHeaderDecoder.ENCODED_LENGTH + ProduceRequestDecoder.partitionEncodingOffset() +
            Integer.BYTES;
        if (null == session || fieldsEnd > offset + length)
        {
            return;
        }
        headerDecoder.wrap(start, offset);
        if (ProduceRequestDecoder.SCHEMA_ID != headerDecoder.schemaId() ||
            ProduceRequestDecoder.TEMPLATE_ID != headerDecoder.templateId())
        {
            return;
        }
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        respond(session,
            start.getLong(body + ProduceRequestDecoder.correlationIdEncodingOffset(), ProduceRequestDecoder.BYTE_ORDER),
            start.getInt(body + ProduceRequestDecoder.topicIdEncodingOffset(), ProduceRequestDecoder.BYTE_ORDER),
            start.getInt(body + ProduceRequestDecoder.partitionEncodingOffset(), ProduceRequestDecoder.BYTE_ORDER),
            ErrorCode.RECORD_TOO_LARGE, -1);
    }

    // WRITE on the topic, decided once per session, topic and version of the ACLs: a set lookup per batch after that.
    private boolean mayWrite(final ClientSession session, final PartitionLog log)
    {
        final IntHashSet writable = session.writableTopicIds(access.version());
        if (writable.contains(log.topicId()))
        {
            return true;
        }
        if (access.allows(session.principal(), AclOperation.WRITE, AclResourceType.TOPIC, log.topicName()))
        {
            writable.add(log.topicId());
            return true;
        }
        return false;
    }

    private int acknowledgeDurable()
    {
        int work = 0;
        final ArrayList<PartitionLog> logList = this.logList;
        for (int i = 0, size = logList.size(); i < size; i++)
        {
            final PartitionLog log = logList.get(i);
            final PendingBatches pending = log.pending();
            if (pending.isEmpty() || (!leaders.isEmpty() && leaders.containsKey(
                PartitionLog.key(log.topicId(), log.partition()))))
            {
                continue; // nothing to do, or led with followers (acknowledgeReplicated)
            }
            final long recordedPosition = log.recordedPosition();
            long highWatermark = -1;
            long highWatermarkPosition = -1;
            while (!pending.isEmpty() && pending.headEndPosition() <= recordedPosition)
            {
                final ClientSession session = (ClientSession)pending.headSession();
                if (null != session)
                {
                    respond(session, pending.headCorrelationId(), log.topicId(), log.partition(), ErrorCode.NONE,
                        pending.headBaseOffset());
                }
                highWatermark = pending.headEndOffset();
                highWatermarkPosition = pending.headEndPosition();
                pending.removeHead();
                work++;
            }
            if (highWatermark >= 0 && highWatermark >= log.highWatermark())
            {
                log.highWatermark(highWatermark, Math.max(highWatermarkPosition, log.highWatermarkPosition()));
            }
        }
        return work;
    }

    // Logs led with followers: acks=1 at the local recording, acks=all and the high watermark over the in-sync set.
    private int acknowledgeReplicated()
    {
        int work = 0;
        final ArrayList<LeaderPartition> leaderList = this.leaderList;
        for (int i = 0, size = leaderList.size(); i < size; i++)
        {
            final LeaderPartition leader = leaderList.get(i);
            final PartitionLog log = leader.log;
            final PendingBatches pending = log.pending();
            final long recordedPosition = log.recordedPosition();
            while (pending.hasLocal() && pending.localEndPosition() <= recordedPosition)
            {
                final ClientSession session = (ClientSession)pending.localSession();
                if (null != session)
                {
                    respond(session, pending.localCorrelationId(), log.topicId(), log.partition(), ErrorCode.NONE,
                        pending.localBaseOffset());
                }
                pending.advanceLocal();
                work++;
            }
            final long hwPosition = leader.isr.updateHighWatermark(recordedPosition);
            long highWatermark = -1;
            long highWatermarkPosition = -1;
            while (!pending.isEmpty() && pending.headEndPosition() <= hwPosition)
            {
                final ClientSession session = (ClientSession)pending.headSession();
                if (null != session)
                {
                    respond(session, pending.headCorrelationId(), log.topicId(), log.partition(), ErrorCode.NONE,
                        pending.headBaseOffset());
                }
                highWatermark = pending.headEndOffset();
                highWatermarkPosition = pending.headEndPosition();
                pending.removeHead();
                work++;
            }
            if (highWatermark >= 0 && highWatermark >= log.highWatermark())
            {
                log.highWatermark(highWatermark, Math.max(highWatermarkPosition, log.highWatermarkPosition()));
                leader.stateChanged = true;
            }
            if (leader.stateChanged || nowMs >= leader.nextStateMs)
            {
                work += sendLeaderState(leader);
                proposeIsrChange(leader);
            }
        }
        return work;
    }

    private int sendLeaderState(final LeaderPartition leader)
    {
        final ReplicaChannel channel = replicaChannel;
        leader.stateChanged = false;
        leader.nextStateMs = nowMs + LEADER_STATE_INTERVAL_MS;
        if (null == channel)
        {
            return 0;
        }
        final PartitionLog log = leader.log;
        for (final int replica : leader.replicas)
        {
            if (replica != brokerId)
            {
                channel.leaderState(replica, log.topicId(), log.partition(), leader.leaderEpoch,
                    log.highWatermarkPosition(), log.highWatermark(), log.logStartOffset(),
                    log.recordingStartPosition());
            }
        }
        return 1;
    }

    // On the leader-state tick: a proposal allocates its set, so never every duty cycle.
    private void proposeIsrChange(final LeaderPartition leader)
    {
        if (nowMs - leader.lastProposalMs < replicaLagTimeMaxMs)
        {
            return; // one proposal outstanding at a time, made again if the controller has not answered
        }
        // An earlier proposal still unanswered is superseded: its additions count again only if still caught up.
        leader.isr.cancelProposedAdditions();
        int[] proposal = leader.isr.shrinkProposal(nowMs);
        if (null == proposal)
        {
            proposal = leader.isr.expandProposal(nowMs);
        }
        if (null != proposal)
        {
            leader.lastProposalMs = nowMs;
            isrChanges.onIsrChangeProposed(leader.log.topicId(), leader.log.partition(), leader.leaderEpoch,
                leader.partitionEpoch, proposal);
        }
    }

    private void respond(
        final ClientSession session,
        final long correlationId,
        final int topicId,
        final int partition,
        final ErrorCode code,
        final long baseOffset)
    {
        if (ErrorCode.NONE != code)
        {
            counters.data.errorResponses.incrementOrdered();
        }
        responseEncoder.wrapAndApplyHeader(responseBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .topicId(topicId)
            .partition(partition)
            .code(code)
            .baseOffset(baseOffset)
            .logAppendTime(-1)
            .message(ErrorCode.NONE == code ? "" : ErrorMessages.describe(code));
        sender.send(session, responseBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + responseEncoder.encodedLength());
    }

    private void sendError(final ClientSession session, final long correlationId, final ErrorCode code, final String msg)
    {
        counters.data.errorResponses.incrementOrdered();
        if (null == session)
        {
            return;
        }
        errorEncoder.wrapAndApplyHeader(responseBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .code(code)
            .message(msg);
        sender.send(session, responseBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + errorEncoder.encodedLength());
    }
}
