package io.aerolog.perf.latency;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.util.concurrent.TimeUnit;

/**
 * Options of the perf commands that send a fixed-rate, open-loop load ({@link LatencyRun}): {@code --rate},
 * {@code --duration} and {@code --warmup}, for a picocli {@code @Mixin}. A command whose help says something else
 * of an option gives the text under the option's description key in its resource bundle.
 */
public final class LoadOptions
{
    /** Records per second. */
    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "10000", descriptionKey = "rate",
        description = "Records per second, at most 1000000000 (default: ${DEFAULT-VALUE}).")
    public long rate;

    /** Measured seconds after the warmup. */
    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "10", descriptionKey = "duration",
        description = "Measured seconds after the warmup (default: ${DEFAULT-VALUE}).")
    public long duration;

    /**
     * Seconds of load before measuring. The default is long enough for a freshly started JVM broker to finish its
     * JIT compilation under this load: measured after 2 s, a new Kafka broker here showed an e2e p50 of 3.6-3.8 ms,
     * after 10 s 0.68 ms, after 30 s 0.49 ms (Aerolog's p99 over UDP went 8.4 to 3.6 ms).
     */
    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "30", descriptionKey = "warmup",
        description = "Seconds of load before measuring, long enough for the JIT of a freshly started broker " +
            "(default: ${DEFAULT-VALUE}).")
    public long warmup;

    /**
     * Checks {@code --rate}, {@code --duration} and {@code --warmup} each.
     *
     * @param spec of the command, for its error.
     * @throws ParameterException if one is out of range.
     */
    public void validate(final CommandSpec spec)
    {
        if (rate < 1 || rate > TimeUnit.SECONDS.toNanos(1))
        {
            throw new ParameterException(spec.commandLine(), "--rate must be from 1 to 1000000000: " + rate);
        }
        if (duration < 1)
        {
            throw new ParameterException(spec.commandLine(), "--duration must be at least 1: " + duration);
        }
        if (warmup < 0)
        {
            throw new ParameterException(spec.commandLine(), "--warmup must be >= 0: " + warmup);
        }
    }

    /**
     * Checks that the records of warmup and duration at the rate are not too many for one run.
     *
     * @param spec of the command, for its error.
     * @throws ParameterException if they are.
     */
    public void validateRecordCount(final CommandSpec spec)
    {
        if (rate * (warmup + duration) > Integer.MAX_VALUE)
        {
            throw new ParameterException(spec.commandLine(), "--rate * (--warmup + --duration) is too many records");
        }
    }
}
