package io.aerolog.cli;

import io.aerolog.client.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;

/**
 * {@code aerolog topics list}: prints the name of each topic, one a line.
 */
@Command(name = "list", mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class, description = "Lists topic names, one a line.")
final class ListTopicsCommand extends CliCommand
{
    @Mixin
    ConnectionOptions connection;

    int execute()
    {
        try (Admin admin = Admin.connect(connection.clientContext("aerolog-topics")))
        {
            final PrintWriter out = out();
            for (final String name : admin.listTopics())
            {
                out.println(name);
            }
            out.flush();
        }
        return 0;
    }
}
