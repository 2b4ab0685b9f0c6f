package io.aerolog.cli;

import io.aerolog.client.Admin;
import io.aerolog.client.BrokerInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;

/**
 * {@code aerolog brokers}: groups the broker subcommands.
 */
@Command(
    name = "brokers",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Lists the brokers of the cluster.",
    subcommands = BrokersCommand.ListBrokersCommand.class)
final class BrokersCommand implements Runnable
{
    @Spec
    CommandSpec spec;

    /**
     * Called when no subcommand is given.
     */
    public void run()
    {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand: list");
    }

    /**
     * {@code aerolog brokers list}: one line per broker: id, address, alive or fenced, partitions led.
     */
    @Command(
        name = "list",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Shows each broker's id, client address, status (ALIVE, FENCED, SHUT_DOWN) and how many " +
            "partitions it leads.")
    static final class ListBrokersCommand extends CliCommand
    {
        @Mixin
        ConnectionOptions connection;

        int execute()
        {
            final List<BrokerInfo> brokers;
            try (Admin admin = Admin.connect(connection.clientContext("aerolog-brokers")))
            {
                brokers = admin.listBrokers();
            }
            final PrintWriter out = out();
            for (final BrokerInfo broker : brokers)
            {
                out.println(TopicFormatter.broker(broker));
            }
            out.flush();
            return 0;
        }
    }
}
