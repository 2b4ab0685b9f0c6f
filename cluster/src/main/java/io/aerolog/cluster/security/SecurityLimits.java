package io.aerolog.cluster.security;

/**
 * Caps on the controller's users and ACLs: an upsert of a new user or an added ACL beyond them is refused with
 * {@code LIMIT_REACHED}. Like {@link io.aerolog.cluster.ControllerLimits} they decide commands, so every member of a
 * cluster must run with the same values, and they may only be raised on a cluster with a log.
 *
 * @param maxUsers users at once.
 * @param maxAcls  ACL bindings at once.
 */
public record SecurityLimits(int maxUsers, int maxAcls)
{
    /** Default of {@link #maxUsers()}. */
    public static final int MAX_USERS_DEFAULT = 10_000;
    /** Default of {@link #maxAcls()}. */
    public static final int MAX_ACLS_DEFAULT = 10_000;
    /** The default caps. */
    public static final SecurityLimits DEFAULT = new SecurityLimits(MAX_USERS_DEFAULT, MAX_ACLS_DEFAULT);

    /**
     * @throws IllegalArgumentException if a cap is below 1.
     */
    public SecurityLimits
    {
        if (maxUsers < 1 || maxAcls < 1)
        {
            throw new IllegalArgumentException("maxUsers and maxAcls must be >= 1: " + maxUsers + ", " + maxAcls);
        }
    }
}
