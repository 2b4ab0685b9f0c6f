package io.aerolog.cluster.group;

import java.util.TreeSet;

/**
 * Mutable state of one member of a {@link ConsumerGroup}, owned by the coordinator.
 */
final class GroupMember
{
    static final long NO_DEADLINE = Long.MAX_VALUE;

    String memberId;
    final String instanceId;
    int memberEpoch;
    final TreeSet<String> subscribedTopics = new TreeSet<>();
    int rebalanceTimeoutMs;
    int sessionTimeoutMs;
    long sessionDeadlineMs = NO_DEADLINE;
    long revocationDeadlineMs = NO_DEADLINE;
    long queuedDeadlineMs = NO_DEADLINE;
    boolean leftTemporarily;

    /**
     * The session that joined the member (see {@link GroupCoordinator#heartbeat}): only its requests may act as it.
     */
    long ownerSessionId = GroupCoordinator.NO_SESSION;
    long ownerClientSessionId = GroupCoordinator.NO_SESSION;

    /**
     * Partitions the coordinator has given this member and that it has not released: owned by no other member.
     */
    final TreeSet<TopicPartition> assigned = new TreeSet<>();

    /**
     * Partitions the current target assignment gives this member.
     */
    TreeSet<TopicPartition> target = new TreeSet<>();

    GroupMember(final String memberId, final String instanceId)
    {
        this.memberId = memberId;
        this.instanceId = instanceId;
    }

    long nextDeadlineMs()
    {
        return Math.min(sessionDeadlineMs, revocationDeadlineMs);
    }

    boolean isOwnedBy(final long sessionId, final long clientSessionId)
    {
        // Not enforced yet: the owner is recorded, but a consumer joins and heartbeats on its heartbeat thread's
        // own session and commits on its main one, so the check refuses its commits. It can be enforced once a
        // consumer's sessions are known to belong together (e.g. the sharing session names its parent).
        return true;
    }

    boolean isStatic()
    {
        return null != instanceId;
    }
}
