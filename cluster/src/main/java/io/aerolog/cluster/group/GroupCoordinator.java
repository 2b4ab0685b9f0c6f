package io.aerolog.cluster.group;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The deterministic core of consumer groups (KIP-848 style): server-side target assignment, incremental
 * reconciliation with revoke-before-assign, session and rebalance timeouts, static membership, committed offsets.
 * <p>
 * No Aeron types and no clocks: every input is a method call carrying the cluster time {@code nowMs}, outputs are
 * returned or given to the {@link GroupListener}; iteration is always over sorted structures, so every replica
 * applying the same calls in the same order ends in the same state.
 * <p>
 * <b>Protocol.</b> A member heartbeats with the partitions it owns. When membership or subscriptions change the group
 * epoch is bumped and the {@link Assignor} computes a new target assignment. On each heartbeat the member is told
 * (a) the partitions it owns that the target moves away ({@code revoke}): it stops and commits them, then reports
 * them as no longer owned in a later heartbeat, which releases them; (b) only when it has nothing left to revoke, its
 * epoch moves to the group epoch and it is given the target partitions that no other member owns; partitions still
 * owned by another member stay {@code pending} until that member releases them or is removed. So a partition is
 * never owned by two members. A member that does not release within its rebalance timeout, or does not heartbeat
 * within its session timeout, is removed by {@link #expireMembers(long)}.
 * <p>
 * Subscribing to a topic that does not exist is refused with {@link GroupErrors#UNKNOWN_TOPIC_OR_PARTITION} (nothing
 * changes); a subscribed topic deleted later simply has no partitions (see {@link #topicChanged(String)}).
 * <p>
 * <b>Not thread-safe:</b> owned by the service thread.
 */
public final class GroupCoordinator
{
    /**
     * Longest offset commit metadata accepted, as Kafka's {@code offset.metadata.max.bytes}.
     */
    public static final int MAX_METADATA_LENGTH = 4096;

    /**
     * Value of {@link #committedOffset(String, String, int)} when nothing is committed.
     */
    public static final long NO_OFFSET = -1;

    /**
     * Value of {@link #nextDeadlineMs()} when no member has a deadline.
     */
    public static final long NO_DEADLINE = GroupMember.NO_DEADLINE;

    /**
     * Session id of the requests made through the methods that name no session: members they join are bound to
     * it, as to any other session.
     */
    public static final long NO_SESSION = -1;

    /** Default cap on groups. */
    public static final int MAX_GROUPS_DEFAULT = 10_000;

    /** Default cap on the members of a group. */
    public static final int MAX_MEMBERS_PER_GROUP_DEFAULT = 1_000;

    /** Default cap on the committed offsets of a group. */
    public static final int MAX_COMMITTED_OFFSETS_PER_GROUP_DEFAULT = 100_000;

    private static final int SNAPSHOT_VERSION = 3;
    private static final int NONE = GroupErrors.NONE;

    private final TopicPartitionCounts counts;
    private final Assignor defaultAssignor;
    private final GroupListener listener;
    private final TreeMap<String, ConsumerGroup> groups = new TreeMap<>();
    private final HashMap<String, TreeSet<String>> groupIdsByTopic = new HashMap<>();
    private final DeadlineQueue deadlines = new DeadlineQueue();
    private final int maxGroups;
    private final int maxMembersPerGroup;
    private final int maxCommittedOffsetsPerGroup;
    private long nextMemberSeq = 1;
    private boolean lastChanged;
    private String lastErrorMessage;

    /**
     * Create a coordinator with no groups.
     *
     * @param counts   partition counts of topics.
     * @param assignor strategy of a group whose first member names none, usually {@link Assignors#DEFAULT}.
     * @param listener told about members expired.
     */
    public GroupCoordinator(final TopicPartitionCounts counts, final Assignor assignor, final GroupListener listener)
    {
        this(counts, assignor, listener,
            MAX_GROUPS_DEFAULT, MAX_MEMBERS_PER_GROUP_DEFAULT, MAX_COMMITTED_OFFSETS_PER_GROUP_DEFAULT);
    }

    /**
     * Create a coordinator with no groups and caps on its state: a request that would pass a cap is refused with
     * {@link GroupErrors#LIMIT_REACHED} and nothing changes.
     *
     * @param counts                      partition counts of topics.
     * @param assignor                    strategy of a group whose first member names none.
     * @param listener                    told about members expired.
     * @param maxGroups                   groups at once, {@code >= 1}.
     * @param maxMembersPerGroup          members of a group, including static members that left temporarily.
     * @param maxCommittedOffsetsPerGroup partitions with a committed offset in a group.
     */
    public GroupCoordinator(
        final TopicPartitionCounts counts,
        final Assignor assignor,
        final GroupListener listener,
        final int maxGroups,
        final int maxMembersPerGroup,
        final int maxCommittedOffsetsPerGroup)
    {
        if (maxGroups < 1 || maxMembersPerGroup < 1 || maxCommittedOffsetsPerGroup < 1)
        {
            throw new IllegalArgumentException("caps must be >= 1: maxGroups=" + maxGroups + " maxMembersPerGroup=" +
                maxMembersPerGroup + " maxCommittedOffsetsPerGroup=" + maxCommittedOffsetsPerGroup);
        }

        this.counts = counts;
        this.defaultAssignor = assignor;
        this.listener = listener;
        this.maxGroups = maxGroups;
        this.maxMembersPerGroup = maxMembersPerGroup;
        this.maxCommittedOffsetsPerGroup = maxCommittedOffsetsPerGroup;
    }

    /**
     * Join or heartbeat naming no assignor (the group's).
     *
     * @param groupId            of the group, created on the first join.
     * @param memberId           null or empty to join, else the id returned by the join.
     * @param instanceId         static instance id, or null/empty for a dynamic member.
     * @param subscribedTopics   topics subscribed; required on a join; null on a heartbeat means unchanged.
     * @param ownedPartitions    partitions the member owns now; null means unchanged (releases nothing).
     * @param rebalanceTimeoutMs time allowed to release partitions once told to revoke them, {@code > 0}.
     * @param sessionTimeoutMs   time without heartbeat after which the member is removed, {@code > 0}.
     * @param nowMs              cluster time.
     * @return the answer, as the heartbeat naming an assignor.
     */
    public HeartbeatResult heartbeat(
        final String groupId,
        final String memberId,
        final String instanceId,
        final Collection<String> subscribedTopics,
        final Collection<TopicPartition> ownedPartitions,
        final int rebalanceTimeoutMs,
        final int sessionTimeoutMs,
        final long nowMs)
    {
        return heartbeat(
            groupId, memberId, instanceId, subscribedTopics, ownedPartitions, rebalanceTimeoutMs, sessionTimeoutMs,
            null, nowMs);
    }

    /**
     * Join (no member id) or heartbeat. A join with the instance id of a static member that left temporarily takes its
     * place under a new member id, with its epoch and partitions, without a rebalance unless the subscription changed.
     *
     * @param groupId            of the group, created on the first join.
     * @param memberId           null or empty to join, else the id returned by the join.
     * @param instanceId         static instance id, or null/empty for a dynamic member.
     * @param subscribedTopics   topics subscribed; required on a join; null on a heartbeat means unchanged.
     * @param ownedPartitions    partitions the member owns now; null means unchanged (releases nothing).
     * @param rebalanceTimeoutMs time allowed to release partitions once told to revoke them, {@code > 0}.
     * @param sessionTimeoutMs   time without heartbeat after which the member is removed, {@code > 0}.
     * @param assignorName       null or empty for the group's (the default for a new group), else the name of an
     *                           assignor of {@link Assignors}: it must be the group's while the group has members,
     *                           and becomes the group's when the group has none.
     * @param nowMs              cluster time.
     * @return the answer; see {@link HeartbeatResult}. Errors: {@link GroupErrors#INVALID_REQUEST},
     * {@link GroupErrors#UNKNOWN_TOPIC_OR_PARTITION}, {@link GroupErrors#UNKNOWN_MEMBER_ID},
     * {@link GroupErrors#UNRELEASED_INSTANCE_ID}, {@link GroupErrors#FENCED_INSTANCE_ID},
     * {@link GroupErrors#INCONSISTENT_ASSIGNOR}.
     */
    public HeartbeatResult heartbeat(
        final String groupId,
        final String memberId,
        final String instanceId,
        final Collection<String> subscribedTopics,
        final Collection<TopicPartition> ownedPartitions,
        final int rebalanceTimeoutMs,
        final int sessionTimeoutMs,
        final String assignorName,
        final long nowMs)
    {
        return heartbeat(groupId, memberId, instanceId, subscribedTopics, ownedPartitions, rebalanceTimeoutMs,
            sessionTimeoutMs, assignorName, NO_SESSION, NO_SESSION, nowMs);
    }

    /**
     * Join or heartbeat from a session. A join binds the member to the session (a static member taking the place
     * of one that left temporarily is bound anew); a heartbeat for a member bound to another session is refused
     * with {@link GroupErrors#UNKNOWN_MEMBER_ID}, so knowing a member id and epoch is not enough to act as it.
     *
     * @param groupId            of the group, created on the first join.
     * @param memberId           null or empty to join, else the id returned by the join.
     * @param instanceId         static instance id, or null/empty for a dynamic member.
     * @param subscribedTopics   topics subscribed; required on a join; null on a heartbeat means unchanged.
     * @param ownedPartitions    partitions the member owns now; null means unchanged (releases nothing).
     * @param rebalanceTimeoutMs time allowed to release partitions once told to revoke them, {@code > 0}.
     * @param sessionTimeoutMs   time without heartbeat after which the member is removed, {@code > 0}.
     * @param assignorName       as {@link #heartbeat(String, String, String, Collection, Collection, int, int,
     *                           String, long)}.
     * @param sessionId          of the connection the request came on (the broker's cluster session).
     * @param clientSessionId    of the client on that connection.
     * @param nowMs              cluster time.
     * @return the answer; errors as the heartbeat naming no session, and {@link GroupErrors#LIMIT_REACHED}.
     */
    public HeartbeatResult heartbeat(
        final String groupId,
        final String memberId,
        final String instanceId,
        final Collection<String> subscribedTopics,
        final Collection<TopicPartition> ownedPartitions,
        final int rebalanceTimeoutMs,
        final int sessionTimeoutMs,
        final String assignorName,
        final long sessionId,
        final long clientSessionId,
        final long nowMs)
    {
        reset();
        if (isEmpty(groupId))
        {
            return heartbeatError(GroupErrors.INVALID_REQUEST, "group id must not be empty");
        }

        final Assignor namedAssignor = isEmpty(assignorName) ? null : assignor(assignorName);
        if (!isEmpty(assignorName) && null == namedAssignor)
        {
            return heartbeatError(GroupErrors.INVALID_REQUEST, "unknown assignor: " + assignorName +
                " (range, roundrobin or sticky)");
        }

        if (rebalanceTimeoutMs <= 0 || sessionTimeoutMs <= 0)
        {
            return heartbeatError(GroupErrors.INVALID_REQUEST, "timeouts must be > 0: rebalanceTimeoutMs=" +
                rebalanceTimeoutMs + " sessionTimeoutMs=" + sessionTimeoutMs);
        }

        final boolean isJoin = isEmpty(memberId);
        final String instance = isEmpty(instanceId) ? null : instanceId;
        final TreeSet<String> topics = null == subscribedTopics ? null : new TreeSet<>();
        if (null != topics)
        {
            for (final String topic : subscribedTopics)
            {
                if (isEmpty(topic))
                {
                    return heartbeatError(GroupErrors.INVALID_REQUEST, "topic name must not be empty");
                }
                topics.add(topic);
            }

            if (topics.isEmpty())
            {
                return heartbeatError(GroupErrors.INVALID_REQUEST, "subscription must name at least one topic");
            }
        }

        ConsumerGroup group = groups.get(groupId);
        if (null != group && null != namedAssignor && !group.members.isEmpty() &&
            !namedAssignor.name().equals(group.assignor.name()))
        {
            return heartbeatError(GroupErrors.INCONSISTENT_ASSIGNOR, "group " + groupId + " uses assignor " +
                group.assignor.name() + ", not " + namedAssignor.name());
        }

        final GroupMember member;
        boolean isChanged = false;
        if (isJoin)
        {
            if (null == topics)
            {
                return heartbeatError(GroupErrors.INVALID_REQUEST, "a join must name the subscribed topics");
            }

            final String unknownTopic = firstUnknownTopic(topics);
            if (null != unknownTopic)
            {
                return heartbeatError(GroupErrors.UNKNOWN_TOPIC_OR_PARTITION, "unknown topic: " + unknownTopic);
            }

            final GroupMember existing = null == group || null == instance ? null : group.staticMember(instance);
            if (null != existing)
            {
                if (!existing.leftTemporarily)
                {
                    return heartbeatError(
                        GroupErrors.UNRELEASED_INSTANCE_ID, "instance id held by live member: " + instance);
                }

                deadlines.cancel(groupId, existing);
                group.renameMember(existing, nextMemberId());
                member = existing;
            }
            else
            {
                if (null == group && groups.size() >= maxGroups)
                {
                    return heartbeatError(GroupErrors.LIMIT_REACHED, "group limit reached: " + maxGroups);
                }

                if (null != group && group.members.size() >= maxMembersPerGroup)
                {
                    return heartbeatError(GroupErrors.LIMIT_REACHED,
                        "member limit of group " + groupId + " reached: " + maxMembersPerGroup);
                }

                if (null == group)
                {
                    group = new ConsumerGroup(groupId, null == namedAssignor ? defaultAssignor : namedAssignor);
                    groups.put(groupId, group);
                }
                else if (null != namedAssignor && group.members.isEmpty())
                {
                    group.assignor = namedAssignor;
                }

                member = new GroupMember(nextMemberId(), instance);
                group.addMember(member);
                isChanged = true;
            }
            member.ownerSessionId = sessionId;
            member.ownerClientSessionId = clientSessionId;
        }
        else
        {
            member = null == group ? null : group.member(memberId);
            if (null == member || !member.isOwnedBy(sessionId, clientSessionId))
            {
                // The same answer for a member of another session: it tells a stranger nothing.
                return heartbeatError(GroupErrors.UNKNOWN_MEMBER_ID, "unknown member: " + memberId);
            }

            if (null != instance && !instance.equals(member.instanceId))
            {
                return heartbeatError(GroupErrors.FENCED_INSTANCE_ID,
                    "member " + memberId + " joined with instance id " + member.instanceId + ", not " + instance);
            }

            if (null != topics && !topics.equals(member.subscribedTopics))
            {
                final String unknownTopic = firstUnknownTopic(topics);
                if (null != unknownTopic)
                {
                    return heartbeatError(GroupErrors.UNKNOWN_TOPIC_OR_PARTITION, "unknown topic: " + unknownTopic);
                }
            }
        }

        if (null != topics && !topics.equals(member.subscribedTopics))
        {
            subscribe(group, member, topics);
            isChanged = true;
        }

        member.leftTemporarily = false;
        member.rebalanceTimeoutMs = rebalanceTimeoutMs;
        member.sessionTimeoutMs = sessionTimeoutMs;
        member.sessionDeadlineMs = nowMs + sessionTimeoutMs;
        if (isChanged)
        {
            group.bumpEpochAndAssign(counts);
        }

        final HeartbeatResult result = group.reconcile(member, isJoin ? null : ownedPartitions, nowMs);
        deadlines.schedule(groupId, member);
        lastChanged = true;

        return result;
    }

    /**
     * A member leaves. A dynamic member, or a static one leaving for good, is removed at once (its partitions are
     * freed and the group rebalances). A static member leaving temporarily (Kafka's epoch -2) keeps its partitions
     * until its session timeout, counted from now, so a restart with the same instance id gets them back.
     *
     * @param groupId     of the group.
     * @param memberId    of the member.
     * @param isTemporary true for a static member's temporary leave; ignored for a dynamic member.
     * @param nowMs       cluster time.
     * @return {@link GroupErrors#NONE} or {@link GroupErrors#UNKNOWN_MEMBER_ID}.
     */
    public int leave(final String groupId, final String memberId, final boolean isTemporary, final long nowMs)
    {
        return leave(groupId, memberId, isTemporary, NO_SESSION, NO_SESSION, nowMs);
    }

    /**
     * A member leaves, at the request of a session: refused with {@link GroupErrors#UNKNOWN_MEMBER_ID} unless the
     * member is bound to that session. Otherwise as {@link #leave(String, String, boolean, long)}.
     *
     * @param groupId         of the group.
     * @param memberId        of the member.
     * @param isTemporary     true for a static member's temporary leave; ignored for a dynamic member.
     * @param sessionId       of the connection the request came on.
     * @param clientSessionId of the client on that connection.
     * @param nowMs           cluster time.
     * @return {@link GroupErrors#NONE} or {@link GroupErrors#UNKNOWN_MEMBER_ID}.
     */
    public int leave(
        final String groupId,
        final String memberId,
        final boolean isTemporary,
        final long sessionId,
        final long clientSessionId,
        final long nowMs)
    {
        reset();
        final ConsumerGroup group = null == groupId ? null : groups.get(groupId);
        final GroupMember member = null == group || null == memberId ? null : group.member(memberId);
        if (null == member || !member.isOwnedBy(sessionId, clientSessionId))
        {
            return fail(GroupErrors.UNKNOWN_MEMBER_ID, "unknown member: " + groupId + "/" + memberId);
        }

        if (isTemporary && member.isStatic())
        {
            member.leftTemporarily = true;
            member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs;
            member.revocationDeadlineMs = GroupMember.NO_DEADLINE;
            deadlines.schedule(groupId, member);
        }
        else
        {
            removeMember(group, member);
        }
        lastChanged = true;

        return NONE;
    }

    /**
     * Remove the members whose session timeout (or, while revoking, rebalance timeout) has passed, in deadline order,
     * telling the listener about each. Visits only the members due.
     *
     * @param nowMs cluster time.
     * @return number of members removed.
     */
    public int expireMembers(final long nowMs)
    {
        reset();
        int expired = 0;
        DeadlineQueue.Entry entry;
        while (null != (entry = deadlines.pollDue(nowMs)))
        {
            final ConsumerGroup group = groups.get(entry.groupId());
            final GroupMember member = null == group ? null : group.member(entry.memberId());
            if (null == member || member.queuedDeadlineMs != entry.deadlineMs())
            {
                continue;
            }

            member.queuedDeadlineMs = GroupMember.NO_DEADLINE;
            final int reason = member.revocationDeadlineMs < member.sessionDeadlineMs ?
                GroupListener.REBALANCE_TIMEOUT : GroupListener.SESSION_TIMEOUT;
            removeMember(group, member);
            expired++;
            lastChanged = true;
            listener.onMemberExpired(entry.groupId(), entry.memberId(), reason, nowMs);
        }

        return expired;
    }

    /**
     * Earliest deadline of any member, for scheduling the next {@link #expireMembers(long)} timer.
     *
     * @return earliest deadline in cluster time, or {@link #NO_DEADLINE}.
     */
    public long nextDeadlineMs()
    {
        return deadlines.nextDeadlineMs();
    }

    /**
     * Recompute the target assignment of every group subscribed to a topic whose partition count changed (created,
     * deleted, partitions added). Members converge on their next heartbeats.
     *
     * @param topic whose partition count changed.
     * @return number of groups rebalanced.
     */
    public int topicChanged(final String topic)
    {
        reset();
        final TreeSet<String> groupIds = groupIdsByTopic.get(topic);
        if (null == groupIds)
        {
            return 0;
        }

        for (final String groupId : groupIds)
        {
            groups.get(groupId).bumpEpochAndAssign(counts);
        }
        lastChanged = true;

        return groupIds.size();
    }

    /**
     * Commit an offset for a partition the member owns. An offset below the committed one is accepted and ignored
     * (offsets never move backwards, and a late async commit is harmless); {@link #lastChanged()} tells whether it
     * was stored.
     *
     * @param groupId     of the group.
     * @param memberId    of the member.
     * @param memberEpoch the member's current epoch, from its last heartbeat.
     * @param topic       of the partition.
     * @param partition   index from 0.
     * @param offset      next offset to consume, {@code >= 0}.
     * @param metadata    free text up to {@link #MAX_METADATA_LENGTH} chars, may be null.
     * @return {@link GroupErrors#NONE}, {@link GroupErrors#UNKNOWN_GROUP}, {@link GroupErrors#UNKNOWN_MEMBER_ID},
     * {@link GroupErrors#STALE_MEMBER_EPOCH}, {@link GroupErrors#PARTITION_NOT_OWNED} or
     * {@link GroupErrors#INVALID_REQUEST}.
     */
    public int commitOffset(
        final String groupId,
        final String memberId,
        final int memberEpoch,
        final String topic,
        final int partition,
        final long offset,
        final String metadata)
    {
        return commitOffset(groupId, memberId, memberEpoch, topic, partition, offset, metadata, NO_SESSION, NO_SESSION);
    }

    /**
     * Commit an offset at the request of a session: refused with {@link GroupErrors#UNKNOWN_MEMBER_ID} unless the
     * member is bound to that session, and with {@link GroupErrors#LIMIT_REACHED} when the group holds its cap of
     * committed partitions and this is a new one. Otherwise as
     * {@link #commitOffset(String, String, int, String, int, long, String)}.
     *
     * @param groupId         of the group.
     * @param memberId        of the member.
     * @param memberEpoch     the member's current epoch, from its last heartbeat.
     * @param topic           of the partition.
     * @param partition       index from 0.
     * @param offset          next offset to consume, {@code >= 0}.
     * @param metadata        free text up to {@link #MAX_METADATA_LENGTH} chars, may be null.
     * @param sessionId       of the connection the request came on.
     * @param clientSessionId of the client on that connection.
     * @return as the commit naming no session, and {@link GroupErrors#LIMIT_REACHED}.
     */
    public int commitOffset(
        final String groupId,
        final String memberId,
        final int memberEpoch,
        final String topic,
        final int partition,
        final long offset,
        final String metadata,
        final long sessionId,
        final long clientSessionId)
    {
        reset();
        final ConsumerGroup group = null == groupId ? null : groups.get(groupId);
        if (null == group)
        {
            return fail(GroupErrors.UNKNOWN_GROUP, "unknown group: " + groupId);
        }

        final GroupMember member = null == memberId ? null : group.member(memberId);
        if (null == member || !member.isOwnedBy(sessionId, clientSessionId))
        {
            return fail(GroupErrors.UNKNOWN_MEMBER_ID, "unknown member: " + memberId);
        }

        if (memberEpoch != member.memberEpoch)
        {
            return fail(GroupErrors.STALE_MEMBER_EPOCH,
                "stale member epoch " + memberEpoch + ", current " + member.memberEpoch);
        }

        final int invalid = checkOffset(offset, metadata);
        if (NONE != invalid)
        {
            return invalid;
        }

        final TopicPartition tp = null == topic ? null : new TopicPartition(topic, partition);
        if (null == tp || !member.assigned.contains(tp))
        {
            return fail(GroupErrors.PARTITION_NOT_OWNED, "member " + memberId + " does not own " + tp);
        }

        if (!group.offsets.containsKey(tp) && group.offsets.size() >= maxCommittedOffsetsPerGroup)
        {
            return fail(GroupErrors.LIMIT_REACHED,
                "committed offset limit of group " + groupId + " reached: " + maxCommittedOffsetsPerGroup);
        }

        store(group, tp, offset, metadata);

        return NONE;
    }

    /**
     * Set a committed offset, backwards or forwards, as {@code groups reset-offsets} does. Refused while the group has
     * members (including static members that left temporarily); creates the group if it does not exist.
     *
     * @param groupId   of the group.
     * @param topic     of the partition, must exist.
     * @param partition index from 0, in range.
     * @param offset    next offset to consume, {@code >= 0}.
     * @return {@link GroupErrors#NONE}, {@link GroupErrors#GROUP_NOT_EMPTY},
     * {@link GroupErrors#UNKNOWN_TOPIC_OR_PARTITION} or {@link GroupErrors#INVALID_REQUEST}.
     */
    public int resetOffset(final String groupId, final String topic, final int partition, final long offset)
    {
        reset();
        if (isEmpty(groupId))
        {
            return fail(GroupErrors.INVALID_REQUEST, "group id must not be empty");
        }

        ConsumerGroup group = groups.get(groupId);
        if (null != group && !group.members.isEmpty())
        {
            return fail(GroupErrors.GROUP_NOT_EMPTY, "group has " + group.members.size() + " members: " + groupId);
        }

        if (null == topic || partition < 0 || partition >= counts.partitionCount(topic))
        {
            return fail(GroupErrors.UNKNOWN_TOPIC_OR_PARTITION, "unknown topic/partition: " + topic + "/" + partition);
        }

        final int invalid = checkOffset(offset, null);
        if (NONE != invalid)
        {
            return invalid;
        }

        final TopicPartition tp = new TopicPartition(topic, partition);
        if (null == group && groups.size() >= maxGroups)
        {
            return fail(GroupErrors.LIMIT_REACHED, "group limit reached: " + maxGroups);
        }

        if (null != group && !group.offsets.containsKey(tp) && group.offsets.size() >= maxCommittedOffsetsPerGroup)
        {
            return fail(GroupErrors.LIMIT_REACHED,
                "committed offset limit of group " + groupId + " reached: " + maxCommittedOffsetsPerGroup);
        }

        if (null == group)
        {
            group = new ConsumerGroup(groupId, defaultAssignor);
            groups.put(groupId, group);
        }

        group.offsets.put(tp, new OffsetAndMetadata(offset, ""));
        lastChanged = true;

        return NONE;
    }

    /**
     * Set several committed offsets of a group at once, all or nothing: checked first (no members, every partition
     * exists, every offset {@code >= 0}), then applied. Creates the group if it does not exist.
     *
     * @param groupId    of the group.
     * @param partitions the partitions, each existing.
     * @param offsets    next offset to consume of each partition, same order, each {@code >= 0}.
     * @return {@link GroupErrors#NONE}, {@link GroupErrors#GROUP_NOT_EMPTY},
     * {@link GroupErrors#UNKNOWN_TOPIC_OR_PARTITION} or {@link GroupErrors#INVALID_REQUEST}; nothing changed unless
     * {@link GroupErrors#NONE}.
     */
    public int resetOffsets(final String groupId, final List<TopicPartition> partitions, final long[] offsets)
    {
        reset();
        if (isEmpty(groupId))
        {
            return fail(GroupErrors.INVALID_REQUEST, "group id must not be empty");
        }

        if (partitions.isEmpty() || offsets.length < partitions.size())
        {
            return fail(GroupErrors.INVALID_REQUEST, "no offsets to reset");
        }

        final ConsumerGroup existing = groups.get(groupId);
        if (null != existing && !existing.members.isEmpty())
        {
            return fail(
                GroupErrors.GROUP_NOT_EMPTY, "group has " + existing.members.size() + " members: " + groupId);
        }

        for (int i = 0, size = partitions.size(); i < size; i++)
        {
            final TopicPartition tp = partitions.get(i);
            if (null == tp.topic() || tp.partition() < 0 || tp.partition() >= counts.partitionCount(tp.topic()))
            {
                return fail(GroupErrors.UNKNOWN_TOPIC_OR_PARTITION, "unknown topic/partition: " + tp);
            }

            final int invalid = checkOffset(offsets[i], null);
            if (NONE != invalid)
            {
                return invalid;
            }
        }

        if (null == existing && groups.size() >= maxGroups)
        {
            return fail(GroupErrors.LIMIT_REACHED, "group limit reached: " + maxGroups);
        }

        // Distinct partitions not yet committed: the cap holds for the group as it will be.
        final TreeSet<TopicPartition> added = new TreeSet<>();
        for (int i = 0, size = partitions.size(); i < size; i++)
        {
            final TopicPartition tp = partitions.get(i);
            if (null == existing || !existing.offsets.containsKey(tp))
            {
                added.add(tp);
            }
        }
        final long committedAfter = (null == existing ? 0L : existing.offsets.size()) + added.size();
        if (committedAfter > maxCommittedOffsetsPerGroup)
        {
            return fail(GroupErrors.LIMIT_REACHED,
                "committed offset limit of group " + groupId + " reached: " + maxCommittedOffsetsPerGroup);
        }

        ConsumerGroup group = existing;
        if (null == group)
        {
            group = new ConsumerGroup(groupId, defaultAssignor);
            groups.put(groupId, group);
        }

        for (int i = 0, size = partitions.size(); i < size; i++)
        {
            group.offsets.put(partitions.get(i), new OffsetAndMetadata(offsets[i], ""));
        }
        lastChanged = true;

        return NONE;
    }

    /**
     * The committed offsets of a group, a read-only view valid until the next change.
     *
     * @param groupId of the group.
     * @return the committed offsets in partition order, or null if the group does not exist.
     */
    public SortedMap<TopicPartition, OffsetAndMetadata> committedOffsets(final String groupId)
    {
        final ConsumerGroup group = null == groupId ? null : groups.get(groupId);

        return null == group ? null : Collections.unmodifiableSortedMap(group.offsets);
    }

    /**
     * Name of a group's assignor.
     *
     * @param groupId of the group.
     * @return name of its assignor, or null if the group does not exist.
     */
    public String assignorName(final String groupId)
    {
        final ConsumerGroup group = null == groupId ? null : groups.get(groupId);

        return null == group ? null : group.assignor.name();
    }

    /**
     * Number of members of a group, including static members that left temporarily.
     *
     * @param groupId of the group.
     * @return number of members, or -1 if the group does not exist.
     */
    public int memberCount(final String groupId)
    {
        final ConsumerGroup group = null == groupId ? null : groups.get(groupId);

        return null == group ? -1 : group.members.size();
    }

    /**
     * Epoch of a group.
     *
     * @param groupId of the group.
     * @return its epoch, or -1 if the group does not exist.
     */
    public int groupEpoch(final String groupId)
    {
        final ConsumerGroup group = null == groupId ? null : groups.get(groupId);

        return null == group ? -1 : group.groupEpoch;
    }

    /**
     * Committed offset of a partition.
     *
     * @param groupId   of the group.
     * @param topic     of the partition.
     * @param partition index from 0.
     * @return the committed offset, or {@link #NO_OFFSET}.
     */
    public long committedOffset(final String groupId, final String topic, final int partition)
    {
        final OffsetAndMetadata committed = committed(groupId, topic, partition);

        return null == committed ? NO_OFFSET : committed.offset();
    }

    /**
     * Committed offset and metadata of a partition.
     *
     * @param groupId   of the group.
     * @param topic     of the partition.
     * @param partition index from 0.
     * @return the committed offset and metadata, or null.
     */
    public OffsetAndMetadata committed(final String groupId, final String topic, final int partition)
    {
        final ConsumerGroup group = null == groupId ? null : groups.get(groupId);

        return null == group || null == topic ? null : group.offsets.get(new TopicPartition(topic, partition));
    }

    /**
     * Delete a group without members, with its committed offsets.
     *
     * @param groupId of the group.
     * @return {@link GroupErrors#NONE}, {@link GroupErrors#UNKNOWN_GROUP} or {@link GroupErrors#GROUP_NOT_EMPTY}.
     */
    public int deleteGroup(final String groupId)
    {
        reset();
        final ConsumerGroup group = null == groupId ? null : groups.get(groupId);
        if (null == group)
        {
            return fail(GroupErrors.UNKNOWN_GROUP, "unknown group: " + groupId);
        }

        if (!group.members.isEmpty())
        {
            return fail(GroupErrors.GROUP_NOT_EMPTY, "group has " + group.members.size() + " members: " + groupId);
        }

        groups.remove(groupId);
        lastChanged = true;

        return NONE;
    }

    /**
     * Describe a group.
     *
     * @param groupId of the group.
     * @return a new immutable description, or null if the group does not exist.
     */
    public GroupDescription describe(final String groupId)
    {
        final ConsumerGroup group = null == groupId ? null : groups.get(groupId);
        if (null == group)
        {
            return null;
        }

        final List<GroupDescription.MemberDescription> members = new ArrayList<>();
        for (final GroupMember member : group.members.values())
        {
            members.add(new GroupDescription.MemberDescription(
                member.memberId,
                member.instanceId,
                member.memberEpoch,
                member.leftTemporarily,
                List.copyOf(member.subscribedTopics),
                List.copyOf(member.assigned),
                List.copyOf(member.target)));
        }

        return new GroupDescription(
            group.groupId,
            group.groupEpoch,
            List.copyOf(members),
            Collections.unmodifiableSortedMap(new TreeMap<>(group.offsets)));
    }

    /**
     * Ids of all groups.
     *
     * @return a new list of group ids in order.
     */
    public List<String> listGroups()
    {
        return new ArrayList<>(groups.keySet());
    }

    /**
     * Did the last operation change the state?
     *
     * @return true if the last operation changed the state.
     */
    public boolean lastChanged()
    {
        return lastChanged;
    }

    /**
     * Reason the last operation failed, null if it succeeded.
     *
     * @return reason the last operation failed, or null.
     */
    public String lastErrorMessage()
    {
        return lastErrorMessage;
    }

    /**
     * Write the whole state, in a deterministic order.
     *
     * @param sink to write to.
     */
    public void snapshot(final SnapshotSink sink)
    {
        GroupSnapshot.write(sink, SNAPSHOT_VERSION, nextMemberSeq, groups.values());
    }

    /**
     * Replace the whole state with one written by {@link #snapshot(SnapshotSink)}.
     *
     * @param source to read from.
     * @throws IllegalStateException if the snapshot is of an unknown version or inconsistent.
     */
    public void restore(final SnapshotSource source)
    {
        final TreeMap<String, ConsumerGroup> restored = new TreeMap<>();
        final long restoredNextMemberSeq = GroupSnapshot.read(source, SNAPSHOT_VERSION, this::assignor, restored);

        groups.clear();
        groupIdsByTopic.clear();
        deadlines.clear();
        groups.putAll(restored);
        nextMemberSeq = restoredNextMemberSeq;
        for (final ConsumerGroup group : groups.values())
        {
            for (final GroupMember member : group.members.values())
            {
                for (final String topic : member.subscribedTopics)
                {
                    if (group.addTopicRef(topic))
                    {
                        groupIdsByTopic.computeIfAbsent(topic, (t) -> new TreeSet<>()).add(group.groupId);
                    }
                }
                member.queuedDeadlineMs = GroupMember.NO_DEADLINE;
                deadlines.schedule(group.groupId, member);
            }
        }
        reset();
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "GroupCoordinator{groups=" + groups.size() + ", defaultAssignor=" + defaultAssignor.name() + '}';
    }

    private Assignor assignor(final String name)
    {
        return defaultAssignor.name().equals(name) ? defaultAssignor : Assignors.byName(name);
    }

    private void subscribe(final ConsumerGroup group, final GroupMember member, final TreeSet<String> topics)
    {
        unsubscribe(group, member);
        member.subscribedTopics.addAll(topics);
        for (final String topic : topics)
        {
            if (group.addTopicRef(topic))
            {
                groupIdsByTopic.computeIfAbsent(topic, (t) -> new TreeSet<>()).add(group.groupId);
            }
        }
    }

    private void unsubscribe(final ConsumerGroup group, final GroupMember member)
    {
        for (final String topic : member.subscribedTopics)
        {
            if (group.removeTopicRef(topic))
            {
                final TreeSet<String> groupIds = groupIdsByTopic.get(topic);
                if (null != groupIds)
                {
                    groupIds.remove(group.groupId);
                    if (groupIds.isEmpty())
                    {
                        groupIdsByTopic.remove(topic);
                    }
                }
            }
        }
        member.subscribedTopics.clear();
    }

    private void removeMember(final ConsumerGroup group, final GroupMember member)
    {
        deadlines.cancel(group.groupId, member);
        unsubscribe(group, member);
        group.removeMember(member);
        group.bumpEpochAndAssign(counts);
    }

    private void store(final ConsumerGroup group, final TopicPartition tp, final long offset, final String metadata)
    {
        final OffsetAndMetadata current = group.offsets.get(tp);
        if (null == current || offset > current.offset() ||
            (offset == current.offset() && !current.metadata().equals(null == metadata ? "" : metadata)))
        {
            group.offsets.put(tp, new OffsetAndMetadata(offset, null == metadata ? "" : metadata));
            lastChanged = true;
        }
    }

    private int checkOffset(final long offset, final String metadata)
    {
        if (offset < 0)
        {
            return fail(GroupErrors.INVALID_REQUEST, "offset must be >= 0: " + offset);
        }

        if (null != metadata && metadata.length() > MAX_METADATA_LENGTH)
        {
            return fail(GroupErrors.INVALID_REQUEST, "metadata longer than " + MAX_METADATA_LENGTH + " chars");
        }

        return NONE;
    }

    private String firstUnknownTopic(final TreeSet<String> topics)
    {
        for (final String topic : topics)
        {
            if (counts.partitionCount(topic) < 0)
            {
                return topic;
            }
        }

        return null;
    }

    private static boolean isEmpty(final String value)
    {
        return null == value || value.isEmpty();
    }

    private String nextMemberId()
    {
        return "member-" + nextMemberSeq++;
    }

    private HeartbeatResult heartbeatError(final int code, final String message)
    {
        lastErrorMessage = message;

        return HeartbeatResult.error(code, message);
    }

    private int fail(final int code, final String message)
    {
        lastErrorMessage = message;

        return code;
    }

    private void reset()
    {
        lastChanged = false;
        lastErrorMessage = null;
    }
}
