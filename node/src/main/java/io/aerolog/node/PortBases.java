package io.aerolog.node;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds a port base for the measured broker: a run of UDP ports, from the base up, that are free on a host. Starts
 * from random bases so that runs in parallel (tests, other tools) rarely pick the same one.
 */
public final class PortBases
{
    /** Ports a broker uses: client ingress at the base, archive and cluster on the next six. */
    static final int PORTS_PER_BROKER = NodePorts.PORTS_PER_NODE;

    private static final int CANDIDATES = 200;
    private static final int LOWEST = 21000;
    private static final int HIGHEST = 41000;

    private PortBases()
    {
    }

    /**
     * @param host to bind on.
     * @return a port base whose ports are all free now.
     * @throws IllegalStateException if none is found.
     */
    public static int find(final String host)
    {
        for (int i = 0; i < CANDIDATES; i++)
        {
            final int base = ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST - PORTS_PER_BROKER);
            if (isFree(host, base))
            {
                return base;
            }
        }
        throw new IllegalStateException("no free run of " + PORTS_PER_BROKER + " UDP ports found on " + host);
    }

    private static boolean isFree(final String host, final int base)
    {
        for (int port = base; port < base + PORTS_PER_BROKER; port++)
        {
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(host, port)))
            {
                socket.getLocalPort();
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
    }
}
