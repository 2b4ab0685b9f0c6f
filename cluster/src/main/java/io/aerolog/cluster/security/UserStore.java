package io.aerolog.cluster.security;

import io.aerolog.codecs.wire.ErrorCode;

import java.util.Collection;
import java.util.Collections;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The users: name to salted password hash, in name order. The controller's copy is replicated state (changed only
 * by commands, so every member and every replay decides the same); a broker keeps one fed by the controller's events
 * to check passwords against. <b>Not thread-safe:</b> one thread, the controller service's or the broker conductor's.
 */
public final class UserStore
{
    private static final int NONE = ErrorCode.NONE.value();

    private final TreeMap<String, UserCredential> byName = new TreeMap<>();
    private final int maxUsers;
    private String lastErrorMessage;

    /**
     * @param maxUsers most users at once; a new user beyond it is refused {@code LIMIT_REACHED}.
     */
    public UserStore(final int maxUsers)
    {
        this.maxUsers = maxUsers;
    }

    /**
     * Adds a user or replaces its credential (a new password).
     *
     * @param credential the user's name and hash.
     * @return an {@link ErrorCode} value: {@code NONE}, {@code INVALID_REQUEST} for an invalid credential,
     * {@code LIMIT_REACHED} when full.
     */
    public int upsert(final UserCredential credential)
    {
        final String problem = credential.check();
        if (null != problem)
        {
            return fail(ErrorCode.INVALID_REQUEST, problem);
        }
        if (!byName.containsKey(credential.name()) && byName.size() >= maxUsers)
        {
            return fail(ErrorCode.LIMIT_REACHED, "the cluster has its maximum of " + maxUsers + " users");
        }
        byName.put(credential.name(), credential);
        return NONE;
    }

    /**
     * Removes a user.
     *
     * @param name of the user.
     * @return an {@link ErrorCode} value: {@code NONE}, or {@code INVALID_REQUEST} if there is no such user.
     */
    public int delete(final String name)
    {
        if (null == byName.remove(name))
        {
            return fail(ErrorCode.INVALID_REQUEST, "unknown user: " + name);
        }
        return NONE;
    }

    /**
     * @param name of a user.
     * @return its credential, or null if there is none.
     */
    public UserCredential get(final String name)
    {
        return byName.get(name);
    }

    /**
     * @return number of users.
     */
    public int size()
    {
        return byName.size();
    }

    /**
     * @param consumer called with each user in name order.
     */
    public void forEach(final Consumer<UserCredential> consumer)
    {
        byName.values().forEach(consumer);
    }

    /**
     * @return every user in name order, unmodifiable.
     */
    public Collection<UserCredential> all()
    {
        return Collections.unmodifiableCollection(byName.values());
    }

    /**
     * Replaces every user (a snapshot load), without checking the caps: what was stored stays.
     *
     * @param users to hold.
     */
    public void restore(final Collection<UserCredential> users)
    {
        byName.clear();
        for (final UserCredential user : users)
        {
            byName.put(user.name(), user);
        }
    }

    /** Removes every user. */
    public void clear()
    {
        byName.clear();
    }

    /**
     * @return why the last refused change was refused.
     */
    public String lastErrorMessage()
    {
        return lastErrorMessage;
    }

    private int fail(final ErrorCode code, final String message)
    {
        lastErrorMessage = message;
        return code.value();
    }
}
