package io.aerolog.cluster.group;

import java.util.List;
import java.util.SortedMap;

/**
 * An immutable view of a group, for {@code groups describe}.
 *
 * @param groupId          of the group.
 * @param groupEpoch       epoch of the group, bumped on every membership or subscription change.
 * @param members          the members in id order.
 * @param committedOffsets committed offsets in partition order.
 */
public record GroupDescription(
    String groupId,
    int groupEpoch,
    List<MemberDescription> members,
    SortedMap<TopicPartition, OffsetAndMetadata> committedOffsets)
{
    /**
     * An immutable view of a member.
     *
     * @param memberId         of the member.
     * @param instanceId       static instance id, or null.
     * @param memberEpoch      epoch of the member.
     * @param leftTemporarily  a static member that left and may come back within its session timeout.
     * @param subscribedTopics topics in name order.
     * @param owned            partitions it owns, sorted.
     * @param target           partitions the target assignment gives it, sorted.
     */
    public record MemberDescription(
        String memberId,
        String instanceId,
        int memberEpoch,
        boolean leftTemporarily,
        List<String> subscribedTopics,
        List<TopicPartition> owned,
        List<TopicPartition> target)
    {
    }
}
