package io.aerolog.cluster.security;

/**
 * What an ACL is about. The cluster itself is one resource, named {@link Authorizer#CLUSTER_NAME}. The code is the
 * value on the wire and in the log.
 */
public enum AclResourceType
{
    /** A topic, by name. */
    TOPIC(0),
    /** A consumer group, by group id. */
    GROUP(1),
    /** The cluster: creating topics, and changing users and ACLs. */
    CLUSTER(2);

    private static final AclResourceType[] BY_CODE = values();

    private final int code;

    AclResourceType(final int code)
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
     * @return the resource type, or null if the code is unknown.
     */
    public static AclResourceType get(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
