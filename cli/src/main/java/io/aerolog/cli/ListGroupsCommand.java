package io.aerolog.cli;

import io.aerolog.client.Admin;
import io.aerolog.client.GroupListing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.List;

/**
 * {@code aerolog groups list}: one line per consumer group: id, live members, epoch.
 */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Lists consumer groups: id, live members and group epoch, TAB separated.")
final class ListGroupsCommand extends CliCommand
{
    @Mixin
    ConnectionOptions connection;

    int execute()
    {
        final List<GroupListing> groups;
        try (Admin admin = Admin.connect(connection.clientContext("aerolog-groups")))
        {
            groups = admin.listGroups();
        }
        final PrintWriter out = out();
        for (final GroupListing group : groups)
        {
            out.println(GroupFormatter.listing(group));
        }
        out.flush();
        return 0;
    }
}
