package io.aerolog.cluster.security;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;

/**
 * Decides whether a principal may perform an operation on a resource, as Kafka's authorizer does:
 * <ol>
 *     <li>a super user may do anything;</li>
 *     <li>a resource that no ACL names (literally or by {@code *}) is open to everyone if
 *     {@code allow.everyone.if.no.acl.found}, else closed;</li>
 *     <li>a matching DENY (the principal or {@code User:*}, the operation or ALL) refuses, whatever allows it;</li>
 *     <li>a matching ALLOW permits; ALLOW of READ, WRITE, DELETE or ALTER also permits DESCRIBE;</li>
 *     <li>anything else is refused.</li>
 * </ol>
 * Bindings are indexed by resource type and name, so a check is two hash lookups and a walk over the bindings of
 * that resource, allocating nothing. <b>Not thread-safe:</b> one thread (a broker's conductor) changes and reads it.
 */
public final class Authorizer
{
    /** The name of the one cluster resource, as Kafka names it. */
    public static final String CLUSTER_NAME = "kafka-cluster";

    private static final AclResourceType[] TYPES = AclResourceType.values();

    private final Set<String> superUsers;
    private final boolean allowEveryoneIfNoAclFound;
    @SuppressWarnings("unchecked")
    private final HashMap<String, ArrayList<AclBinding>>[] byResource = new HashMap[TYPES.length];
    private int size;

    /**
     * @param superUsers                principals that may do anything, e.g. {@code User:admin}.
     * @param allowEveryoneIfNoAclFound whether a resource no ACL names is open to everyone.
     */
    public Authorizer(final Set<String> superUsers, final boolean allowEveryoneIfNoAclFound)
    {
        this.superUsers = new HashSet<>(superUsers);
        this.allowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound;
        for (int i = 0; i < byResource.length; i++)
        {
            byResource[i] = new HashMap<>();
        }
    }

    /**
     * Parses {@code super.users}: principals separated by semicolons, e.g. {@code User:admin;User:ops}.
     *
     * @param value the setting, may be null or empty.
     * @return the principals.
     * @throws IllegalArgumentException if one is not {@code User:name}.
     */
    public static Set<String> parseSuperUsers(final String value)
    {
        final Set<String> result = new HashSet<>();
        if (null == value)
        {
            return result;
        }
        for (final String part : value.split(";"))
        {
            final String principal = part.trim();
            if (principal.isEmpty())
            {
                continue;
            }
            final String problem = Principals.checkPrincipal(principal);
            if (null != problem || Principals.WILDCARD.equals(principal))
            {
                throw new IllegalArgumentException("super.users: " + principal + ": " +
                    (null == problem ? "a super user is one user" : problem));
            }
            result.add(principal);
        }
        return result;
    }

    /**
     * @param principal a principal.
     * @return is it a super user?
     */
    public boolean isSuperUser(final String principal)
    {
        return superUsers.contains(principal);
    }

    /**
     * Adds a binding to those the decisions use (a binding already present is not added twice).
     *
     * @param binding to add.
     */
    public void add(final AclBinding binding)
    {
        final ArrayList<AclBinding> list =
            byResource[binding.resourceType().ordinal()].computeIfAbsent(binding.resourceName(), (k) -> new ArrayList<>());
        if (!list.contains(binding))
        {
            list.add(binding);
            size++;
        }
    }

    /**
     * Removes a binding.
     *
     * @param binding to remove.
     */
    public void remove(final AclBinding binding)
    {
        final HashMap<String, ArrayList<AclBinding>> map = byResource[binding.resourceType().ordinal()];
        final ArrayList<AclBinding> list = map.get(binding.resourceName());
        if (null != list && list.remove(binding))
        {
            size--;
            if (list.isEmpty())
            {
                map.remove(binding.resourceName());
            }
        }
    }

    /** Removes every binding. */
    public void clear()
    {
        for (final HashMap<String, ArrayList<AclBinding>> map : byResource)
        {
            map.clear();
        }
        size = 0;
    }

    /**
     * @return number of bindings.
     */
    public int size()
    {
        return size;
    }

    /**
     * May the principal perform the operation on the resource?
     *
     * @param principal    {@code User:name}, or {@link Principals#ANONYMOUS}.
     * @param operation    what it wants to do (not ALL).
     * @param resourceType the resource's type.
     * @param resourceName the resource's name ({@link #CLUSTER_NAME} for the cluster).
     * @return true if allowed.
     */
    public boolean authorize(
        final String principal,
        final AclOperation operation,
        final AclResourceType resourceType,
        final String resourceName)
    {
        if (superUsers.contains(principal))
        {
            return true;
        }
        final HashMap<String, ArrayList<AclBinding>> map = byResource[resourceType.ordinal()];
        final ArrayList<AclBinding> literal = map.get(resourceName);
        final ArrayList<AclBinding> wildcard =
            AclBinding.WILDCARD_RESOURCE.equals(resourceName) ? null : map.get(AclBinding.WILDCARD_RESOURCE);
        if (null == literal && null == wildcard)
        {
            return allowEveryoneIfNoAclFound;
        }
        if (denies(literal, principal, operation) || denies(wildcard, principal, operation))
        {
            return false;
        }
        return allows(literal, principal, operation) || allows(wildcard, principal, operation);
    }

    private static boolean denies(
        final ArrayList<AclBinding> bindings, final String principal, final AclOperation operation)
    {
        if (null != bindings)
        {
            for (int i = 0, n = bindings.size(); i < n; i++)
            {
                final AclBinding b = bindings.get(i);
                if (AclPermission.DENY == b.permission() && matches(b.principal(), principal) &&
                    (AclOperation.ALL == b.operation() || operation == b.operation()))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean allows(
        final ArrayList<AclBinding> bindings, final String principal, final AclOperation operation)
    {
        if (null != bindings)
        {
            for (int i = 0, n = bindings.size(); i < n; i++)
            {
                final AclBinding b = bindings.get(i);
                if (AclPermission.ALLOW == b.permission() && matches(b.principal(), principal) &&
                    implies(b.operation(), operation))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean matches(final String bindingPrincipal, final String principal)
    {
        return Principals.WILDCARD.equals(bindingPrincipal) || bindingPrincipal.equals(principal);
    }

    // As Kafka: being allowed to read, write, delete or alter a resource includes seeing it.
    private static boolean implies(final AclOperation granted, final AclOperation wanted)
    {
        if (AclOperation.ALL == granted || granted == wanted)
        {
            return true;
        }
        return AclOperation.DESCRIBE == wanted && (AclOperation.READ == granted || AclOperation.WRITE == granted ||
            AclOperation.DELETE == granted || AclOperation.ALTER == granted);
    }
}
