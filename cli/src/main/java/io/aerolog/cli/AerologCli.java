package io.aerolog.cli;

import io.aerolog.perf.PerfCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.Arrays;

/**
 * The {@code aerolog} command: runs a broker, manages topics, produces and consumes records, and runs a demo on an
 * embedded broker. Each job is a picocli subcommand.
 */
@Command(
    name = "aerolog",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Kafka-semantics messaging on Aeron.",
    subcommands = {
        BrokerCommand.class,
        TopicsCommand.class,
        BrokersCommand.class,
        ProduceCommand.class,
        ConsumeCommand.class,
        GroupsCommand.class,
        UsersCommand.class,
        AclsCommand.class,
        LocalClusterCommand.class,
        ErrorsCommand.class,
        DemoCommand.class,
        PerfCommand.class,
        CommandLine.HelpCommand.class
    },
    footer = {
        "",
        "Start with:  aerolog demo",
        "Or:          aerolog broker   (then, in another shell)",
        "             aerolog topics create --topic t --partitions 3",
        "             echo hello | aerolog produce --topic t",
        "             aerolog consume --topic t --from-beginning --max-messages 1"
    })
public final class AerologCli implements Runnable
{
    @Spec
    private CommandSpec spec;

    /**
     * Runs the command line and exits the JVM with its exit code.
     *
     * @param args command line arguments.
     */
    public static void main(final String[] args)
    {
        if (args.length > 0 && "broker".equals(args[0]))
        {
            // The broker alone: building the model of every other command costs ~0.15 s of start-up.
            System.exit(new CommandLine(new BrokerCommand()).setCommandName("aerolog broker")
                .execute(Arrays.copyOfRange(args, 1, args.length)));
        }
        System.exit(new CommandLine(new AerologCli()).execute(args));
    }

    /**
     * Called when no subcommand is given.
     */
    public void run()
    {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }
}
