package io.aerolog.broker;

import io.aerolog.codecs.wire.ErrorCode;

/**
 * The text that goes with each error code in an answer, so that every client error reads the same.
 */
final class ErrorMessages
{
    private ErrorMessages()
    {
    }

    static String describe(final ErrorCode code)
    {
        switch (code)
        {
            case UNKNOWN_TOPIC_OR_PARTITION:
                return "this broker has no such topic or partition";
            case RECORD_TOO_LARGE:
                return "the batch is larger than the broker accepts";
            case CORRUPT_MESSAGE:
                return "the request is malformed";
            case OUT_OF_ORDER_SEQUENCE:
                return "the batch's sequence does not follow the producer's last batch";
            case INVALID_REQUEST:
                return "the request is not valid";
            case BROKER_NOT_AVAILABLE:
                return "the partition log is closed";
            case NOT_ENOUGH_REPLICAS:
                return "fewer in-sync replicas than min.insync.replicas: the batch was not written";
            case NOT_ENOUGH_REPLICAS_AFTER_APPEND:
                return "the batch was written but the in-sync replicas fell below min.insync.replicas before " +
                    "it was acknowledged";
            case NOT_LEADER_OR_FOLLOWER:
                return "this broker no longer leads the partition";
            default:
                return code.name();
        }
    }
}
