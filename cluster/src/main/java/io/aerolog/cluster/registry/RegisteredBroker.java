package io.aerolog.cluster.registry;

import io.aerolog.codecs.cluster.BrokerState;

/**
 * One broker as the registry knows it. The registry changes it in place (no allocation per heartbeat); others get
 * read-only access and must copy what they keep. Decoded events give detached instances of their own.
 */
public final class RegisteredBroker
{
    private final int brokerId;
    private long brokerEpoch;
    private String host;
    private String internalHost;
    private int portBase;
    private BrokerState state;
    private long deadlineMs;

    /**
     * @param brokerId    the broker's id.
     * @param brokerEpoch epoch of its current registration.
     * @param host        client host.
     * @param portBase    client port base.
     * @param state       its state.
     * @param deadlineMs  heartbeat deadline in cluster time, {@link BrokerRegistry#NO_DEADLINE} unless unfenced.
     */
    public RegisteredBroker(
        final int brokerId,
        final long brokerEpoch,
        final String host,
        final int portBase,
        final BrokerState state,
        final long deadlineMs)
    {
        this(brokerId, brokerEpoch, host, host, portBase, state, deadlineMs);
    }

    /**
     * @param brokerId     the broker's id.
     * @param brokerEpoch  epoch of its current registration.
     * @param host         client host.
     * @param internalHost host its archive control and replica ports listen on.
     * @param portBase     client port base.
     * @param state        its state.
     * @param deadlineMs   heartbeat deadline in cluster time, {@link BrokerRegistry#NO_DEADLINE} unless unfenced.
     */
    public RegisteredBroker(
        final int brokerId,
        final long brokerEpoch,
        final String host,
        final String internalHost,
        final int portBase,
        final BrokerState state,
        final long deadlineMs)
    {
        this.brokerId = brokerId;
        this.brokerEpoch = brokerEpoch;
        this.host = host;
        this.internalHost = internalHost;
        this.portBase = portBase;
        this.state = state;
        this.deadlineMs = deadlineMs;
    }

    /** @return the broker's id. */
    public int brokerId()
    {
        return brokerId;
    }

    /** @return epoch of its current registration, from the registry's counter. */
    public long brokerEpoch()
    {
        return brokerEpoch;
    }

    /** @return the host clients reach it on. */
    public String host()
    {
        return host;
    }

    /** @return the host its archive control and replica ports listen on ({@code internal.host}). */
    public String internalHost()
    {
        return internalHost;
    }

    /** @return the client port base. */
    public int portBase()
    {
        return portBase;
    }

    /** @return its state. */
    public BrokerState state()
    {
        return state;
    }

    /** @return true if it may lead and follow: registered, heartbeating, not shut down. */
    public boolean isUnfenced()
    {
        return BrokerState.UNFENCED == state;
    }

    /** @return true if it stopped cleanly (controlled shutdown) and has not registered since. */
    public boolean isCleanShutdown()
    {
        return BrokerState.SHUT_DOWN == state;
    }

    /** @return heartbeat deadline in cluster time (ms), {@link BrokerRegistry#NO_DEADLINE} unless unfenced. */
    public long deadlineMs()
    {
        return deadlineMs;
    }

    void register(
        final long brokerEpoch, final String host, final String internalHost, final int portBase, final long deadlineMs)
    {
        this.brokerEpoch = brokerEpoch;
        this.host = host;
        this.internalHost = internalHost;
        this.portBase = portBase;
        this.state = BrokerState.UNFENCED;
        this.deadlineMs = deadlineMs;
    }

    void state(final BrokerState state, final long deadlineMs)
    {
        this.state = state;
        this.deadlineMs = deadlineMs;
    }

    void deadlineMs(final long deadlineMs)
    {
        this.deadlineMs = deadlineMs;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "broker " + brokerId + " epoch=" + brokerEpoch + " " + host + ":" + portBase + " internal " + internalHost + " " +
            state;
    }
}
