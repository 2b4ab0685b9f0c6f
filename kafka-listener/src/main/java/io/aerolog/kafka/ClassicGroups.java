package io.aerolog.kafka;

import io.aerolog.client.AerologException;
import io.aerolog.client.GroupMembership;
import io.aerolog.client.OffsetAndMetadata;
import io.aerolog.client.TopicPartition;
import io.aerolog.codecs.wire.ErrorCode;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Kafka's classic group protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) on top of Aerolog's server-side
 * group coordinator in the controller. Each Kafka member is one native {@link GroupMembership}; the controller
 * assigns its partitions. Every Kafka member joins as a follower (the JoinGroup answer names a leader that is no
 * member), so no client runs an assignor: SyncGroup hands each member the partitions the controller assigned it,
 * and a heartbeat answers REBALANCE_IN_PROGRESS when that assignment changed, which makes the client join again.
 * The membership reports as owned only what the Kafka client owns (what it was handed, less what it gave up when
 * it joined again), so the controller moves a partition only after its previous Kafka owner let it go.
 * <p>
 * Only the {@code consumer} protocol type is served (kcat, kafka-clients consumers, Connect sinks), not Streams'
 * or Connect's own assignment protocols, whose member metadata the controller cannot read. Listener thread.
 */
final class ClassicGroups implements AutoCloseable
{
    private static final String COORDINATOR_AS_LEADER = "aerolog-coordinator";
    private static final long EXPIRY_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final NativeClients clients;
    private final ListenerCounters counters;
    private final Map<String, Map<String, Member>> groups = new HashMap<>();
    // Ids handed out with MEMBER_ID_REQUIRED, until the client joins with one (bounded: oldest dropped first).
    private static final int MAX_PENDING_MEMBER_IDS = 10_000;
    private final Set<String> pendingMemberIds = new java.util.LinkedHashSet<>();
    private long lastExpiryCheckNs;

    /** One Kafka member of a group. */
    private static final class Member
    {
        final String groupId;
        final String memberId;
        GroupMembership membership;
        List<String> topics = List.of();
        String protocolName;
        int generation;
        Set<TopicPartition> handed = Set.of();
        long sessionTimeoutNs;
        long lastSeenNs;

        Member(final String groupId, final String memberId)
        {
            this.groupId = groupId;
            this.memberId = memberId;
        }
    }

    ClassicGroups(final NativeClients clients, final ListenerCounters counters)
    {
        this.clients = clients;
        this.counters = counters;
    }

    Object join(final JoinGroupRequestData request, final short version, final String clientId)
    {
        final JoinGroupResponseData response = new JoinGroupResponseData().setProtocolType(request.protocolType())
            .setGenerationId(-1).setLeader("").setMemberId(request.memberId());
        if (!ConsumerProtocol.PROTOCOL_TYPE.equals(request.protocolType()))
        {
            return error(response, Errors.INCONSISTENT_GROUP_PROTOCOL);
        }
        if (request.groupId().isEmpty())
        {
            return error(response, Errors.INVALID_GROUP_ID);
        }
        final JoinGroupRequestData.JoinGroupRequestProtocol protocol = chooseProtocol(request);
        if (null == protocol)
        {
            return error(response, Errors.INCONSISTENT_GROUP_PROTOCOL);
        }
        final ConsumerPartitionAssignor.Subscription subscription;
        try
        {
            subscription = ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(protocol.metadata()));
        }
        catch (final RuntimeException ex)
        {
            return error(response, Errors.INCONSISTENT_GROUP_PROTOCOL);
        }
        final Map<String, Member> group = groups.computeIfAbsent(request.groupId(), (g) -> new HashMap<>());
        Member member = request.memberId().isEmpty() ? null : group.get(request.memberId());
        if (null == member)
        {
            if (request.memberId().isEmpty())
            {
                final String memberId = (null == clientId || clientId.isEmpty() ? "member" : clientId) + "-" +
                    UUID.randomUUID();
                if (version >= 4)
                {
                    // KIP-394: the client joins again with the id it was given.
                    pendingMemberIds.add(memberId);
                    if (pendingMemberIds.size() > MAX_PENDING_MEMBER_IDS)
                    {
                        pendingMemberIds.remove(pendingMemberIds.iterator().next());
                    }
                    return error(response.setMemberId(memberId), Errors.MEMBER_ID_REQUIRED);
                }
                member = new Member(request.groupId(), memberId);
            }
            else if (pendingMemberIds.remove(request.memberId()))
            {
                member = new Member(request.groupId(), request.memberId());
            }
            else
            {
                return error(response, Errors.UNKNOWN_MEMBER_ID);
            }
            group.put(member.memberId, member);
        }
        member.lastSeenNs = System.nanoTime();
        member.sessionTimeoutNs = TimeUnit.MILLISECONDS.toNanos(request.sessionTimeoutMs());
        member.protocolName = protocol.name();
        // What the client still reads as it joins: nothing for an eager assignor, what it keeps for a cooperative one.
        final Set<TopicPartition> kept = new HashSet<>();
        for (final org.apache.kafka.common.TopicPartition tp : subscription.ownedPartitions())
        {
            if (member.handed.contains(new TopicPartition(tp.topic(), tp.partition())))
            {
                kept.add(new TopicPartition(tp.topic(), tp.partition()));
            }
        }
        member.handed = Set.copyOf(kept);
        final List<String> topics = List.copyOf(subscription.topics());
        try
        {
            if (null == member.membership)
            {
                member.membership = GroupMembership.join(clients.admin(), request.groupId(), topics,
                    request.sessionTimeoutMs(), Math.max(request.rebalanceTimeoutMs(), request.sessionTimeoutMs()));
            }
            else if (!topics.equals(member.topics))
            {
                member.membership.subscribe(topics);
            }
        }
        catch (final AerologException ex)
        {
            remove(member);
            return error(response, ErrorCodes.of(ex));
        }
        member.topics = topics;
        member.membership.owned(member.handed);
        final Member joining = member;
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
            Math.max(request.rebalanceTimeoutMs(), 1000));
        return (PendingRequest)(nowNs) ->
        {
            final GroupMembership.State state = joining.membership.state();
            if (null != state.error())
            {
                remove(joining);
                return error(response, ErrorCodes.of(state.error()));
            }
            if (state.memberId().isEmpty() || state.memberEpoch() <= 0)
            {
                return nowNs < deadlineNs ? null : error(response, Errors.REBALANCE_IN_PROGRESS);
            }
            joining.generation++;
            return response.setErrorCode(Errors.NONE.code())
                .setGenerationId(joining.generation)
                .setProtocolName(joining.protocolName)
                .setLeader(COORDINATOR_AS_LEADER)
                .setMemberId(joining.memberId);
        };
    }

    // An eager assignor when the client offers one: its members give up every partition as they join again.
    private static JoinGroupRequestData.JoinGroupRequestProtocol chooseProtocol(final JoinGroupRequestData request)
    {
        JoinGroupRequestData.JoinGroupRequestProtocol first = null;
        for (final JoinGroupRequestData.JoinGroupRequestProtocol protocol : request.protocols())
        {
            if ("range".equals(protocol.name()) || "roundrobin".equals(protocol.name()))
            {
                return protocol;
            }
            first = null == first ? protocol : first;
        }
        return first;
    }

    ApiMessage sync(final SyncGroupRequestData request)
    {
        final SyncGroupResponseData response = new SyncGroupResponseData().setAssignment(new byte[0]);
        final Member member = member(request.groupId(), request.memberId());
        final Errors check = check(member, request.generationId());
        if (Errors.NONE != check)
        {
            ListenerCounters.increment(counters.errorResponses);
            return response.setErrorCode(check.code());
        }
        final Set<TopicPartition> assigned = member.membership.state().assigned();
        member.handed = Set.copyOf(assigned);
        member.membership.owned(member.handed);
        final List<org.apache.kafka.common.TopicPartition> partitions = new ArrayList<>();
        for (final TopicPartition tp : assigned)
        {
            partitions.add(new org.apache.kafka.common.TopicPartition(tp.topic(), tp.partition()));
        }
        final ByteBuffer bytes = ConsumerProtocol.serializeAssignment(
            new ConsumerPartitionAssignor.Assignment(partitions), (short)0);
        final byte[] assignment = new byte[bytes.remaining()];
        bytes.get(assignment);
        return response.setErrorCode(Errors.NONE.code()).setAssignment(assignment)
            .setProtocolType(ConsumerProtocol.PROTOCOL_TYPE).setProtocolName(member.protocolName);
    }

    ApiMessage heartbeat(final HeartbeatRequestData request)
    {
        final Member member = member(request.groupId(), request.memberId());
        Errors error = check(member, request.generationId());
        if (Errors.NONE == error)
        {
            final GroupMembership.State state = member.membership.state();
            if (null != state.error())
            {
                remove(member);
                error = Errors.UNKNOWN_MEMBER_ID;
            }
            else if (state.memberId().isEmpty() || !state.assigned().equals(member.handed))
            {
                error = Errors.REBALANCE_IN_PROGRESS;
            }
        }
        if (Errors.NONE != error && Errors.REBALANCE_IN_PROGRESS != error)
        {
            ListenerCounters.increment(counters.errorResponses);
        }
        return new HeartbeatResponseData().setErrorCode(error.code());
    }

    ApiMessage leave(final LeaveGroupRequestData request, final short version)
    {
        final LeaveGroupResponseData response = new LeaveGroupResponseData();
        final List<String> memberIds = new ArrayList<>();
        if (version < 3)
        {
            memberIds.add(request.memberId());
        }
        else
        {
            for (final LeaveGroupRequestData.MemberIdentity identity : request.members())
            {
                memberIds.add(identity.memberId());
            }
        }
        Errors first = Errors.NONE;
        for (final String memberId : memberIds)
        {
            final Member member = member(request.groupId(), memberId);
            final Errors error = null == member ? Errors.UNKNOWN_MEMBER_ID : Errors.NONE;
            if (null != member)
            {
                remove(member);
            }
            first = Errors.NONE == first ? error : first;
            if (version >= 3)
            {
                response.members().add(new LeaveGroupResponseData.MemberResponse().setMemberId(memberId)
                    .setErrorCode(error.code()));
            }
        }
        return response.setErrorCode((version < 3 ? first : Errors.NONE).code());
    }

    /**
     * Commits as a member, or, for a commit from outside the group (generation -1, no member id, as an assign-mode
     * consumer or {@code kafka-consumer-groups --reset-offsets} sends it), sets the group's offsets while it has no
     * members.
     *
     * @param groupId    of the group.
     * @param generation the client's generation, or -1.
     * @param memberId   the client's member id, or empty.
     * @param offsets    to commit.
     * @return the outcome, the same for every partition.
     */
    Errors commit(
        final String groupId, final int generation, final String memberId,
        final Map<TopicPartition, OffsetAndMetadata> offsets)
    {
        try
        {
            if (generation < 0 && (null == memberId || memberId.isEmpty()))
            {
                final Map<TopicPartition, Long> reset = new HashMap<>();
                offsets.forEach((tp, offset) -> reset.put(tp, offset.offset()));
                clients.admin().resetOffsets(groupId, reset);
                return Errors.NONE;
            }
            final Member member = member(groupId, memberId);
            final Errors check = check(member, generation);
            if (Errors.NONE != check)
            {
                return check;
            }
            member.membership.commit(offsets);
            return Errors.NONE;
        }
        catch (final AerologException ex)
        {
            return switch (ex.code())
            {
                case GROUP_NOT_EMPTY, UNKNOWN_MEMBER_ID -> Errors.UNKNOWN_MEMBER_ID;
                case STALE_MEMBER_EPOCH, PARTITION_NOT_OWNED -> Errors.REBALANCE_IN_PROGRESS;
                case UNKNOWN_GROUP -> Errors.ILLEGAL_GENERATION;
                default -> ErrorCodes.of(ex);
            };
        }
    }

    /**
     * Removes members whose session timed out without a request from their client.
     *
     * @param nowNs the listener's clock.
     * @return members removed.
     */
    int expire(final long nowNs)
    {
        if (nowNs - lastExpiryCheckNs < EXPIRY_CHECK_NS)
        {
            return 0;
        }
        lastExpiryCheckNs = nowNs;
        final List<Member> expired = new ArrayList<>();
        for (final Map<String, Member> group : groups.values())
        {
            for (final Member member : group.values())
            {
                if (nowNs - member.lastSeenNs > member.sessionTimeoutNs)
                {
                    expired.add(member);
                }
            }
        }
        for (final Member member : expired)
        {
            remove(member);
        }
        return expired.size();
    }

    private Member member(final String groupId, final String memberId)
    {
        final Map<String, Member> group = groups.get(groupId);
        final Member member = null == group || null == memberId ? null : group.get(memberId);
        if (null != member)
        {
            member.lastSeenNs = System.nanoTime();
        }
        return member;
    }

    private static Errors check(final Member member, final int generation)
    {
        if (null == member || null == member.membership)
        {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return generation == member.generation ? Errors.NONE : Errors.ILLEGAL_GENERATION;
    }

    private void remove(final Member member)
    {
        final Map<String, Member> group = groups.get(member.groupId);
        if (null != group)
        {
            group.remove(member.memberId);
            if (group.isEmpty())
            {
                groups.remove(member.groupId);
            }
        }
        if (null != member.membership)
        {
            try
            {
                member.membership.close();
            }
            catch (final RuntimeException ex)
            {
                // the controller's session timeout removes it instead
            }
            member.membership = null;
        }
    }

    private JoinGroupResponseData error(final JoinGroupResponseData response, final Errors error)
    {
        if (Errors.MEMBER_ID_REQUIRED != error)
        {
            ListenerCounters.increment(counters.errorResponses);
        }
        return response.setErrorCode(error.code());
    }

    @Override
    public void close()
    {
        final List<Member> all = new ArrayList<>();
        groups.values().forEach((group) -> all.addAll(group.values()));
        for (final Member member : all)
        {
            remove(member);
        }
        pendingMemberIds.clear();
    }
}
