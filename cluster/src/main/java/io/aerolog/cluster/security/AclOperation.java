package io.aerolog.cluster.security;

/**
 * What an ACL allows or denies, as Kafka names it. {@link #ALL} matches every operation. The code is the value on
 * the wire and in the controller's log: never renumber.
 */
public enum AclOperation
{
    /** Every operation. */
    ALL(0),
    /** Consume a topic; join, heartbeat, commit and fetch offsets of a group. */
    READ(1),
    /** Produce to a topic. */
    WRITE(2),
    /** Create a topic (on the topic or on the cluster). */
    CREATE(3),
    /** Delete a topic or a group. */
    DELETE(4),
    /** Describe or list a topic or a group; implied by READ, WRITE, DELETE and ALTER. */
    DESCRIBE(5),
    /** Change the cluster's users and ACLs. */
    ALTER(6);

    private static final AclOperation[] BY_CODE = values();

    private final int code;

    AclOperation(final int code)
    {
        this.code = code;
    }

    /**
     * @return the value on the wire.
     */
    public int code()
    {
        return code;
    }

    /**
     * @param code a value from the wire.
     * @return the operation, or null if the code is unknown.
     */
    public static AclOperation get(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
