package io.aerolog.cluster;

import io.aerolog.cluster.group.GroupCoordinator;
import io.aerolog.cluster.group.GroupDescription;
import io.aerolog.cluster.group.GroupErrors;
import io.aerolog.cluster.group.HeartbeatResult;
import io.aerolog.cluster.group.OffsetAndMetadata;
import io.aerolog.cluster.group.TopicPartition;
import io.aerolog.cluster.group.TopicPartitionCounts;
import io.aerolog.codecs.wire.AdminResponseEncoder;
import io.aerolog.codecs.wire.ConsumerGroupHeartbeatDecoder;
import io.aerolog.codecs.wire.ConsumerGroupHeartbeatResponseEncoder;
import io.aerolog.codecs.wire.DeleteGroupDecoder;
import io.aerolog.codecs.wire.DescribeGroupDecoder;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.ErrorResponseEncoder;
import io.aerolog.codecs.wire.GroupDescriptionEncoder;
import io.aerolog.codecs.wire.GroupListEncoder;
import io.aerolog.codecs.wire.LeaveGroupDecoder;
import io.aerolog.codecs.wire.ListGroupsDecoder;
import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import io.aerolog.codecs.wire.OffsetCommitDecoder;
import io.aerolog.codecs.wire.OffsetCommitResponseEncoder;
import io.aerolog.codecs.wire.OffsetFetchDecoder;
import io.aerolog.codecs.wire.OffsetFetchResponseEncoder;
import io.aerolog.codecs.wire.ResetOffsetsDecoder;
import io.aerolog.transport.FrameValidator;
import io.aerolog.transport.Wire;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Decodes a client's consumer-group request (a wire-schema message with its header, as a broker forwards it),
 * applies it to the {@link GroupCoordinator} and encodes the wire-schema answer, which echoes the request's
 * correlation id. No Aeron types: the {@link ControllerService} feeds it, benchmarks and tests drive it directly.
 * <p>
 * A request is checked by {@link FrameValidator#wire()} (every declared length within the request) and decoded whole
 * before anything is applied, so a truncated or malformed one changes nothing: it is counted and answered with
 * {@code ErrorResponse(CORRUPT_MESSAGE)} ({@code UNSUPPORTED_VERSION} for a newer schema version,
 * {@code INVALID_REQUEST} for a wire message that is not a group request or names a group, member, instance, topic or
 * assignor longer than {@link Wire#MAX_NAME_LENGTH} bytes). Members are bound to the session that joined them
 * (the broker's connection and the client's session on it); a request for a member from another session is answered
 * {@code UNKNOWN_MEMBER_ID}. Deterministic: the answer depends only on the request, the session ids, the state and
 * the cluster time given. <b>Not thread-safe.</b>
 */
public final class GroupRequestHandler
{
    /**
     * Default heartbeat interval told to members.
     */
    public static final int HEARTBEAT_INTERVAL_MS_DEFAULT = 250;

    /**
     * Shortest session timeout accepted.
     */
    public static final int MIN_SESSION_TIMEOUT_MS = 1_000;

    /**
     * Longest session timeout accepted.
     */
    public static final int MAX_SESSION_TIMEOUT_MS = 300_000;

    /**
     * Longest group, member, instance id, topic or assignor name accepted, in UTF-8 bytes.
     */
    public static final int MAX_ID_LENGTH = Wire.MAX_NAME_LENGTH;

    /**
     * Correlation id of an answer to a request whose correlation id could not be read.
     */
    public static final long UNKNOWN_CORRELATION_ID = -1;

    /**
     * Most entries of a repeating group in an answer (SBE {@code numInGroup} is a uint16); a longer list is cut
     * and the answer's message says so.
     */
    public static final int MAX_GROUP_ENTRIES = 65_534;

    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    private static final int CLIENT_SESSION_ID_OFFSET = HEADER_LENGTH + Long.BYTES;
    private static final String NAME_TOO_LONG =
        "group, member, instance id, topic and assignor names must be at most " + MAX_ID_LENGTH + " bytes";

    private final GroupCoordinator coordinator;
    private final TopicPartitionCounts counts;
    private final int heartbeatIntervalMs;
    private final FrameValidator validator = FrameValidator.wire();
    private final ExpandableArrayBuffer answer = new ExpandableArrayBuffer(1024);
    private final UnsafeBuffer request = new UnsafeBuffer(0, 0);
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final ConsumerGroupHeartbeatDecoder heartbeatDecoder = new ConsumerGroupHeartbeatDecoder();
    private final LeaveGroupDecoder leaveDecoder = new LeaveGroupDecoder();
    private final OffsetCommitDecoder commitDecoder = new OffsetCommitDecoder();
    private final OffsetFetchDecoder fetchDecoder = new OffsetFetchDecoder();
    private final ListGroupsDecoder listDecoder = new ListGroupsDecoder();
    private final DescribeGroupDecoder describeDecoder = new DescribeGroupDecoder();
    private final ResetOffsetsDecoder resetDecoder = new ResetOffsetsDecoder();
    private final DeleteGroupDecoder deleteDecoder = new DeleteGroupDecoder();
    private final ConsumerGroupHeartbeatResponseEncoder heartbeatEncoder = new ConsumerGroupHeartbeatResponseEncoder();
    private final OffsetCommitResponseEncoder commitEncoder = new OffsetCommitResponseEncoder();
    private final OffsetFetchResponseEncoder fetchEncoder = new OffsetFetchResponseEncoder();
    private final GroupListEncoder listEncoder = new GroupListEncoder();
    private final GroupDescriptionEncoder describeEncoder = new GroupDescriptionEncoder();
    private final AdminResponseEncoder adminEncoder = new AdminResponseEncoder();
    private final ErrorResponseEncoder errorEncoder = new ErrorResponseEncoder();
    private final ArrayList<String> topics = new ArrayList<>();
    private final ArrayList<TopicPartition> partitions = new ArrayList<>();
    private final ArrayList<String> metadata = new ArrayList<>();
    private final LongArrayList offsets = new LongArrayList();
    private final int[] commitCodes = new int[MAX_GROUP_ENTRIES + 1];
    private boolean isApplying;
    private long sessionId;
    private long clientSessionId;
    private long handledRequests;
    private long malformedRequests;
    private long internalErrors;

    /**
     * Create a handler for a coordinator.
     *
     * @param coordinator         to apply requests to.
     * @param counts              partition counts of topics, as the coordinator's.
     * @param heartbeatIntervalMs told to members in every heartbeat answer, {@code > 0}.
     */
    public GroupRequestHandler(
        final GroupCoordinator coordinator, final TopicPartitionCounts counts, final int heartbeatIntervalMs)
    {
        if (heartbeatIntervalMs <= 0)
        {
            throw new IllegalArgumentException("heartbeatIntervalMs must be > 0: " + heartbeatIntervalMs);
        }

        this.coordinator = coordinator;
        this.counts = counts;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
    }

    /**
     * Handle one request of no particular session ({@link GroupCoordinator#NO_SESSION}) and encode its answer at
     * offset 0 of {@link #answerBuffer()}.
     *
     * @param buffer holding the request.
     * @param offset of the request's message header.
     * @param length of the request including its header.
     * @param nowMs  cluster time in ms.
     * @return length of the answer, including its header.
     */
    public int handle(final DirectBuffer buffer, final int offset, final int length, final long nowMs)
    {
        return handle(buffer, offset, length, GroupCoordinator.NO_SESSION, nowMs);
    }

    /**
     * Handle one request and encode its answer at offset 0 of {@link #answerBuffer()}. Never throws: a request that
     * fails unexpectedly is answered {@code INTERNAL_ERROR} and counted.
     *
     * @param buffer    holding the request.
     * @param offset    of the request's message header.
     * @param length    of the request including its header.
     * @param sessionId of the connection the request came on; with the request's own client session id it names
     *                  the session its members are bound to.
     * @param nowMs     cluster time in ms.
     * @return length of the answer, including its header.
     */
    public int handle(
        final DirectBuffer buffer, final int offset, final int length, final long sessionId, final long nowMs)
    {
        handledRequests++;
        isApplying = false;
        this.sessionId = sessionId;
        this.clientSessionId = GroupCoordinator.NO_SESSION;
        if (length < HEADER_LENGTH)
        {
            return malformed(UNKNOWN_CORRELATION_ID, ErrorCode.CORRUPT_MESSAGE, "request shorter than header: " +
                length);
        }

        // A view of exactly the request: reading past it fails on bounds instead of reading the next message.
        request.wrap(buffer, offset, length);
        headerDecoder.wrap(request, 0);
        final int schemaId = headerDecoder.schemaId();
        final int version = headerDecoder.version();
        final int templateId = headerDecoder.templateId();
        final int blockLength = headerDecoder.blockLength();
        if (MessageHeaderDecoder.SCHEMA_ID != schemaId)
        {
            return malformed(UNKNOWN_CORRELATION_ID, ErrorCode.CORRUPT_MESSAGE, "not a wire message: schemaId=" +
                schemaId);
        }

        // Every group request starts with its correlation id: answer with it whenever it can be read.
        final long correlationId = blockLength >= Long.BYTES && length >= HEADER_LENGTH + Long.BYTES ?
            request.getLong(HEADER_LENGTH, ByteOrder.LITTLE_ENDIAN) : UNKNOWN_CORRELATION_ID;
        if (version > MessageHeaderDecoder.SCHEMA_VERSION)
        {
            return malformed(correlationId, ErrorCode.UNSUPPORTED_VERSION, "wire schema version " + version +
                " is newer than " + MessageHeaderDecoder.SCHEMA_VERSION);
        }

        if (length < HEADER_LENGTH + blockLength)
        {
            return malformed(correlationId, ErrorCode.CORRUPT_MESSAGE, "request shorter than its block: " + length);
        }

        if (!isGroupRequest(templateId))
        {
            return malformed(correlationId, ErrorCode.INVALID_REQUEST, "not a group request: template " + templateId);
        }

        // Before any decoder: a declared length beyond the request would make a getter allocate or read past it.
        final String problem = validator.check(request, 0, length);
        if (null != problem)
        {
            return malformed(correlationId, ErrorCode.CORRUPT_MESSAGE, problem);
        }

        if (blockLength >= 2 * Long.BYTES)
        {
            clientSessionId = request.getLong(CLIENT_SESSION_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
        }

        try
        {
            return dispatch(templateId, blockLength, version, nowMs);
        }
        catch (final Throwable ex)
        {
            if (isApplying)
            {
                // Not the request's fault; the same on every replica, as the state and the request are.
                internalErrors++;
                return errorResponse(correlationId, ErrorCode.INTERNAL_ERROR, ex.toString());
            }

            return malformed(correlationId, ErrorCode.CORRUPT_MESSAGE, "malformed request: " + ex);
        }
    }

    /**
     * The buffer the last answer was encoded into, from offset 0.
     *
     * @return the buffer of the last answer.
     */
    public MutableDirectBuffer answerBuffer()
    {
        return answer;
    }

    /**
     * Number of requests handled, whatever their outcome.
     *
     * @return number of requests handled.
     */
    public long handledRequests()
    {
        return handledRequests;
    }

    /**
     * Number of requests that could not be decoded (truncated, unknown schema, version or template).
     *
     * @return number of malformed requests.
     */
    public long malformedRequests()
    {
        return malformedRequests;
    }

    /**
     * Number of well-formed requests whose application failed unexpectedly (a bug), answered with
     * {@code INTERNAL_ERROR}.
     *
     * @return number of internal errors.
     */
    public long internalErrors()
    {
        return internalErrors;
    }

    private static boolean isGroupRequest(final int templateId)
    {
        switch (templateId)
        {
            case ConsumerGroupHeartbeatDecoder.TEMPLATE_ID:
            case LeaveGroupDecoder.TEMPLATE_ID:
            case OffsetCommitDecoder.TEMPLATE_ID:
            case OffsetFetchDecoder.TEMPLATE_ID:
            case ListGroupsDecoder.TEMPLATE_ID:
            case DescribeGroupDecoder.TEMPLATE_ID:
            case ResetOffsetsDecoder.TEMPLATE_ID:
            case DeleteGroupDecoder.TEMPLATE_ID:
                return true;
            default:
                return false;
        }
    }

    private int dispatch(final int templateId, final int blockLength, final int version, final long nowMs)
    {
        switch (templateId)
        {
            case ConsumerGroupHeartbeatDecoder.TEMPLATE_ID:
                checkBlock(blockLength, ConsumerGroupHeartbeatDecoder.BLOCK_LENGTH);
                heartbeatDecoder.wrap(request, HEADER_LENGTH, blockLength, version);
                return onHeartbeat(heartbeatDecoder, nowMs);

            case LeaveGroupDecoder.TEMPLATE_ID:
                checkBlock(blockLength, LeaveGroupDecoder.BLOCK_LENGTH);
                leaveDecoder.wrap(request, HEADER_LENGTH, blockLength, version);
                return onLeave(leaveDecoder, nowMs);

            case OffsetCommitDecoder.TEMPLATE_ID:
                checkBlock(blockLength, OffsetCommitDecoder.BLOCK_LENGTH);
                commitDecoder.wrap(request, HEADER_LENGTH, blockLength, version);
                return onCommit(commitDecoder);

            case OffsetFetchDecoder.TEMPLATE_ID:
                checkBlock(blockLength, OffsetFetchDecoder.BLOCK_LENGTH);
                fetchDecoder.wrap(request, HEADER_LENGTH, blockLength, version);
                return onFetch(fetchDecoder);

            case ListGroupsDecoder.TEMPLATE_ID:
                checkBlock(blockLength, ListGroupsDecoder.BLOCK_LENGTH);
                listDecoder.wrap(request, HEADER_LENGTH, blockLength, version);
                return onList(listDecoder.correlationId());

            case DescribeGroupDecoder.TEMPLATE_ID:
                checkBlock(blockLength, DescribeGroupDecoder.BLOCK_LENGTH);
                describeDecoder.wrap(request, HEADER_LENGTH, blockLength, version);
                final long describeCorrelationId = describeDecoder.correlationId();
                final String describeGroupId = describeDecoder.groupId();
                if (isTooLong(describeGroupId))
                {
                    return invalid(describeCorrelationId);
                }
                return onDescribe(describeCorrelationId, describeGroupId);

            case ResetOffsetsDecoder.TEMPLATE_ID:
                checkBlock(blockLength, ResetOffsetsDecoder.BLOCK_LENGTH);
                resetDecoder.wrap(request, HEADER_LENGTH, blockLength, version);
                return onReset(resetDecoder);

            case DeleteGroupDecoder.TEMPLATE_ID:
                checkBlock(blockLength, DeleteGroupDecoder.BLOCK_LENGTH);
                deleteDecoder.wrap(request, HEADER_LENGTH, blockLength, version);
                final long correlationId = deleteDecoder.correlationId();
                final String groupId = deleteDecoder.groupId();
                if (isTooLong(groupId))
                {
                    return invalid(correlationId);
                }
                isApplying = true;
                final int code = coordinator.deleteGroup(groupId);
                return adminResponse(correlationId, code);

            default:
                final long unknownCorrelationId = blockLength >= Long.BYTES ?
                    request.getLong(HEADER_LENGTH, ByteOrder.LITTLE_ENDIAN) : UNKNOWN_CORRELATION_ID;
                return malformed(unknownCorrelationId, ErrorCode.INVALID_REQUEST,
                    "not a consumer group request: templateId=" + templateId);
        }
    }

    private int onHeartbeat(final ConsumerGroupHeartbeatDecoder decoder, final long nowMs)
    {
        final long correlationId = decoder.correlationId();
        final int rebalanceTimeoutMs = decoder.rebalanceTimeoutMs();
        final int sessionTimeoutMs = decoder.sessionTimeoutMs();
        final boolean isSubscriptionIncluded = 0 != decoder.subscriptionIncluded();
        final boolean isOwnedIncluded = 0 != decoder.ownedIncluded();
        topics.clear();
        for (final ConsumerGroupHeartbeatDecoder.SubscribedTopicsDecoder topic : decoder.subscribedTopics())
        {
            topics.add(topic.topicName());
        }
        partitions.clear();
        for (final ConsumerGroupHeartbeatDecoder.OwnedPartitionsDecoder owned : decoder.ownedPartitions())
        {
            final int partition = owned.partition();
            partitions.add(new TopicPartition(owned.topicName(), partition));
        }
        final String groupId = decoder.groupId();
        final String memberId = decoder.memberId();
        final String instanceId = decoder.instanceId();
        final String assignor = decoder.assignor();

        isApplying = true;
        final HeartbeatResult result;
        if (sessionTimeoutMs < MIN_SESSION_TIMEOUT_MS || sessionTimeoutMs > MAX_SESSION_TIMEOUT_MS)
        {
            result = heartbeatError("sessionTimeoutMs must be in [" + MIN_SESSION_TIMEOUT_MS + ", " +
                MAX_SESSION_TIMEOUT_MS + "]: " + sessionTimeoutMs);
        }
        else if (rebalanceTimeoutMs <= 0)
        {
            result = heartbeatError("rebalanceTimeoutMs must be > 0: " + rebalanceTimeoutMs);
        }
        else if (isTooLong(groupId) || isTooLong(memberId) || isTooLong(instanceId) || isTooLong(assignor) ||
            anyTooLong(topics) || anyPartitionTopicTooLong())
        {
            result = heartbeatError(NAME_TOO_LONG);
        }
        else
        {
            result = coordinator.heartbeat(
                groupId,
                memberId,
                instanceId,
                isSubscriptionIncluded ? topics : null,
                isOwnedIncluded ? partitions : null,
                rebalanceTimeoutMs,
                sessionTimeoutMs,
                assignor,
                sessionId,
                clientSessionId,
                nowMs);
        }

        final ConsumerGroupHeartbeatResponseEncoder encoder = heartbeatEncoder
            .wrapAndApplyHeader(answer, 0, headerEncoder)
            .correlationId(correlationId)
            .code(GroupErrors.toWireCode(result.errorCode()))
            .memberEpoch(result.memberEpoch())
            .groupEpoch(result.groupEpoch())
            .heartbeatIntervalMs(heartbeatIntervalMs);

        final List<TopicPartition> assigned = result.assigned();
        final ConsumerGroupHeartbeatResponseEncoder.AssignedEncoder assignedEncoder =
            encoder.assignedCount(assigned.size());
        for (int i = 0, size = assigned.size(); i < size; i++)
        {
            final TopicPartition tp = assigned.get(i);
            assignedEncoder.next().partition(tp.partition()).topicName(tp.topic());
        }

        final List<TopicPartition> revoke = result.revoke();
        final ConsumerGroupHeartbeatResponseEncoder.RevokeEncoder revokeEncoder = encoder.revokeCount(revoke.size());
        for (int i = 0, size = revoke.size(); i < size; i++)
        {
            final TopicPartition tp = revoke.get(i);
            revokeEncoder.next().partition(tp.partition()).topicName(tp.topic());
        }

        final List<TopicPartition> pending = result.pending();
        final ConsumerGroupHeartbeatResponseEncoder.PendingEncoder pendingEncoder =
            encoder.pendingCount(pending.size());
        for (int i = 0, size = pending.size(); i < size; i++)
        {
            final TopicPartition tp = pending.get(i);
            pendingEncoder.next().partition(tp.partition()).topicName(tp.topic());
        }

        encoder.memberId(result.memberId()).message(result.errorMessage());

        return HEADER_LENGTH + encoder.encodedLength();
    }

    private int onLeave(final LeaveGroupDecoder decoder, final long nowMs)
    {
        final long correlationId = decoder.correlationId();
        final boolean isTemporary = 0 != decoder.temporary();
        final String groupId = decoder.groupId();
        final String memberId = decoder.memberId();

        if (isTooLong(groupId) || isTooLong(memberId))
        {
            return invalid(correlationId);
        }

        isApplying = true;
        return adminResponse(
            correlationId, coordinator.leave(groupId, memberId, isTemporary, sessionId, clientSessionId, nowMs));
    }

    private int onCommit(final OffsetCommitDecoder decoder)
    {
        final long correlationId = decoder.correlationId();
        final int memberEpoch = decoder.memberEpoch();
        partitions.clear();
        offsets.clear();
        metadata.clear();
        for (final OffsetCommitDecoder.OffsetsDecoder entry : decoder.offsets())
        {
            final int partition = entry.partition();
            offsets.addLong(entry.committedOffset());
            partitions.add(new TopicPartition(entry.topicName(), partition));
            metadata.add(entry.metadata());
        }
        final String groupId = decoder.groupId();
        final String memberId = decoder.memberId();
        if (isTooLong(groupId) || isTooLong(memberId) || anyPartitionTopicTooLong())
        {
            return invalid(correlationId);
        }

        isApplying = true;
        int firstError = GroupErrors.NONE;
        String firstMessage = null;
        final int size = partitions.size();
        for (int i = 0; i < size; i++)
        {
            final TopicPartition tp = partitions.get(i);
            final int code = coordinator.commitOffset(
                groupId, memberId, memberEpoch, tp.topic(), tp.partition(), offsets.getLong(i), metadata.get(i),
                sessionId, clientSessionId);
            commitCodes[i] = code;
            if (GroupErrors.NONE != code && GroupErrors.NONE == firstError)
            {
                firstError = code;
                firstMessage = coordinator.lastErrorMessage();
            }
        }

        final OffsetCommitResponseEncoder encoder = commitEncoder
            .wrapAndApplyHeader(answer, 0, headerEncoder)
            .correlationId(correlationId)
            .code(GroupErrors.toWireCode(firstError));
        final OffsetCommitResponseEncoder.ResultsEncoder results = encoder.resultsCount(size);
        for (int i = 0; i < size; i++)
        {
            final TopicPartition tp = partitions.get(i);
            results.next().partition(tp.partition()).code(GroupErrors.toWireCode(commitCodes[i]))
                .topicName(tp.topic());
        }
        encoder.message(firstMessage);

        return HEADER_LENGTH + encoder.encodedLength();
    }

    private int onFetch(final OffsetFetchDecoder decoder)
    {
        final long correlationId = decoder.correlationId();
        partitions.clear();
        for (final OffsetFetchDecoder.PartitionsDecoder entry : decoder.partitions())
        {
            final int partition = entry.partition();
            partitions.add(new TopicPartition(entry.topicName(), partition));
        }
        final String groupId = decoder.groupId();
        if (isTooLong(groupId) || anyPartitionTopicTooLong())
        {
            return invalid(correlationId);
        }

        isApplying = true;
        final OffsetFetchResponseEncoder encoder = fetchEncoder
            .wrapAndApplyHeader(answer, 0, headerEncoder)
            .correlationId(correlationId)
            .code(ErrorCode.NONE);
        String message = null;
        if (partitions.isEmpty())
        {
            final SortedMap<TopicPartition, OffsetAndMetadata> committed = coordinator.committedOffsets(groupId);
            final int size = null == committed ? 0 : Math.min(committed.size(), MAX_GROUP_ENTRIES);
            final OffsetFetchResponseEncoder.OffsetsEncoder entries = encoder.offsetsCount(size);
            if (size > 0)
            {
                int i = 0;
                for (final Map.Entry<TopicPartition, OffsetAndMetadata> entry : committed.entrySet())
                {
                    if (i++ == size)
                    {
                        break;
                    }
                    entries.next()
                        .partition(entry.getKey().partition())
                        .committedOffset(entry.getValue().offset())
                        .topicName(entry.getKey().topic())
                        .metadata(entry.getValue().metadata());
                }
                if (committed.size() > size)
                {
                    message = "cut to the first " + size + " of " + committed.size() + " committed partitions";
                }
            }
        }
        else
        {
            final int size = partitions.size();
            final OffsetFetchResponseEncoder.OffsetsEncoder entries = encoder.offsetsCount(size);
            for (int i = 0; i < size; i++)
            {
                final TopicPartition tp = partitions.get(i);
                final OffsetAndMetadata committed = coordinator.committed(groupId, tp.topic(), tp.partition());
                entries.next()
                    .partition(tp.partition())
                    .committedOffset(null == committed ? GroupCoordinator.NO_OFFSET : committed.offset())
                    .topicName(tp.topic())
                    .metadata(null == committed ? "" : committed.metadata());
            }
        }
        encoder.message(message);

        return HEADER_LENGTH + encoder.encodedLength();
    }

    private int onList(final long correlationId)
    {
        isApplying = true;
        final List<String> groupIds = coordinator.listGroups();
        final int size = Math.min(groupIds.size(), MAX_GROUP_ENTRIES);
        final GroupListEncoder encoder = listEncoder
            .wrapAndApplyHeader(answer, 0, headerEncoder)
            .correlationId(correlationId)
            .code(ErrorCode.NONE);
        final GroupListEncoder.GroupsEncoder groups = encoder.groupsCount(size);
        for (int i = 0; i < size; i++)
        {
            final String groupId = groupIds.get(i);
            groups.next()
                .memberCount(coordinator.memberCount(groupId))
                .groupEpoch(coordinator.groupEpoch(groupId))
                .groupId(groupId);
        }

        return HEADER_LENGTH + encoder.encodedLength();
    }

    private int onDescribe(final long correlationId, final String groupId)
    {
        isApplying = true;
        final GroupDescription description = coordinator.describe(groupId);
        final GroupDescriptionEncoder encoder = describeEncoder
            .wrapAndApplyHeader(answer, 0, headerEncoder)
            .correlationId(correlationId);
        if (null == description)
        {
            encoder.code(GroupErrors.toWireCode(GroupErrors.UNKNOWN_GROUP)).groupEpoch(-1);
            encoder.membersCount(0);
            encoder.partitionsCount(0);
            encoder.groupId(groupId).assignor("").message("unknown group: " + groupId);

            return HEADER_LENGTH + encoder.encodedLength();
        }

        // Every partition of a subscribed topic and every committed partition, with its owner if any.
        final TreeMap<TopicPartition, String> owners = new TreeMap<>();
        for (final GroupDescription.MemberDescription member : description.members())
        {
            for (final String topic : member.subscribedTopics())
            {
                final int partitionCount = counts.partitionCount(topic);
                for (int p = 0; p < partitionCount; p++)
                {
                    owners.put(new TopicPartition(topic, p), "");
                }
            }
        }
        for (final TopicPartition tp : description.committedOffsets().keySet())
        {
            owners.put(tp, "");
        }
        for (final GroupDescription.MemberDescription member : description.members())
        {
            for (final TopicPartition tp : member.owned())
            {
                owners.put(tp, member.memberId());
            }
        }

        encoder.code(ErrorCode.NONE).groupEpoch(description.groupEpoch());
        final List<GroupDescription.MemberDescription> members = description.members();
        final GroupDescriptionEncoder.MembersEncoder membersEncoder = encoder.membersCount(members.size());
        for (final GroupDescription.MemberDescription member : members)
        {
            membersEncoder.next()
                .memberEpoch(member.memberEpoch())
                .memberId(member.memberId())
                .instanceId(null == member.instanceId() ? "" : member.instanceId());
        }

        final int size = Math.min(owners.size(), MAX_GROUP_ENTRIES);
        final GroupDescriptionEncoder.PartitionsEncoder partitionsEncoder = encoder.partitionsCount(size);
        int i = 0;
        for (final Map.Entry<TopicPartition, String> entry : owners.entrySet())
        {
            if (i++ == size)
            {
                break;
            }
            final TopicPartition tp = entry.getKey();
            final OffsetAndMetadata committed = description.committedOffsets().get(tp);
            partitionsEncoder.next()
                .partition(tp.partition())
                .committedOffset(null == committed ? GroupCoordinator.NO_OFFSET : committed.offset())
                .logEndOffset(-1)
                .lagRecords(-1)
                .lagMs(-1)
                .topicName(tp.topic())
                .ownerMemberId(entry.getValue());
        }

        encoder.groupId(description.groupId())
            .assignor(coordinator.assignorName(groupId))
            .message(owners.size() > size ? "cut to the first " + size + " of " + owners.size() + " partitions" : "");

        return HEADER_LENGTH + encoder.encodedLength();
    }

    private int onReset(final ResetOffsetsDecoder decoder)
    {
        final long correlationId = decoder.correlationId();
        partitions.clear();
        offsets.clear();
        for (final ResetOffsetsDecoder.OffsetsDecoder entry : decoder.offsets())
        {
            final int partition = entry.partition();
            offsets.addLong(entry.committedOffset());
            partitions.add(new TopicPartition(entry.topicName(), partition));
        }
        final String groupId = decoder.groupId();
        if (isTooLong(groupId) || anyPartitionTopicTooLong())
        {
            return invalid(correlationId);
        }

        isApplying = true;
        final long[] values = new long[partitions.size()];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = offsets.getLong(i);
        }

        return adminResponse(correlationId, coordinator.resetOffsets(groupId, partitions, values));
    }

    private int adminResponse(final long correlationId, final int code)
    {
        adminEncoder.wrapAndApplyHeader(answer, 0, headerEncoder)
            .correlationId(correlationId)
            .code(GroupErrors.toWireCode(code))
            .message(GroupErrors.NONE == code ? "" : coordinator.lastErrorMessage());

        return HEADER_LENGTH + adminEncoder.encodedLength();
    }

    private HeartbeatResult heartbeatError(final String message)
    {
        return new HeartbeatResult(GroupErrors.INVALID_REQUEST, message, null, -1, -1, List.of(), List.of(), List.of());
    }

    private int invalid(final long correlationId)
    {
        return malformed(correlationId, ErrorCode.INVALID_REQUEST, NAME_TOO_LONG);
    }

    private boolean anyPartitionTopicTooLong()
    {
        for (int i = 0, size = partitions.size(); i < size; i++)
        {
            if (isTooLong(partitions.get(i).topic()))
            {
                return true;
            }
        }

        return false;
    }

    private static boolean anyTooLong(final List<String> names)
    {
        for (int i = 0, size = names.size(); i < size; i++)
        {
            if (isTooLong(names.get(i)))
            {
                return true;
            }
        }

        return false;
    }

    private int malformed(final long correlationId, final ErrorCode code, final String message)
    {
        malformedRequests++;

        return errorResponse(correlationId, code, message);
    }

    private int errorResponse(final long correlationId, final ErrorCode code, final String message)
    {
        errorEncoder.wrapAndApplyHeader(answer, 0, headerEncoder)
            .correlationId(correlationId)
            .code(code)
            .message(message);

        return HEADER_LENGTH + errorEncoder.encodedLength();
    }

    private static void checkBlock(final int blockLength, final int minBlockLength)
    {
        if (blockLength < minBlockLength)
        {
            throw new IllegalArgumentException("blockLength " + blockLength + " < " + minBlockLength);
        }
    }

    // In UTF-8 bytes, as the wire carries names, without encoding the string.
    static boolean isTooLong(final String value)
    {
        if (null == value || value.length() <= MAX_ID_LENGTH / 3)
        {
            return false;
        }

        if (value.length() > MAX_ID_LENGTH)
        {
            return true;
        }

        int bytes = 0;
        for (int i = 0, length = value.length(); i < length; i++)
        {
            final char c = value.charAt(i);
            if (c < 0x80)
            {
                bytes++;
            }
            else if (c < 0x800)
            {
                bytes += 2;
            }
            else if (Character.isHighSurrogate(c))
            {
                bytes += 4;
                i++;
            }
            else
            {
                bytes += 3;
            }
        }

        return bytes > MAX_ID_LENGTH;
    }
}
