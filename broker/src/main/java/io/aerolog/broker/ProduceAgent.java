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
 */
final class ProduceAgent implements Agent
{
    private static final int FRAGMENT_LIMIT = 32;
    private static final int MAX_REQUEST_HEADER_BYTES = 256;
    private static final int COMMAND_DRAIN_LIMIT = 16;

    private final Subscription[] ingress;
    private final BrokerCounters counters;
    private final ResponseSender sender;
    private final EpochClock clock;
    private final int maxBatchBytes;
    private final AccessControl access;
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
        return work + acknowledgeDurable() + forgetDrainedSessions();
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
            logs.remove(PartitionLog.key(log.topicId(), log.partition()));
            logList.remove(log);
            log.pending().clear();
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
        final PartitionSequencer sequencer = log.sequencer();
        final ClientSession answerTo = Acks.NONE == acks ? null : session;
        switch (sequencer.check(producerId, producerEpoch, baseSequence, recordCount))
        {
            case PartitionSequencer.ACCEPT:
                break;
            case PartitionSequencer.DUPLICATE:
                // Already written: answer with its offsets once everything written so far is durable.
                log.pending().add(log.position(), sequencer.duplicateBaseOffset(), sequencer.nextOffset(),
                    correlationId, answerTo);
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
            log.pending().add(position, baseOffset, baseOffset + recordCount, correlationId, answerTo);
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
            if (pending.isEmpty())
            {
                continue;
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
