package io.aerolog.client;

import java.util.Objects;

/**
 * One ACL: a principal ({@code User:name}, or {@code User:*} for everyone) is allowed or denied an operation on a
 * topic, a group (by name, {@code *} for all) or the cluster ({@link #CLUSTER}). As in Kafka, a DENY wins over any
 * ALLOW, and being allowed READ, WRITE, DELETE or ALTER includes DESCRIBE.
 *
 * @param principal    {@code User:name} or {@code User:*}.
 * @param resourceType what kind of resource.
 * @param resourceName its name, {@code *} for every one of the type, {@link #CLUSTER} for the cluster.
 * @param operation    what is allowed or denied.
 * @param permission   allow or deny.
 */
public record AclEntry(
    String principal,
    ResourceType resourceType,
    String resourceName,
    Operation operation,
    Permission permission)
{
    /** The name of the cluster resource. */
    public static final String CLUSTER = "kafka-cluster";

    /** Null checks. */
    public AclEntry
    {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(resourceName, "resourceName");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(permission, "permission");
    }

    /** Kinds of resource. The ordinal is the wire code. */
    public enum ResourceType
    {
        /** A topic. */
        TOPIC,
        /** A consumer group. */
        GROUP,
        /** The cluster (topic creation, users and ACLs, listing groups). */
        CLUSTER
    }

    /** Operations, as Kafka names them. The ordinal is the wire code. */
    public enum Operation
    {
        /** Every operation. */
        ALL,
        /** Consume from a topic; join, commit to or reset a group. */
        READ,
        /** Produce to a topic. */
        WRITE,
        /** Create a topic (on the topic or on the cluster). */
        CREATE,
        /** Delete a topic or a group. */
        DELETE,
        /** See a topic, a group or (on the cluster) the list of groups, users and ACLs. */
        DESCRIBE,
        /** Change users and ACLs (on the cluster). */
        ALTER
    }

    /** Allow or deny. The ordinal is the wire code. */
    public enum Permission
    {
        /** Allows the operation. */
        ALLOW,
        /** Denies it, whatever allows it. */
        DENY
    }

    @Override
    public String toString()
    {
        return principal + " " + permission + " " + operation + " on " + resourceType + ":" + resourceName;
    }
}
