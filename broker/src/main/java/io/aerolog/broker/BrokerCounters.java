package io.aerolog.broker;

import io.aerolog.transport.AerologCounters;
import io.aeron.Aeron;
import io.aeron.Counter;
import org.agrona.CloseHelper;

/**
 * The broker-wide counters, visible to {@code AeronStat} and the broker's own tools while it runs.
 */
final class BrokerCounters implements AutoCloseable
{
    final Counter errors;
    final Counter rejectedFrames;
    final Counter backPressureEvents;
    final Counter droppedResponses;
    final Counter produceRequests;
    final Counter clientSessions;
    final Counter errorResponses;

    BrokerCounters(final Aeron aeron, final int brokerId)
    {
        final String suffix = " (broker " + brokerId + ")";
        errors = aeron.addCounter(AerologCounters.BROKER_ERRORS_TYPE_ID, "aerolog errors" + suffix);
        rejectedFrames = aeron.addCounter(AerologCounters.REJECTED_FRAMES_TYPE_ID, "aerolog rejected frames" + suffix);
        backPressureEvents = aeron.addCounter(
            AerologCounters.BACK_PRESSURE_EVENTS_TYPE_ID, "aerolog back-pressure events" + suffix);
        droppedResponses = aeron.addCounter(
            AerologCounters.DROPPED_RESPONSES_TYPE_ID, "aerolog dropped responses" + suffix);
        produceRequests = aeron.addCounter(AerologCounters.PRODUCE_REQUESTS_TYPE_ID, "aerolog produce requests" + suffix);
        clientSessions = aeron.addCounter(AerologCounters.CLIENT_SESSIONS_TYPE_ID, "aerolog client sessions" + suffix);
        errorResponses = aeron.addCounter(AerologCounters.ERROR_RESPONSES_TYPE_ID, "aerolog error responses" + suffix);
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(
            errors, rejectedFrames, backPressureEvents, droppedResponses, produceRequests, clientSessions,
            errorResponses);
    }
}
