package io.aerolog.broker;

import io.aerolog.transport.Channels;
import io.aerolog.transport.StreamIds;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;

/**
 * Decides where a broker may answer a client that asks to connect. A client names its response and data channels,
 * but the broker never publishes on what a stranger wrote: it accepts only what the request's own transport allows
 * and builds the channels itself, so no client can make it publish on a partition's or an internal stream, to
 * another host, to multicast, or with buffers larger than a client needs.
 * <ul>
 *     <li>IPC (the request came over the IPC ingress): the streams must be the ones derived from the client's own
 *     control publication ({@link StreamIds#ipcResponseStreamId(int)}), which no other client can hold.</li>
 *     <li>UDP: the endpoints must be on the address the request came from (the image's source identity), with a
 *     port, and the stream ids in the client range ({@link StreamIds#isClientResponseStream(int, boolean)}).</li>
 * </ul>
 */
final class ConnectChannelPolicy
{
    /** Longest channel a client may name; what the client library sends is well under it. */
    static final int MAX_CHANNEL_LENGTH = 256;

    private ConnectChannelPolicy()
    {
    }

    /**
     * Where to answer one client, or why not.
     */
    static final class Verdict
    {
        final String responseChannel;
        final String dataChannel;
        final String problem;

        private Verdict(final String responseChannel, final String dataChannel, final String problem)
        {
            this.responseChannel = responseChannel;
            this.dataChannel = dataChannel;
            this.problem = problem;
        }

        boolean isAccepted()
        {
            return null == problem;
        }

        @Override
        public String toString()
        {
            return isAccepted() ? "accepted " + responseChannel + " / " + dataChannel : "refused: " + problem;
        }
    }

    /**
     * @param viaIpc           true when the request came over the IPC ingress.
     * @param sourceIdentity   Aeron's source identity of the image the request came on ({@code host:port} for UDP).
     * @param controlSessionId Aeron session id of that image.
     * @param responseChannel  as the client named it.
     * @param responseStreamId as the client named it.
     * @param dataChannel      as the client named it.
     * @param dataStreamId     as the client named it.
     * @return the channels the broker will use, or the problem.
     */
    static Verdict check(
        final boolean viaIpc,
        final String sourceIdentity,
        final int controlSessionId,
        final String responseChannel,
        final int responseStreamId,
        final String dataChannel,
        final int dataStreamId)
    {
        if (responseChannel.length() > MAX_CHANNEL_LENGTH || dataChannel.length() > MAX_CHANNEL_LENGTH)
        {
            return refuse("channel longer than " + MAX_CHANNEL_LENGTH + " characters");
        }
        final ChannelUri response;
        final ChannelUri data;
        try
        {
            response = ChannelUri.parse(responseChannel);
            data = ChannelUri.parse(dataChannel);
        }
        catch (final RuntimeException ex)
        {
            return refuse("unparseable channel");
        }
        return viaIpc ?
            checkIpc(controlSessionId, response, responseStreamId, data, dataStreamId) :
            checkUdp(sourceIdentity, response, responseStreamId, data, dataStreamId);
    }

    private static Verdict checkIpc(
        final int controlSessionId,
        final ChannelUri response,
        final int responseStreamId,
        final ChannelUri data,
        final int dataStreamId)
    {
        if (!CommonContext.IPC_MEDIA.equals(response.media()) || !CommonContext.IPC_MEDIA.equals(data.media()))
        {
            return refuse("a client on IPC is answered on IPC");
        }
        if (responseStreamId != StreamIds.ipcResponseStreamId(controlSessionId) ||
            dataStreamId != StreamIds.ipcDataStreamId(controlSessionId))
        {
            return refuse("IPC streams must be the ones derived from the client's control session");
        }
        return new Verdict(Channels.ipcIngress(), CommonContext.IPC_CHANNEL, null);
    }

    private static Verdict checkUdp(
        final String sourceIdentity,
        final ChannelUri response,
        final int responseStreamId,
        final ChannelUri data,
        final int dataStreamId)
    {
        if (!CommonContext.UDP_MEDIA.equals(response.media()) || !CommonContext.UDP_MEDIA.equals(data.media()))
        {
            return refuse("a client over UDP is answered over UDP");
        }
        if (!StreamIds.isClientResponseStream(responseStreamId, false) ||
            !StreamIds.isClientResponseStream(dataStreamId, false))
        {
            return refuse("stream id outside the client range");
        }
        final String sourceHost = host(sourceIdentity);
        final String responseEndpoint = response.get(CommonContext.ENDPOINT_PARAM_NAME);
        final String dataEndpoint = data.get(CommonContext.ENDPOINT_PARAM_NAME);
        if (null == sourceHost || !isOnHost(responseEndpoint, sourceHost) || !isOnHost(dataEndpoint, sourceHost))
        {
            return refuse("endpoints must be on the address the request came from (" + sourceIdentity + ")");
        }
        return new Verdict(
            Channels.udpClientSend(responseEndpoint), CommonContext.UDP_CHANNEL + "?endpoint=" + dataEndpoint, null);
    }

    private static boolean isOnHost(final String endpoint, final String host)
    {
        if (null == endpoint || !endpoint.startsWith(host) || endpoint.length() <= host.length() + 1 ||
            ':' != endpoint.charAt(host.length()))
        {
            return false;
        }
        final String port = endpoint.substring(host.length() + 1);
        if (port.length() > 5)
        {
            return false;
        }
        for (int i = 0; i < port.length(); i++)
        {
            if (!Character.isDigit(port.charAt(i)))
            {
                return false;
            }
        }
        final int value = Integer.parseInt(port);
        return value > 0 && value <= 0xFFFF;
    }

    // "1.2.3.4:5" or "[::1]:5" -> "1.2.3.4" or "[::1]"
    private static String host(final String sourceIdentity)
    {
        if (null == sourceIdentity)
        {
            return null;
        }
        final int colon = sourceIdentity.lastIndexOf(':');
        return colon <= 0 ? null : sourceIdentity.substring(0, colon);
    }

    private static Verdict refuse(final String problem)
    {
        return new Verdict(null, null, problem);
    }
}
