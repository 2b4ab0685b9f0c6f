package io.aerolog.client;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * Membership of a consumer group without a consumer: joins the group, heartbeats on a thread of its own, and reports
 * the partitions the group's coordinator assigns; the owner reads records however it likes, says which partitions
 * it has let go of ({@link #owned}), and commits offsets as the member. For gateways that consume on behalf of
 * others (the Kafka-protocol listener maps each Kafka group member onto one), and for tools.
 * <p>
 * The coordinator assigns a partition to a new owner only after its previous owner no longer lists it as owned, so
 * an owner that reports {@link #owned} only once it has really stopped reading gets no overlap.
 */
public final class GroupMembership implements AutoCloseable
{
    private final Admin admin;
    private final String groupId;
    private final GroupHeartbeater heartbeater;

    /**
     * A member's view at one moment.
     *
     * @param memberId    empty until joined.
     * @param memberEpoch for commits.
     * @param assigned    what the coordinator assigns it now.
     * @param version     grows with every change.
     * @param error       a fatal error (the membership ended), else null.
     */
    public record State(
        String memberId, int memberEpoch, Set<TopicPartition> assigned, long version, AerologException error)
    {
    }

    private GroupMembership(final Admin admin, final String groupId, final GroupHeartbeater heartbeater)
    {
        this.admin = admin;
        this.groupId = groupId;
        this.heartbeater = heartbeater;
    }

    /**
     * Joins a group (the first heartbeat goes at once).
     *
     * @param admin              whose broker connection (and Aeron client) the membership shares; commits go
     *                           through it, on the caller's thread. Close the membership before the admin client.
     * @param groupId            of the group.
     * @param topics             subscribed to.
     * @param sessionTimeoutMs   after which a member that stopped heartbeating is removed.
     * @param rebalanceTimeoutMs how long a member may take to release partitions.
     * @return the membership, joining.
     */
    public static GroupMembership join(
        final Admin admin,
        final String groupId,
        final Collection<String> topics,
        final int sessionTimeoutMs,
        final int rebalanceTimeoutMs)
    {
        final Consumer.Config config = new Consumer.Config().groupId(groupId).sessionTimeoutMs(sessionTimeoutMs)
            .rebalanceTimeoutMs(rebalanceTimeoutMs);
        final GroupHeartbeater heartbeater = new GroupHeartbeater(
            BrokerConnection.connectSharing(admin.connection), groupId, config);
        heartbeater.start(topics);
        return new GroupMembership(admin, groupId, heartbeater);
    }

    /** @return the latest state (thread-safe). */
    public State state()
    {
        final GroupHeartbeater.State s = heartbeater.state();
        return new State(s.memberId(), s.memberEpoch(), s.assigned(), s.version(), s.error());
    }

    /**
     * @param owned the partitions the owner still reads; sent at once, so released ones reach their next owner.
     */
    public void owned(final Set<TopicPartition> owned)
    {
        heartbeater.owned(owned);
    }

    /** @param topics a new subscription, sent at once. */
    public void subscribe(final Collection<String> topics)
    {
        heartbeater.subscribe(topics);
    }

    /**
     * Commits offsets as this member (one round trip on the admin client's connection).
     *
     * @param offsets next offset to read per partition, each owned by this member.
     * @throws AerologException if the coordinator refuses (not owned, stale epoch, unknown member).
     */
    public void commit(final Map<TopicPartition, OffsetAndMetadata> offsets)
    {
        final GroupHeartbeater.State s = heartbeater.state();
        GroupRequests.commit(admin.connection, groupId, s.memberId(), s.memberEpoch(), offsets,
            admin.connection.context().requestTimeoutMs());
    }

    /** Leaves the group and stops heartbeating. */
    @Override
    public void close()
    {
        try
        {
            heartbeater.leave(false);
        }
        finally
        {
            heartbeater.close();
        }
    }
}
