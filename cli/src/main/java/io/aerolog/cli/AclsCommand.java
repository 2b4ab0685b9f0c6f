package io.aerolog.cli;

import io.aerolog.client.AclEntry;
import io.aerolog.client.Admin;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/**
 * {@code aerolog acls}: adds, lists and removes ACLs, as Kafka's {@code kafka-acls} does.
 */
@Command(
    name = "acls",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Adds, lists and removes ACLs (needs ALTER, or DESCRIBE to list, on the cluster).",
    subcommands = {AclsCommand.Add.class, AclsCommand.Remove.class, AclsCommand.List.class})
final class AclsCommand implements Runnable
{
    @Spec
    CommandSpec spec;

    /** Called when no subcommand is given. */
    public void run()
    {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand: add, remove or list");
    }

    /** The resource an ACL is on: exactly one of a topic, a group or the cluster. */
    static final class Resource
    {
        @Option(names = "--topic", paramLabel = "TOPIC", description = "A topic, or * for every topic.")
        String topic;

        @Option(names = "--group", paramLabel = "GROUP", description = "A consumer group, or * for every group.")
        String group;

        @Option(names = "--cluster", description = "The cluster (topic creation, users, ACLs, listing groups).")
        boolean cluster;
    }

    /** What an add or remove names, and the change itself. */
    abstract static class Binding extends CliCommand
    {
        @Mixin
        ConnectionOptions connection;

        @Option(names = "--principal", required = true, paramLabel = "User:NAME",
            description = "Who: User:name, or User:* for everyone.")
        String principal;

        @Option(names = "--operation", required = true, paramLabel = "OP",
            description = "One of: ${COMPLETION-CANDIDATES}.")
        AclEntry.Operation operation;

        @Option(names = "--deny", description = "Deny instead of allow (a DENY wins over any ALLOW).")
        boolean deny;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Resource resource;

        /** @return true to add the ACL, false to remove it. */
        abstract boolean adds();

        int execute()
        {
            final AclEntry.ResourceType type = null != resource.topic ? AclEntry.ResourceType.TOPIC :
                null != resource.group ? AclEntry.ResourceType.GROUP : AclEntry.ResourceType.CLUSTER;
            final String name = null != resource.topic ? resource.topic :
                null != resource.group ? resource.group : AclEntry.CLUSTER;
            final AclEntry acl = new AclEntry(principal, type, name, operation,
                deny ? AclEntry.Permission.DENY : AclEntry.Permission.ALLOW);
            try (Admin admin = Admin.connect(connection.clientContext("aerolog-acls")))
            {
                if (adds())
                {
                    admin.addAcl(acl);
                }
                else
                {
                    admin.removeAcl(acl);
                }
            }
            out().println((adds() ? "Added: " : "Removed: ") + acl);
            out().flush();
            return 0;
        }
    }

    /** {@code aerolog acls add}. */
    @Command(
        name = "add",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Allows (or with --deny denies) a principal an operation on a topic, a group or the cluster.")
    static final class Add extends Binding
    {
        boolean adds()
        {
            return true;
        }
    }

    /** {@code aerolog acls remove}. */
    @Command(
        name = "remove",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Removes an ACL, named as it was added.")
    static final class Remove extends Binding
    {
        boolean adds()
        {
            return false;
        }
    }

    /** {@code aerolog acls list}: one ACL per line. */
    @Command(
        name = "list",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Lists ACLs: principal, permission, operation, resource type and name, TAB separated.")
    static final class List extends CliCommand
    {
        @Mixin
        ConnectionOptions connection;

        int execute()
        {
            final java.util.List<AclEntry> acls;
            try (Admin admin = Admin.connect(connection.clientContext("aerolog-acls")))
            {
                acls = admin.listAcls();
            }
            final PrintWriter out = out();
            for (final AclEntry acl : acls)
            {
                out.println(acl.principal() + "\t" + acl.permission() + "\t" + acl.operation() + "\t" +
                    acl.resourceType() + "\t" + acl.resourceName());
            }
            out.flush();
            return 0;
        }
    }
}
