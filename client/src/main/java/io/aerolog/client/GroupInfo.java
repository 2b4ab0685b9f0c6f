package io.aerolog.client;

import java.util.List;

/**
 * A consumer group as {@link Admin#describeGroup} finds it.
 *
 * @param groupId    of the group.
 * @param groupEpoch bumped on every change of membership or subscription.
 * @param assignor   the group's assignment strategy.
 * @param members    live members (and static members within their session timeout after a temporary leave).
 * @param partitions every partition of the subscribed topics and every committed partition.
 */
public record GroupInfo(
    String groupId, int groupEpoch, String assignor, List<Member> members, List<PartitionLag> partitions)
{
    /**
     * A member of a group.
     *
     * @param memberId    given by the controller on join.
     * @param instanceId  static membership id, empty for a dynamic member.
     * @param memberEpoch the member's epoch.
     */
    public record Member(String memberId, String instanceId, int memberEpoch)
    {
    }

    /**
     * A partition's position in a group.
     *
     * @param partition       the partition.
     * @param ownerMemberId   the member reading it, empty when unowned.
     * @param committedOffset the group's committed offset, -1 when none.
     * @param logEndOffset    the partition's high watermark, -1 when unknown.
     * @param lagRecords      records not yet committed, -1 when unknown.
     * @param lagMs           age of the oldest record not yet committed (approximate to the index interval), 0 when
     *                        caught up, -1 when unknown.
     */
    public record PartitionLag(
        TopicPartition partition,
        String ownerMemberId,
        long committedOffset,
        long logEndOffset,
        long lagRecords,
        long lagMs)
    {
    }
}
