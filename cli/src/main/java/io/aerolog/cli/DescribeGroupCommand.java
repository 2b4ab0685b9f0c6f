package io.aerolog.cli;

import io.aerolog.client.Admin;
import io.aerolog.client.GroupInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/**
 * {@code aerolog groups describe}: a group's members and, per partition, owner, committed offset, log end offset
 * and lag in records and in time.
 */
@Command(
    name = "describe",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Shows a group's members and, per partition, owner, committed offset, log end offset and lag.")
final class DescribeGroupCommand extends CliCommand
{
    @Mixin
    ConnectionOptions connection;

    @Option(names = "--group", required = true, paramLabel = "GROUP", description = "Id of the group.")
    String group;

    int execute()
    {
        final GroupInfo info;
        try (Admin admin = Admin.connect(connection.clientContext("aerolog-groups")))
        {
            info = admin.describeGroup(group);
        }
        final PrintWriter out = out();
        for (final String line : GroupFormatter.describe(info))
        {
            out.println(line);
        }
        out.flush();
        return 0;
    }
}
