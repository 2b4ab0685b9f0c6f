package io.aerolog.broker;

import io.aerolog.transport.AerologCounters;
import io.aeron.Aeron;
import io.aeron.Counter;
import org.agrona.CloseHelper;

/**
 * The broker-wide counters, visible to {@code AeronStat} and the broker's own tools while it runs: one set per path
 * (each written by that path's thread only) and the counters only one path writes.
 */
final class BrokerCounters implements AutoCloseable
{
    /** Written by the conductor's thread. */
    final PathCounters control;
    /** Written by the produce agent's thread. */
    final PathCounters data;
    /** Written by the produce agent's thread. */
    final Counter produceRequests;
    /** Written by the conductor's thread. */
    final Counter clientSessions;
    /** Written by the log worker's thread. */
    final Counter logWorkerErrors;
    /** Written by the conductor's thread. */
    final Counter isrProposalsRefused;

    BrokerCounters(final Aeron aeron, final int brokerId)
    {
        control = new PathCounters(aeron, brokerId, "control path");
        data = new PathCounters(aeron, brokerId, "data path");
        final String suffix = " (broker " + brokerId + ")";
        produceRequests = aeron.addCounter(AerologCounters.PRODUCE_REQUESTS_TYPE_ID, "aerolog produce requests" + suffix);
        clientSessions = aeron.addCounter(AerologCounters.CLIENT_SESSIONS_TYPE_ID, "aerolog client sessions" + suffix);
        logWorkerErrors = aeron.addCounter(
            AerologCounters.BROKER_ERRORS_TYPE_ID, "aerolog errors (broker " + brokerId + ", log worker)");
        isrProposalsRefused = aeron.addCounter(
            AerologCounters.ISR_PROPOSALS_REFUSED_TYPE_ID, "aerolog in-sync set proposals refused" + suffix);
    }

    /** @return frames refused on either path. */
    long rejectedFrames()
    {
        return control.rejectedFrames.get() + data.rejectedFrames.get();
    }

    /** @return requests answered with an error code on either path. */
    long errorResponses()
    {
        return control.errorResponses.get() + data.errorResponses.get();
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(control, data, produceRequests, clientSessions, logWorkerErrors,
            isrProposalsRefused);
    }
}
