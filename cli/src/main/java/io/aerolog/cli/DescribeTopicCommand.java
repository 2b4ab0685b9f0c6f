package io.aerolog.cli;

import io.aerolog.client.Admin;
import io.aerolog.client.TopicInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/**
 * {@code aerolog topics describe}: prints a topic's settings and each partition's leader and offsets.
 */
@Command(
    name = "describe",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Shows a topic's settings and each partition's leader and offsets.")
final class DescribeTopicCommand extends CliCommand
{
    @Mixin
    ConnectionOptions connection;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Name of the topic.")
    String topic;

    int execute()
    {
        final TopicInfo info;
        try (Admin admin = Admin.connect(connection.clientContext("aerolog-topics")))
        {
            info = admin.describeTopic(topic);
        }
        final PrintWriter out = out();
        out.println(TopicFormatter.header(info));
        for (final TopicInfo.PartitionInfo partition : info.partitions())
        {
            out.println(TopicFormatter.partition(partition));
        }
        out.flush();
        return 0;
    }
}
