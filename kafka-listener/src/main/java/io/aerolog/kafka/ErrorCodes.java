package io.aerolog.kafka;

import io.aerolog.client.AerologException;
import io.aerolog.codecs.wire.ErrorCode;
import org.apache.kafka.common.protocol.Errors;

/**
 * Kafka's error for an Aerolog refusal, so that Kafka clients retry what is retriable and report the rest.
 */
final class ErrorCodes
{
    private ErrorCodes()
    {
    }

    static Errors of(final Throwable error)
    {
        final Throwable cause = error instanceof java.util.concurrent.CompletionException && null != error.getCause() ?
            error.getCause() : error;
        return cause instanceof AerologException ex ? of(ex.code()) : Errors.UNKNOWN_SERVER_ERROR;
    }

    static Errors of(final ErrorCode code)
    {
        if (null == code)
        {
            return Errors.UNKNOWN_SERVER_ERROR;
        }
        return switch (code)
        {
            case NONE -> Errors.NONE;
            case UNKNOWN_TOPIC_OR_PARTITION -> Errors.UNKNOWN_TOPIC_OR_PARTITION;
            case TOPIC_ALREADY_EXISTS -> Errors.TOPIC_ALREADY_EXISTS;
            case INVALID_PARTITIONS -> Errors.INVALID_PARTITIONS;
            case RECORD_TOO_LARGE -> Errors.MESSAGE_TOO_LARGE;
            case CORRUPT_MESSAGE -> Errors.CORRUPT_MESSAGE;
            case OFFSET_OUT_OF_RANGE -> Errors.OFFSET_OUT_OF_RANGE;
            case OUT_OF_ORDER_SEQUENCE -> Errors.OUT_OF_ORDER_SEQUENCE_NUMBER;
            case DUPLICATE_SEQUENCE -> Errors.DUPLICATE_SEQUENCE_NUMBER;
            case INVALID_REQUEST -> Errors.INVALID_REQUEST;
            case BROKER_NOT_AVAILABLE, NOT_READY -> Errors.BROKER_NOT_AVAILABLE;
            case UNSUPPORTED_VERSION -> Errors.UNSUPPORTED_VERSION;
            case INVALID_CONFIG -> Errors.INVALID_CONFIG;
            case REQUEST_TIMED_OUT -> Errors.REQUEST_TIMED_OUT;
            case UNKNOWN_PRODUCER_ID -> Errors.UNKNOWN_PRODUCER_ID;
            case INVALID_TOPIC -> Errors.INVALID_TOPIC_EXCEPTION;
            case LIMIT_REACHED -> Errors.THROTTLING_QUOTA_EXCEEDED;
            case AUTHORIZATION_FAILED -> Errors.TOPIC_AUTHORIZATION_FAILED;
            case NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH -> Errors.NOT_LEADER_OR_FOLLOWER;
            case NOT_ENOUGH_REPLICAS -> Errors.NOT_ENOUGH_REPLICAS;
            case NOT_ENOUGH_REPLICAS_AFTER_APPEND -> Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
            case LEADER_NOT_AVAILABLE -> Errors.LEADER_NOT_AVAILABLE;
            case OFFSET_NOT_AVAILABLE -> Errors.OFFSET_NOT_AVAILABLE;
            case INVALID_REPLICATION_FACTOR -> Errors.INVALID_REPLICATION_FACTOR;
            default -> Errors.UNKNOWN_SERVER_ERROR;
        };
    }
}
