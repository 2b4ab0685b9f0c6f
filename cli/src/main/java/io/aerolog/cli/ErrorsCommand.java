package io.aerolog.cli;

import io.aerolog.broker.Broker;
import io.aerolog.node.NodeErrorLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.PrintWriter;

/**
 * {@code aerolog errors}: prints a node's error log (every error its driver, archive, controller and broker
 * reported, each distinct one once with its count), of a running node or of the last run after a crash.
 */
@Command(
    name = "errors",
    mixinStandardHelpOptions = true,
    description = "Print the errors a node logged (driver, archive, controller, broker); exit code 3 if any.")
final class ErrorsCommand extends CliCommand
{
    /** Exit code when the log holds errors, so scripts and health checks can tell. */
    static final int EXIT_ERRORS_FOUND = 3;

    @Option(
        names = "--data-dir",
        description = "Data directory of the node; wins over data.dir of --config (default: ./aerolog-data).")
    File dir;

    @Option(names = "--config", description = "The node's properties file (for data.dir).")
    File config;

    @Option(names = "--previous", description = "The previous run's log (kept when the node last started).")
    boolean previous;

    @Override
    int execute()
    {
        final Broker.Context ctx = BrokerCommand.context(config, dir);
        final File file = new File(ctx.dataDir(),
            previous ? NodeErrorLog.PREVIOUS_FILENAME : NodeErrorLog.FILENAME);
        final NodeErrorLog.Report report = NodeErrorLog.read(file);
        final PrintWriter out = out();
        report.print(out);
        out.flush();
        return report.totalCount() > 0 ? EXIT_ERRORS_FOUND : 0;
    }
}
