package io.aerolog.perf;

import io.aerolog.perf.latency.LatencyCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code aerolog perf}: performance tools run against a broker. Each tool is a subcommand, for now
 * {@code latency} ({@link LatencyCommand}).
 */
@Command(
    name = "perf",
    mixinStandardHelpOptions = true,
    description = "Performance tools: latency of produce->ack and produce->consume under fixed-rate load.",
    subcommands = {
        LatencyCommand.class,
        CommandLine.HelpCommand.class
    })
public final class PerfCommand implements Runnable
{
    @Spec
    private CommandSpec spec;

    /**
     * Called when no subcommand is given.
     */
    public void run()
    {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }
}
