package io.aerolog.cluster;

import io.aeron.Publication;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.util.function.Consumer;

/**
 * The controller's messages to brokers: to one session or to every one, each offer retried a bounded number of
 * times on back pressure and then dropped and counted (a broker that misses an answer asks again), so the service
 * never blocks on a slow broker. On followers Aeron mocks session offers, so only the leader sends. Service thread.
 */
final class ControllerEgress
{
    private final int maxOfferAttempts;
    private final Consumer<ClientSession> broadcastToSession = this::broadcastToSession;
    private Cluster cluster;
    private IdleStrategy idleStrategy;
    private DirectBuffer broadcastBuffer;
    private int broadcastLength;
    private volatile long droppedMessages;

    /**
     * @param maxOfferAttempts offers on back pressure or admin action before a message is dropped.
     */
    ControllerEgress(final int maxOfferAttempts)
    {
        this.maxOfferAttempts = maxOfferAttempts;
    }

    /**
     * @param cluster the service's, known from its start.
     */
    void cluster(final Cluster cluster)
    {
        this.cluster = cluster;
        this.idleStrategy = cluster.idleStrategy();
    }

    /**
     * @param session to send to.
     * @param message holding the message at offset 0.
     * @param length  of the message.
     * @return true if sent, false if dropped.
     */
    boolean offer(final ClientSession session, final DirectBuffer message, final int length)
    {
        idleStrategy.reset();
        for (int attempt = 1; attempt <= maxOfferAttempts; attempt++)
        {
            final long result = session.offer(message, 0, length);
            if (result > 0)
            {
                return true;
            }

            if (Publication.BACK_PRESSURED != result && Publication.ADMIN_ACTION != result)
            {
                break;
            }

            idleStrategy.idle();
        }

        droppedMessages++;
        return false;
    }

    /**
     * Sends a message to every connected broker.
     *
     * @param message holding the message at offset 0.
     * @param length  of the message.
     */
    void broadcast(final DirectBuffer message, final int length)
    {
        broadcastBuffer = message;
        broadcastLength = length;
        cluster.forEachClientSession(broadcastToSession);
        broadcastBuffer = null;
    }

    /** @return messages dropped after their offer attempts. Any thread. */
    long droppedMessages()
    {
        return droppedMessages;
    }

    private void broadcastToSession(final ClientSession session)
    {
        offer(session, broadcastBuffer, broadcastLength);
    }
}
