package io.aerolog.client;

/**
 * A broker of the cluster as the controller registered it.
 *
 * @param brokerId      its id.
 * @param host          address of its client ingress.
 * @param port          UDP port of its client ingress (its {@code port.base}).
 * @param status        ALIVE (heartbeating: leads and follows), FENCED (missed its heartbeats) or SHUT_DOWN.
 * @param partitionsLed how many partitions it leads.
 */
public record BrokerInfo(int brokerId, String host, int port, String status, int partitionsLed)
{
    /** @return whether the broker is alive (registered and heartbeating). */
    public boolean alive()
    {
        return "ALIVE".equals(status);
    }

    /** @return {@code host:port} of its client ingress, as a bootstrap entry. */
    public String address()
    {
        return host + ":" + port;
    }
}
