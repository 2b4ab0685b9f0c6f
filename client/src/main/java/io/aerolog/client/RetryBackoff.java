package io.aerolog.client;

/**
 * Exponential back-off between metadata refreshes for one partition: 50 ms, doubling up to 1 s, back to the start
 * once a request succeeds, so a leaderless partition is not asked about in a busy loop.
 */
final class RetryBackoff
{
    static final long INITIAL_NS = 50_000_000L;
    static final long MAX_NS = 1_000_000_000L;

    private long nextDelayNs = INITIAL_NS;
    private long retryAtNs = Long.MIN_VALUE;

    /**
     * A failure: the next try waits.
     *
     * @param nowNs now.
     */
    void onFailure(final long nowNs)
    {
        retryAtNs = nowNs + nextDelayNs;
        nextDelayNs = Math.min(MAX_NS, nextDelayNs * 2);
    }

    /** A success: the next failure waits the shortest delay again. */
    void onSuccess()
    {
        nextDelayNs = INITIAL_NS;
        retryAtNs = Long.MIN_VALUE;
    }

    /** @return when the next try is due, {@link Long#MIN_VALUE} for now. */
    long retryAtNs()
    {
        return retryAtNs;
    }

    /**
     * @param nowNs now.
     * @return whether a try is due.
     */
    boolean isDue(final long nowNs)
    {
        return nowNs - retryAtNs >= 0 || Long.MIN_VALUE == retryAtNs;
    }
}
