package io.aerolog.cluster.group;

import io.aerolog.codecs.wire.ErrorCode;

/**
 * Error codes of the group operations: the values of the wire schema's {@link ErrorCode} enum, so
 * {@link #toWireCode(int)} is the identity. Shared codes ({@link #NONE}, {@link #UNKNOWN_TOPIC_OR_PARTITION},
 * {@link #INVALID_REQUEST}) keep their wire values; the group-specific ones are 100 to 107, as Kafka's
 * GROUP_ID_NOT_FOUND, UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH, NON_EMPTY_GROUP, UNRELEASED_INSTANCE_ID,
 * FENCED_INSTANCE_ID and INCONSISTENT_GROUP_PROTOCOL.
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

    /**
     * A member names an assignor other than the one of its group, which has live members.
     */
    public static final int INCONSISTENT_ASSIGNOR = 107;

    /**
     * A cap on groups, members per group or committed offsets per group is reached; nothing changed.
     */
    public static final int LIMIT_REACHED = ErrorCode.LIMIT_REACHED.value();

    private GroupErrors()
    {
    }

    /**
     * The wire {@link ErrorCode} of a group error code: the same value.
     *
     * @param code a value of this class.
     * @return the wire error code of the same value.
     */
    public static ErrorCode toWireCode(final int code)
    {
        return ErrorCode.get((short)code);
    }

    /**
     * Name of a code, for logs and messages.
     *
     * @param code a value of this class.
     * @return its name.
     */
    public static String name(final int code)
    {
        final ErrorCode wireCode = ErrorCode.get((short)code);

        return ErrorCode.NULL_VAL == wireCode || ErrorCode.SBE_UNKNOWN == wireCode ?
            "UNKNOWN(" + code + ")" : wireCode.name();
    }
}
