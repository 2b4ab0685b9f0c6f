package io.aerolog.cluster;

import io.aerolog.cluster.registry.BrokerEventCodec;
import io.aerolog.cluster.registry.BrokerRegistry;
import io.aerolog.cluster.registry.RegisteredBroker;
import io.aerolog.codecs.cluster.BrokerEventType;
import io.aerolog.codecs.cluster.BrokerHeartbeatCommandDecoder;
import io.aerolog.codecs.cluster.BrokerState;
import io.aerolog.codecs.cluster.ControlledShutdownCommandDecoder;
import io.aerolog.codecs.cluster.MessageHeaderDecoder;
import io.aerolog.codecs.cluster.RegisterBrokerCommandDecoder;
import io.aerolog.codecs.wire.ErrorCode;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.function.IntConsumer;
import java.util.function.IntPredicate;

/**
 * The controller's broker registry commands: applies {@code RegisterBroker}, {@code BrokerHeartbeat} and
 * {@code ControlledShutdown} to the replicated {@link BrokerRegistry} with the cluster time, fences brokers whose
 * deadline passed, and encodes the {@code BrokerEvent} that tells brokers of each change. Deterministic: the outcome
 * depends only on the command, the cluster time and the registry. A heartbeat allocates nothing.
 */
final class BrokerCommands
{
    private static final int NONE = ErrorCode.NONE.value();

    private final BrokerRegistry registry;
    private final BrokerEventCodec codec = new BrokerEventCodec();
    private final ExpandableArrayBuffer eventBuffer = new ExpandableArrayBuffer(512);
    private final RegisterBrokerCommandDecoder registerDecoder = new RegisterBrokerCommandDecoder();
    private final BrokerHeartbeatCommandDecoder heartbeatDecoder = new BrokerHeartbeatCommandDecoder();
    private final ControlledShutdownCommandDecoder shutdownDecoder = new ControlledShutdownCommandDecoder();
    private final BrokerRegistry.FenceListener onFenced = this::onFenced;
    private IntConsumer fencedEventSink;
    private int lastFencedBrokerId = -1;
    private boolean lastReplacedLive;
    private long lastCorrelationId;
    private long lastValue;
    private String lastErrorMessage;
    private int lastEventLength;

    BrokerCommands(final int maxBrokers, final long sessionTimeoutMs)
    {
        registry = new BrokerRegistry(maxBrokers, sessionTimeoutMs);
    }

    /**
     * @param templateId of a cluster-schema message.
     * @return true if {@link #apply} handles it.
     */
    static boolean isBrokerCommand(final int templateId)
    {
        return RegisterBrokerCommandDecoder.TEMPLATE_ID == templateId ||
            BrokerHeartbeatCommandDecoder.TEMPLATE_ID == templateId ||
            ControlledShutdownCommandDecoder.TEMPLATE_ID == templateId;
    }

    /**
     * @param templateId of the command.
     * @return its fixed block length.
     */
    static int blockLength(final int templateId)
    {
        return switch (templateId)
        {
            case RegisterBrokerCommandDecoder.TEMPLATE_ID -> RegisterBrokerCommandDecoder.BLOCK_LENGTH;
            case BrokerHeartbeatCommandDecoder.TEMPLATE_ID -> BrokerHeartbeatCommandDecoder.BLOCK_LENGTH;
            default -> ControlledShutdownCommandDecoder.BLOCK_LENGTH;
        };
    }

    /**
     * Applies a command whose frame has been validated.
     *
     * @param buffer holding the command with its header at 0.
     * @param header the command's header, wrapped.
     * @param nowMs  cluster time.
     * @return an {@link ErrorCode} value; {@link #lastCorrelationId()}, {@link #lastValue()},
     * {@link #lastErrorMessage()} and {@link #lastEventLength()} tell the rest.
     */
    int apply(final DirectBuffer buffer, final MessageHeaderDecoder header, final long nowMs)
    {
        lastEventLength = 0;
        lastErrorMessage = null;
        lastValue = 0;
        lastReplacedLive = false;
        final int code;
        switch (header.templateId())
        {
            case RegisterBrokerCommandDecoder.TEMPLATE_ID:
            {
                final RegisterBrokerCommandDecoder d = registerDecoder.wrapAndApplyHeader(buffer, 0, header);
                lastCorrelationId = d.correlationId();
                final int brokerId = d.brokerId();
                final int portBase = d.portBase();
                if (d.hostLength() > BrokerRegistry.MAX_HOST_BYTES)
                {
                    // Refused before the host becomes a String: a long one costs nothing.
                    lastErrorMessage = "broker host longer than " + BrokerRegistry.MAX_HOST_BYTES + " bytes";
                    return ErrorCode.INVALID_REQUEST.value();
                }
                final String host = d.host();
                if (d.internalHostLength() > BrokerRegistry.MAX_HOST_BYTES)
                {
                    lastErrorMessage = "broker internal host longer than " + BrokerRegistry.MAX_HOST_BYTES + " bytes";
                    return ErrorCode.INVALID_REQUEST.value();
                }
                final String internalHost = d.internalHost();
                final RegisteredBroker before = registry.broker(brokerId);
                final boolean wasLive = null != before && BrokerState.UNFENCED == before.state();
                // An empty internal host (a sender that does not set it) means the client host.
                code = registry.register(
                    brokerId, host, internalHost.isEmpty() ? host : internalHost, portBase, nowMs);
                lastReplacedLive = NONE == code && wasLive;
                break;
            }
            case BrokerHeartbeatCommandDecoder.TEMPLATE_ID:
            {
                final BrokerHeartbeatCommandDecoder d = heartbeatDecoder.wrapAndApplyHeader(buffer, 0, header);
                lastCorrelationId = d.correlationId();
                code = registry.heartbeat(d.brokerId(), d.brokerEpoch(), nowMs);
                break;
            }
            default:
            {
                final ControlledShutdownCommandDecoder d = shutdownDecoder.wrapAndApplyHeader(buffer, 0, header);
                lastCorrelationId = d.correlationId();
                code = registry.controlledShutdown(d.brokerId(), d.brokerEpoch());
                break;
            }
        }

        if (NONE != code)
        {
            lastErrorMessage = registry.lastErrorMessage();
            return code;
        }

        final RegisteredBroker broker = registry.lastBroker();
        lastValue = broker.brokerEpoch();
        final BrokerEventType eventType = registry.lastEventType();
        if (null != eventType)
        {
            lastEventLength = codec.encode(eventBuffer, 0, -1, eventType, broker, false);
        }

        return NONE;
    }

    /**
     * Fences the brokers whose deadline passed, encoding a {@code FENCED} event for each into {@link #eventBuffer()}.
     *
     * @param nowMs cluster time.
     * @param sink  takes the length of each event, which is valid until the next one.
     * @return number of brokers fenced.
     */
    int fenceExpired(final long nowMs, final IntConsumer sink)
    {
        fencedEventSink = sink;
        try
        {
            return registry.fenceExpired(nowMs, onFenced);
        }
        finally
        {
            fencedEventSink = null;
        }
    }

    /**
     * Encodes every broker, in id order, as a {@code SNAPSHOT} event into {@link #eventBuffer()}, one at a time,
     * stopping when the sink says so.
     *
     * @param correlationId of the metadata request.
     * @param sink          takes each encoded event's length; false stops.
     * @return false if the sink stopped it.
     */
    boolean forEachRecord(final long correlationId, final IntPredicate sink)
    {
        for (int i = 0; i < registry.size(); i++)
        {
            final int length =
                codec.encode(eventBuffer, 0, correlationId, BrokerEventType.SNAPSHOT, registry.brokerAt(i), false);
            if (!sink.test(length))
            {
                return false;
            }
        }

        return true;
    }

    private void onFenced(final RegisteredBroker broker)
    {
        lastFencedBrokerId = broker.brokerId();
        fencedEventSink.accept(codec.encode(eventBuffer, 0, -1, BrokerEventType.FENCED, broker, false));
    }

    /**
     * @return true if the last command was a registration that replaced an unfenced one: the broker restarted
     * before its session ran out, so its previous incarnation is gone without a clean stop.
     */
    boolean lastReplacedLive()
    {
        return lastReplacedLive;
    }

    /** @return id of the broker {@link #fenceExpired} fenced last: valid in its sink. */
    int lastFencedBrokerId()
    {
        return lastFencedBrokerId;
    }

    /** @return the event of the last change, in {@link #eventBuffer()}, or 0 if nothing brokers hear of changed. */
    int lastEventLength()
    {
        return lastEventLength;
    }

    /** @return where events are encoded. */
    ExpandableArrayBuffer eventBuffer()
    {
        return eventBuffer;
    }

    /** @return correlation id of the last command. */
    long lastCorrelationId()
    {
        return lastCorrelationId;
    }

    /** @return the answer's value: the broker's current epoch on success, else 0. */
    long lastValue()
    {
        return lastValue;
    }

    /** @return why the last command was refused, or null. */
    String lastErrorMessage()
    {
        return lastErrorMessage;
    }

    /** @return the registry. */
    BrokerRegistry registry()
    {
        return registry;
    }
}
