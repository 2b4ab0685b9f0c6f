package io.aerolog.client;

import io.aerolog.codecs.wire.ErrorCode;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A group member's heartbeats, on a thread of their own with a session of their own, so that membership does not
 * depend on how long the application takes between polls. It publishes each answer as an immutable
 * {@link State}; the consumer's thread applies it inside {@code poll} and publishes back what it owns.
 */
final class GroupHeartbeater implements Runnable, AutoCloseable
{
    /**
     * A heartbeat's outcome as the consumer's thread sees it.
     *
     * @param version     increases with every state published.
     * @param memberId    the member's id, empty while not joined.
     * @param memberEpoch the member's epoch, for commits.
     * @param assigned    partitions the member owns now.
     * @param lost        true when the membership was lost: every owned partition is lost.
     * @param error       a fatal error (bad subscription, fenced instance id), else null.
     */
    record State(
        long version, String memberId, int memberEpoch, Set<TopicPartition> assigned, boolean lost,
        AerologException error)
    {
    }

    private static final long IDLE_PARK_NS = TimeUnit.MILLISECONDS.toNanos(5);

    private final BrokerConnection connection;
    private final String groupId;
    private final Consumer.Config config;
    private final Thread thread;
    private volatile Set<String> topics;
    private volatile Set<TopicPartition> owned = Set.of();
    private volatile State state = new State(0, "", 0, Set.of(), false, null);
    private volatile boolean wakeup = true;
    private volatile boolean running = true;
    private volatile boolean forceStatePublish;
    private Set<String> sentTopics;
    private String memberId = "";
    private int memberEpoch;
    private long heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(250);
    private long lastSuccessNs = System.nanoTime();
    private long nextHeartbeatNs;

    GroupHeartbeater(final BrokerConnection connection, final String groupId, final Consumer.Config config)
    {
        this.connection = connection;
        this.groupId = groupId;
        this.config = config;
        this.thread = new Thread(this, "aerolog-group-heartbeat-" + groupId);
        thread.setDaemon(true);
    }

    void start(final Collection<String> topics)
    {
        this.topics = Set.copyOf(topics);
        thread.start();
    }

    /** @param topics the new subscription, sent with the next heartbeat, which is sent at once. */
    void subscribe(final Collection<String> topics)
    {
        this.topics = Set.copyOf(topics);
        wakeNow();
    }

    /** @return the latest state. */
    State state()
    {
        return state;
    }

    /**
     * What the member owns now; sent at once, so released partitions reach their next owner quickly.
     *
     * @param owned partitions.
     */
    void owned(final Set<TopicPartition> owned)
    {
        this.owned = Set.copyOf(owned);
        wakeNow();
    }

    /**
     * Asks for a heartbeat at once and waits until a state newer than {@code seen} is published.
     *
     * @param seen       the state the caller used.
     * @param deadlineNs when to give up.
     * @return true if a newer state arrived in time.
     */
    boolean awaitNewerState(final State seen, final long deadlineNs)
    {
        forceStatePublish = true;
        wakeNow();
        while (state == seen)
        {
            if (System.nanoTime() > deadlineNs || !thread.isAlive())
            {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
        return true;
    }

    private void wakeNow()
    {
        wakeup = true;
        LockSupport.unpark(thread);
    }

    public void run()
    {
        while (running)
        {
            final long nowNs = System.nanoTime();
            if (wakeup || nowNs >= nextHeartbeatNs)
            {
                wakeup = false;
                try
                {
                    heartbeat(nowNs);
                }
                catch (final RuntimeException ex)
                {
                    // Not a broker answer (e.g. the connection was closed): the consumer's next poll throws it.
                    final State current = state;
                    state = new State(current.version() + 1, memberId, memberEpoch, current.assigned(), false,
                        new AerologException(ErrorCode.INTERNAL_ERROR, "group heartbeats stopped: " + ex));
                    running = false;
                }
            }
            LockSupport.parkNanos(Math.min(IDLE_PARK_NS, Math.max(0, nextHeartbeatNs - System.nanoTime())));
        }
    }

    private void heartbeat(final long nowNs)
    {
        final Set<String> topics = this.topics;
        final boolean isJoin = memberId.isEmpty();
        final Set<String> subscription = isJoin || !topics.equals(sentTopics) ? topics : null;
        final GroupRequests.HeartbeatAnswer answer;
        try
        {
            answer = GroupRequests.heartbeat(connection, groupId, memberId, config.groupInstanceId(),
                config.assignor(), config.rebalanceTimeoutMs(), config.sessionTimeoutMs(), subscription,
                isJoin ? List.of() : owned, Math.max(1_000, config.sessionTimeoutMs() / 3));
        }
        catch (final AerologException ex)
        {
            if (ErrorCode.AUTHORIZATION_FAILED == ex.code())
            {
                fail(ex); // no retry makes it allowed
                return;
            }
            // Broker or controller unreachable for now (e.g. a change of cluster leader): retry soon. Past the
            // session timeout the controller has removed us, so the partitions are lost.
            nextHeartbeatNs = nowNs + heartbeatIntervalNs;
            if (!memberId.isEmpty() &&
                System.nanoTime() - lastSuccessNs > TimeUnit.MILLISECONDS.toNanos(config.sessionTimeoutMs()))
            {
                loseMembership();
            }
            return;
        }

        if (ErrorCode.NONE == answer.code())
        {
            lastSuccessNs = System.nanoTime();
            sentTopics = subscription != null ? subscription : sentTopics;
            memberId = answer.memberId();
            memberEpoch = answer.memberEpoch();
            if (answer.heartbeatIntervalMs() > 0)
            {
                heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(answer.heartbeatIntervalMs());
            }
            // Partitions still to be released by another member arrive sooner if we ask again soon.
            nextHeartbeatNs = nowNs + (answer.pending().isEmpty() ? heartbeatIntervalNs : heartbeatIntervalNs / 4);
            final State current = state;
            final Set<TopicPartition> assigned = Set.copyOf(answer.assigned());
            if (!assigned.equals(current.assigned()) || memberEpoch != current.memberEpoch() ||
                !memberId.equals(current.memberId()) || current.lost() || forceStatePublish)
            {
                forceStatePublish = false;
                state = new State(current.version() + 1, memberId, memberEpoch, assigned, false, null);
            }
            return;
        }

        nextHeartbeatNs = nowNs + heartbeatIntervalNs;
        switch (answer.code())
        {
            case UNKNOWN_MEMBER_ID:
            case STALE_MEMBER_EPOCH:
                loseMembership(); // rejoin at once with no member id
                wakeup = true;
                break;
            case NOT_READY:
            case REQUEST_TIMED_OUT:
            case BROKER_NOT_AVAILABLE:
                break;
            default:
                fail(new AerologException(answer.code(), "group " + groupId + ": " + answer.message()));
        }
    }

    private void fail(final AerologException error)
    {
        final State current = state;
        state = new State(current.version() + 1, memberId, memberEpoch, current.assigned(), false, error);
        running = false;
    }

    private void loseMembership()
    {
        memberId = "";
        memberEpoch = 0;
        sentTopics = null;
        final State current = state;
        state = new State(current.version() + 1, "", 0, Set.of(), true, null);
    }

    /**
     * Stops heartbeating and leaves the group.
     *
     * @param temporary true for a static member that will be back within its session timeout.
     */
    void leave(final boolean temporary)
    {
        stop();
        if (!memberId.isEmpty())
        {
            try
            {
                GroupRequests.leave(connection, groupId, memberId, temporary, connection.context().requestTimeoutMs());
            }
            catch (final AerologException ignore)
            {
                // the session timeout removes the member instead
            }
            memberId = "";
        }
    }

    private void stop()
    {
        running = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join(10_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    public void close()
    {
        stop();
        connection.close();
    }
}
