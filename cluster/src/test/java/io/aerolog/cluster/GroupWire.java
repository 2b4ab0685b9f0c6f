package io.aerolog.cluster;

import io.aerolog.cluster.group.TopicPartition;
import io.aerolog.codecs.wire.AdminResponseDecoder;
import io.aerolog.codecs.wire.ConsumerGroupHeartbeatEncoder;
import io.aerolog.codecs.wire.ConsumerGroupHeartbeatResponseDecoder;
import io.aerolog.codecs.wire.DeleteGroupEncoder;
import io.aerolog.codecs.wire.DescribeGroupEncoder;
import io.aerolog.codecs.wire.ErrorResponseDecoder;
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
import org.agrona.MutableDirectBuffer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Test helper: encodes the wire-schema consumer-group requests as a client sends them and decodes the answers into
 * plain records. Allocates freely.
 */
final class GroupWire
{
    static final int SESSION_TIMEOUT_MS = 300_000;
    static final int REBALANCE_TIMEOUT_MS = 60_000;

    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final MessageHeaderEncoder HEADER_ENCODER = new MessageHeaderEncoder();

    private GroupWire()
    {
    }

    /**
     * What every answer carries: the request's correlation id and an error code.
     */
    interface Answer
    {
        long correlationId();

        int code();
    }

    record Heartbeat(
        long correlationId,
        int code,
        int memberEpoch,
        int groupEpoch,
        int heartbeatIntervalMs,
        TreeSet<TopicPartition> assigned,
        TreeSet<TopicPartition> revoke,
        TreeSet<TopicPartition> pending,
        String memberId,
        String message) implements Answer
    {
    }

    record Admin(long correlationId, int code, String message) implements Answer
    {
    }

    record Error(long correlationId, int code, String message) implements Answer
    {
    }

    record Commit(long correlationId, int code, Map<TopicPartition, Integer> results, String message) implements Answer
    {
    }

    record Fetch(long correlationId, int code, Map<TopicPartition, Long> offsets, Map<TopicPartition, String> metadata) implements Answer
    {
    }

    record ListedGroup(String groupId, int memberCount, int groupEpoch)
    {
    }

    record GroupList(long correlationId, int code, List<ListedGroup> groups) implements Answer
    {
    }

    record Member(String memberId, String instanceId, int memberEpoch)
    {
    }

    record Partition(TopicPartition tp, long committedOffset, long logEndOffset, String owner)
    {
    }

    record Description(
        long correlationId,
        int code,
        int groupEpoch,
        List<Member> members,
        List<Partition> partitions,
        String groupId,
        String assignor,
        String message) implements Answer
    {
    }

    static int heartbeat(
        final MutableDirectBuffer buffer,
        final long correlationId,
        final String groupId,
        final String memberId,
        final String instanceId,
        final Collection<String> topics,
        final Collection<TopicPartition> owned,
        final int rebalanceTimeoutMs,
        final int sessionTimeoutMs,
        final String assignor)
    {
        final ConsumerGroupHeartbeatEncoder encoder = new ConsumerGroupHeartbeatEncoder()
            .wrapAndApplyHeader(buffer, 0, HEADER_ENCODER)
            .correlationId(correlationId)
            .clientSessionId(7)
            .rebalanceTimeoutMs(rebalanceTimeoutMs)
            .sessionTimeoutMs(sessionTimeoutMs)
            .subscriptionIncluded((short)(null == topics ? 0 : 1))
            .ownedIncluded((short)(null == owned ? 0 : 1));
        final ConsumerGroupHeartbeatEncoder.SubscribedTopicsEncoder topicsEncoder =
            encoder.subscribedTopicsCount(null == topics ? 0 : topics.size());
        if (null != topics)
        {
            for (final String topic : topics)
            {
                topicsEncoder.next().topicName(topic);
            }
        }
        final ConsumerGroupHeartbeatEncoder.OwnedPartitionsEncoder ownedEncoder =
            encoder.ownedPartitionsCount(null == owned ? 0 : owned.size());
        if (null != owned)
        {
            for (final TopicPartition tp : owned)
            {
                ownedEncoder.next().partition(tp.partition()).topicName(tp.topic());
            }
        }
        encoder.groupId(groupId).memberId(memberId).instanceId(instanceId).assignor(assignor);

        return HEADER + encoder.encodedLength();
    }

    static int leave(
        final MutableDirectBuffer buffer,
        final long correlationId,
        final String groupId,
        final String memberId,
        final boolean isTemporary)
    {
        final LeaveGroupEncoder encoder = new LeaveGroupEncoder().wrapAndApplyHeader(buffer, 0, HEADER_ENCODER)
            .correlationId(correlationId)
            .clientSessionId(7)
            .temporary((short)(isTemporary ? 1 : 0))
            .groupId(groupId)
            .memberId(memberId);

        return HEADER + encoder.encodedLength();
    }

    static int commit(
        final MutableDirectBuffer buffer,
        final long correlationId,
        final String groupId,
        final String memberId,
        final int memberEpoch,
        final Map<TopicPartition, Long> offsets)
    {
        final OffsetCommitEncoder encoder = new OffsetCommitEncoder().wrapAndApplyHeader(buffer, 0, HEADER_ENCODER)
            .correlationId(correlationId)
            .clientSessionId(7)
            .memberEpoch(memberEpoch);
        final OffsetCommitEncoder.OffsetsEncoder entries = encoder.offsetsCount(offsets.size());
        for (final Map.Entry<TopicPartition, Long> entry : offsets.entrySet())
        {
            entries.next()
                .partition(entry.getKey().partition())
                .committedOffset(entry.getValue())
                .topicName(entry.getKey().topic())
                .metadata("m" + entry.getValue());
        }
        encoder.groupId(groupId).memberId(memberId);

        return HEADER + encoder.encodedLength();
    }

    static int fetch(
        final MutableDirectBuffer buffer,
        final long correlationId,
        final String groupId,
        final Collection<TopicPartition> partitions)
    {
        final OffsetFetchEncoder encoder = new OffsetFetchEncoder().wrapAndApplyHeader(buffer, 0, HEADER_ENCODER)
            .correlationId(correlationId)
            .clientSessionId(7);
        final OffsetFetchEncoder.PartitionsEncoder entries = encoder.partitionsCount(partitions.size());
        for (final TopicPartition tp : partitions)
        {
            entries.next().partition(tp.partition()).topicName(tp.topic());
        }
        encoder.groupId(groupId);

        return HEADER + encoder.encodedLength();
    }

    static int listGroups(final MutableDirectBuffer buffer, final long correlationId)
    {
        final ListGroupsEncoder encoder = new ListGroupsEncoder().wrapAndApplyHeader(buffer, 0, HEADER_ENCODER)
            .correlationId(correlationId)
            .clientSessionId(7);

        return HEADER + encoder.encodedLength();
    }

    static int describe(final MutableDirectBuffer buffer, final long correlationId, final String groupId)
    {
        final DescribeGroupEncoder encoder = new DescribeGroupEncoder().wrapAndApplyHeader(buffer, 0, HEADER_ENCODER)
            .correlationId(correlationId)
            .clientSessionId(7)
            .groupId(groupId);

        return HEADER + encoder.encodedLength();
    }

    static int reset(
        final MutableDirectBuffer buffer,
        final long correlationId,
        final String groupId,
        final Map<TopicPartition, Long> offsets)
    {
        final ResetOffsetsEncoder encoder = new ResetOffsetsEncoder().wrapAndApplyHeader(buffer, 0, HEADER_ENCODER)
            .correlationId(correlationId)
            .clientSessionId(7);
        final ResetOffsetsEncoder.OffsetsEncoder entries = encoder.offsetsCount(offsets.size());
        for (final Map.Entry<TopicPartition, Long> entry : offsets.entrySet())
        {
            entries.next()
                .partition(entry.getKey().partition())
                .committedOffset(entry.getValue())
                .topicName(entry.getKey().topic());
        }
        encoder.groupId(groupId);

        return HEADER + encoder.encodedLength();
    }

    static int delete(final MutableDirectBuffer buffer, final long correlationId, final String groupId)
    {
        final DeleteGroupEncoder encoder = new DeleteGroupEncoder().wrapAndApplyHeader(buffer, 0, HEADER_ENCODER)
            .correlationId(correlationId)
            .clientSessionId(7)
            .groupId(groupId);

        return HEADER + encoder.encodedLength();
    }

    static Object decode(final DirectBuffer buffer, final int offset, final int length)
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, offset);
        if (MessageHeaderDecoder.SCHEMA_ID != header.schemaId() || length < HEADER + header.blockLength())
        {
            throw new IllegalStateException("not a wire message: schemaId=" + header.schemaId());
        }

        switch (header.templateId())
        {
            case ConsumerGroupHeartbeatResponseDecoder.TEMPLATE_ID:
            {
                final ConsumerGroupHeartbeatResponseDecoder d =
                    new ConsumerGroupHeartbeatResponseDecoder().wrapAndApplyHeader(buffer, offset, header);
                final long correlationId = d.correlationId();
                final int code = d.code().value();
                final int memberEpoch = d.memberEpoch();
                final int groupEpoch = d.groupEpoch();
                final int interval = d.heartbeatIntervalMs();
                final TreeSet<TopicPartition> assigned = new TreeSet<>();
                for (final ConsumerGroupHeartbeatResponseDecoder.AssignedDecoder e : d.assigned())
                {
                    final int p = e.partition();
                    assigned.add(new TopicPartition(e.topicName(), p));
                }
                final TreeSet<TopicPartition> revoke = new TreeSet<>();
                for (final ConsumerGroupHeartbeatResponseDecoder.RevokeDecoder e : d.revoke())
                {
                    final int p = e.partition();
                    revoke.add(new TopicPartition(e.topicName(), p));
                }
                final TreeSet<TopicPartition> pending = new TreeSet<>();
                for (final ConsumerGroupHeartbeatResponseDecoder.PendingDecoder e : d.pending())
                {
                    final int p = e.partition();
                    pending.add(new TopicPartition(e.topicName(), p));
                }
                return new Heartbeat(correlationId, code, memberEpoch, groupEpoch, interval, assigned, revoke, pending,
                    d.memberId(), d.message());
            }

            case AdminResponseDecoder.TEMPLATE_ID:
            {
                final AdminResponseDecoder d = new AdminResponseDecoder().wrapAndApplyHeader(buffer, offset, header);
                return new Admin(d.correlationId(), d.code().value(), d.message());
            }

            case ErrorResponseDecoder.TEMPLATE_ID:
            {
                final ErrorResponseDecoder d = new ErrorResponseDecoder().wrapAndApplyHeader(buffer, offset, header);
                return new Error(d.correlationId(), d.code().value(), d.message());
            }

            case OffsetCommitResponseDecoder.TEMPLATE_ID:
            {
                final OffsetCommitResponseDecoder d =
                    new OffsetCommitResponseDecoder().wrapAndApplyHeader(buffer, offset, header);
                final long correlationId = d.correlationId();
                final int code = d.code().value();
                final Map<TopicPartition, Integer> results = new LinkedHashMap<>();
                for (final OffsetCommitResponseDecoder.ResultsDecoder e : d.results())
                {
                    final int p = e.partition();
                    final int c = e.code().value();
                    results.put(new TopicPartition(e.topicName(), p), c);
                }
                return new Commit(correlationId, code, results, d.message());
            }

            case OffsetFetchResponseDecoder.TEMPLATE_ID:
            {
                final OffsetFetchResponseDecoder d =
                    new OffsetFetchResponseDecoder().wrapAndApplyHeader(buffer, offset, header);
                final long correlationId = d.correlationId();
                final int code = d.code().value();
                final Map<TopicPartition, Long> offsets = new TreeMap<>();
                final Map<TopicPartition, String> metadata = new TreeMap<>();
                for (final OffsetFetchResponseDecoder.OffsetsDecoder e : d.offsets())
                {
                    final int p = e.partition();
                    final long committed = e.committedOffset();
                    final TopicPartition tp = new TopicPartition(e.topicName(), p);
                    offsets.put(tp, committed);
                    metadata.put(tp, e.metadata());
                }
                return new Fetch(correlationId, code, offsets, metadata);
            }

            case GroupListDecoder.TEMPLATE_ID:
            {
                final GroupListDecoder d = new GroupListDecoder().wrapAndApplyHeader(buffer, offset, header);
                final long correlationId = d.correlationId();
                final int code = d.code().value();
                final List<ListedGroup> groups = new ArrayList<>();
                for (final GroupListDecoder.GroupsDecoder e : d.groups())
                {
                    final int memberCount = e.memberCount();
                    final int epoch = e.groupEpoch();
                    groups.add(new ListedGroup(e.groupId(), memberCount, epoch));
                }
                return new GroupList(correlationId, code, groups);
            }

            case GroupDescriptionDecoder.TEMPLATE_ID:
            {
                final GroupDescriptionDecoder d =
                    new GroupDescriptionDecoder().wrapAndApplyHeader(buffer, offset, header);
                final long correlationId = d.correlationId();
                final int code = d.code().value();
                final int epoch = d.groupEpoch();
                final List<Member> members = new ArrayList<>();
                for (final GroupDescriptionDecoder.MembersDecoder e : d.members())
                {
                    final int memberEpoch = e.memberEpoch();
                    final String memberId = e.memberId();
                    members.add(new Member(memberId, e.instanceId(), memberEpoch));
                }
                final List<Partition> partitions = new ArrayList<>();
                for (final GroupDescriptionDecoder.PartitionsDecoder e : d.partitions())
                {
                    final int p = e.partition();
                    final long committed = e.committedOffset();
                    final long logEnd = e.logEndOffset();
                    e.lagRecords();
                    e.lagMs();
                    final String topic = e.topicName();
                    partitions.add(new Partition(new TopicPartition(topic, p), committed, logEnd, e.ownerMemberId()));
                }
                final String groupId = d.groupId();
                final String assignor = d.assignor();
                return new Description(correlationId, code, epoch, members, partitions, groupId, assignor, d.message());
            }

            default:
                throw new IllegalStateException("unexpected answer templateId=" + header.templateId());
        }
    }
}
