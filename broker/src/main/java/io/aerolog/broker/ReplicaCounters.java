package io.aerolog.broker;

import io.aerolog.transport.AerologCounters;
import io.aeron.Aeron;
import io.aeron.Counter;
import org.agrona.CloseHelper;

/**
 * Counters of the replica channel, all written by the thread that runs it (the produce agent's).
 */
final class ReplicaCounters implements AutoCloseable
{
    /** Frames refused as malformed, fragmented or of another schema. */
    final Counter rejectedFrames;
    /** Frames dropped as unauthenticated: a hello whose authenticator fails, or a message no hello bound. */
    final Counter unauthenticated;
    /** Offers back-pressured or not connected, retried later. */
    final Counter sendFailures;

    ReplicaCounters(final Aeron aeron, final int brokerId)
    {
        final String suffix = " (broker " + brokerId + ")";
        rejectedFrames = aeron.addCounter(
            AerologCounters.REPLICA_REJECTED_FRAMES_TYPE_ID, "aerolog replica frames rejected" + suffix);
        unauthenticated = aeron.addCounter(
            AerologCounters.REPLICA_UNAUTHENTICATED_TYPE_ID, "aerolog replica frames unauthenticated" + suffix);
        sendFailures = aeron.addCounter(
            AerologCounters.REPLICA_SEND_FAILURES_TYPE_ID, "aerolog replica send failures" + suffix);
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(rejectedFrames, unauthenticated, sendFailures);
    }
}
