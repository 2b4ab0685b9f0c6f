package io.aerolog.broker;

import io.aerolog.cluster.security.AclBinding;
import io.aerolog.cluster.security.AclOperation;
import io.aerolog.cluster.security.AclResourceType;
import io.aerolog.cluster.security.Authorizer;
import io.aerolog.cluster.security.UserCredential;
import io.aerolog.codecs.cluster.SecurityEventType;
import io.aerolog.codecs.wire.ErrorCode;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The broker's copy of the controller's users and ACLs, and the decisions made from them. The controller tells
 * every broker of each change; the copy is replaced whole by the users and ACLs of a metadata answer.
 * <p>
 * Decisions are made on an immutable {@link Authorizer} rebuilt on every ACL change (rare) and published through a
 * volatile field, so the conductor and the produce agent both decide with hash lookups, no lock and no allocation.
 * The copy itself is changed on the conductor thread only.
 */
final class AccessControl
{
    private final Set<String> superUsers;
    private final boolean allowEveryoneIfNoAclFound;
    private final boolean authenticationRequired;
    private final TreeMap<String, UserCredential> users = new TreeMap<>();
    private final LinkedHashSet<AclBinding> acls = new LinkedHashSet<>();
    private final TreeMap<String, UserCredential> loadingUsers = new TreeMap<>();
    private final List<AclBinding> loadingAcls = new ArrayList<>();
    private long loadingCorrelationId = Long.MIN_VALUE;
    private volatile Authorizer authorizer;
    private volatile int version;

    /**
     * @param superUsers                principals that may do anything.
     * @param allowEveryoneIfNoAclFound whether a resource no ACL names is open to everyone.
     * @param authenticationRequired    whether a client must connect with a user's credentials.
     */
    AccessControl(
        final Set<String> superUsers, final boolean allowEveryoneIfNoAclFound, final boolean authenticationRequired)
    {
        this.superUsers = Set.copyOf(superUsers);
        this.allowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound;
        this.authenticationRequired = authenticationRequired;
        rebuild();
    }

    /** @return whether an anonymous connect is refused. */
    boolean authenticationRequired()
    {
        return authenticationRequired;
    }

    /**
     * May the principal do this? Any thread.
     *
     * @param principal    {@code User:name} or {@code User:ANONYMOUS}.
     * @param operation    wanted.
     * @param resourceType of the resource.
     * @param resourceName of the resource.
     * @return true if allowed.
     */
    boolean allows(
        final String principal,
        final AclOperation operation,
        final AclResourceType resourceType,
        final String resourceName)
    {
        return authorizer.authorize(principal, operation, resourceType, resourceName);
    }

    /**
     * Decides, and on a refusal answers {@code AUTHORIZATION_FAILED} and counts it. Conductor thread.
     *
     * @param session       asking.
     * @param correlationId of its request.
     * @param operation     wanted.
     * @param resourceType  of the resource.
     * @param resourceName  of the resource.
     * @param answers       to answer a refusal with.
     * @return true if allowed.
     */
    boolean check(
        final ClientSession session,
        final long correlationId,
        final AclOperation operation,
        final AclResourceType resourceType,
        final String resourceName,
        final Answers answers)
    {
        if (allows(session.principal(), operation, resourceType, resourceName))
        {
            return true;
        }
        refuse(session, correlationId, operation, resourceType, resourceName, answers);
        return false;
    }

    /**
     * Answers a refusal and counts it. Conductor thread.
     *
     * @param session       asking.
     * @param correlationId of its request.
     * @param operation     wanted.
     * @param resourceType  of the resource.
     * @param resourceName  of the resource.
     * @param answers       to answer with.
     */
    static void refuse(
        final ClientSession session,
        final long correlationId,
        final AclOperation operation,
        final AclResourceType resourceType,
        final String resourceName,
        final Answers answers)
    {
        answers.counters().authorizationFailures.increment();
        answers.error(session, correlationId, ErrorCode.AUTHORIZATION_FAILED,
            session.principal() + " may not " + operation + " " + resourceType + " " + resourceName);
    }

    /**
     * A version that changes whenever the ACLs do, so a cache of decisions knows when to forget them. Any thread.
     *
     * @return the version.
     */
    int version()
    {
        return version;
    }

    /**
     * @param name of a user.
     * @return its credential, or null. Conductor thread.
     */
    UserCredential user(final String name)
    {
        return users.get(name);
    }

    /** @return every user in name order. Conductor thread. */
    Collection<UserCredential> users()
    {
        return Collections.unmodifiableCollection(users.values());
    }

    /** @return every ACL in the order added. Conductor thread. */
    Collection<AclBinding> acls()
    {
        return Collections.unmodifiableSet(acls);
    }

    /**
     * A user event from the controller. Conductor thread.
     *
     * @param correlationId of the metadata request for a {@code SNAPSHOT} record.
     * @param type          of event.
     * @param user          the user.
     */
    void onUserEvent(final long correlationId, final SecurityEventType type, final UserCredential user)
    {
        switch (type)
        {
            case ADDED -> users.put(user.name(), user);
            case REMOVED -> users.remove(user.name());
            case SNAPSHOT ->
            {
                startLoading(correlationId);
                loadingUsers.put(user.name(), user);
            }
            default ->
            {
                // a newer controller's event type: ignored
            }
        }
    }

    /**
     * An ACL event from the controller. Conductor thread.
     *
     * @param correlationId of the metadata request for a {@code SNAPSHOT} record.
     * @param type          of event.
     * @param acl           the binding.
     */
    void onAclEvent(final long correlationId, final SecurityEventType type, final AclBinding acl)
    {
        switch (type)
        {
            case ADDED ->
            {
                acls.add(acl);
                rebuild();
            }
            case REMOVED ->
            {
                acls.remove(acl);
                rebuild();
            }
            case SNAPSHOT ->
            {
                startLoading(correlationId);
                loadingAcls.add(acl);
            }
            default ->
            {
                // a newer controller's event type: ignored
            }
        }
    }

    /**
     * The end of a metadata answer: the users and ACLs it held (none if it held none) replace the copy.
     *
     * @param correlationId of the metadata request.
     */
    void onMetadataEnd(final long correlationId)
    {
        users.clear();
        acls.clear();
        if (correlationId == loadingCorrelationId)
        {
            users.putAll(loadingUsers);
            acls.addAll(loadingAcls);
        }
        loadingUsers.clear();
        loadingAcls.clear();
        loadingCorrelationId = Long.MIN_VALUE;
        rebuild();
    }

    private void startLoading(final long correlationId)
    {
        if (correlationId != loadingCorrelationId)
        {
            loadingCorrelationId = correlationId;
            loadingUsers.clear();
            loadingAcls.clear();
        }
    }

    private void rebuild()
    {
        final Authorizer next = new Authorizer(superUsers, allowEveryoneIfNoAclFound);
        for (final AclBinding acl : acls)
        {
            next.add(acl);
        }
        authorizer = next;
        version++;
    }
}
