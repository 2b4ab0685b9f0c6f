package io.aerolog.transport;

import io.aeron.ChannelUriStringBuilder;
import io.aeron.CommonContext;

/**
 * Builds the Aeron channels Aerolog uses, so that term lengths and endpoints are chosen in one place.
 */
public final class Channels
{
    /** Term length of request and response channels: large enough for a 1 MiB+ record batch (max message = term/8). */
    public static final int REQUEST_TERM_LENGTH = 16 * 1024 * 1024;

    private Channels()
    {
    }

    /**
     * The broker's UDP ingress for clients on other hosts or processes without the shared Aeron directory.
     *
     * @param host of the broker.
     * @param port of the client ingress.
     * @return the channel.
     */
    public static String udpIngress(final String host, final int port)
    {
        return new ChannelUriStringBuilder().media(CommonContext.UDP_MEDIA).endpoint(host + ":" + port)
            .termLength(REQUEST_TERM_LENGTH).build();
    }

    /**
     * The broker's IPC ingress for clients sharing its media driver.
     *
     * @return the channel.
     */
    public static String ipcIngress()
    {
        return new ChannelUriStringBuilder().media(CommonContext.IPC_MEDIA).termLength(REQUEST_TERM_LENGTH).build();
    }

    /**
     * A channel a client receives on over UDP; port 0 lets the OS pick and the client resolves it afterwards.
     *
     * @param host the client's address as seen by the broker.
     * @return the channel.
     */
    public static String udpClientReceive(final String host)
    {
        return "aeron:udp?endpoint=" + host + ":0";
    }

    /**
     * The channel a broker sends to a UDP client on, once the client's port is known.
     *
     * @param resolvedEndpoint host:port the client resolved.
     * @return the channel.
     */
    public static String udpClientSend(final String resolvedEndpoint)
    {
        return new ChannelUriStringBuilder().media(CommonContext.UDP_MEDIA).endpoint(resolvedEndpoint)
            .termLength(REQUEST_TERM_LENGTH).build();
    }

    /**
     * An IPC channel private to one client: the session id keeps other clients' streams apart.
     *
     * @param sessionId chosen for the client.
     * @return the channel.
     */
    public static String ipcClient(final int sessionId)
    {
        return new ChannelUriStringBuilder().media(CommonContext.IPC_MEDIA).sessionId(sessionId)
            .termLength(REQUEST_TERM_LENGTH).build();
    }
}
