package io.aerolog.perf;

import io.aerolog.perf.compare.CompareCommand;
import io.aerolog.perf.compare.ReplicatedCommand;
import io.aerolog.perf.failover.FailoverCommand;
import io.aerolog.perf.latency.LatencyCommand;
import io.aerolog.perf.throughput.ThroughputCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code aerolog perf}: performance tools run against a fresh broker. Each tool is a subcommand:
 * {@code latency} ({@link LatencyCommand}), {@code throughput} ({@link ThroughputCommand}) and {@code compare}
 * ({@link CompareCommand}: Aerolog against raw Aeron and Apache Kafka) and {@code failover} ({@link FailoverCommand}:
 * leader kills on a cluster of broker processes) and {@code replicated} ({@link ReplicatedCommand}: acks=1 against
 * acks=all on a cluster of broker processes, and on a Kafka cluster).
 */
@Command(
    name = "perf",
    mixinStandardHelpOptions = true,
    description = "Performance tools: latency under fixed-rate load, throughput, and a comparison with raw Aeron " +
        "and Apache Kafka.",
    subcommands = {
        LatencyCommand.class,
        ThroughputCommand.class,
        CompareCommand.class,
        FailoverCommand.class,
        ReplicatedCommand.class,
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
