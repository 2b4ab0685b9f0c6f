package io.aerolog.client;

import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.CloseHelper;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A client's view of the cluster: the connection it bootstrapped through (IPC to the local broker, or UDP to the
 * first live broker of the bootstrap list), the brokers and topics that broker described, and one connection per
 * other broker the client needs, opened on first use over the bootstrap connection's Aeron client. Refreshed on
 * demand: a caller that meets a leader change or a lost broker asks again. Used by one thread.
 */
final class ClusterMetadata implements AutoCloseable
{
    private static final long RENEW_TIMEOUT_MS = 1000;

    private final BrokerConnection bootstrap;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final Int2ObjectHashMap<BrokerConnection> connections = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<BrokerInfo> brokers = new Int2ObjectHashMap<>();
    private final Map<String, TopicInfo> topics = new HashMap<>();
    private BrokerConnection[] all;
    private FragmentHandler unsolicited;

    private ClusterMetadata(final BrokerConnection bootstrap)
    {
        this.bootstrap = bootstrap;
        connections.put(bootstrap.brokerId(), bootstrap);
        all = new BrokerConnection[]{bootstrap};
    }

    /**
     * Connects to the first live broker the context names.
     *
     * @param ctx how to reach the cluster.
     * @return the metadata, with its bootstrap connection open.
     */
    static ClusterMetadata connect(final ClientContext ctx)
    {
        return new ClusterMetadata(BrokerConnection.connect(ctx));
    }

    /**
     * Where every connection, open now or later, passes answers that arrive while one of its requests waits for
     * another: the owner's usual handler, so that a produce or fetch answer is not dropped during a metadata request.
     *
     * @param handler for those answers.
     */
    void unsolicitedHandler(final FragmentHandler handler)
    {
        unsolicited = handler;
        for (final BrokerConnection connection : all)
        {
            connection.unsolicitedHandler(handler);
        }
    }

    /** @return the connection the client bootstrapped through; group and admin requests go there. */
    BrokerConnection bootstrap()
    {
        return bootstrap;
    }

    /** @return every open connection (no allocation: the same array until one opens or closes). */
    BrokerConnection[] connections()
    {
        return all;
    }

    /**
     * Polls answers on every open connection.
     *
     * @param handler receives each answer.
     * @return work done.
     * @throws AerologException from the first connection that failed; {@link #forget} it and go on.
     */
    int poll(final FragmentHandler handler)
    {
        int work = 0;
        for (final BrokerConnection connection : all)
        {
            work += connection.poll(handler);
        }
        return work;
    }

    /**
     * A topic as last described (described now when not known).
     *
     * @param topic name.
     * @return its description.
     */
    TopicInfo topic(final String topic)
    {
        final TopicInfo info = topics.get(topic);
        return null == info ? refresh(topic) : info;
    }

    /**
     * Describes a topic again, and the brokers, from any connection that answers.
     *
     * @param topic name.
     * @return the new description.
     * @throws AerologException for an unknown topic, or when no broker answers.
     */
    TopicInfo refresh(final String topic)
    {
        return refresh(topic, -1);
    }

    /**
     * Describes a topic again, waiting at most this long for each broker tried.
     *
     * @param topic     name.
     * @param timeoutMs most to wait for each broker's answer, -1 for the request timeout.
     * @return the new description.
     * @throws AerologException for an unknown topic, or when no broker answers.
     */
    TopicInfo refresh(final String topic, final long timeoutMs)
    {
        AerologException last = null;
        for (final BrokerConnection connection : all)
        {
            try
            {
                final TopicInfo info = Admin.describe(connection, headerDecoder, topic,
                    timeoutMs < 0 ? connection.context().requestTimeoutMs() : timeoutMs);
                refreshBrokers(connection);
                topics.put(topic, info);
                return info;
            }
            catch (final AerologException ex)
            {
                if (!RoutingErrors.isConnectionLost(ex.code()))
                {
                    throw ex;
                }
                last = ex;
                // A broker that restarted drops requests of the session it no longer knows: a connection that does
                // not answer is closed, and the next use opens a fresh one.
                forget(connection);
            }
        }
        throw null == last ? new AerologException(
            io.aerolog.codecs.wire.ErrorCode.BROKER_NOT_AVAILABLE, "no broker answers") : last;
    }

    /**
     * Asks one connection to describe a topic, closing it when it does not answer in time.
     *
     * @param connection to ask.
     * @param topic      name.
     * @param timeoutMs  most to wait.
     * @return true if it answered.
     */
    boolean probe(final BrokerConnection connection, final String topic, final long timeoutMs)
    {
        try
        {
            topics.put(topic, Admin.describe(connection, headerDecoder, topic, timeoutMs));
            return true;
        }
        catch (final AerologException ex)
        {
            if (!RoutingErrors.isConnectionLost(ex.code()))
            {
                return true; // it answered, with an error
            }
            forget(connection);
            return false;
        }
    }

    private void refreshBrokers(final BrokerConnection connection)
    {
        final List<BrokerInfo> list = Admin.listBrokers(connection, headerDecoder);
        brokers.clear();
        for (final BrokerInfo broker : list)
        {
            brokers.put(broker.brokerId(), broker);
        }
    }

    /** @return the brokers as last listed. */
    List<BrokerInfo> brokers()
    {
        if (brokers.isEmpty())
        {
            refreshBrokers(bootstrap);
        }
        final List<BrokerInfo> list = new ArrayList<>(brokers.values());
        list.sort((a, b) -> Integer.compare(a.brokerId(), b.brokerId()));
        return list;
    }

    /**
     * The connection to a broker, opened now if there is none.
     *
     * @param brokerId of the broker.
     * @return the connection, or null when the broker is unknown, not alive or does not answer.
     */
    BrokerConnection connection(final int brokerId)
    {
        final BrokerConnection open = connections.get(brokerId);
        if (null != open)
        {
            return open;
        }
        if (brokers.isEmpty())
        {
            refreshBrokers(bootstrap);
        }
        final BrokerInfo broker = brokers.get(brokerId);
        if (null == broker || !broker.alive())
        {
            return null;
        }
        final BrokerConnection connection;
        try
        {
            connection = bootstrap.connectTo(broker.address());
        }
        catch (final AerologException ex)
        {
            return null;
        }
        connection.unsolicitedHandler(unsolicited);
        connections.put(brokerId, connection);
        rebuild();
        return connection;
    }

    /**
     * Closes a connection that failed (its broker died, went away or restarted); the bootstrap one stays, as group
     * requests go there, and opens a fresh session instead.
     *
     * @param connection that failed.
     */
    void forget(final BrokerConnection connection)
    {
        if (connection == bootstrap)
        {
            try
            {
                // Group and admin requests stay on it: a new session instead. Bounded: a live broker answers a
                // handshake in milliseconds, and a dead one must not hold the owner's thread for the connect timeout.
                bootstrap.renewSession(Math.min(RENEW_TIMEOUT_MS, bootstrap.context().connectTimeoutMs()));
            }
            catch (final AerologException ex)
            {
                // not reachable now: the next failure tries again
            }
            return;
        }
        if (connections.get(connection.brokerId()) == connection) // not a newer connection to the same broker
        {
            connections.remove(connection.brokerId());
            rebuild();
        }
        CloseHelper.quietClose(connection);
    }

    private void rebuild()
    {
        all = connections.values().toArray(new BrokerConnection[0]);
    }

    @Override
    public void close()
    {
        for (final BrokerConnection connection : all)
        {
            if (connection != bootstrap)
            {
                CloseHelper.quietClose(connection);
            }
        }
        bootstrap.close();
    }
}
