package io.aerolog.node;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds a port base for the measured broker: a run of UDP ports, from the base up, that are free on a host, below the
 * kernel's ephemeral port range. Starts from random bases so that runs in parallel (tests, other tools) rarely pick
 * the same one.
 */
public final class PortBases
{
    /** Ports a broker uses: client ingress at the base, archive and cluster on the next six. */
    static final int PORTS_PER_BROKER = NodePorts.PORTS_PER_NODE;

    private static final int CANDIDATES = 200;
    private static final int LOWEST = 20000;
    // Below the kernel's ephemeral range (Linux: 32768 up by default): nodes bind ephemeral ports of their own
    // (archive replies, each replication), and one of those taking a port of a node that is restarting would stop
    // it from binding its fixed ports. Up to 30000: the system tests' own sequential bases start there.
    private static final int HIGHEST = Math.min(30000, ephemeralLow());

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

    /**
     * @param host to bind on.
     * @return a TCP port the kernel says is free now (for a listener a child process binds next).
     * @throws IllegalStateException if none can be bound.
     */
    public static int freeTcpPort(final String host)
    {
        try (java.net.ServerSocket socket = new java.net.ServerSocket())
        {
            socket.bind(new InetSocketAddress(host, 0));
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("no free TCP port on " + host + ": " + ex.getMessage(), ex);
        }
    }

    private static int ephemeralLow()
    {
        try
        {
            final String range = java.nio.file.Files.readString(
                java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            final int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > LOWEST + 1000 ? low : Integer.MAX_VALUE;
        }
        catch (final IOException | RuntimeException ex)
        {
            return Integer.MAX_VALUE; // not Linux: the fixed range above
        }
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
