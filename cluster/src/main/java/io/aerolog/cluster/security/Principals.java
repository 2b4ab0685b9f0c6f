package io.aerolog.cluster.security;

import java.nio.charset.StandardCharsets;

/**
 * Principal names as Kafka writes them: {@code User:name}, {@code User:*} for every user, and
 * {@link #ANONYMOUS} for a client that connected without credentials.
 */
public final class Principals
{
    /** Prefix of every user principal. */
    public static final String USER_PREFIX = "User:";
    /** The principal matching every user, anonymous included. */
    public static final String WILDCARD = "User:*";
    /** The principal of a client that gave no credentials. */
    public static final String ANONYMOUS = "User:ANONYMOUS";
    /** Longest user name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 255;

    private Principals()
    {
    }

    /**
     * @param userName a user's name.
     * @return its principal.
     */
    public static String ofUser(final String userName)
    {
        return USER_PREFIX + userName;
    }

    /**
     * Checks a user name: 1 to {@link #MAX_NAME_BYTES} UTF-8 bytes, no control characters, not {@code *} or
     * {@code ANONYMOUS} (reserved for clients without credentials).
     *
     * @param name to check.
     * @return null if valid, else why not.
     */
    public static String checkUserName(final String name)
    {
        if (null == name || name.isEmpty())
        {
            return "a user name is required";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES)
        {
            return "user name longer than " + MAX_NAME_BYTES + " bytes";
        }
        if ("*".equals(name) || "ANONYMOUS".equals(name))
        {
            return "'" + name + "' is reserved";
        }
        for (int i = 0; i < name.length(); i++)
        {
            if (Character.isISOControl(name.charAt(i)))
            {
                return "user name with a control character";
            }
        }
        return null;
    }

    /**
     * Checks a principal named in an ACL: {@code User:*} or {@code User:} and a valid user name.
     *
     * @param principal to check.
     * @return null if valid, else why not.
     */
    public static String checkPrincipal(final String principal)
    {
        if (null == principal || !principal.startsWith(USER_PREFIX))
        {
            return "a principal is User:name or User:*";
        }
        if (WILDCARD.equals(principal))
        {
            return null;
        }
        return checkUserName(principal.substring(USER_PREFIX.length()));
    }
}
