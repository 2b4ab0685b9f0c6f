package io.aerolog.cluster.registry;

import io.aerolog.codecs.cluster.BrokerEventDecoder;
import io.aerolog.codecs.cluster.BrokerEventEncoder;
import io.aerolog.codecs.cluster.BrokerEventType;
import io.aerolog.codecs.cluster.BrokerState;
import io.aerolog.codecs.cluster.MessageHeaderDecoder;
import io.aerolog.codecs.cluster.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The one place a {@link RegisteredBroker} becomes a {@code BrokerEvent} and back: the controller's change events
 * and metadata answers (deadline -1: only the controller needs it), its snapshots (with the deadline), and a
 * broker's copy. Messages must have passed the cluster schema's frame validation (or come from the controller).
 * <b>Not thread-safe:</b> reusable flyweights; one instance per thread.
 */
public final class BrokerEventCodec
{
    /** Deadline sent on egress, where it means nothing. */
    public static final long NO_DEADLINE_ON_EGRESS = -1;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final BrokerEventEncoder encoder = new BrokerEventEncoder();
    private final BrokerEventDecoder decoder = new BrokerEventDecoder();
    private long lastCorrelationId;
    private BrokerEventType lastEventType;

    /**
     * Encodes a broker event, header included.
     *
     * @param buffer        to encode into (expandable, or 64 bytes more than {@link BrokerRegistry#MAX_HOST_BYTES}).
     * @param offset        of the header.
     * @param correlationId of the metadata request answered, or -1 for a change or a snapshot.
     * @param type          of event.
     * @param broker        the broker after the change.
     * @param withDeadline  true in a snapshot: the deadline is replicated state; false on egress.
     * @return the encoded length.
     */
    public int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final long correlationId,
        final BrokerEventType type,
        final RegisteredBroker broker,
        final boolean withDeadline)
    {
        encoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .correlationId(correlationId)
            .eventType(type)
            .brokerId(broker.brokerId())
            .brokerEpoch(broker.brokerEpoch())
            .state(broker.state())
            .portBase(broker.portBase())
            .deadlineMs(withDeadline ? broker.deadlineMs() : NO_DEADLINE_ON_EGRESS)
            .host(broker.host())
            .internalHost(broker.internalHost());

        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * Decodes a {@code BrokerEvent} into a broker of its own.
     *
     * @param buffer holding it.
     * @param offset of its header.
     * @param header its header, wrapped.
     * @return the broker, or null if its state or event type is unknown (a newer controller).
     */
    public RegisteredBroker decode(final DirectBuffer buffer, final int offset, final MessageHeaderDecoder header)
    {
        decoder.wrapAndApplyHeader(buffer, offset, header);
        lastCorrelationId = decoder.correlationId();
        lastEventType = decoder.eventType();
        final int brokerId = decoder.brokerId();
        final long brokerEpoch = decoder.brokerEpoch();
        final BrokerState state = decoder.state();
        final int portBase = decoder.portBase();
        final long deadlineMs = decoder.deadlineMs();
        final String host = decoder.host();
        final String internalHost = decoder.internalHost();
        if (BrokerState.NULL_VAL == state || BrokerState.SBE_UNKNOWN == state ||
            BrokerEventType.NULL_VAL == lastEventType || BrokerEventType.SBE_UNKNOWN == lastEventType)
        {
            return null;
        }

        return new RegisteredBroker(brokerId, brokerEpoch, host, internalHost, portBase, state, deadlineMs);
    }

    /** @return correlation id of the last event decoded. */
    public long lastCorrelationId()
    {
        return lastCorrelationId;
    }

    /** @return type of the last event decoded. */
    public BrokerEventType lastEventType()
    {
        return lastEventType;
    }
}
