package io.aerolog.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code aerolog groups}: groups the consumer-group management subcommands.
 */
@Command(
    name = "groups",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Lists, describes, resets the offsets of and deletes consumer groups.",
    subcommands = {
        ListGroupsCommand.class,
        DescribeGroupCommand.class,
        ResetOffsetsCommand.class,
        DeleteGroupCommand.class
    })
final class GroupsCommand implements Runnable
{
    @Spec
    CommandSpec spec;

    /**
     * Called when no subcommand is given.
     */
    public void run()
    {
        throw new ParameterException(
            spec.commandLine(), "Missing required subcommand: list, describe, reset-offsets or delete");
    }
}
