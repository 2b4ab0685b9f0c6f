package io.aerolog.perf.compare;

import io.aerolog.client.AerologException;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.perf.latency.AcksConverter;
import io.aerolog.perf.latency.BrokerOptions;
import io.aerolog.perf.latency.Failures;
import io.aerolog.perf.latency.LatencyHistograms;
import io.aerolog.perf.latency.LatencyPlot;
import io.aerolog.perf.latency.LatencyRun;
import io.aerolog.perf.latency.LoadOptions;
import io.aerolog.perf.latency.PerfBroker;
import io.aerolog.perf.throughput.ThroughputResult;
import io.aerolog.perf.throughput.ThroughputRun;
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
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code aerolog perf compare}: the same fixed-rate, open-loop workload (by default 100-byte records, one partition,
 * 10,000/s, acks=1), one system after the other, with latency measured from each record's intended send time:
 * <ol>
 *     <li>Aerolog: a fresh broker and the {@code perf latency} run ({@link LatencyRun});</li>
 *     <li>raw Aeron: a bare publication and subscription on the same transport ({@link RawAeronLatency}), the floor
 *     Aerolog is built on, once per idle strategy asked for (by default backing off as Aerolog's clients do, then
 *     yielding as an Aeron user tunes a small machine); ratios are taken against the best of them;</li>
 *     <li>Apache Kafka, if the {@code -Pkafka} build left its jars ({@link KafkaSide}): a single-node KRaft broker
 *     and kafka-clients, acks as given, linger 0.</li>
 * </ol>
 * Prints one table of percentiles and the ratios Aerolog/raw Aeron and Kafka/Aerolog at p50 and p99. With
 * {@code --throughput} it also compares produce throughput (one partition, batching) and catch-up reads with
 * Kafka's. Exits with 0 on success, 1 when a run failed, 2 on bad arguments.
 */
@Command(
    name = "compare",
    resourceBundle = "io.aerolog.perf.compare.CompareCommand",
    mixinStandardHelpOptions = true,
    description = {
        "Runs the same fixed-rate, open-loop workload against Aerolog, raw Aeron (publication -> subscription on " +
            "the same transport) and Apache Kafka (single-node KRaft broker, if built with -Pkafka), and prints " +
            "one latency table with ratios.",
        "--throughput also compares produce and catch-up read throughput with Kafka's."
    })
public final class CompareCommand implements Callable<Integer>
{
    /** Exit code when a run failed. */
    public static final int EXIT_FAILED = Failures.EXIT_FAILED;

    private static final String AEROLOG = "aerolog";
    private static final String AERON = "aeron";
    private static final String KAFKA = "kafka";
    private static final String KAFKA_LISTENER = "kafka-listener";
    private static final String LATENCY_TOPIC = "perf-compare-latency";

    // Batching of the throughput comparison, the same for both: Kafka's default batch is 16 KiB, linger 5 ms.
    private static final long LINGER_MS = 1;
    private static final int BATCH_BYTES = 64 * 1024;

    @Spec
    CommandSpec spec;

    @Mixin
    BrokerOptions brokerOptions;

    @Mixin
    LoadOptions loadOptions;

    @Option(names = "--acks", paramLabel = "0|1|all", defaultValue = "1", converter = AcksConverter.class,
        description = "Producer acks of Aerolog and Kafka (default: ${DEFAULT-VALUE}).")
    Acks acks;

    @Option(names = "--throughput",
        description = "Also compare throughput with Kafka: produce into one partition with batching, then a " +
            "catch-up read.")
    boolean throughput;

    @Option(names = "--records", paramLabel = "N", defaultValue = "2000000",
        description = "Records of the throughput comparison (default: ${DEFAULT-VALUE}).")
    long records;

    @Option(names = "--systems", paramLabel = "LIST", defaultValue = "aerolog,aeron,kafka", split = ",",
        description = "Which systems to run, of aerolog, aeron, kafka, kafka-listener (Kafka's clients against " +
            "an Aerolog broker's Kafka listener) (default: ${DEFAULT-VALUE}; kafka and kafka-listener only if " +
            "Kafka's jars are there).")
    Set<String> systems;

    @Option(names = "--aeron-idle", paramLabel = "LIST", defaultValue = "backoff,yielding", split = ",",
        description = "Idle strategies of the raw Aeron runs, one run each, of backoff, yielding (default: " +
            "${DEFAULT-VALUE}); ratios use the best run.")
    List<String> aeronIdle;

    @Option(names = "--skip-kafka", description = "Do not run Kafka even if its jars are there.")
    boolean skipKafka;

    @Option(names = "--kafka-lib", paramLabel = "DIR",
        description = "The Kafka jars (default: " + KafkaSide.LIB_DIR + " above the working or the install dir).")
    String kafkaLib;

    @Option(names = "--plot", paramLabel = "FILE",
        description = "Also draw the latency-by-percentile curves of every run into FILE.png.")
    String plot;

    /**
     * Runs the comparison.
     *
     * @return the exit code.
     * @throws InterruptedException if interrupted.
     */
    public Integer call() throws InterruptedException
    {
        validate();
        final String transport = brokerOptions.transport;
        final int size = brokerOptions.size;
        final long rate = loadOptions.rate;
        final long duration = loadOptions.duration;
        final long warmup = loadOptions.warmup;
        final ThreadingProfile threadingProfile = PerfBroker.loadProfile(spec, brokerOptions.profile);
        final PrintWriter out = spec.commandLine().getOut();
        final boolean runKafka = !skipKafka && (systems.contains(KAFKA) || systems.contains(KAFKA_LISTENER));
        final File kafkaLibDir = runKafka ? KafkaSide.findLib(kafkaLib) : null;
        if (null != kafkaLib && null == kafkaLibDir)
        {
            throw new ParameterException(spec.commandLine(), "--kafka-lib " + kafkaLib + " holds no kafka-clients " +
                "jar with the load generator's classes beside it; " + KafkaSide.HOW_TO_ENABLE);
        }
        out.println("aerolog perf compare: " + size + "-byte records, 1 partition, " + rate + "/s for " + duration +
            " s after " + warmup + " s of warmup, acks=" + AcksConverter.toString(acks) + "; Aerolog and raw Aeron " +
            "over " + transport + ", Aerolog with profile " + threadingProfile.name() +
            (null == kafkaLibDir ? "" : ", Kafka over TCP loopback"));
        if (null == kafkaLibDir)
        {
            out.println("kafka: " + (!runKafka ? "skipped" : "not run: " + KafkaSide.HOW_TO_ENABLE));
        }
        out.flush();

        final LatencyRun aerolog = new LatencyRun(size, rate, warmup, duration, 1, acks);
        final ThroughputRun aerologThroughput = throughput && systems.contains(AEROLOG) ?
            new ThroughputRun(size, 1, records, 0, acks, LINGER_MS, BATCH_BYTES) : null;
        final List<RawAeronLatency> rawAeronRuns = new ArrayList<>();
        for (final String idle : aeronIdle)
        {
            rawAeronRuns.add(new RawAeronLatency(
                transport, RawAeronLatency.Idle.valueOf(idle.toUpperCase(Locale.ROOT)), size, rate, warmup, duration));
        }
        KafkaSide kafka = null;
        KafkaSide listener = null;
        try
        {
            if (systems.contains(AEROLOG))
            {
                out.println();
                out.println("== aerolog");
                try (PerfBroker broker = PerfBroker.start(
                    transport, "aerolog-perf", out, brokerOptions.profile, threadingProfile, new int[0]))
                {
                    String failure = aerolog.run(broker, out);
                    if (null == failure && null != aerologThroughput)
                    {
                        failure = aerologThroughput.run(broker, out);
                    }
                    if (null != failure)
                    {
                        return fail("aerolog: " + failure);
                    }
                }
            }

            if (systems.contains(AERON))
            {
                out.println();
                out.println("== raw aeron");
                for (final RawAeronLatency rawAeron : rawAeronRuns)
                {
                    final String rawFailure = rawAeron.run(out);
                    if (null != rawFailure)
                    {
                        return fail(rawFailure);
                    }
                }
            }

            if (null != kafkaLibDir && systems.contains(KAFKA_LISTENER))
            {
                out.println();
                out.println("== kafka clients against the aerolog kafka listener");
                try (PerfBroker broker = PerfBroker.start(
                    transport, "aerolog-perf-kl", out, brokerOptions.profile, threadingProfile, new int[0], true))
                {
                    listener = KafkaSide.against(kafkaLibDir, broker.kafkaBootstrap(), broker::failure);
                    final String failure = runKafkaLoad(listener, out);
                    if (null != failure)
                    {
                        return fail("kafka-listener: " + failure);
                    }
                }
            }

            if (null != kafkaLibDir && systems.contains(KAFKA))
            {
                out.println();
                out.println("== kafka");
                kafka = KafkaSide.start(kafkaLibDir, out);
                final String failure = runKafkaLoad(kafka, out);
                if (null != failure)
                {
                    return fail("kafka: " + failure);
                }
            }

            report(out, aerolog, aerologThroughput, rawAeronRuns, kafka, listener);
            return 0;
        }
        catch (final AerologException | IllegalArgumentException | IllegalStateException ex)
        {
            return fail("run failed: " + Failures.describe(ex));
        }
        finally
        {
            if (null != kafka)
            {
                kafka.close();
            }
        }
    }

    // The latency run, then the throughput run if asked: the same for Kafka and for the Kafka listener.
    private String runKafkaLoad(final KafkaSide side, final PrintWriter out) throws InterruptedException
    {
        final String failure = side.latency(brokerOptions.size, loadOptions.rate, loadOptions.warmup,
            loadOptions.duration, AcksConverter.toString(acks), 1, 1, LATENCY_TOPIC, out);
        return null == failure && throughput ?
            side.throughput(brokerOptions.size, 1, records, AcksConverter.toString(acks), LINGER_MS, BATCH_BYTES, out) :
            failure;
    }

    private void report(
        final PrintWriter out,
        final LatencyRun aerolog,
        final ThroughputRun aerologThroughput,
        final List<RawAeronLatency> rawAeronRuns,
        final KafkaSide kafka,
        final KafkaSide listener)
    {
        final RawAeronLatency bestRawAeron = best(rawAeronRuns);
        out.println();
        out.println(LatencyHistograms.header());
        if (systems.contains(AEROLOG))
        {
            out.println(LatencyHistograms.row("aerolog e2e", aerolog.e2eHistogram()));
            out.println(LatencyHistograms.row("aerolog ack", aerolog.ackHistogram()));
        }
        if (systems.contains(AERON))
        {
            for (final RawAeronLatency rawAeron : rawAeronRuns)
            {
                out.println(LatencyHistograms.row(
                    "raw aeron e2e (" + rawAeron.idle().label() + ")", rawAeron.histogram()));
            }
        }
        if (null != listener)
        {
            out.println(LatencyHistograms.row("kafka-listener e2e", listener.e2eHistogram()));
            out.println(LatencyHistograms.row("kafka-listener ack", listener.ackHistogram()));
        }
        if (null != kafka)
        {
            out.println(LatencyHistograms.row("kafka e2e", kafka.e2eHistogram()));
            out.println(LatencyHistograms.row("kafka ack", kafka.ackHistogram()));
        }
        out.println();
        if (null != bestRawAeron)
        {
            out.println("aerolog / raw aeron, end to end: " +
                ratios(aerolog.e2eHistogram(), bestRawAeron.histogram()) + " (against raw aeron " +
                bestRawAeron.idle().label() + ", the lower p50)");
        }
        if (null != kafka && null != listener)
        {
            out.println("kafka / kafka-listener, e2e:     " + ratios(kafka.e2eHistogram(), listener.e2eHistogram()));
        }
        if (null != kafka && systems.contains(AEROLOG))
        {
            out.println("kafka / aerolog, end to end:     " + ratios(kafka.e2eHistogram(), aerolog.e2eHistogram()));
            out.println("kafka / aerolog, ack:            " + ratios(kafka.ackHistogram(), aerolog.ackHistogram()));
        }

        if (null != aerologThroughput)
        {
            out.println();
            out.println(ThroughputResult.header());
            out.println(aerologThroughput.produce().named("aerolog produce").row());
            out.println(aerologThroughput.catchUp().named("aerolog catch-up read").row());
        }
        if (null != listener && null != listener.produce() && null != listener.catchUp())
        {
            out.println();
            out.println(ThroughputResult.header());
            out.println(listener.produce().named("kafka-listener produce").row());
            out.println(listener.catchUp().named("kafka-listener catch-up read").row());
        }
        if (null != kafka && null != kafka.produce() && null != kafka.catchUp())
        {
            if (null == aerologThroughput)
            {
                out.println();
                out.println(ThroughputResult.header());
            }
            out.println(kafka.produce().row());
            out.println(kafka.catchUp().row());
            if (null != aerologThroughput)
            {
                out.println();
                out.println(String.format(Locale.ROOT, "aerolog / kafka, produce: %.2fx (target >= 4x); " +
                    "catch-up read: %.2fx (target >= 3x)",
                    aerologThroughput.produce().recordsPerSecond() / kafka.produce().recordsPerSecond(),
                    aerologThroughput.catchUp().recordsPerSecond() / kafka.catchUp().recordsPerSecond()));
            }
        }
        out.println();

        if (null != plot)
        {
            final String transport = brokerOptions.transport;
            final File png = LatencyPlot.pngFile(plot);
            final LatencyPlot chart = new LatencyPlot("aerolog perf compare: " + brokerOptions.size + " B, " +
                loadOptions.rate + "/s, acks=" + AcksConverter.toString(acks) + ", " + transport)
                .add("aerolog e2e (" + transport + ")", aerolog.e2eHistogram())
                .add("aerolog ack (" + transport + ")", aerolog.ackHistogram());
            for (final RawAeronLatency rawAeron : rawAeronRuns)
            {
                chart.add("raw aeron e2e (" + transport + ", " + rawAeron.idle().label() + ")", rawAeron.histogram());
            }
            if (null != kafka)
            {
                chart.add("kafka e2e (tcp)", kafka.e2eHistogram()).add("kafka ack (tcp)", kafka.ackHistogram());
            }
            chart.write(png);
            out.println("wrote " + png);
        }
        out.flush();
    }

    /** The raw Aeron run with the lowest median, or null when none ran. */
    private RawAeronLatency best(final List<RawAeronLatency> runs)
    {
        RawAeronLatency best = null;
        for (final RawAeronLatency run : runs)
        {
            if (systems.contains(AERON) && run.histogram().getTotalCount() > 0 && (null == best ||
                run.histogram().getValueAtPercentile(50) < best.histogram().getValueAtPercentile(50)))
            {
                best = run;
            }
        }
        return best;
    }

    private static String ratios(final Histogram numerator, final Histogram denominator)
    {
        return "p50 " + ratio(numerator, denominator, 50.0) + ", p99 " + ratio(numerator, denominator, 99.0);
    }

    private static String ratio(final Histogram numerator, final Histogram denominator, final double percentile)
    {
        if (0 == numerator.getTotalCount() || 0 == denominator.getTotalCount())
        {
            return "-";
        }
        final double below = Math.max(1, denominator.getValueAtPercentile(percentile));
        return String.format(Locale.ROOT, "%.1fx", numerator.getValueAtPercentile(percentile) / below);
    }

    private void validate()
    {
        for (final String system : systems)
        {
            if (!AEROLOG.equals(system) && !AERON.equals(system) && !KAFKA.equals(system) &&
                !KAFKA_LISTENER.equals(system))
            {
                throw new ParameterException(spec.commandLine(),
                    "--systems takes aerolog, aeron, kafka and kafka-listener, separated by commas: " + system);
            }
        }
        for (final String idle : aeronIdle)
        {
            if (!"backoff".equalsIgnoreCase(idle) && !"yielding".equalsIgnoreCase(idle))
            {
                throw new ParameterException(spec.commandLine(),
                    "--aeron-idle takes backoff and yielding, separated by commas: " + idle);
            }
        }
        brokerOptions.validate(spec, " (room for the send time)");
        loadOptions.validate(spec);
        loadOptions.validateRecordCount(spec);
        if (records < 1)
        {
            throw new ParameterException(spec.commandLine(), "--records must be at least 1: " + records);
        }
    }

    private int fail(final String message)
    {
        return Failures.fail(spec, message);
    }
}
