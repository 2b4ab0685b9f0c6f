package io.aerolog.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code aerolog topics}: groups the topic management subcommands.
 */
@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Creates, lists, describes and deletes topics; moves leaders back to preferred replicas.",
    subcommands = {
        CreateTopicCommand.class,
        ListTopicsCommand.class,
        DescribeTopicCommand.class,
        DeleteTopicCommand.class,
        ElectLeadersCommand.class
    })
final class TopicsCommand implements Runnable
{
    @Spec
    CommandSpec spec;

    /**
     * Called when no subcommand is given.
     */
    public void run()
    {
        throw new ParameterException(
            spec.commandLine(), "Missing required subcommand: create, list, describe, delete or elect-leaders");
    }
}
