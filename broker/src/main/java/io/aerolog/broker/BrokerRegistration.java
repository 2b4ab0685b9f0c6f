package io.aerolog.broker;

import io.aerolog.cluster.ControllerClient;
import io.aerolog.codecs.wire.ErrorCode;

import java.util.function.LongConsumer;

/**
 * This broker's registration with the controller: registers on start, then heartbeats every
 * {@link #HEARTBEAT_INTERVAL_MS} with the epoch the registration was answered with, and registers again when a
 * heartbeat is refused {@code STALE_BROKER_EPOCH} (the controller fenced its registration or lost it) or a
 * registration goes unanswered. On a clean stop it sends a controlled shutdown: once
 * ({@link #controlledShutdown}), or, when leaderships must move first, from {@link #beginControlledShutdown} on
 * until the controller answers (again every {@link #REGISTER_RETRY_MS}), with no heartbeat or registration after
 * it: the controller has fenced this broker, and registering again would make it a leader again. Its correlation
 * ids are negative, apart from every other controller request's.
 * Allocates nothing once registered. <b>Not thread-safe:</b> the conductor's thread.
 */
final class BrokerRegistration
{
    /** Interval between heartbeats, well inside the controller's broker session timeout (1500 ms by default). */
    static final long HEARTBEAT_INTERVAL_MS = 250;

    /** How long a registration may go unanswered before it is sent again. */
    static final long REGISTER_RETRY_MS = 1000;

    private static final long NO_REQUEST = 0;

    /** {@link #shutdownCode()} until the controller answers the controlled shutdown. */
    static final int NO_ANSWER = Integer.MIN_VALUE;
    private static final int NONE = ErrorCode.NONE.value();
    private static final int STALE_BROKER_EPOCH = ErrorCode.STALE_BROKER_EPOCH.value();

    private final int brokerId;
    private final String host;
    private final String internalHost;
    private final int portBase;
    private long nextCorrelationId = Long.MIN_VALUE;
    private long registerCorrelationId = NO_REQUEST;
    private long brokerEpoch;
    private long epochFirstCorrelationId = Long.MIN_VALUE;
    private long nextSendMs;
    private LongConsumer epochListener = (epoch) -> {};
    private boolean shuttingDown;
    private long shutdownFirstCorrelationId;
    private int shutdownCode = NO_ANSWER;

    /**
     * @param brokerId this broker's id.
     * @param host         the host clients reach it on.
     * @param internalHost where its archive control and replica ports listen ({@code internal.host}).
     * @param portBase     its client port base.
     */
    BrokerRegistration(final int brokerId, final String host, final String internalHost, final int portBase)
    {
        this.brokerId = brokerId;
        this.host = host;
        this.internalHost = internalHost;
        this.portBase = portBase;
    }

    /** @param listener told each new epoch the controller registers this broker with (conductor's thread). */
    void epochListener(final LongConsumer listener)
    {
        this.epochListener = listener;
    }

    /**
     * Registers or heartbeats when due.
     *
     * @param nowMs      the conductor's time.
     * @param controller the current controller client.
     * @return work done.
     */
    int doWork(final long nowMs, final ControllerClient controller)
    {
        if (nowMs < nextSendMs || controller.isClosed())
        {
            return 0;
        }

        final long correlationId = nextCorrelationId;
        final boolean sent;
        if (shuttingDown)
        {
            if (NO_ANSWER != shutdownCode)
            {
                nextSendMs = Long.MAX_VALUE; // answered: nothing more to send
                return 0;
            }
            // Sent again until answered: a controller leader that changed may have lost it. Repeating is harmless.
            sent = controller.controlledShutdown(correlationId, brokerId, brokerEpoch);
            if (sent)
            {
                nextSendMs = nowMs + REGISTER_RETRY_MS;
            }
        }
        else if (0 == brokerEpoch)
        {
            sent = controller.registerBroker(correlationId, brokerId, host, internalHost, portBase);
            if (sent)
            {
                registerCorrelationId = correlationId;
                nextSendMs = nowMs + REGISTER_RETRY_MS;
            }
        }
        else
        {
            sent = controller.brokerHeartbeat(correlationId, brokerId, brokerEpoch);
            if (sent)
            {
                nextSendMs = nowMs + HEARTBEAT_INTERVAL_MS;
            }
        }

        if (sent)
        {
            nextCorrelationId++;
            return 1;
        }
        return 0; // back pressured: the next duty cycle tries again
    }

    /**
     * Takes the answer to one of its requests.
     *
     * @param correlationId of the answer.
     * @param code          its {@link ErrorCode} value.
     * @param value         the broker's epoch on success.
     * @return true if the answer was to one of this registration's requests.
     */
    boolean onCommandResult(final long correlationId, final int code, final long value)
    {
        if (correlationId >= 0 || correlationId >= nextCorrelationId)
        {
            return false; // another request's, or the controller's answer to a message it could not read (-1)
        }

        if (shuttingDown)
        {
            // Only controlled shutdowns are sent from then on: any answer to one will do.
            if (correlationId >= shutdownFirstCorrelationId && NO_ANSWER == shutdownCode)
            {
                shutdownCode = code;
            }
            return true; // a late answer to a heartbeat changes nothing now
        }

        if (correlationId == registerCorrelationId)
        {
            registerCorrelationId = NO_REQUEST;
            if (NONE == code)
            {
                brokerEpoch = value;
                epochListener.accept(value); // e.g. the replica channel's hellos carry it
                epochFirstCorrelationId = nextCorrelationId;
                nextSendMs = 0; // heartbeat at once: the registration's deadline runs from now
            }
        }
        else if (STALE_BROKER_EPOCH == code && brokerEpoch != 0 && correlationId >= epochFirstCorrelationId)
        {
            // Only a heartbeat with the current epoch counts: one sent before the last registration is stale anyway.
            brokerEpoch = 0; // register again, for a new epoch
            nextSendMs = 0;
        }
        return true;
    }

    /**
     * A clean stop that waits for its leaderships to move: from now on {@link #doWork} sends a controlled shutdown
     * (at once, then again every {@link #REGISTER_RETRY_MS} until answered) and no more heartbeats or registrations.
     *
     * @return false if there is nothing to ask (not registered): the stop need not wait for the controller.
     */
    boolean beginControlledShutdown()
    {
        if (shuttingDown)
        {
            return true;
        }
        if (0 == brokerEpoch)
        {
            return false;
        }
        shuttingDown = true;
        shutdownFirstCorrelationId = nextCorrelationId;
        registerCorrelationId = NO_REQUEST;
        nextSendMs = 0;
        return true;
    }

    /** @return whether {@link #beginControlledShutdown} started a controlled shutdown. */
    boolean isShuttingDown()
    {
        return shuttingDown;
    }

    /**
     * @return the controller's answer to the controlled shutdown ({@link ErrorCode} value), or {@link #NO_ANSWER}.
     */
    int shutdownCode()
    {
        return shutdownCode;
    }

    /**
     * A clean stop: tells the controller once, without waiting, so it marks this broker shut down rather than fencing
     * it a session later. Lost if the controller cannot take it now (the deadline then fences it).
     *
     * @param controller the current controller client.
     * @return true if sent.
     */
    boolean controlledShutdown(final ControllerClient controller)
    {
        if (0 == brokerEpoch || shuttingDown || controller.isClosed())
        {
            return false;
        }
        final boolean sent = controller.controlledShutdown(nextCorrelationId, brokerId, brokerEpoch);
        if (sent)
        {
            nextCorrelationId++;
        }
        return sent;
    }

    /** @return whether the controller has accepted a registration (until it asks for a new one). */
    boolean isRegistered()
    {
        return 0 != brokerEpoch;
    }

    /** @return the epoch of the current registration, 0 while not registered. */
    long brokerEpoch()
    {
        return brokerEpoch;
    }
}
