package io.aerolog.client;

import io.aerolog.codecs.wire.AdminResponseDecoder;
import io.aerolog.codecs.wire.ElectLeadersEncoder;
import io.aerolog.codecs.wire.ElectLeadersResponseDecoder;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import org.agrona.DirectBuffer;

/**
 * Preferred leader elections, as Kafka's {@code Admin.electLeaders(ElectionType.PREFERRED, ...)}: leadership moves
 * back to each partition's preferred leader (its first replica) wherever that broker is alive and in sync. The
 * request goes through {@link Admin#electLeaders}; the broker forwards it to the controller.
 */
final class LeaderElections
{
    /** Partition of {@link #elect} that means every partition of the topic. */
    static final int ALL_PARTITIONS = -1;

    private LeaderElections()
    {
    }

    /**
     * Runs a preferred leader election and waits for its answer.
     *
     * @param connection to a broker of the cluster.
     * @param topic      one topic, or null or empty for every topic.
     * @param partition  one partition of the topic, or {@link #ALL_PARTITIONS}.
     * @return how many partitions changed leader.
     * @throws AerologException if refused: {@code UNKNOWN_TOPIC_OR_PARTITION}, {@code AUTHORIZATION_FAILED} (ALTER
     *                          on the cluster is needed), {@code REQUEST_TIMED_OUT}, ...
     */
    static int elect(final BrokerConnection connection, final String topic, final int partition)
    {
        final long correlationId = connection.nextCorrelationId();
        final ElectLeadersEncoder encoder = new ElectLeadersEncoder()
            .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
            .correlationId(correlationId)
            .clientSessionId(connection.clientSessionId())
            .partition(partition)
            .topicName(null == topic ? "" : topic);
        final DirectBuffer response = connection.request(
            MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), correlationId,
            connection.context().requestTimeoutMs(), null);
        connection.throwIfErrorResponse(response);
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(response, 0);
        if (AdminResponseDecoder.TEMPLATE_ID == header.templateId())
        {
            // A broker's generic refusal of an admin request.
            final AdminResponseDecoder d = new AdminResponseDecoder().wrapAndApplyHeader(response, 0, header);
            throw new AerologException(d.code(), d.message());
        }
        final ElectLeadersResponseDecoder d = new ElectLeadersResponseDecoder().wrapAndApplyHeader(response, 0, header);
        final ErrorCode code = d.code();
        final int moved = d.partitionsMoved();
        final String message = d.message();
        if (ErrorCode.NONE != code)
        {
            throw new AerologException(code, message);
        }
        return moved;
    }
}
