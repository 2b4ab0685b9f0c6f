package io.aerolog.client;

import io.aerolog.codecs.wire.AdminResponseDecoder;
import io.aerolog.codecs.wire.ConsumerGroupHeartbeatEncoder;
import io.aerolog.codecs.wire.ConsumerGroupHeartbeatResponseDecoder;
import io.aerolog.codecs.wire.DeleteGroupEncoder;
import io.aerolog.codecs.wire.DescribeGroupEncoder;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.GroupDescriptionDecoder;
import io.aerolog.codecs.wire.GroupListDecoder;
import io.aerolog.codecs.wire.LeaveGroupEncoder;
import io.aerolog.codecs.wire.ListGroupsEncoder;
import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import io.aerolog.codecs.wire.OffsetCommitEncoder;
import io.aerolog.codecs.wire.OffsetCommitResponseDecoder;
import io.aerolog.codecs.wire.OffsetFetchEncoder;
import io.aerolog.codecs.wire.OffsetFetchResponseDecoder;
import io.aerolog.codecs.wire.ResetOffsetsEncoder;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes the consumer-group requests and decodes their answers; shared by {@link Consumer}, its heartbeat thread
 * and {@link Admin}. Every call blocks for the answer on the given connection.
 */
final class GroupRequests
{
    private GroupRequests()
    {
    }

    /**
     * The answer to a heartbeat.
     *
     * @param code                NONE or why it failed.
     * @param message             why it failed.
     * @param memberId            the member's id.
     * @param memberEpoch         the member's epoch, for commits.
     * @param heartbeatIntervalMs when to heartbeat next.
     * @param assigned            partitions the member owns now.
     * @param revoke              partitions it must release.
     * @param pending             partitions it will get once released by their owner.
     */
    record HeartbeatAnswer(
        ErrorCode code,
        String message,
        String memberId,
        int memberEpoch,
        int heartbeatIntervalMs,
        List<TopicPartition> assigned,
        List<TopicPartition> revoke,
        List<TopicPartition> pending)
    {
    }

    static HeartbeatAnswer heartbeat(
        final BrokerConnection connection,
        final String groupId,
        final String memberId,
        final String instanceId,
        final String assignor,
        final int rebalanceTimeoutMs,
        final int sessionTimeoutMs,
        final Collection<String> topics,
        final Collection<TopicPartition> owned,
        final long timeoutMs)
    {
        final long correlationId = connection.nextCorrelationId();
        final ConsumerGroupHeartbeatEncoder e = new ConsumerGroupHeartbeatEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId())
            .rebalanceTimeoutMs(rebalanceTimeoutMs)
            .sessionTimeoutMs(sessionTimeoutMs)
            .subscriptionIncluded((short)(null == topics ? 0 : 1))
            .ownedIncluded((short)(null == owned ? 0 : 1));
        final ConsumerGroupHeartbeatEncoder.SubscribedTopicsEncoder subscribed =
            e.subscribedTopicsCount(null == topics ? 0 : topics.size());
        if (null != topics)
        {
            for (final String topic : topics)
            {
                subscribed.next().topicName(topic);
            }
        }
        final ConsumerGroupHeartbeatEncoder.OwnedPartitionsEncoder ownedOut =
            e.ownedPartitionsCount(null == owned ? 0 : owned.size());
        if (null != owned)
        {
            for (final TopicPartition tp : owned)
            {
                ownedOut.next().partition(tp.partition()).topicName(tp.topic());
            }
        }
        e.groupId(groupId).memberId(orEmpty(memberId)).instanceId(orEmpty(instanceId)).assignor(orEmpty(assignor));

        final DirectBuffer response = request(connection, e.encodedLength(), correlationId, timeoutMs);
        final ConsumerGroupHeartbeatResponseDecoder d = new ConsumerGroupHeartbeatResponseDecoder()
            .wrapAndApplyHeader(response, 0, new MessageHeaderDecoder());
        final ErrorCode code = d.code();
        final int memberEpoch = d.memberEpoch();
        d.groupEpoch();
        final int heartbeatIntervalMs = d.heartbeatIntervalMs();
        final List<TopicPartition> assigned = new ArrayList<>();
        for (final ConsumerGroupHeartbeatResponseDecoder.AssignedDecoder p : d.assigned())
        {
            final int partition = p.partition();
            assigned.add(new TopicPartition(p.topicName(), partition));
        }
        final List<TopicPartition> revoke = new ArrayList<>();
        for (final ConsumerGroupHeartbeatResponseDecoder.RevokeDecoder p : d.revoke())
        {
            final int partition = p.partition();
            revoke.add(new TopicPartition(p.topicName(), partition));
        }
        final List<TopicPartition> pending = new ArrayList<>();
        for (final ConsumerGroupHeartbeatResponseDecoder.PendingDecoder p : d.pending())
        {
            final int partition = p.partition();
            pending.add(new TopicPartition(p.topicName(), partition));
        }
        final String newMemberId = d.memberId();
        final String message = d.message();
        return new HeartbeatAnswer(
            code, message, newMemberId, memberEpoch, heartbeatIntervalMs, assigned, revoke, pending);
    }

    static void leave(
        final BrokerConnection connection,
        final String groupId,
        final String memberId,
        final boolean temporary,
        final long timeoutMs)
    {
        final long correlationId = connection.nextCorrelationId();
        final LeaveGroupEncoder e = new LeaveGroupEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId())
            .temporary((short)(temporary ? 1 : 0))
            .groupId(groupId)
            .memberId(memberId);
        checkAdmin(request(connection, e.encodedLength(), correlationId, timeoutMs), "leave group " + groupId);
    }

    /**
     * Encodes a commit into the connection's send buffer.
     *
     * @return the encoded length (without header).
     */
    static int encodeCommit(
        final BrokerConnection connection,
        final long correlationId,
        final String groupId,
        final String memberId,
        final int memberEpoch,
        final Map<TopicPartition, OffsetAndMetadata> offsets)
    {
        final OffsetCommitEncoder e = new OffsetCommitEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId())
            .memberEpoch(memberEpoch);
        final OffsetCommitEncoder.OffsetsEncoder out = e.offsetsCount(offsets.size());
        for (final Map.Entry<TopicPartition, OffsetAndMetadata> entry : offsets.entrySet())
        {
            out.next()
                .partition(entry.getKey().partition())
                .committedOffset(entry.getValue().offset())
                .topicName(entry.getKey().topic())
                .metadata(entry.getValue().metadata());
        }
        e.groupId(groupId).memberId(orEmpty(memberId));
        return e.encodedLength();
    }

    /**
     * Reads a commit's answer.
     *
     * @param response holding an OffsetCommitResponse or ErrorResponse from 0.
     * @return null on success, else the first error.
     */
    static AerologException commitResult(final BrokerConnection connection, final DirectBuffer response)
    {
        try
        {
            connection.throwIfErrorResponse(response);
        }
        catch (final AerologException ex)
        {
            return ex;
        }
        final OffsetCommitResponseDecoder d = new OffsetCommitResponseDecoder()
            .wrapAndApplyHeader(response, 0, new MessageHeaderDecoder());
        final ErrorCode code = d.code();
        final StringBuilder failed = new StringBuilder();
        for (final OffsetCommitResponseDecoder.ResultsDecoder r : d.results())
        {
            final int partition = r.partition();
            final ErrorCode partitionCode = r.code();
            final String topic = r.topicName();
            if (ErrorCode.NONE != partitionCode)
            {
                failed.append(' ').append(topic).append('-').append(partition).append('=').append(partitionCode);
            }
        }
        final String message = d.message();
        return ErrorCode.NONE == code ? null :
            new AerologException(code, "commit failed: " + message + (failed.length() > 0 ? " (" + failed + ")" : ""));
    }

    static void commit(
        final BrokerConnection connection,
        final String groupId,
        final String memberId,
        final int memberEpoch,
        final Map<TopicPartition, OffsetAndMetadata> offsets,
        final long timeoutMs)
    {
        final long correlationId = connection.nextCorrelationId();
        final int length = encodeCommit(connection, correlationId, groupId, memberId, memberEpoch, offsets);
        final DirectBuffer response = connection.request(
            MessageHeaderEncoder.ENCODED_LENGTH + length, correlationId, timeoutMs, null);
        final AerologException error = commitResult(connection, response);
        if (null != error)
        {
            throw error;
        }
    }

    static Map<TopicPartition, OffsetAndMetadata> fetchOffsets(
        final BrokerConnection connection,
        final String groupId,
        final Collection<TopicPartition> partitions,
        final long timeoutMs)
    {
        final long correlationId = connection.nextCorrelationId();
        final OffsetFetchEncoder e = new OffsetFetchEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId());
        final OffsetFetchEncoder.PartitionsEncoder out = e.partitionsCount(partitions.size());
        for (final TopicPartition tp : partitions)
        {
            out.next().partition(tp.partition()).topicName(tp.topic());
        }
        e.groupId(groupId);
        final DirectBuffer response = request(connection, e.encodedLength(), correlationId, timeoutMs);
        final OffsetFetchResponseDecoder d = new OffsetFetchResponseDecoder()
            .wrapAndApplyHeader(response, 0, new MessageHeaderDecoder());
        final ErrorCode code = d.code();
        final Map<TopicPartition, OffsetAndMetadata> result = new LinkedHashMap<>();
        for (final OffsetFetchResponseDecoder.OffsetsDecoder o : d.offsets())
        {
            final int partition = o.partition();
            final long offset = o.committedOffset();
            final String topic = o.topicName();
            final String metadata = o.metadata();
            if (offset >= 0)
            {
                result.put(new TopicPartition(topic, partition), new OffsetAndMetadata(offset, metadata));
            }
        }
        final String message = d.message();
        check(code, message);
        return result;
    }

    static List<GroupListing> listGroups(final BrokerConnection connection, final long timeoutMs)
    {
        final long correlationId = connection.nextCorrelationId();
        final ListGroupsEncoder e = new ListGroupsEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId());
        final DirectBuffer response = request(connection, e.encodedLength(), correlationId, timeoutMs);
        final GroupListDecoder d = new GroupListDecoder().wrapAndApplyHeader(response, 0, new MessageHeaderDecoder());
        final ErrorCode code = d.code();
        final List<GroupListing> groups = new ArrayList<>();
        for (final GroupListDecoder.GroupsDecoder g : d.groups())
        {
            final int members = g.memberCount();
            final int epoch = g.groupEpoch();
            groups.add(new GroupListing(g.groupId(), members, epoch));
        }
        check(code, "list groups");
        return groups;
    }

    static GroupInfo describeGroup(final BrokerConnection connection, final String groupId, final long timeoutMs)
    {
        final long correlationId = connection.nextCorrelationId();
        final DescribeGroupEncoder e = new DescribeGroupEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId())
            .groupId(groupId);
        final DirectBuffer response = request(connection, e.encodedLength(), correlationId, timeoutMs);
        final GroupDescriptionDecoder d = new GroupDescriptionDecoder()
            .wrapAndApplyHeader(response, 0, new MessageHeaderDecoder());
        final ErrorCode code = d.code();
        final int groupEpoch = d.groupEpoch();
        final List<GroupInfo.Member> members = new ArrayList<>();
        for (final GroupDescriptionDecoder.MembersDecoder m : d.members())
        {
            final int epoch = m.memberEpoch();
            final String memberId = m.memberId();
            members.add(new GroupInfo.Member(memberId, m.instanceId(), epoch));
        }
        final List<GroupInfo.PartitionLag> partitions = new ArrayList<>();
        for (final GroupDescriptionDecoder.PartitionsDecoder p : d.partitions())
        {
            final int partition = p.partition();
            final long committed = p.committedOffset();
            final long logEnd = p.logEndOffset();
            final long lagRecords = p.lagRecords();
            final long lagMs = p.lagMs();
            final String topic = p.topicName();
            final String owner = p.ownerMemberId();
            partitions.add(new GroupInfo.PartitionLag(
                new TopicPartition(topic, partition), owner, committed, logEnd, lagRecords, lagMs));
        }
        final String id = d.groupId();
        final String assignor = d.assignor();
        final String message = d.message();
        check(code, message);
        return new GroupInfo(id, groupEpoch, assignor, members, partitions);
    }

    static void resetOffsets(
        final BrokerConnection connection,
        final String groupId,
        final Map<TopicPartition, Long> offsets,
        final long timeoutMs)
    {
        final long correlationId = connection.nextCorrelationId();
        final ResetOffsetsEncoder e = new ResetOffsetsEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId());
        final ResetOffsetsEncoder.OffsetsEncoder out = e.offsetsCount(offsets.size());
        for (final Map.Entry<TopicPartition, Long> entry : offsets.entrySet())
        {
            out.next().partition(entry.getKey().partition()).committedOffset(entry.getValue())
                .topicName(entry.getKey().topic());
        }
        e.groupId(groupId);
        checkAdmin(request(connection, e.encodedLength(), correlationId, timeoutMs), "reset offsets of " + groupId);
    }

    static void deleteGroup(final BrokerConnection connection, final String groupId, final long timeoutMs)
    {
        final long correlationId = connection.nextCorrelationId();
        final DeleteGroupEncoder e = new DeleteGroupEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId())
            .groupId(groupId);
        checkAdmin(request(connection, e.encodedLength(), correlationId, timeoutMs), "delete group " + groupId);
    }

    private static DirectBuffer request(
        final BrokerConnection connection, final int encodedLength, final long correlationId, final long timeoutMs)
    {
        final DirectBuffer response = connection.request(
            MessageHeaderEncoder.ENCODED_LENGTH + encodedLength, correlationId, timeoutMs, null);
        connection.throwIfErrorResponse(response);
        return response;
    }

    private static void checkAdmin(final DirectBuffer response, final String what)
    {
        final AdminResponseDecoder d = new AdminResponseDecoder().wrapAndApplyHeader(
            response, 0, new MessageHeaderDecoder());
        final ErrorCode code = d.code();
        check(code, what + ": " + d.message());
    }

    private static void check(final ErrorCode code, final String message)
    {
        if (ErrorCode.NONE != code)
        {
            throw new AerologException(code, message);
        }
    }

    private static String orEmpty(final String value)
    {
        return null == value ? "" : value;
    }
}
