package io.aerolog.cluster.group;

/**
 * Told about changes the {@link GroupCoordinator} makes on its own, i.e. not as the answer to a request.
 */
@FunctionalInterface
public interface GroupListener
{
    /**
     * Reason: the member did not heartbeat within its session timeout (or a static member that left temporarily did
     * not come back within it).
     */
    int SESSION_TIMEOUT = 1;

    /**
     * Reason: the member did not release the partitions it was told to revoke within its rebalance timeout.
     */
    int REBALANCE_TIMEOUT = 2;

    /**
     * A member was removed by {@link GroupCoordinator#expireMembers(long)}; its partitions are free.
     *
     * @param groupId  of the group.
     * @param memberId of the removed member.
     * @param reason   {@link #SESSION_TIMEOUT} or {@link #REBALANCE_TIMEOUT}.
     * @param nowMs    cluster time of the removal.
     */
    void onMemberExpired(String groupId, String memberId, int reason, long nowMs);
}
