package io.aerolog.client;

import io.aerolog.transport.Wire;

/**
 * How a client reaches a broker. With no bootstrap it attaches to the media driver of a broker on the same host
 * (through the shared Aeron directory) and talks IPC; with a bootstrap {@code host:port} it starts a media driver of
 * its own and talks UDP to that broker's client ingress.
 */
public final class ClientContext
{
    private String aeronDirectoryName = Wire.defaultAeronDirectoryName();
    private String bootstrap;
    private String clientHost = "localhost";
    private String clientName = "aerolog-client";
    private long requestTimeoutMs = 30_000;
    private long connectTimeoutMs = 10_000;

    /**
     * @param aeronDirectoryName of the broker's media driver (IPC mode).
     * @return this for a fluent API.
     */
    public ClientContext aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    /** @return Aeron directory of the broker's media driver (IPC mode). */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * @param bootstrap {@code host:port} of a broker's client ingress; null for a broker on this host over IPC.
     * @return this for a fluent API.
     */
    public ClientContext bootstrap(final String bootstrap)
    {
        this.bootstrap = bootstrap;
        return this;
    }

    /** @return {@code host:port} of the broker's client ingress, or null for IPC. */
    public String bootstrap()
    {
        return bootstrap;
    }

    /**
     * @param clientHost address of this client as the broker can reach it (UDP mode).
     * @return this for a fluent API.
     */
    public ClientContext clientHost(final String clientHost)
    {
        this.clientHost = clientHost;
        return this;
    }

    /** @return address of this client as the broker can reach it (UDP mode). */
    public String clientHost()
    {
        return clientHost;
    }

    /**
     * @param clientName shown in the broker's session list.
     * @return this for a fluent API.
     */
    public ClientContext clientName(final String clientName)
    {
        this.clientName = clientName;
        return this;
    }

    /** @return name shown in the broker's session list. */
    public String clientName()
    {
        return clientName;
    }

    /**
     * @param requestTimeoutMs how long a request may wait for its answer.
     * @return this for a fluent API.
     */
    public ClientContext requestTimeoutMs(final long requestTimeoutMs)
    {
        this.requestTimeoutMs = requestTimeoutMs;
        return this;
    }

    /** @return how long a request may wait for its answer. */
    public long requestTimeoutMs()
    {
        return requestTimeoutMs;
    }

    /**
     * @param connectTimeoutMs how long connecting to a broker may take.
     * @return this for a fluent API.
     */
    public ClientContext connectTimeoutMs(final long connectTimeoutMs)
    {
        this.connectTimeoutMs = connectTimeoutMs;
        return this;
    }

    /** @return how long connecting to a broker may take. */
    public long connectTimeoutMs()
    {
        return connectTimeoutMs;
    }

    /**
     * A copy, so one context can configure several clients.
     *
     * @return the copy.
     */
    public ClientContext copy()
    {
        return new ClientContext().aeronDirectoryName(aeronDirectoryName).bootstrap(bootstrap).clientHost(clientHost)
            .clientName(clientName).requestTimeoutMs(requestTimeoutMs).connectTimeoutMs(connectTimeoutMs);
    }
}
