package io.aerolog.client;

import io.aerolog.codecs.wire.ErrorCode;

/**
 * Which errors mean "the partition moved, or its broker is gone": the client refreshes its metadata and tries
 * again (the same batches, the same sequences) instead of failing.
 */
final class RoutingErrors
{
    private RoutingErrors()
    {
    }

    /**
     * @param code of an answer.
     * @return whether the request went to a broker that does not lead the partition (now).
     */
    static boolean isLeaderChange(final ErrorCode code)
    {
        return ErrorCode.NOT_LEADER_OR_FOLLOWER == code || ErrorCode.LEADER_NOT_AVAILABLE == code ||
            ErrorCode.FENCED_LEADER_EPOCH == code || ErrorCode.OFFSET_NOT_AVAILABLE == code;
    }

    /**
     * @param code of an answer.
     * @return whether the leader's in-sync set was too small for acks=all (before or after the append).
     */
    static boolean isTooFewInSync(final ErrorCode code)
    {
        return ErrorCode.NOT_ENOUGH_REPLICAS == code || ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND == code;
    }

    /**
     * @param code of a failure.
     * @return whether the broker could not be reached or did not answer in time.
     */
    static boolean isConnectionLost(final ErrorCode code)
    {
        return ErrorCode.BROKER_NOT_AVAILABLE == code || ErrorCode.REQUEST_TIMED_OUT == code ||
            ErrorCode.UNKNOWN_SESSION == code;
    }

    /**
     * @param code of an answer or failure.
     * @return whether a retry after a metadata refresh may succeed.
     */
    static boolean isRetriable(final ErrorCode code)
    {
        return isLeaderChange(code) || isConnectionLost(code);
    }
}
