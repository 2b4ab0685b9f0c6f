package io.aerolog.cluster.group;

import io.aerolog.codecs.wire.ErrorCode;

/**
 * Error codes of the group operations.
 * <p>
 * Codes shared with the wire protocol reuse the {@link ErrorCode} values ({@link #NONE},
 * {@link #UNKNOWN_TOPIC_OR_PARTITION}, {@link #INVALID_REQUEST}). The group-specific codes use values from 100 up,
 * chosen so that a later change to the {@code ErrorCode} enum of the wire schema can add them with the same values
 * (then the mapping is the identity); until then {@link #toWireCode(int)} maps each onto the closest existing code:
 * <pre>
 * UNKNOWN_GROUP          100 -&gt; INVALID_REQUEST             (Kafka GROUP_ID_NOT_FOUND)
 * UNKNOWN_MEMBER_ID      101 -&gt; UNKNOWN_SESSION             (Kafka UNKNOWN_MEMBER_ID: rejoin with no member id)
 * STALE_MEMBER_EPOCH     102 -&gt; UNKNOWN_SESSION             (Kafka STALE_MEMBER_EPOCH: retry with new epoch)
 * PARTITION_NOT_OWNED    103 -&gt; UNKNOWN_TOPIC_OR_PARTITION  (the member does not own the partition)
 * GROUP_NOT_EMPTY        104 -&gt; INVALID_REQUEST             (Kafka NON_EMPTY_GROUP)
 * UNRELEASED_INSTANCE_ID 105 -&gt; INVALID_REQUEST             (Kafka: the instance id is held by a live member)
 * FENCED_INSTANCE_ID     106 -&gt; INVALID_REQUEST             (Kafka: member id and instance id do not match)
 * </pre>
 */
public final class GroupErrors
{
    /**
     * Success.
     */
    public static final int NONE = ErrorCode.NONE.value();

    /**
     * A subscribed, committed or reset topic does not exist, or the partition is out of range.
     */
    public static final int UNKNOWN_TOPIC_OR_PARTITION = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.value();

    /**
     * A malformed request: empty group id, timeouts not positive, negative offset, metadata too long, ...
     */
    public static final int INVALID_REQUEST = ErrorCode.INVALID_REQUEST.value();

    /**
     * The group does not exist.
     */
    public static final int UNKNOWN_GROUP = 100;

    /**
     * The member id is not (or no longer) a member of the group; the client must rejoin with no member id.
     */
    public static final int UNKNOWN_MEMBER_ID = 101;

    /**
     * The member epoch given with a commit is not the member's current epoch.
     */
    public static final int STALE_MEMBER_EPOCH = 102;

    /**
     * The member commits a partition it does not own.
     */
    public static final int PARTITION_NOT_OWNED = 103;

    /**
     * The operation needs a group without members (reset offsets, delete group).
     */
    public static final int GROUP_NOT_EMPTY = 104;

    /**
     * A static member joins with an instance id still held by a member that has not left.
     */
    public static final int UNRELEASED_INSTANCE_ID = 105;

    /**
     * A heartbeat names an instance id other than the one the member joined with.
     */
    public static final int FENCED_INSTANCE_ID = 106;

    private GroupErrors()
    {
    }

    /**
     * Map a group error code onto the closest existing wire {@link ErrorCode}.
     *
     * @param code a value of this class.
     * @return the closest wire error code.
     */
    public static ErrorCode toWireCode(final int code)
    {
        return switch (code)
        {
            case UNKNOWN_GROUP, GROUP_NOT_EMPTY, UNRELEASED_INSTANCE_ID, FENCED_INSTANCE_ID ->
                ErrorCode.INVALID_REQUEST;
            case UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH -> ErrorCode.UNKNOWN_SESSION;
            case PARTITION_NOT_OWNED -> ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
            default -> ErrorCode.get((short)code);
        };
    }

    /**
     * Name of a code, for logs and messages.
     *
     * @param code a value of this class.
     * @return its name.
     */
    public static String name(final int code)
    {
        return switch (code)
        {
            case UNKNOWN_GROUP -> "UNKNOWN_GROUP";
            case UNKNOWN_MEMBER_ID -> "UNKNOWN_MEMBER_ID";
            case STALE_MEMBER_EPOCH -> "STALE_MEMBER_EPOCH";
            case PARTITION_NOT_OWNED -> "PARTITION_NOT_OWNED";
            case GROUP_NOT_EMPTY -> "GROUP_NOT_EMPTY";
            case UNRELEASED_INSTANCE_ID -> "UNRELEASED_INSTANCE_ID";
            case FENCED_INSTANCE_ID -> "FENCED_INSTANCE_ID";
            default -> ErrorCode.get((short)code).name();
        };
    }
}
