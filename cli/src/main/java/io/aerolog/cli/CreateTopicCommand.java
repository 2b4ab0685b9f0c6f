package io.aerolog.cli;

import io.aerolog.client.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code aerolog topics create}: creates a topic.
 */
@Command(name = "create", mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class, description = "Creates a topic.")
final class CreateTopicCommand extends CliCommand
{
    @Mixin
    ConnectionOptions connection;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Name of the topic.")
    String topic;

    @Option(names = "--partitions", required = true, paramLabel = "N", description = "Number of partitions.")
    int partitions;

    @Option(
        names = "--retention-ms",
        paramLabel = "MS",
        defaultValue = "-1",
        description = "How long records are kept; -1 for ever (default).")
    long retentionMs;

    @Option(
        names = "--retention-bytes",
        paramLabel = "B",
        defaultValue = "-1",
        description = "How many bytes each partition keeps; -1 without bound (default).")
    long retentionBytes;

    @Option(
        names = "--replication-factor",
        paramLabel = "R",
        defaultValue = "-1",
        description = "Replicas of each partition, at most the live brokers (default: the broker's " +
            "default.replication.factor).")
    int replicationFactor;

    @Option(
        names = "--min-insync-replicas",
        paramLabel = "M",
        defaultValue = "-1",
        description = "In-sync replicas an acks=all write needs (default: the broker's min.insync.replicas).")
    int minInsyncReplicas;

    @Option(
        names = "--log-append-time",
        description = "Stamp records with the broker's time rather than the producer's create time.")
    boolean logAppendTime;

    int execute()
    {
        if (partitions < 1)
        {
            throw new ParameterException(spec.commandLine(), "--partitions must be at least 1: " + partitions);
        }
        if (0 == replicationFactor || replicationFactor < -1)
        {
            throw new ParameterException(spec.commandLine(),
                "--replication-factor must be at least 1: " + replicationFactor);
        }
        if (0 == minInsyncReplicas || minInsyncReplicas < -1 ||
            (replicationFactor > 0 && minInsyncReplicas > replicationFactor))
        {
            throw new ParameterException(spec.commandLine(),
                "--min-insync-replicas must be from 1 to the replication factor: " + minInsyncReplicas);
        }
        try (Admin admin = Admin.connect(connection.clientContext("aerolog-topics")))
        {
            admin.createTopic(topic, partitions, retentionMs, retentionBytes, logAppendTime, replicationFactor,
                minInsyncReplicas);
        }
        out().println("created topic " + topic + " with " + partitions + " partition" + (1 == partitions ? "" : "s"));
        return 0;
    }
}
