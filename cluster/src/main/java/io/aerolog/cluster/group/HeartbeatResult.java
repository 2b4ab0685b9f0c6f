package io.aerolog.cluster.group;

import java.util.List;

/**
 * Answer to a {@link GroupCoordinator#heartbeat} call.
 *
 * @param errorCode    a {@link GroupErrors} value; on error only {@code errorMessage} is meaningful.
 * @param errorMessage why it failed, null on success.
 * @param memberId     the member's id (new on a join, and on a static member's rejoin).
 * @param memberEpoch  the member's epoch: use it to commit offsets.
 * @param groupEpoch   the group's epoch.
 * @param assigned     partitions the member owns now and may consume (never owned by another member), sorted.
 * @param revoke       partitions the member must stop consuming, commit and then report as no longer owned, sorted.
 * @param pending      partitions the target assignment gives the member that are still owned by another member,
 *                     sorted; they arrive in a later heartbeat once released.
 */
public record HeartbeatResult(
    int errorCode,
    String errorMessage,
    String memberId,
    int memberEpoch,
    int groupEpoch,
    List<TopicPartition> assigned,
    List<TopicPartition> revoke,
    List<TopicPartition> pending)
{
    static HeartbeatResult error(final int errorCode, final String message)
    {
        return new HeartbeatResult(errorCode, message, null, -1, -1, List.of(), List.of(), List.of());
    }

    /**
     * Did the heartbeat succeed?
     *
     * @return true if {@link #errorCode()} is {@link GroupErrors#NONE}.
     */
    public boolean isSuccess()
    {
        return GroupErrors.NONE == errorCode;
    }
}
