package io.aerolog.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.locks.LockSupport;

/**
 * A {@link BackoffIdleStrategy} that, once its thread has found no work for a quiet period, parks for a longer
 * fixed time on each idle until work returns. A broker with nothing to do then wakes each thread a hundred times a
 * second instead of a thousand or ten thousand, at the price of up to one quiet park of delay for the first message
 * after the quiet period. Steady traffic never reaches the quiet period, so it sees the inner back-off only. One
 * per thread (it holds the thread's back-off state); allocation-free.
 */
public final class QuietBackoffIdleStrategy implements IdleStrategy
{
    private final BackoffIdleStrategy backoff;
    private final long quietAfterNs;
    private final long quietParkNs;
    private final NanoClock clock;
    private long idleSinceNs = Long.MIN_VALUE;

    /**
     * @param maxSpins     spins before yielding.
     * @param maxYields    yields before parking.
     * @param minParkNs    first park of the back-off.
     * @param maxParkNs    longest park of the back-off.
     * @param quietAfterNs time without work after which each idle parks {@code quietParkNs}.
     * @param quietParkNs  park while quiet, at least {@code maxParkNs}.
     * @throws IllegalArgumentException if the quiet park is shorter than the back-off's longest park.
     */
    public QuietBackoffIdleStrategy(
        final long maxSpins,
        final long maxYields,
        final long minParkNs,
        final long maxParkNs,
        final long quietAfterNs,
        final long quietParkNs)
    {
        this(maxSpins, maxYields, minParkNs, maxParkNs, quietAfterNs, quietParkNs, SystemNanoClock.INSTANCE);
    }

    /**
     * As {@link #QuietBackoffIdleStrategy(long, long, long, long, long, long)}, timing the quiet period on a clock
     * of the caller's.
     *
     * @param maxSpins     spins before yielding.
     * @param maxYields    yields before parking.
     * @param minParkNs    first park of the back-off.
     * @param maxParkNs    longest park of the back-off.
     * @param quietAfterNs time without work after which each idle parks {@code quietParkNs}.
     * @param quietParkNs  park while quiet, at least {@code maxParkNs}.
     * @param clock        times the quiet period.
     * @throws IllegalArgumentException if the quiet park is shorter than the back-off's longest park.
     */
    public QuietBackoffIdleStrategy(
        final long maxSpins,
        final long maxYields,
        final long minParkNs,
        final long maxParkNs,
        final long quietAfterNs,
        final long quietParkNs,
        final NanoClock clock)
    {
        if (quietParkNs < maxParkNs || quietAfterNs < 0)
        {
            throw new IllegalArgumentException("QUIET_PARK must be at least MAX_PARK (" + quietParkNs + " < " +
                maxParkNs + " ns) and QUIET_AFTER not negative (" + quietAfterNs + " ns)");
        }
        this.clock = clock;
        this.backoff = new BackoffIdleStrategy(maxSpins, maxYields, minParkNs, maxParkNs);
        this.quietAfterNs = quietAfterNs;
        this.quietParkNs = quietParkNs;
    }

    /**
     * {@inheritDoc}
     */
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void idle()
    {
        final long nowNs = clock.nanoTime();
        if (Long.MIN_VALUE == idleSinceNs)
        {
            idleSinceNs = nowNs;
        }
        if (nowNs - idleSinceNs >= quietAfterNs)
        {
            LockSupport.parkNanos(quietParkNs);
        }
        else
        {
            backoff.idle();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void reset()
    {
        idleSinceNs = Long.MIN_VALUE;
        backoff.reset();
    }

    /**
     * @return true once the thread has been without work for the quiet period (the next idle parks long).
     */
    public boolean isQuiet()
    {
        return Long.MIN_VALUE != idleSinceNs && clock.nanoTime() - idleSinceNs >= quietAfterNs;
    }

    /**
     * {@inheritDoc}
     */
    public String alias()
    {
        return "quiet-backoff";
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "QuietBackoffIdleStrategy{backoff=" + backoff + ", quietAfterNs=" + quietAfterNs +
            ", quietParkNs=" + quietParkNs + '}';
    }
}
