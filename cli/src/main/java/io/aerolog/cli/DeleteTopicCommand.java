package io.aerolog.cli;

import io.aerolog.client.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code aerolog topics delete}: deletes a topic and its data.
 */
@Command(name = "delete", mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class, description = "Deletes a topic and its data.")
final class DeleteTopicCommand extends CliCommand
{
    @Mixin
    ConnectionOptions connection;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Name of the topic.")
    String topic;

    int execute()
    {
        try (Admin admin = Admin.connect(connection.clientContext("aerolog-topics")))
        {
            admin.deleteTopic(topic);
        }
        out().println("deleted topic " + topic);
        return 0;
    }
}
