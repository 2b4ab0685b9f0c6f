package io.aerolog.cli;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds a port base for an embedded broker: a run of UDP ports, from the base up, that are free on a host.
 */
final class PortBaseFinder
{
    /** Ports a broker uses: client ingress at the base, archive and cluster on the next six. */
    static final int PORTS_PER_BROKER = 7;

    private static final int FIRST_CANDIDATE = 19090;
    private static final int SEQUENTIAL_CANDIDATES = 50;
    private static final int RANDOM_CANDIDATES = 100;

    private PortBaseFinder()
    {
    }

    /**
     * Tries 19090, 19100, ... and then random bases in 20000-40000.
     *
     * @param host to bind on.
     * @return a port base whose ports are all free.
     * @throws IllegalStateException if none is found.
     */
    static int find(final String host)
    {
        for (int i = 0; i < SEQUENTIAL_CANDIDATES; i++)
        {
            final int base = FIRST_CANDIDATE + i * 10;
            if (isFree(host, base))
            {
                return base;
            }
        }
        for (int i = 0; i < RANDOM_CANDIDATES; i++)
        {
            final int base = ThreadLocalRandom.current().nextInt(20000, 40000 - PORTS_PER_BROKER);
            if (isFree(host, base))
            {
                return base;
            }
        }
        throw new IllegalStateException("no free run of " + PORTS_PER_BROKER + " UDP ports found on " + host);
    }

    /**
     * @param host to bind on.
     * @param base first port.
     * @return true if every port of a broker at this base can be bound now.
     */
    static boolean isFree(final String host, final int base)
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
