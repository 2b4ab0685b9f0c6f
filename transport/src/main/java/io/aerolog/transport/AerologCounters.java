package io.aerolog.transport;

/**
 * Type ids of the Aeron counters Aerolog registers (user counters start at 1000), so that tools such as
 * {@code AeronStat} or {@code aerolog stat} can find them by type.
 */
public final class AerologCounters
{
    /** Next offset to be assigned in a partition. */
    public static final int LOG_END_OFFSET_TYPE_ID = 1001;
    /** Offset below which records are acknowledged and visible to consumers. */
    public static final int HIGH_WATERMARK_TYPE_ID = 1002;
    /** Stream position of the high watermark: the bound of every consumer replay. */
    public static final int HIGH_WATERMARK_POSITION_TYPE_ID = 1003;
    /** First offset still retained in a partition. */
    public static final int LOG_START_OFFSET_TYPE_ID = 1004;
    /** Errors seen by the broker's agents. */
    public static final int BROKER_ERRORS_TYPE_ID = 1010;
    /** Frames refused because they were malformed, truncated or of an unknown schema or version. */
    public static final int REJECTED_FRAMES_TYPE_ID = 1011;
    /** Offers that met back-pressure on the data path. */
    public static final int BACK_PRESSURE_EVENTS_TYPE_ID = 1012;
    /** Responses that could not be delivered to a client. */
    public static final int DROPPED_RESPONSES_TYPE_ID = 1013;
    /** Produce requests handled. */
    public static final int PRODUCE_REQUESTS_TYPE_ID = 1014;
    /** Client sessions open. */
    public static final int CLIENT_SESSIONS_TYPE_ID = 1015;
    /** Requests answered with an error code. */
    public static final int ERROR_RESPONSES_TYPE_ID = 1016;
    /** Requests refused for want of permission (ACLs) or with bad credentials, per path. */
    public static final int AUTHORIZATION_FAILURES_TYPE_ID = 1017;
    /** Replica-channel frames refused as malformed, fragmented, or of an unknown schema or version. */
    public static final int REPLICA_REJECTED_FRAMES_TYPE_ID = 1040;
    /** Replica-channel frames dropped as unauthenticated: a bad hello, or a message from an image no hello bound. */
    public static final int REPLICA_UNAUTHENTICATED_TYPE_ID = 1041;
    /** Replica-channel offers that met back-pressure or no connection (retried on a later duty cycle). */
    public static final int REPLICA_SEND_FAILURES_TYPE_ID = 1042;
    /** In-sync set proposals a partition leader sent and the controller refused (stale epochs, say). */
    public static final int ISR_PROPOSALS_REFUSED_TYPE_ID = 1043;

    private AerologCounters()
    {
    }
}
