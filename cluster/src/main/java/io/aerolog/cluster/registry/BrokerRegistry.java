package io.aerolog.cluster.registry;

import io.aerolog.codecs.cluster.BrokerEventType;
import io.aerolog.codecs.cluster.BrokerState;
import io.aerolog.codecs.wire.ErrorCode;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The brokers of the cluster: each one's id, current registration epoch, client endpoint, state and heartbeat
 * deadline. Replicated state of the controller, changed only by commands and timer events with the cluster's time,
 * so every member and every replay decides alike: no clocks, iteration in broker id order.
 * <ul>
 *     <li>A registration takes the next epoch of one counter (1, 2, ...) and replaces any earlier registration of the
 *     same id: a restarted broker gets a new epoch and its old one goes stale.</li>
 *     <li>A heartbeat must name the current epoch, else it is refused {@code STALE_BROKER_EPOCH}; it moves the
 *     deadline to now + session timeout and unfences a fenced broker.</li>
 *     <li>An unfenced broker whose deadline passes is fenced ({@link #fenceExpired}).</li>
 *     <li>A controlled shutdown fences it and marks it cleanly stopped: it must register again.</li>
 *     <li>After a change of controller leader every deadline is pushed to at least now + session timeout
 *     ({@link #extendDeadlines}), so a controller failover fences nobody.</li>
 * </ul>
 * Bounded: at most {@code maxBrokers}, hosts of at most {@link #MAX_HOST_BYTES} bytes. A heartbeat allocates
 * nothing. <b>Not thread-safe:</b> the controller service's thread.
 */
public final class BrokerRegistry
{
    /** Default of the most brokers registered at once. */
    public static final int MAX_BROKERS_DEFAULT = 1000;

    /** Default broker session timeout ({@code broker.session.timeout.ms}): a broker silent longer is fenced. */
    public static final long SESSION_TIMEOUT_MS_DEFAULT = 1500;

    /** Longest host, in UTF-8 bytes. */
    public static final int MAX_HOST_BYTES = 255;

    /** Deadline of a broker that has none (fenced or shut down), and {@link #nextDeadlineMs()} when none is due. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    /**
     * Told of each broker {@link #fenceExpired} fences.
     */
    @FunctionalInterface
    public interface FenceListener
    {
        /**
         * @param broker just fenced; valid only during the call.
         */
        void onFenced(RegisteredBroker broker);
    }

    private static final int NONE = ErrorCode.NONE.value();

    private final int maxBrokers;
    private final long sessionTimeoutMs;
    private RegisteredBroker[] brokers = new RegisteredBroker[8];
    private int size;
    private long lastBrokerEpoch;
    private RegisteredBroker lastBroker;
    private BrokerEventType lastEventType;
    private String lastErrorMessage;

    /**
     * @param maxBrokers       most brokers at once, {@code >= 1}; one more is refused {@code LIMIT_REACHED}.
     * @param sessionTimeoutMs how long a broker may go without a heartbeat, {@code >= 1}.
     */
    public BrokerRegistry(final int maxBrokers, final long sessionTimeoutMs)
    {
        if (maxBrokers < 1)
        {
            throw new IllegalArgumentException("maxBrokers must be >= 1: " + maxBrokers);
        }
        if (sessionTimeoutMs < 1)
        {
            throw new IllegalArgumentException("broker session timeout must be >= 1 ms: " + sessionTimeoutMs);
        }
        this.maxBrokers = maxBrokers;
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    /**
     * Registers a broker (starting or restarted) with a new epoch, unfenced, its deadline now + session timeout.
     *
     * @param brokerId its id, {@code >= 0}.
     * @param host     its client host, 1 to {@link #MAX_HOST_BYTES} bytes.
     * @param portBase its client port base, 1 to 65535.
     * @param nowMs    cluster time.
     * @return an {@link ErrorCode} value: {@code NONE} ({@link #lastBroker()} holds the new epoch),
     * {@code INVALID_REQUEST} or {@code LIMIT_REACHED}.
     */
    public int register(final int brokerId, final String host, final int portBase, final long nowMs)
    {
        return register(brokerId, host, host, portBase, nowMs);
    }

    /**
     * Registers a broker with its internal host, as {@link #register(int, String, int, long)} does.
     *
     * @param brokerId     its id, {@code >= 0}.
     * @param host         its client host, 1 to {@link #MAX_HOST_BYTES} bytes.
     * @param internalHost where its archive control and replica ports listen, 1 to {@link #MAX_HOST_BYTES} bytes.
     * @param portBase     its client port base, 1 to 65535.
     * @param nowMs        cluster time.
     * @return an {@link ErrorCode} value: {@code NONE} ({@link #lastBroker()} holds the new epoch),
     * {@code INVALID_REQUEST} or {@code LIMIT_REACHED}.
     */
    public int register(
        final int brokerId, final String host, final String internalHost, final int portBase, final long nowMs)
    {
        clearLast();
        if (brokerId < 0)
        {
            return fail(ErrorCode.INVALID_REQUEST, "broker id must be >= 0: " + brokerId);
        }
        if (null == host || host.isEmpty() || host.getBytes(StandardCharsets.UTF_8).length > MAX_HOST_BYTES)
        {
            return fail(ErrorCode.INVALID_REQUEST, "broker host must be 1 to " + MAX_HOST_BYTES + " bytes");
        }
        if (null == internalHost || internalHost.isEmpty() ||
            internalHost.getBytes(StandardCharsets.UTF_8).length > MAX_HOST_BYTES)
        {
            return fail(ErrorCode.INVALID_REQUEST, "broker internal host must be 1 to " + MAX_HOST_BYTES + " bytes");
        }
        if (portBase < 1 || portBase > 65535)
        {
            return fail(ErrorCode.INVALID_REQUEST, "broker port base out of range: " + portBase);
        }

        final int index = indexOf(brokerId);
        if (index < 0 && size >= maxBrokers)
        {
            return fail(ErrorCode.LIMIT_REACHED, "the cluster has its maximum of " + maxBrokers + " brokers");
        }

        final long epoch = ++lastBrokerEpoch;
        final long deadlineMs = deadline(nowMs);
        if (index >= 0)
        {
            brokers[index].register(epoch, host, internalHost, portBase, deadlineMs);
            lastBroker = brokers[index];
        }
        else
        {
            lastBroker = new RegisteredBroker(
                brokerId, epoch, host, internalHost, portBase, BrokerState.UNFENCED, deadlineMs);
            insert(-index - 1, lastBroker);
        }
        lastEventType = BrokerEventType.REGISTERED;

        return NONE;
    }

    /**
     * A broker's heartbeat: moves its deadline to now + session timeout, and unfences it if it was fenced.
     *
     * @param brokerId    its id.
     * @param brokerEpoch the epoch its registration was given.
     * @param nowMs       cluster time.
     * @return an {@link ErrorCode} value: {@code NONE} ({@link #lastEventType()} is {@code UNFENCED} if it was
     * fenced, else null) or {@code STALE_BROKER_EPOCH} (unknown, re-registered since, or shut down: register again).
     */
    public int heartbeat(final int brokerId, final long brokerEpoch, final long nowMs)
    {
        clearLast();
        final RegisteredBroker broker = current(brokerId, brokerEpoch);
        if (null == broker)
        {
            return ErrorCode.STALE_BROKER_EPOCH.value();
        }
        if (BrokerState.SHUT_DOWN == broker.state())
        {
            return fail(ErrorCode.STALE_BROKER_EPOCH, "broker " + brokerId + " shut down: register again");
        }

        lastBroker = broker;
        if (BrokerState.FENCED == broker.state())
        {
            lastEventType = BrokerEventType.UNFENCED;
        }
        broker.state(BrokerState.UNFENCED, deadline(nowMs));

        return NONE;
    }

    /**
     * A broker stopping cleanly: fenced, marked shut down, no deadline. Repeating it changes nothing.
     *
     * @param brokerId    its id.
     * @param brokerEpoch the epoch of its registration.
     * @return an {@link ErrorCode} value: {@code NONE} ({@link #lastEventType()} is {@code SHUT_DOWN} unless it
     * already was) or {@code STALE_BROKER_EPOCH}.
     */
    public int controlledShutdown(final int brokerId, final long brokerEpoch)
    {
        clearLast();
        final RegisteredBroker broker = current(brokerId, brokerEpoch);
        if (null == broker)
        {
            return ErrorCode.STALE_BROKER_EPOCH.value();
        }

        lastBroker = broker;
        if (BrokerState.SHUT_DOWN != broker.state())
        {
            lastEventType = BrokerEventType.SHUT_DOWN;
            broker.state(BrokerState.SHUT_DOWN, NO_DEADLINE);
        }

        return NONE;
    }

    /**
     * Fences every unfenced broker whose deadline is at or before now, in broker id order.
     *
     * @param nowMs    cluster time.
     * @param listener told of each broker fenced.
     * @return number of brokers fenced.
     */
    public int fenceExpired(final long nowMs, final FenceListener listener)
    {
        int fenced = 0;
        for (int i = 0; i < size; i++)
        {
            final RegisteredBroker broker = brokers[i];
            if (BrokerState.UNFENCED == broker.state() && broker.deadlineMs() <= nowMs)
            {
                broker.state(BrokerState.FENCED, NO_DEADLINE);
                fenced++;
                listener.onFenced(broker);
            }
        }

        return fenced;
    }

    /**
     * Grace after a change of controller leader: every unfenced broker's deadline becomes at least now + session
     * timeout, so brokers that could not reach the controller during the election are not fenced for it.
     *
     * @param nowMs cluster time of the new leadership term.
     */
    public void extendDeadlines(final long nowMs)
    {
        final long graceMs = deadline(nowMs);
        for (int i = 0; i < size; i++)
        {
            final RegisteredBroker broker = brokers[i];
            if (BrokerState.UNFENCED == broker.state() && broker.deadlineMs() < graceMs)
            {
                broker.deadlineMs(graceMs);
            }
        }
    }

    /**
     * @return the earliest deadline of an unfenced broker, or {@link #NO_DEADLINE}.
     */
    public long nextDeadlineMs()
    {
        long next = NO_DEADLINE;
        for (int i = 0; i < size; i++)
        {
            next = Math.min(next, brokers[i].deadlineMs());
        }

        return next;
    }

    /**
     * @param brokerId of a broker.
     * @return the broker, or null if it never registered.
     */
    public RegisteredBroker broker(final int brokerId)
    {
        final int index = indexOf(brokerId);

        return index >= 0 ? brokers[index] : null;
    }

    /**
     * @param index from 0 to {@link #size()} - 1, in broker id order.
     * @return the broker at that index.
     */
    public RegisteredBroker brokerAt(final int index)
    {
        if (index < 0 || index >= size)
        {
            throw new IndexOutOfBoundsException("index=" + index + " size=" + size);
        }

        return brokers[index];
    }

    /** @return number of brokers registered (in any state). */
    public int size()
    {
        return size;
    }

    /** @return the epoch counter: the last epoch given to a registration, 0 before the first. */
    public long lastBrokerEpoch()
    {
        return lastBrokerEpoch;
    }

    /** @return the session timeout in ms. */
    public long sessionTimeoutMs()
    {
        return sessionTimeoutMs;
    }

    /** @return the broker the last command changed or refreshed, or null. */
    public RegisteredBroker lastBroker()
    {
        return lastBroker;
    }

    /** @return the event the last command calls for, or null if it changed no state brokers are told of. */
    public BrokerEventType lastEventType()
    {
        return lastEventType;
    }

    /** @return why the last command was refused, or null. */
    public String lastErrorMessage()
    {
        return lastErrorMessage;
    }

    /**
     * Replaces the content with a snapshot's.
     *
     * @param lastBrokerEpoch the epoch counter.
     * @param restored        the brokers, any order, ids unique, epochs at most the counter.
     * @throws IllegalStateException if they are inconsistent or more than the cap.
     */
    public void restore(final long lastBrokerEpoch, final List<RegisteredBroker> restored)
    {
        if (restored.size() > maxBrokers)
        {
            throw new IllegalStateException("snapshot has " + restored.size() + " brokers, more than " + maxBrokers);
        }
        final RegisteredBroker[] sorted = restored.toArray(new RegisteredBroker[0]);
        Arrays.sort(sorted, (a, b) -> Integer.compare(a.brokerId(), b.brokerId()));
        for (int i = 0; i < sorted.length; i++)
        {
            if ((i > 0 && sorted[i - 1].brokerId() == sorted[i].brokerId()) ||
                sorted[i].brokerEpoch() > lastBrokerEpoch || sorted[i].brokerEpoch() < 1)
            {
                throw new IllegalStateException("inconsistent snapshot broker: " + sorted[i]);
            }
        }

        brokers = Arrays.copyOf(sorted, Math.max(8, sorted.length));
        size = sorted.length;
        this.lastBrokerEpoch = lastBrokerEpoch;
        clearLast();
    }

    private RegisteredBroker current(final int brokerId, final long brokerEpoch)
    {
        final int index = indexOf(brokerId);
        if (index < 0)
        {
            lastErrorMessage = "broker " + brokerId + " is not registered";
            return null;
        }
        final RegisteredBroker broker = brokers[index];
        if (broker.brokerEpoch() != brokerEpoch)
        {
            lastErrorMessage = "broker " + brokerId + " epoch " + brokerEpoch + " is stale: current " +
                broker.brokerEpoch();
            return null;
        }

        return broker;
    }

    private long deadline(final long nowMs)
    {
        // Saturating: a cluster time near the end of time must not wrap to a deadline in the past.
        return nowMs > NO_DEADLINE - 1 - sessionTimeoutMs ? NO_DEADLINE - 1 : nowMs + sessionTimeoutMs;
    }

    private int indexOf(final int brokerId)
    {
        int low = 0;
        int high = size - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final int midId = brokers[mid].brokerId();
            if (midId < brokerId)
            {
                low = mid + 1;
            }
            else if (midId > brokerId)
            {
                high = mid - 1;
            }
            else
            {
                return mid;
            }
        }

        return -(low + 1);
    }

    private void insert(final int index, final RegisteredBroker broker)
    {
        if (size == brokers.length)
        {
            brokers = Arrays.copyOf(brokers, Math.min(Math.max(8, size * 2), Math.max(maxBrokers, 8)));
        }
        System.arraycopy(brokers, index, brokers, index + 1, size - index);
        brokers[index] = broker;
        size++;
    }

    private void clearLast()
    {
        lastBroker = null;
        lastEventType = null;
        lastErrorMessage = null;
    }

    private int fail(final ErrorCode code, final String message)
    {
        lastErrorMessage = message;
        return code.value();
    }
}
