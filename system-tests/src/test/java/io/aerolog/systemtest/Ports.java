package io.aerolog.systemtest;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands out port bases so that every broker a test launches has ports of its own: {@code 30000 + 20 * n} for the next
 * {@code n} whose ports are all free. A broker uses its base and the next six ports (UDP).
 */
final class Ports
{
    static final int FIRST = 30_000;
    static final int STRIDE = 20;
    private static final int PORTS_USED = 8;
    private static final AtomicInteger NEXT = new AtomicInteger();

    private Ports()
    {
    }

    /** @return a port base whose ports were free when checked. */
    static int nextPortBase()
    {
        while (true)
        {
            final int base = FIRST + STRIDE * NEXT.getAndIncrement();
            if (base + STRIDE > 65_000)
            {
                throw new IllegalStateException("ran out of port ranges");
            }
            if (isFree(base))
            {
                return base;
            }
        }
    }

    private static boolean isFree(final int base)
    {
        for (int port = base; port < base + PORTS_USED; port++)
        {
            try (DatagramSocket socket = new DatagramSocket(null))
            {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
    }
}
