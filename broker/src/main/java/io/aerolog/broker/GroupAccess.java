package io.aerolog.broker;

import io.aerolog.cluster.security.AclOperation;
import io.aerolog.cluster.security.AclResourceType;
import io.aerolog.cluster.security.Authorizer;
import io.aerolog.codecs.wire.ConsumerGroupHeartbeatDecoder;
import io.aerolog.codecs.wire.DeleteGroupDecoder;
import io.aerolog.codecs.wire.DescribeGroupDecoder;
import io.aerolog.codecs.wire.LeaveGroupDecoder;
import io.aerolog.codecs.wire.ListGroupsDecoder;
import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aerolog.codecs.wire.OffsetCommitDecoder;
import io.aerolog.codecs.wire.OffsetFetchDecoder;
import io.aerolog.codecs.wire.ResetOffsetsDecoder;
import org.agrona.DirectBuffer;

/**
 * What a consumer-group request needs, as Kafka asks it: READ on the group to join, heartbeat, leave or commit (and
 * READ on each topic committed), DESCRIBE on the group to fetch its offsets or describe it, DESCRIBE on the cluster
 * to list groups, READ on the group and each topic to reset offsets, DELETE on the group to delete it. Reads the
 * request (already checked by the frame validator) with its own decoders, so the forwarded frame is untouched.
 * Conductor thread.
 */
final class GroupAccess
{
    private final AccessControl access;
    private final Answers answers;
    private final ConsumerGroupHeartbeatDecoder heartbeat = new ConsumerGroupHeartbeatDecoder();
    private final LeaveGroupDecoder leave = new LeaveGroupDecoder();
    private final OffsetCommitDecoder commit = new OffsetCommitDecoder();
    private final OffsetFetchDecoder fetch = new OffsetFetchDecoder();
    private final DescribeGroupDecoder describe = new DescribeGroupDecoder();
    private final ResetOffsetsDecoder reset = new ResetOffsetsDecoder();
    private final DeleteGroupDecoder delete = new DeleteGroupDecoder();

    GroupAccess(final AccessControl access, final Answers answers)
    {
        this.access = access;
        this.answers = answers;
    }

    /**
     * Checks a group request; a refusal is answered and counted.
     *
     * @param session       asking.
     * @param correlationId of the request.
     * @param frame         holding the request with its header at 0.
     * @param header        its header, wrapped.
     * @return true if it may be forwarded.
     */
    boolean check(
        final ClientSession session, final long correlationId, final DirectBuffer frame, final MessageHeaderDecoder header)
    {
        switch (header.templateId())
        {
            case ConsumerGroupHeartbeatDecoder.TEMPLATE_ID:
            {
                final ConsumerGroupHeartbeatDecoder d = heartbeat.wrapAndApplyHeader(frame, 0, header);
                d.subscribedTopics().forEach((t) -> t.skipTopicName());
                d.ownedPartitions().forEach((p) -> p.skipTopicName());
                return group(session, correlationId, AclOperation.READ, d.groupId());
            }
            case LeaveGroupDecoder.TEMPLATE_ID:
                return group(session, correlationId, AclOperation.READ,
                    leave.wrapAndApplyHeader(frame, 0, header).groupId());
            case OffsetCommitDecoder.TEMPLATE_ID:
            {
                final OffsetCommitDecoder d = commit.wrapAndApplyHeader(frame, 0, header);
                for (final OffsetCommitDecoder.OffsetsDecoder o : d.offsets())
                {
                    final String topic = o.topicName();
                    o.skipMetadata();
                    if (!access.check(session, correlationId, AclOperation.READ, AclResourceType.TOPIC, topic, answers))
                    {
                        return false;
                    }
                }
                return group(session, correlationId, AclOperation.READ, d.groupId());
            }
            case OffsetFetchDecoder.TEMPLATE_ID:
            {
                final OffsetFetchDecoder d = fetch.wrapAndApplyHeader(frame, 0, header);
                d.partitions().forEach((p) -> p.skipTopicName());
                return group(session, correlationId, AclOperation.DESCRIBE, d.groupId());
            }
            case ListGroupsDecoder.TEMPLATE_ID:
                return access.check(session, correlationId, AclOperation.DESCRIBE, AclResourceType.CLUSTER,
                    Authorizer.CLUSTER_NAME, answers);
            case DescribeGroupDecoder.TEMPLATE_ID:
                return group(session, correlationId, AclOperation.DESCRIBE,
                    describe.wrapAndApplyHeader(frame, 0, header).groupId());
            case ResetOffsetsDecoder.TEMPLATE_ID:
            {
                final ResetOffsetsDecoder d = reset.wrapAndApplyHeader(frame, 0, header);
                for (final ResetOffsetsDecoder.OffsetsDecoder o : d.offsets())
                {
                    if (!access.check(session, correlationId, AclOperation.READ, AclResourceType.TOPIC, o.topicName(),
                        answers))
                    {
                        return false;
                    }
                }
                return group(session, correlationId, AclOperation.READ, d.groupId());
            }
            case DeleteGroupDecoder.TEMPLATE_ID:
                return group(session, correlationId, AclOperation.DELETE,
                    delete.wrapAndApplyHeader(frame, 0, header).groupId());
            default:
                return true;
        }
    }

    private boolean group(
        final ClientSession session, final long correlationId, final AclOperation operation, final String groupId)
    {
        return access.check(session, correlationId, operation, AclResourceType.GROUP, groupId, answers);
    }
}
