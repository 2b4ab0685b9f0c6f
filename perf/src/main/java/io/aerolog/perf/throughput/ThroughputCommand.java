package io.aerolog.perf.throughput;

import io.aerolog.codecs.wire.Acks;
import io.aerolog.perf.latency.AcksConverter;
import io.aerolog.perf.latency.BrokerOptions;
import io.aerolog.perf.latency.Failures;
import io.aerolog.perf.latency.PerfBroker;
import io.aerolog.transport.ThreadingProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code aerolog perf throughput}: on a fresh broker (in this process for ipc, a child JVM for udp, as
 * {@code perf latency}), one producer sends records as fast as it can with batching on and waits for every
 * acknowledgement, then one consumer reads the whole log back from the beginning (a catch-up read from the
 * archive). Prints records/s and MB/s (of record values) of both. Exits with 0 on success, 1 when the run failed,
 * 2 on bad arguments.
 */
@Command(
    name = "throughput",
    mixinStandardHelpOptions = true,
    description = {
        "Measures produce throughput (one producer, batching on, until every record is acknowledged) and " +
            "catch-up read throughput (one consumer reading the written log from the beginning).",
        "Prints records/s and MB/s of record values (1 MB = 10^6 bytes)."
    })
public final class ThroughputCommand implements Callable<Integer>
{
    /** Exit code when the run failed. */
    public static final int EXIT_FAILED = Failures.EXIT_FAILED;

    @Spec
    CommandSpec spec;

    @Mixin
    BrokerOptions brokerOptions;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "1",
        description = "Partitions of the topic, sent to in turn (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--records", paramLabel = "N", defaultValue = "2000000",
        description = "Records to produce (default: ${DEFAULT-VALUE}).")
    long records;

    @Option(names = "--duration", paramLabel = "SECONDS",
        description = "Produce for this long instead of a number of records.")
    Long duration;

    @Option(names = "--acks", paramLabel = "0|1|all", defaultValue = "1", converter = AcksConverter.class,
        description = "Producer acks (default: ${DEFAULT-VALUE}).")
    Acks acks;

    @Option(names = "--linger-ms", paramLabel = "MS", defaultValue = "1",
        description = "Producer linger (default: ${DEFAULT-VALUE}).")
    long lingerMs;

    @Option(names = "--batch-size", paramLabel = "BYTES", defaultValue = "65536",
        description = "Producer batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    /**
     * Runs the measurement.
     *
     * @return the exit code.
     * @throws InterruptedException if interrupted.
     */
    public Integer call() throws InterruptedException
    {
        validate();
        final String transport = brokerOptions.transport;
        final int size = brokerOptions.size;
        final ThreadingProfile threadingProfile = PerfBroker.loadProfile(spec, brokerOptions.profile);
        final PrintWriter out = spec.commandLine().getOut();
        final boolean timed = null != duration;
        out.println("aerolog perf throughput: " + transport + ", " + size + "-byte values, " +
            (timed ? duration + " s" : records + " records") + ", " + partitions + " partition" +
            (1 == partitions ? "" : "s") + ", acks=" + AcksConverter.toString(acks) + ", linger " + lingerMs +
            " ms, batch " + batchSize + " bytes, profile " + threadingProfile.name());
        out.flush();

        final ThroughputRun run = new ThroughputRun(
            size, partitions, timed ? Long.MAX_VALUE : records, timed ? duration : 0, acks, lingerMs, batchSize);
        return PerfBroker.run(spec, transport, out, brokerOptions.profile, threadingProfile, new int[0], (broker) ->
        {
            final String failure = run.run(broker, out);
            out.println();
            out.println(ThroughputResult.header());
            out.println(run.produce().row());
            if (null != run.catchUp())
            {
                out.println(run.catchUp().row());
            }
            out.println();
            return failure;
        });
    }

    private void validate()
    {
        brokerOptions.validate(spec, "");
        if (partitions < 1)
        {
            throw new ParameterException(spec.commandLine(), "--partitions must be at least 1: " + partitions);
        }
        if (null != duration && spec.commandLine().getParseResult().hasMatchedOption("--records"))
        {
            throw new ParameterException(spec.commandLine(), "give --records or --duration, not both");
        }
        if (records < 1)
        {
            throw new ParameterException(spec.commandLine(), "--records must be at least 1: " + records);
        }
        if (null != duration && duration < 1)
        {
            throw new ParameterException(spec.commandLine(), "--duration must be at least 1: " + duration);
        }
        if (lingerMs < 0)
        {
            throw new ParameterException(spec.commandLine(), "--linger-ms must be >= 0: " + lingerMs);
        }
        if (batchSize < 1)
        {
            throw new ParameterException(spec.commandLine(), "--batch-size must be at least 1: " + batchSize);
        }
    }
}
