package io.aerolog.perf.compare;

import io.aerolog.client.AerologException;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.perf.cluster.PerfCluster;
import io.aerolog.perf.latency.AcksConverter;
import io.aerolog.perf.latency.Failures;
import io.aerolog.perf.latency.LatencyHistograms;
import io.aerolog.perf.latency.LatencyPlot;
import io.aerolog.perf.latency.LatencyRun;
import io.aerolog.perf.latency.LoadOptions;
import io.aerolog.perf.latency.PerfBroker;
import io.aerolog.transport.ThreadingProfile;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code aerolog perf replicated}: the latency workload of {@code perf latency} (fixed rate, open loop, latency
 * from each record's intended send time) against a cluster of broker processes with a replicated topic, once per
 * acks setting (acks=1 and acks=all by default) one after the other, each on a topic of its own with the same
 * settings; then, if its jars are built, the same on a Kafka cluster of as many KRaft nodes. Prints one table and,
 * per system, what acks=all adds over acks=1 at p50 and p99. Clients talk UDP over loopback to the Aerolog brokers
 * and TCP to Kafka's. Exits with 0 on success, 1 when a run failed, 2 on bad arguments.
 */
@Command(
    name = "replicated",
    mixinStandardHelpOptions = true,
    description = {
        "Measures produce->ack and produce->consume latency on a cluster of broker processes with a replicated " +
            "topic, acks=1 against acks=all, and the same on a Kafka cluster of as many nodes if built.",
        "Each acks setting runs on a topic of its own with the same replication, one after the other; the " +
            "workload is perf latency's (fixed rate, open loop, latency from the intended send time)."
    })
public final class ReplicatedCommand implements Callable<Integer>
{
    private static final String AEROLOG = "aerolog";
    private static final String KAFKA = "kafka";
    private static final String TOPIC_PREFIX = "perf-replicated-acks-";

    @Spec
    CommandSpec spec;

    @Mixin
    LoadOptions loadOptions;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100",
        description = "Value size in bytes, at least 8 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--brokers", paramLabel = "N", defaultValue = "3",
        description = "Broker processes of each system, each also a controller (default: ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--replication-factor", paramLabel = "N", defaultValue = "3",
        description = "Replicas of the topic's partition, at most --brokers (default: ${DEFAULT-VALUE}).")
    int replicationFactor;

    @Option(names = "--min-insync-replicas", paramLabel = "N", defaultValue = "2",
        description = "min.insync.replicas of the topic, at most the replication factor (default: " +
            "${DEFAULT-VALUE}).")
    int minInsyncReplicas;

    @Option(names = "--acks", paramLabel = "LIST", defaultValue = "1,all", split = ",",
        converter = AcksConverter.class,
        description = "Acks settings to run, in order, of 0, 1, all (default: ${DEFAULT-VALUE}).")
    List<Acks> acks;

    @Option(names = "--systems", paramLabel = "LIST", defaultValue = "aerolog,kafka", split = ",",
        description = "Which systems to run, of aerolog, kafka (default: ${DEFAULT-VALUE}; kafka only if its " +
            "jars are there).")
    Set<String> systems;

    @Option(names = "--kafka-lib", paramLabel = "DIR",
        description = "The Kafka jars (default: " + KafkaSide.LIB_DIR + " above the working or the install dir).")
    String kafkaLib;

    @Option(names = "--profile", paramLabel = "NAME|FILE", defaultValue = ThreadingProfile.DEFAULT,
        description = "Threading profile of the Aerolog brokers and clients (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(names = "--plot", paramLabel = "FILE",
        description = "Also draw every latency-by-percentile curve into FILE.png.")
    String plot;

    /**
     * Runs the measurement.
     *
     * @return the exit code.
     * @throws InterruptedException if interrupted.
     */
    public Integer call() throws InterruptedException
    {
        validate();
        final ThreadingProfile threadingProfile = PerfBroker.loadProfile(spec, profile);
        final PrintWriter out = spec.commandLine().getOut();
        final File kafkaLibDir = systems.contains(KAFKA) ? KafkaSide.findLib(kafkaLib) : null;
        if (null != kafkaLib && null == kafkaLibDir)
        {
            throw new ParameterException(spec.commandLine(), "--kafka-lib " + kafkaLib + " holds no kafka-clients " +
                "jar with the load generator's classes beside it; " + KafkaSide.HOW_TO_ENABLE);
        }
        final long rate = loadOptions.rate;
        out.println("aerolog perf replicated: " + brokers + " brokers, 1 partition with replication factor " +
            replicationFactor + " and min.insync.replicas " + minInsyncReplicas + ", " + size + "-byte records, " +
            rate + "/s for " + loadOptions.duration + " s after " + loadOptions.warmup + " s of warmup, acks " +
            acksList() + "; Aerolog over UDP loopback with profile " + threadingProfile.name() +
            (null == kafkaLibDir ? "" : ", Kafka over TCP loopback"));
        if (systems.contains(KAFKA) && null == kafkaLibDir)
        {
            out.println("kafka: not run: " + KafkaSide.HOW_TO_ENABLE);
        }
        out.flush();

        final List<Result> results = new ArrayList<>();
        try
        {
            if (systems.contains(AEROLOG))
            {
                final String failure = runAerolog(threadingProfile, out, results);
                if (null != failure)
                {
                    return Failures.fail(spec, "aerolog: " + failure);
                }
            }
            if (null != kafkaLibDir)
            {
                final String failure = runKafka(kafkaLibDir, out, results);
                if (null != failure)
                {
                    return Failures.fail(spec, "kafka: " + failure);
                }
            }
        }
        catch (final AerologException | IllegalArgumentException | IllegalStateException ex)
        {
            return Failures.fail(spec, "run failed: " + Failures.describe(ex));
        }
        report(out, results);
        return 0;
    }

    private String runAerolog(final ThreadingProfile threadingProfile, final PrintWriter out,
        final List<Result> results) throws InterruptedException
    {
        out.println();
        out.println("== aerolog");
        final long startNs = System.nanoTime();
        try (PerfCluster cluster = PerfCluster.start(brokers, profile, threadingProfile, new Properties()))
        {
            out.println("cluster: " + brokers + " broker processes at " + cluster.bootstrap() + ", started in " +
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms");
            for (final Acks a : acks)
            {
                out.println("-- acks=" + AcksConverter.toString(a));
                out.flush();
                final LatencyRun run = new LatencyRun(size, loadOptions.rate, loadOptions.warmup,
                    loadOptions.duration, 1, a).topic(topic(a), replicationFactor, minInsyncReplicas);
                final String failure = run.run(cluster, out);
                if (null != failure)
                {
                    return "acks=" + AcksConverter.toString(a) + ": " + failure;
                }
                results.add(new Result(AEROLOG, a, run.ackHistogram(), run.e2eHistogram()));
            }
            return cluster.failure();
        }
    }

    private String runKafka(final File kafkaLibDir, final PrintWriter out, final List<Result> results)
        throws InterruptedException
    {
        out.println();
        out.println("== kafka");
        try (KafkaSide kafka = KafkaSide.start(kafkaLibDir, brokers, out))
        {
            for (final Acks a : acks)
            {
                out.println("-- acks=" + AcksConverter.toString(a));
                out.flush();
                final String failure = kafka.latency(size, loadOptions.rate, loadOptions.warmup, loadOptions.duration,
                    AcksConverter.toString(a), replicationFactor, minInsyncReplicas, topic(a), out);
                if (null != failure)
                {
                    return "acks=" + AcksConverter.toString(a) + ": " + failure;
                }
                results.add(new Result(KAFKA, a, kafka.ackHistogram(), kafka.e2eHistogram()));
            }
            return null;
        }
    }

    private void report(final PrintWriter out, final List<Result> results)
    {
        out.println();
        out.println("rows: system, acks, produce->ack (ack) or produce->consume (e2e)");
        out.println(LatencyHistograms.header());
        for (final Result r : results)
        {
            if (Acks.NONE != r.acks)
            {
                out.println(LatencyHistograms.row(r.label("ack"), r.ack));
            }
            out.println(LatencyHistograms.row(r.label("e2e"), r.e2e));
        }
        out.println();
        for (final String system : List.of(AEROLOG, KAFKA))
        {
            final Result one = find(results, system, Acks.LEADER);
            final Result all = find(results, system, Acks.ALL);
            if (null != one && null != all)
            {
                out.println(system + " acks=all - acks=1, ack: " + difference(all.ack, one.ack) + "; end to end: " +
                    difference(all.e2e, one.e2e));
            }
        }
        out.flush();
        if (null != plot && !results.isEmpty())
        {
            final LatencyPlot chart = new LatencyPlot("aerolog perf replicated: " + brokers + " brokers, RF " +
                replicationFactor + ", " + size + " B, " + loadOptions.rate + "/s");
            for (final Result r : results)
            {
                if (Acks.NONE != r.acks)
                {
                    chart.add(r.label("ack"), r.ack);
                }
                chart.add(r.label("e2e"), r.e2e);
            }
            final File png = LatencyPlot.pngFile(plot);
            chart.write(png);
            out.println("wrote " + png);
            out.flush();
        }
    }

    /**
     * @param all histogram of acks=all, in nanoseconds.
     * @param one histogram of acks=1, in nanoseconds.
     * @return what acks=all adds at p50 and p99, in microseconds.
     */
    static String difference(final Histogram all, final Histogram one)
    {
        return String.format(Locale.ROOT, "p50 %+.1f us, p99 %+.1f us",
            (all.getValueAtPercentile(50) - one.getValueAtPercentile(50)) / 1e3,
            (all.getValueAtPercentile(99) - one.getValueAtPercentile(99)) / 1e3);
    }

    private static Result find(final List<Result> results, final String system, final Acks acks)
    {
        return results.stream().filter((r) -> r.system.equals(system) && r.acks == acks).findFirst().orElse(null);
    }

    private static String topic(final Acks acks)
    {
        return TOPIC_PREFIX + AcksConverter.toString(acks);
    }

    private String acksList()
    {
        final List<String> names = new ArrayList<>();
        acks.forEach((a) -> names.add(AcksConverter.toString(a)));
        return String.join(", ", names);
    }

    void validate()
    {
        loadOptions.validate(spec);
        loadOptions.validateRecordCount(spec);
        if (size < Long.BYTES)
        {
            throw new ParameterException(spec.commandLine(),
                "--size must be at least " + Long.BYTES + " (room for the send time): " + size);
        }
        if (brokers < 1)
        {
            throw new ParameterException(spec.commandLine(), "--brokers must be at least 1: " + brokers);
        }
        if (replicationFactor < 1 || replicationFactor > brokers)
        {
            throw new ParameterException(spec.commandLine(),
                "--replication-factor must be from 1 to --brokers (" + brokers + "): " + replicationFactor);
        }
        if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor)
        {
            throw new ParameterException(spec.commandLine(),
                "--min-insync-replicas must be from 1 to the replication factor (" + replicationFactor + "): " +
                minInsyncReplicas);
        }
        if (new LinkedHashSet<>(acks).size() != acks.size())
        {
            throw new ParameterException(spec.commandLine(), "--acks names a setting twice: " + acksList());
        }
        for (final String system : systems)
        {
            if (!AEROLOG.equals(system) && !KAFKA.equals(system))
            {
                throw new ParameterException(spec.commandLine(),
                    "--systems takes aerolog and kafka, separated by commas: " + system);
            }
        }
    }

    /** One system's run at one acks setting. */
    private static final class Result
    {
        final String system;
        final Acks acks;
        final Histogram ack;
        final Histogram e2e;

        Result(final String system, final Acks acks, final Histogram ack, final Histogram e2e)
        {
            this.system = system;
            this.acks = acks;
            this.ack = ack;
            this.e2e = e2e;
        }

        String label(final String what)
        {
            // "aerolog all ack": fits the table's first column
            return system + " " + AcksConverter.toString(acks) + " " + what;
        }
    }
}
