package io.aerolog.broker;

import io.aerolog.transport.AerologCounters;
import io.aeron.Aeron;
import io.aeron.Counter;
import org.agrona.CloseHelper;

/**
 * The counters of one of the broker's paths (the control path or the data path). Each path runs on one thread and
 * writes only its own counters, so every counter has a single writer; readers add the paths up.
 */
final class PathCounters implements AutoCloseable
{
    final Counter errors;
    final Counter rejectedFrames;
    final Counter errorResponses;
    final Counter droppedResponses;
    final Counter backPressureEvents;
    final Counter authorizationFailures;

    PathCounters(final Aeron aeron, final int brokerId, final String path)
    {
        final String suffix = " (broker " + brokerId + ", " + path + ")";
        errors = aeron.addCounter(AerologCounters.BROKER_ERRORS_TYPE_ID, "aerolog errors" + suffix);
        rejectedFrames = aeron.addCounter(AerologCounters.REJECTED_FRAMES_TYPE_ID, "aerolog rejected frames" + suffix);
        errorResponses = aeron.addCounter(AerologCounters.ERROR_RESPONSES_TYPE_ID, "aerolog error responses" + suffix);
        droppedResponses = aeron.addCounter(
            AerologCounters.DROPPED_RESPONSES_TYPE_ID, "aerolog dropped responses" + suffix);
        backPressureEvents = aeron.addCounter(
            AerologCounters.BACK_PRESSURE_EVENTS_TYPE_ID, "aerolog back-pressure events" + suffix);
        authorizationFailures = aeron.addCounter(
            AerologCounters.AUTHORIZATION_FAILURES_TYPE_ID, "aerolog authorization failures" + suffix);
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(
            errors, rejectedFrames, errorResponses, droppedResponses, backPressureEvents, authorizationFailures);
    }
}
