package io.aerolog.cli;

import io.aerolog.client.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code aerolog groups delete}: deletes a group without live members, with its committed offsets.
 */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Deletes a consumer group and its committed offsets; refused while it has live members.")
final class DeleteGroupCommand extends CliCommand
{
    @Mixin
    ConnectionOptions connection;

    @Option(names = "--group", required = true, paramLabel = "GROUP", description = "Id of the group.")
    String group;

    int execute()
    {
        try (Admin admin = Admin.connect(connection.clientContext("aerolog-groups")))
        {
            admin.deleteGroup(group);
        }
        out().println("Deleted group " + group + ".");
        out().flush();
        return 0;
    }
}
