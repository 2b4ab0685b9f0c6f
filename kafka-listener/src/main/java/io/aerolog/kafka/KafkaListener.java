package io.aerolog.kafka;

import io.aerolog.client.ClientContext;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.Objects;

/**
 * A Kafka-protocol TCP listener in front of an Aerolog broker: Kafka clients and tools (kcat, kafka-clients and
 * what is built on them) produce, fetch, list offsets and manage topics through it. It is a native client of the
 * broker underneath, so what it writes is what native consumers read, at the same offsets, and the other way round.
 * One thread runs it (see {@link ListenerAgent}).
 */
public final class KafkaListener implements AutoCloseable
{
    /** Listener settings. */
    public static final class Config
    {
        private String host = "127.0.0.1";
        private int port = 9192;
        private String advertisedHost;
        private int advertisedPort = -1;
        private int nodeId;
        private String clusterId = "aerolog";
        private int maxFrameBytes = 16 * 1024 * 1024;
        private int maxConnections = 10_000;
        private boolean autoCreateTopics = true;
        private int defaultPartitions = 1;
        private boolean logBadInput;

        /**
         * @param host address to bind (default 127.0.0.1; 0.0.0.0 for every interface).
         * @return this.
         */
        public Config host(final String host)
        {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * @param port to bind; 0 picks a free one (default 9192, beside the native ports 9090..9096).
         * @return this.
         */
        public Config port(final int port)
        {
            if (port < 0 || port > 65535)
            {
                throw new IllegalArgumentException("kafka.listener.port must be in 0..65535: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * @param advertisedHost the address clients are told to connect to (default: the bound host).
         * @return this.
         */
        public Config advertisedHost(final String advertisedHost)
        {
            this.advertisedHost = advertisedHost;
            return this;
        }

        /**
         * @param advertisedPort the port clients are told to connect to (default: the bound port).
         * @return this.
         */
        public Config advertisedPort(final int advertisedPort)
        {
            this.advertisedPort = advertisedPort;
            return this;
        }

        /**
         * @param nodeId the broker id Kafka clients see for this listener.
         * @return this.
         */
        public Config nodeId(final int nodeId)
        {
            this.nodeId = nodeId;
            return this;
        }

        /**
         * @param clusterId the cluster id Kafka clients see.
         * @return this.
         */
        public Config clusterId(final String clusterId)
        {
            this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
            return this;
        }

        /**
         * @param maxFrameBytes largest request frame accepted (Kafka's {@code socket.request.max.bytes}); a larger
         *                      one closes its connection. Default 16 MiB.
         * @return this.
         */
        public Config maxFrameBytes(final int maxFrameBytes)
        {
            if (maxFrameBytes < 1024)
            {
                throw new IllegalArgumentException("kafka.max.request.bytes must be at least 1024: " + maxFrameBytes);
            }
            this.maxFrameBytes = maxFrameBytes;
            return this;
        }

        /**
         * @param maxConnections connections served at once; more are closed as they arrive. Default 10,000.
         * @return this.
         */
        public Config maxConnections(final int maxConnections)
        {
            if (maxConnections < 1)
            {
                throw new IllegalArgumentException("kafka.max.connections must be at least 1: " + maxConnections);
            }
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * @param autoCreateTopics create a topic a client asks metadata of (Kafka's
         *                         {@code auto.create.topics.enable}, default true).
         * @return this.
         */
        public Config autoCreateTopics(final boolean autoCreateTopics)
        {
            this.autoCreateTopics = autoCreateTopics;
            return this;
        }

        /**
         * @param defaultPartitions partitions of a topic created without a count (Kafka's {@code num.partitions},
         *                          default 1).
         * @return this.
         */
        public Config defaultPartitions(final int defaultPartitions)
        {
            if (defaultPartitions < 1)
            {
                throw new IllegalArgumentException("kafka.num.partitions must be at least 1: " + defaultPartitions);
            }
            this.defaultPartitions = defaultPartitions;
            return this;
        }

        /**
         * @param logBadInput whether each connection closed for bad input is also reported to the error handler
         *                    (it is always counted); default false, so that hostile input cannot flood the log.
         * @return this.
         */
        public Config logBadInput(final boolean logBadInput)
        {
            this.logBadInput = logBadInput;
            return this;
        }

        // The settings with the port that was bound as the advertised one when none was given: the caller's
        // Config stays as it was, so that it can start a listener again (port 0 picks a new port each time).
        Config resolved(final int boundPort)
        {
            final Config copy = new Config();
            copy.host = host;
            copy.port = port;
            copy.advertisedHost = advertisedHost;
            copy.advertisedPort = advertisedPort < 0 ? boundPort : advertisedPort;
            copy.nodeId = nodeId;
            copy.clusterId = clusterId;
            copy.maxFrameBytes = maxFrameBytes;
            copy.maxConnections = maxConnections;
            copy.autoCreateTopics = autoCreateTopics;
            copy.defaultPartitions = defaultPartitions;
            copy.logBadInput = logBadInput;
            return copy;
        }

        String host()
        {
            return host;
        }

        int port()
        {
            return port;
        }

        String advertisedHost()
        {
            return null == advertisedHost ? host : advertisedHost;
        }

        int advertisedPort()
        {
            return advertisedPort;
        }

        int nodeId()
        {
            return nodeId;
        }

        String clusterId()
        {
            return clusterId;
        }

        int maxFrameBytes()
        {
            return maxFrameBytes;
        }

        int maxConnections()
        {
            return maxConnections;
        }

        boolean autoCreateTopics()
        {
            return autoCreateTopics;
        }

        int defaultPartitions()
        {
            return defaultPartitions;
        }

        boolean logBadInput()
        {
            return logBadInput;
        }
    }

    // Kafka producer ids handed out here are this listener's native producer id shifted past this many bits, so
    // that listeners (and a listener's restarts) never hand out the same one.
    private static final int PRODUCER_ID_SHIFT = 20;

    private final NativeClients clients;
    private final AgentRunner runner;
    private final ListenerCounters counters = new ListenerCounters();
    private final int port;
    private final String advertised;

    private KafkaListener(final ClientContext context, final Config settings, final ErrorHandler errorHandler)
    {
        NativeClients nativeClients = null;
        ServerSocketChannel server = null;
        try
        {
            nativeClients = new NativeClients(context);
            final long producerIdBase = nativeClients.producer((short)-1).producerId() << PRODUCER_ID_SHIFT;
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(settings.host(), settings.port()), 1024);
            port = ((InetSocketAddress)server.getLocalAddress()).getPort();
            final Config config = settings.resolved(port);
            advertised = config.advertisedHost() + ":" + config.advertisedPort();
            final TopicCatalog catalog = new TopicCatalog(nativeClients.admin());
            final KafkaApis apis = new KafkaApis(
                new AdminApis(config, nativeClients, catalog, counters, producerIdBase),
                new ProduceApi(nativeClients, catalog, counters),
                new FetchApi(nativeClients, catalog, counters),
                new GroupApis(config, nativeClients, catalog, new ClassicGroups(nativeClients, counters), counters),
                new ConfigsApi(catalog, counters));
            final ListenerAgent agent = new ListenerAgent(server, config, apis, nativeClients, counters, errorHandler);
            clients = nativeClients;
            runner = new AgentRunner(context.newIdleStrategy(), errorHandler, null, agent);
        }
        catch (final IOException ex)
        {
            CloseHelper.quietClose(server);
            CloseHelper.quietClose(nativeClients);
            throw new UncheckedIOException("cannot listen on " + settings.host() + ":" + settings.port() + ": " +
                ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(server);
            CloseHelper.quietClose(nativeClients);
            throw ex;
        }
    }

    /**
     * Starts a listener: connects its native clients to the broker the context names, binds the port and starts
     * its thread.
     *
     * @param context      how to reach the broker (IPC through its media driver, or UDP).
     * @param config       the listener's settings.
     * @param errorHandler told of faults (the listener goes on).
     * @return the running listener.
     * @throws UncheckedIOException if the port cannot be bound.
     */
    public static KafkaListener start(final ClientContext context, final Config config, final ErrorHandler errorHandler)
    {
        final KafkaListener listener = new KafkaListener(context, config, errorHandler);
        AgentRunner.startOnThread(listener.runner);
        return listener;
    }

    /** @return the port bound. */
    public int port()
    {
        return port;
    }

    /** @return host:port that Kafka clients use as their bootstrap. */
    public String advertisedAddress()
    {
        return advertised;
    }

    /** @return what the listener counted. */
    public ListenerCounters counters()
    {
        return counters;
    }

    /** Stops the thread, closes every connection and the native clients. */
    @Override
    public void close()
    {
        CloseHelper.quietClose(runner);
        CloseHelper.quietClose(clients);
    }
}
