package io.aerolog.cluster.security;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One ACL: a principal ({@code User:name} or {@code User:*}) is allowed or denied an operation on a resource (a
 * topic or group by name, {@code *} for all of them, or the cluster). Names are literal. Immutable.
 *
 * @param principal    {@code User:name} or {@code User:*}.
 * @param resourceType what kind of resource.
 * @param resourceName the resource's name, {@code *} for every resource of the type; for the cluster
 *                     {@link Authorizer#CLUSTER_NAME}.
 * @param operation    what is allowed or denied.
 * @param permission   allow or deny.
 */
public record AclBinding(
    String principal,
    AclResourceType resourceType,
    String resourceName,
    AclOperation operation,
    AclPermission permission)
{
    /** The resource name matching every resource of its type. */
    public static final String WILDCARD_RESOURCE = "*";
    /** Longest resource name, in UTF-8 bytes. */
    public static final int MAX_RESOURCE_NAME_BYTES = 255;

    /**
     * Null checks only; {@link #check()} says whether the binding is valid.
     */
    public AclBinding
    {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(resourceName, "resourceName");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(permission, "permission");
    }

    /**
     * Checks the binding the way the controller does before storing it.
     *
     * @return null if valid, else why not.
     */
    public String check()
    {
        final String principalProblem = Principals.checkPrincipal(principal);
        if (null != principalProblem)
        {
            return principalProblem;
        }
        if (resourceName.isEmpty() || resourceName.getBytes(StandardCharsets.UTF_8).length > MAX_RESOURCE_NAME_BYTES)
        {
            return "resource name must have 1 to " + MAX_RESOURCE_NAME_BYTES + " bytes";
        }
        if (AclResourceType.CLUSTER == resourceType && !Authorizer.CLUSTER_NAME.equals(resourceName) &&
            !WILDCARD_RESOURCE.equals(resourceName))
        {
            return "the cluster resource is named " + Authorizer.CLUSTER_NAME;
        }
        return null;
    }

    @Override
    public String toString()
    {
        return principal + " " + permission + " " + operation + " on " + resourceType + ":" + resourceName;
    }
}
