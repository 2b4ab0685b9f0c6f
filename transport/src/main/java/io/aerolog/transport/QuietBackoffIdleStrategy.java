package io.aerolog.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

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
    private long idleSinceNs = Long.MIN_VALUE;

    /**
     * @param maxSpins     spins before yielding.
     * @param maxYields    yields before parking.
     * @param minParkNs    first park of the back-off.
     * @param maxParkNs    longest park of the back-off.
     * @param quietAfterNs time without work after which each idle parks {@code quietParkNs}.
     * @param quietParkNs  park while quiet, at least {@code maxParkNs}.
     */
    public QuietBackoffIdleStrategy(
        final long maxSpins,
        final long maxYields,
        final long minParkNs,
        final long maxParkNs,
        final long quietAfterNs,
        final long quietParkNs)
    {
        if (quietParkNs < maxParkNs || quietAfterNs < 0)
        {
            throw new IllegalArgumentException("the quiet park (" + quietParkNs + " ns) must be at least the longest " +
                "back-off park (" + maxParkNs + " ns) and the quiet period (" + quietAfterNs + " ns) not negative");
        }
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
        final long nowNs = System.nanoTime();
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
        return Long.MIN_VALUE != idleSinceNs && System.nanoTime() - idleSinceNs >= quietAfterNs;
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
