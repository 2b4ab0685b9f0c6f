package io.aerolog.cluster;

import io.aerolog.codecs.cluster.BrokerEventDecoder;
import io.aerolog.codecs.cluster.PartitionChangeEventDecoder;
import io.aerolog.codecs.cluster.LeaderEpochEventDecoder;
import io.aerolog.cluster.replication.PartitionChangeCodec;
import io.aerolog.cluster.replication.PartitionReplicas;
import io.aerolog.cluster.registry.BrokerEventCodec;
import io.aerolog.cluster.registry.RegisteredBroker;
import io.aerolog.codecs.cluster.CommandResultDecoder;
import io.aerolog.codecs.cluster.GroupResponseEventDecoder;
import io.aerolog.codecs.cluster.MessageHeaderDecoder;
import io.aerolog.codecs.cluster.MetadataEndDecoder;
import io.aerolog.codecs.cluster.AclEventDecoder;
import io.aerolog.codecs.cluster.UserEventDecoder;
import io.aerolog.cluster.security.AclBinding;
import io.aerolog.cluster.security.SecurityEventCodec;
import io.aerolog.cluster.security.UserCredential;
import io.aerolog.codecs.cluster.TopicEventDecoder;
import io.aeron.cluster.client.EgressListener;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;

/**
 * Reads what the controller sends a broker on its egress and hands each message, decoded, to a
 * {@link ControllerListener}; a message of no known kind is counted. The client's polling thread only.
 */
final class ControllerEgressDispatcher implements EgressListener
{
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final CommandResultDecoder commandResultDecoder = new CommandResultDecoder();
    private final MetadataEndDecoder metadataEndDecoder = new MetadataEndDecoder();
    private final GroupResponseEventDecoder groupResponseDecoder = new GroupResponseEventDecoder();
    private final TopicEventCodec topicEventCodec = new TopicEventCodec();
    private final SecurityEventCodec securityEventCodec = new SecurityEventCodec();
    private final BrokerEventCodec brokerEventCodec = new BrokerEventCodec();
    private final PartitionChangeCodec partitionChangeCodec = new PartitionChangeCodec();
    private final LeaderEpochEventDecoder leaderEpochDecoder = new LeaderEpochEventDecoder();
    private final ControllerListener listener;
    private long unknownMessages;

    ControllerEgressDispatcher(final ControllerListener listener)
    {
        this.listener = listener;
    }

    public void onMessage(
        final long clusterSessionId,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            unknownMessages++;
            return;
        }

        headerDecoder.wrap(buffer, offset);
        if (MessageHeaderDecoder.SCHEMA_ID != headerDecoder.schemaId())
        {
            unknownMessages++;
            return;
        }

        switch (headerDecoder.templateId())
        {
            case CommandResultDecoder.TEMPLATE_ID:
                commandResultDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                listener.onCommandResult(
                    commandResultDecoder.correlationId(),
                    commandResultDecoder.code(),
                    commandResultDecoder.topicId(),
                    commandResultDecoder.value(),
                    commandResultDecoder.message());
                break;

            case TopicEventDecoder.TEMPLATE_ID:
                final TopicMetadata topic = topicEventCodec.decode(buffer, offset, length, headerDecoder);
                listener.onTopicEvent(topicEventCodec.lastCorrelationId(), topicEventCodec.lastEventType(), topic);
                break;

            case MetadataEndDecoder.TEMPLATE_ID:
                metadataEndDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                listener.onMetadataEnd(metadataEndDecoder.correlationId(), metadataEndDecoder.topicCount());
                break;

            case GroupResponseEventDecoder.TEMPLATE_ID:
            {
                groupResponseDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                final long correlationId = groupResponseDecoder.correlationId();
                final int responseLength = groupResponseDecoder.responseLength();
                final int responseOffset =
                    groupResponseDecoder.limit() + GroupResponseEventDecoder.responseHeaderLength();
                listener.onGroupResponse(correlationId, buffer, responseOffset, responseLength);
                break;
            }

            case UserEventDecoder.TEMPLATE_ID:
            {
                final UserCredential user = securityEventCodec.decodeUser(buffer, offset, headerDecoder);
                listener.onUserEvent(
                    securityEventCodec.lastCorrelationId(), securityEventCodec.lastEventType(), user);
                break;
            }

            case AclEventDecoder.TEMPLATE_ID:
            {
                final AclBinding acl = securityEventCodec.decodeAcl(buffer, offset, headerDecoder);
                if (null == acl)
                {
                    unknownMessages++;
                    break;
                }
                listener.onAclEvent(securityEventCodec.lastCorrelationId(), securityEventCodec.lastEventType(), acl);
                break;
            }

            case PartitionChangeEventDecoder.TEMPLATE_ID:
            {
                final PartitionReplicas.PartitionRecord record =
                    partitionChangeCodec.decode(buffer, offset, headerDecoder);
                listener.onPartitionChange(partitionChangeCodec.lastCorrelationId(), record.topicId(),
                    record.partition(), record.minInsyncReplicas(), record.state());
                break;
            }

            case LeaderEpochEventDecoder.TEMPLATE_ID:
            {
                if (length < MessageHeaderDecoder.ENCODED_LENGTH + headerDecoder.blockLength() ||
                    headerDecoder.blockLength() < LeaderEpochEventDecoder.BLOCK_LENGTH)
                {
                    unknownMessages++;
                    break;
                }
                final LeaderEpochEventDecoder d = leaderEpochDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                listener.onLeaderEpochStart(d.correlationId(), d.topicId(), d.partition(), d.epoch(),
                    d.startPosition(), d.startOffset(), d.leaderRecordingId());
                break;
            }

            case BrokerEventDecoder.TEMPLATE_ID:
            {
                final RegisteredBroker broker = brokerEventCodec.decode(buffer, offset, headerDecoder);
                if (null == broker)
                {
                    unknownMessages++;
                    break;
                }
                listener.onBrokerEvent(
                    brokerEventCodec.lastCorrelationId(), brokerEventCodec.lastEventType(), broker);
                break;
            }

            default:
                unknownMessages++;
        }
    }

    public void onNewLeader(
        final long clusterSessionId,
        final long leadershipTermId,
        final int leaderMemberId,
        final String ingressEndpoints)
    {
        listener.onNewLeader(leadershipTermId, leaderMemberId);
    }

    /** @return messages of no known kind, or that could not be read. */
    long unknownMessages()
    {
        return unknownMessages;
    }
}
