package io.aerolog.kafka;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the listener counts, written by its one thread only and readable from any.
 */
public final class ListenerCounters
{
    final AtomicLong connectionsAccepted = new AtomicLong();
    final AtomicLong connectionsRefused = new AtomicLong();
    final AtomicLong connectionsClosedForBadInput = new AtomicLong();
    final AtomicLong requests = new AtomicLong();
    final AtomicLong errorResponses = new AtomicLong();
    final AtomicLong corruptBatches = new AtomicLong();

    /** @return connections accepted since start. */
    public long connectionsAccepted()
    {
        return connectionsAccepted.get();
    }

    /** @return connections closed at once because the listener had as many as it allows. */
    public long connectionsRefused()
    {
        return connectionsRefused.get();
    }

    /**
     * @return connections closed for a frame the protocol has no error for: oversized or negative sizes, unknown
     * API keys or versions, bodies that do not parse.
     */
    public long connectionsClosedForBadInput()
    {
        return connectionsClosedForBadInput.get();
    }

    /** @return requests parsed and handled. */
    public long requests()
    {
        return requests.get();
    }

    /** @return partitions or topics answered with a Kafka error code. */
    public long errorResponses()
    {
        return errorResponses.get();
    }

    /** @return record batches refused as corrupt (bad CRC, wrong counts, not magic v2). */
    public long corruptBatches()
    {
        return corruptBatches.get();
    }

    static void increment(final AtomicLong counter)
    {
        counter.lazySet(counter.get() + 1); // one writer: the listener thread
    }

    @Override
    public String toString()
    {
        return "accepted=" + connectionsAccepted() + " refused=" + connectionsRefused() + " closedForBadInput=" +
            connectionsClosedForBadInput() + " requests=" + requests() + " errorResponses=" + errorResponses() +
            " corruptBatches=" + corruptBatches();
    }
}
