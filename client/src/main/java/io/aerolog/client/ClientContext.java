package io.aerolog.client;

import io.aerolog.transport.ThreadingProfile;
import io.aerolog.transport.Wire;
import org.agrona.concurrent.IdleStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

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
    private String userName = "";
    private String password = "";
    private long requestTimeoutMs = 30_000;
    private long connectTimeoutMs = 10_000;
    private ThreadingProfile profile = ThreadingProfile.load(ThreadingProfile.DEFAULT);

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
     * @param bootstrap {@code host:port[,host:port...]} of brokers' client ingress (any live one will do: the
     *                  client finds the others through it); null for a broker on this host over IPC.
     * @return this for a fluent API.
     * @throws IllegalArgumentException naming the entry that is not {@code host:port}.
     */
    public ClientContext bootstrap(final String bootstrap)
    {
        parseBootstrap(bootstrap);
        this.bootstrap = bootstrap;
        return this;
    }

    /** @return {@code host:port[,host:port...]} of brokers' client ingress, or null for IPC. */
    public String bootstrap()
    {
        return bootstrap;
    }

    /** @return the bootstrap brokers, each {@code host:port}, in order; empty for IPC. */
    public List<String> bootstrapAddresses()
    {
        return parseBootstrap(bootstrap);
    }

    /**
     * Splits a bootstrap list.
     *
     * @param bootstrap {@code host:port[,host:port...]}, or null.
     * @return the entries, empty for null.
     * @throws IllegalArgumentException naming the entry that is not {@code host:port} with a port in 1..65535.
     */
    public static List<String> parseBootstrap(final String bootstrap)
    {
        final List<String> addresses = new ArrayList<>();
        if (null == bootstrap)
        {
            return addresses;
        }
        for (final String raw : bootstrap.split(",", -1))
        {
            final String entry = raw.trim();
            final int colon = entry.lastIndexOf(':');
            int port = -1;
            if (colon > 0)
            {
                try
                {
                    port = Integer.parseInt(entry.substring(colon + 1));
                }
                catch (final NumberFormatException ignore)
                {
                    port = -1;
                }
            }
            if (port < 1 || port > 65535)
            {
                throw new IllegalArgumentException(
                    "bootstrap must be host:port[,host:port...], got '" + entry + "' in: " + bootstrap);
            }
            addresses.add(entry);
        }
        return addresses;
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
     * Connect as a user (the broker checks the password against the users the controller holds); without
     * credentials a client is {@code User:ANONYMOUS}, which a broker with {@code authentication.required} refuses.
     *
     * @param userName the user's name, or null or empty for none.
     * @param password the user's password.
     * @return this for a fluent API.
     */
    public ClientContext credentials(final String userName, final String password)
    {
        this.userName = null == userName ? "" : userName;
        this.password = null == password ? "" : password;
        return this;
    }

    /** @return the user to connect as, empty for anonymous. */
    public String userName()
    {
        return userName;
    }

    /** @return the user's password, empty for anonymous. */
    String password()
    {
        return password;
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
     * The threading profile whose {@code client.idle} is how a client idles while it waits for an answer or for
     * records, and whose {@code client.driver.idle} is how a UDP client's own media driver idles.
     *
     * @param nameOrPath a built-in profile name (e.g. {@code small-low-latency}) or a properties file.
     * @return this for a fluent API.
     * @throws IllegalArgumentException for an unknown profile or a bad setting in it.
     */
    public ClientContext profile(final String nameOrPath)
    {
        return profile(ThreadingProfile.load(nameOrPath));
    }

    /**
     * @param profile whose client settings this client uses.
     * @return this for a fluent API.
     */
    public ClientContext profile(final ThreadingProfile profile)
    {
        this.profile = profile;
        return this;
    }

    /** @return the threading profile whose client settings this client uses. */
    public ThreadingProfile profile()
    {
        return profile;
    }

    /** @return a fresh idle strategy for a client thread waiting for an answer or for records. */
    public IdleStrategy newIdleStrategy()
    {
        return profile.idle(ThreadingProfile.CLIENT_IDLE).get();
    }

    /** @return a supplier of idle strategies for a UDP client's own media driver. */
    public Supplier<IdleStrategy> driverIdleStrategySupplier()
    {
        return profile.idle(ThreadingProfile.CLIENT_DRIVER_IDLE);
    }

    /**
     * A copy, so one context can configure several clients.
     *
     * @return the copy.
     */
    public ClientContext copy()
    {
        return new ClientContext().aeronDirectoryName(aeronDirectoryName).bootstrap(bootstrap).clientHost(clientHost)
            .clientName(clientName).requestTimeoutMs(requestTimeoutMs).connectTimeoutMs(connectTimeoutMs)
            .profile(profile);
    }
}
