package io.aerolog.cluster;

import io.aerolog.cluster.registry.RegisteredBroker;
import io.aerolog.cluster.security.AclBinding;
import io.aerolog.cluster.security.UserCredential;
import io.aerolog.codecs.cluster.BrokerEventType;
import io.aerolog.codecs.cluster.SecurityEventType;
import io.aerolog.codecs.cluster.TopicEventType;
import io.aerolog.sequencer.PartitionElection;
import org.agrona.DirectBuffer;

/**
 * Callbacks from {@link ControllerClient#poll()} for messages the controller sends a broker.
 * <p>
 * Arguments are only valid during the callback except the {@link TopicMetadata}, which is immutable.
 */
public interface ControllerListener
{
    /**
     * Answer to a command.
     *
     * @param correlationId of the command, or {@link ControllerService#UNKNOWN_CORRELATION_ID} if the controller
     *                      could not decode it.
     * @param code          {@link io.aerolog.codecs.wire.ErrorCode} value.
     * @param topicId       of the topic concerned, 0 if none.
     * @param value         the producer id for an allocation, the first stream id for a create, the resulting log
     *                      start offset for an update, the broker's current epoch for a broker registration,
     *                      heartbeat or controlled shutdown, else 0.
     * @param message       reason for an error, empty on success.
     */
    void onCommandResult(long correlationId, int code, int topicId, long value, String message);

    /**
     * A topic was created, deleted or updated (correlationId {@link TopicEventCodec#NULL_CORRELATION_ID}), or one
     * topic of the answer to a metadata request ({@link TopicEventType#SNAPSHOT}, request correlationId).
     *
     * @param correlationId of the metadata request, or {@link TopicEventCodec#NULL_CORRELATION_ID} for events.
     * @param type          of event.
     * @param topic         the topic after the change; for {@link TopicEventType#DELETED} as it was.
     */
    void onTopicEvent(long correlationId, TopicEventType type, TopicMetadata topic);

    /**
     * End of the answer to a metadata request.
     *
     * @param correlationId of the metadata request.
     * @param topicCount    number of topics sent before this.
     */
    void onMetadataEnd(long correlationId, int topicCount);

    /**
     * A new leader was elected. Events may have been missed across the change, so request metadata again.
     *
     * @param leadershipTermId of the new term.
     * @param leaderMemberId   of the new leader.
     */
    default void onNewLeader(final long leadershipTermId, final int leaderMemberId)
    {
    }

    /**
     * The answer to {@link ControllerClient#forwardGroupRequest}: a wire-schema message with its header.
     *
     * @param correlationId given with the request.
     * @param buffer        holding the answer, valid only during the call.
     * @param offset        of the answer's message header.
     * @param length        of the answer including its header.
     */
    default void onGroupResponse(
        final long correlationId, final DirectBuffer buffer, final int offset, final int length)
    {
    }

    /**
     * A user was added or changed ({@link SecurityEventType#ADDED}) or deleted ({@link SecurityEventType#REMOVED})
     * (correlationId -1), or one user of the answer to a metadata request ({@link SecurityEventType#SNAPSHOT}).
     *
     * @param correlationId of the metadata request, or -1 for events.
     * @param type          of event.
     * @param user          the user (immutable).
     */
    default void onUserEvent(final long correlationId, final SecurityEventType type, final UserCredential user)
    {
    }

    /**
     * An ACL was added or removed (correlationId -1), or one ACL of the answer to a metadata request.
     *
     * @param correlationId of the metadata request, or -1 for events.
     * @param type          of event.
     * @param acl           the binding (immutable).
     */
    default void onAclEvent(final long correlationId, final SecurityEventType type, final AclBinding acl)
    {
    }

    /**
     * A broker registered, was fenced or unfenced, or shut down cleanly (correlationId -1), or one broker of the
     * answer to a metadata request ({@link BrokerEventType#SNAPSHOT}).
     *
     * @param correlationId of the metadata request, or -1 for events.
     * @param type          of event.
     * @param broker        the broker after the change, a copy of its own (its deadline is -1: only the controller
     *                      keeps it).
     */
    default void onBrokerEvent(final long correlationId, final BrokerEventType type, final RegisteredBroker broker)
    {
    }

    /**
     * A partition's replication state: placed with a new topic, changed by an election or an in-sync set change
     * (correlationId -1), or one partition of the answer to a metadata request (before its end marker).
     *
     * @param correlationId     of the metadata request, or -1 for changes.
     * @param topicId           of the partition.
     * @param partition         index.
     * @param minInsyncReplicas of the topic.
     * @param state             the partition's replicas, leader ({@code -1} when offline), epochs, in-sync and
     *                          eligible leader replicas; a copy of its own.
     */
    default void onPartitionChange(
        final long correlationId,
        final int topicId,
        final int partition,
        final int minInsyncReplicas,
        final PartitionElection.State state)
    {
    }

    /**
     * A partition's leader registered where its leader epoch starts (correlationId -1), or one entry of the
     * partition's leader-epoch history in the answer to a metadata request, oldest first, right after the partition's
     * {@link #onPartitionChange} (before the end marker).
     *
     * @param correlationId     of the metadata request, or -1 for a new start.
     * @param topicId           of the partition.
     * @param partition         index.
     * @param epoch             leader epoch.
     * @param startPosition     recording position of the epoch's first batch.
     * @param startOffset       offset of the epoch's first record.
     * @param leaderRecordingId the recording of the leader that started it.
     */
    default void onLeaderEpochStart(
        final long correlationId,
        final int topicId,
        final int partition,
        final int epoch,
        final long startPosition,
        final long startOffset,
        final long leaderRecordingId)
    {
    }
}
