package io.aerolog.broker;

import io.aerolog.cluster.ControllerClient;
import io.aerolog.codecs.wire.ConsumerGroupHeartbeatDecoder;
import io.aerolog.codecs.wire.DeleteGroupDecoder;
import io.aerolog.codecs.wire.DescribeGroupDecoder;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.GroupDescriptionDecoder;
import io.aerolog.codecs.wire.GroupDescriptionEncoder;
import io.aerolog.codecs.wire.LeaveGroupDecoder;
import io.aerolog.codecs.wire.ListGroupsDecoder;
import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import io.aerolog.codecs.wire.OffsetCommitDecoder;
import io.aerolog.codecs.wire.OffsetFetchDecoder;
import io.aerolog.codecs.wire.ResetOffsetsDecoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteOrder;

/**
 * Forwards clients' consumer-group requests to the controller, which owns all group state, and routes its answers
 * back to the requesting session. Requests travel as the client sent them (the controller answers with the client's
 * correlation id); the broker only adds what it alone knows: the log end offsets and lag in a group description.
 * A request longer than {@link ControllerClient#MAX_GROUP_REQUEST_LENGTH}, which the cluster would drop without an
 * answer, is refused at once with {@code RECORD_TOO_LARGE} and counted.
 */
final class GroupRequestForwarder
{
    /** Offset of the clientSessionId field, common to every group request, after the correlationId. */
    private static final int CLIENT_SESSION_ID_OFFSET = 8;
    private static final int MIN_BLOCK_LENGTH = 16;
    private static final long REQUEST_TIMEOUT_MS = 10_000;

    /**
     * Answers a request with an error (and counts it).
     */
    @FunctionalInterface
    interface ErrorSender
    {
        /**
         * @param session       to answer.
         * @param correlationId of the request.
         * @param code          the error.
         * @param message       why.
         */
        void send(ClientSession session, long correlationId, ErrorCode code, String message);
    }

    /**
     * What the broker knows of a partition's log, for lag.
     */
    interface PartitionLogView
    {
        /**
         * @param topic     name.
         * @param partition number.
         * @return the next offset to be consumed at the end (the high watermark), or -1 if not hosted here.
         */
        long endOffset(String topic, int partition);

        /**
         * @param topic     name.
         * @param partition number.
         * @return the earliest retained offset, or -1 if not hosted here.
         */
        long startOffset(String topic, int partition);

        /**
         * @param topic     name.
         * @param partition number.
         * @param offset    of a record.
         * @return the timestamp of the indexed batch holding or preceding the offset, or -1 if unknown.
         */
        long timestampNear(String topic, int partition, long offset);
    }

    private final ResponseSender sender;
    private final ErrorSender errors;
    private final PartitionLogView logs;
    private final AtomicCounter rejectedRequests;
    private final Long2ObjectHashMap<Pending> pending = new Long2ObjectHashMap<>();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final GroupDescriptionDecoder describeDecoder = new GroupDescriptionDecoder();
    private final GroupDescriptionEncoder describeEncoder = new GroupDescriptionEncoder();
    private final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(4096);
    private ControllerClient controller;
    private long nextCorrelationId = Long.MIN_VALUE / 2; // apart from the conductor's own correlation ids

    /**
     * @param sender           of answers to clients.
     * @param errors           sender of error answers.
     * @param logs             this broker's partition logs, for lag.
     * @param rejectedRequests counts requests refused before forwarding (the caller's thread is its one writer).
     */
    GroupRequestForwarder(
        final ResponseSender sender,
        final ErrorSender errors,
        final PartitionLogView logs,
        final AtomicCounter rejectedRequests)
    {
        this.sender = sender;
        this.errors = errors;
        this.logs = logs;
        this.rejectedRequests = rejectedRequests;
    }

    void controller(final ControllerClient controller)
    {
        this.controller = controller;
    }

    /**
     * Is this template a consumer-group request?
     *
     * @param templateId of a wire message.
     * @return true if {@link #forward} handles it.
     */
    static boolean isGroupRequest(final int templateId)
    {
        return switch (templateId)
        {
            case ConsumerGroupHeartbeatDecoder.TEMPLATE_ID, LeaveGroupDecoder.TEMPLATE_ID,
                OffsetCommitDecoder.TEMPLATE_ID, OffsetFetchDecoder.TEMPLATE_ID, ListGroupsDecoder.TEMPLATE_ID,
                DescribeGroupDecoder.TEMPLATE_ID, ResetOffsetsDecoder.TEMPLATE_ID, DeleteGroupDecoder.TEMPLATE_ID ->
                true;
            default -> false;
        };
    }

    /**
     * Reads the client session id of a group request.
     *
     * @param frame  holding the request with its header at 0.
     * @param length of the request.
     * @param header the request's header, wrapped.
     * @return the session id, or -1 if the request is too short to hold one.
     */
    static long clientSessionId(final DirectBuffer frame, final int length, final MessageHeaderDecoder header)
    {
        if (header.blockLength() < MIN_BLOCK_LENGTH || length < MessageHeaderDecoder.ENCODED_LENGTH + MIN_BLOCK_LENGTH)
        {
            return -1;
        }
        return frame.getLong(MessageHeaderDecoder.ENCODED_LENGTH + CLIENT_SESSION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Forwards a request to the controller.
     *
     * @param session       that sent it.
     * @param correlationId the client's.
     * @param templateId    of the request.
     * @param frame         holding the request with its header at 0.
     * @param length        of the request.
     * @param nowMs         current time.
     */
    void forward(
        final ClientSession session,
        final long correlationId,
        final int templateId,
        final DirectBuffer frame,
        final int length,
        final long nowMs)
    {
        if (length > ControllerClient.MAX_GROUP_REQUEST_LENGTH)
        {
            rejectedRequests.increment();
            errors.send(session, correlationId, ErrorCode.RECORD_TOO_LARGE, "group request of " + length +
                " bytes is longer than " + ControllerClient.MAX_GROUP_REQUEST_LENGTH);
            return;
        }

        final long id = nextCorrelationId++;
        if (null == controller || !controller.forwardGroupRequest(id, frame, 0, length))
        {
            errors.send(session, correlationId, ErrorCode.NOT_READY, "the controller is busy; retry");
            return;
        }
        pending.put(id, new Pending(session, correlationId, templateId, nowMs + REQUEST_TIMEOUT_MS));
    }

    /**
     * An answer from the controller.
     *
     * @param correlationId the broker's, given in {@link #forward}.
     * @param buffer        holding the answer.
     * @param offset        of its header.
     * @param length        of the answer.
     * @param nowMs         current time.
     */
    void onResponse(
        final long correlationId, final DirectBuffer buffer, final int offset, final int length, final long nowMs)
    {
        final Pending request = pending.remove(correlationId);
        if (null == request)
        {
            return; // timed out already, or meant for another broker
        }
        headerDecoder.wrap(buffer, offset);
        if (DescribeGroupDecoder.TEMPLATE_ID == request.templateId &&
            GroupDescriptionDecoder.TEMPLATE_ID == headerDecoder.templateId() &&
            GroupDescriptionDecoder.SCHEMA_ID == headerDecoder.schemaId())
        {
            final int encodedLength = addLag(buffer, offset, nowMs);
            sender.send(request.session, out, 0, MessageHeaderEncoder.ENCODED_LENGTH + encodedLength);
            return;
        }
        sender.send(request.session, buffer, offset, length);
    }

    /**
     * Answers requests the controller did not answer in time (e.g. lost across a change of cluster leader).
     *
     * @param nowMs current time.
     * @return number of requests timed out.
     */
    int expire(final long nowMs)
    {
        int expired = 0;
        for (final Long2ObjectHashMap<Pending>.ValueIterator it = pending.values().iterator(); it.hasNext(); )
        {
            final Pending request = it.next();
            if (nowMs > request.deadlineMs)
            {
                it.remove();
                errors.send(request.session, request.clientCorrelationId, ErrorCode.REQUEST_TIMED_OUT,
                    "the controller did not answer in time");
                expired++;
            }
        }
        return expired;
    }

    // Copies the controller's description, filling in log end offsets and lag from this broker's logs.
    private int addLag(final DirectBuffer buffer, final int offset, final long nowMs)
    {
        final GroupDescriptionDecoder d = describeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final GroupDescriptionEncoder e = describeEncoder.wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(d.correlationId())
            .code(d.code())
            .groupEpoch(d.groupEpoch());
        final GroupDescriptionDecoder.MembersDecoder members = d.members();
        final GroupDescriptionEncoder.MembersEncoder membersOut = e.membersCount(members.count());
        for (final GroupDescriptionDecoder.MembersDecoder m : members)
        {
            membersOut.next().memberEpoch(m.memberEpoch()).memberId(m.memberId()).instanceId(m.instanceId());
        }
        final GroupDescriptionDecoder.PartitionsDecoder partitions = d.partitions();
        final GroupDescriptionEncoder.PartitionsEncoder partitionsOut = e.partitionsCount(partitions.count());
        for (final GroupDescriptionDecoder.PartitionsDecoder p : partitions)
        {
            final int partition = p.partition();
            final long committed = p.committedOffset();
            final String topic = p.topicName();
            final long endOffset = logs.endOffset(topic, partition);
            long lagRecords = -1;
            long lagMs = -1;
            if (endOffset >= 0)
            {
                final long from = committed >= 0 ? committed : logs.startOffset(topic, partition);
                lagRecords = Math.max(0, endOffset - from);
                if (0 == lagRecords)
                {
                    lagMs = 0;
                }
                else
                {
                    final long timestamp = logs.timestampNear(topic, partition, from);
                    lagMs = timestamp < 0 ? -1 : Math.max(0, nowMs - timestamp);
                }
            }
            partitionsOut.next()
                .partition(partition)
                .committedOffset(committed)
                .logEndOffset(endOffset)
                .lagRecords(lagRecords)
                .lagMs(lagMs)
                .topicName(topic)
                .ownerMemberId(p.ownerMemberId());
        }
        e.groupId(d.groupId()).assignor(d.assignor()).message(d.message());
        return e.encodedLength();
    }

    private record Pending(ClientSession session, long clientCorrelationId, int templateId, long deadlineMs)
    {
    }
}
