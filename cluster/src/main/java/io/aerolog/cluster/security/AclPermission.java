package io.aerolog.cluster.security;

/**
 * Whether an ACL allows or denies; a matching DENY always wins. The code is the value on the wire and in the log.
 */
public enum AclPermission
{
    /** The operation is allowed. */
    ALLOW(0),
    /** The operation is refused, whatever else allows it. */
    DENY(1);

    private static final AclPermission[] BY_CODE = values();

    private final int code;

    AclPermission(final int code)
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
     * @return the permission, or null if the code is unknown.
     */
    public static AclPermission get(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
