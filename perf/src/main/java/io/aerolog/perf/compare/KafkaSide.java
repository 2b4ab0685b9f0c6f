package io.aerolog.perf.compare;

import io.aerolog.perf.latency.LatencyHistograms;
import io.aerolog.perf.throughput.ThroughputResult;
import io.aerolog.testsupport.ChildProcess;
import org.HdrHistogram.Histogram;

import java.io.File;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.DataFormatException;

/**
 * The Apache Kafka runs of {@code perf compare}: a {@link KafkaBroker} and, against it, the load generator
 * {@code io.aerolog.perf.kafka.KafkaLoad} in a child JVM, both on the classpath the {@code -Pkafka} build leaves in
 * {@code perf/kafka/target} ({@value #LIB_DIR} plus the module's classes). This module does not depend on Kafka.
 */
final class KafkaSide implements AutoCloseable
{
    /** Where the -Pkafka build copies the Kafka jars, relative to the project root. */
    static final String LIB_DIR = "perf/kafka/target/kafka-lib";

    /** How to get them. */
    static final String HOW_TO_ENABLE = "build the Kafka side once with: mvn -B -Pkafka -pl perf/kafka package " +
        "(downloads Apache Kafka from Maven Central into " + LIB_DIR + "), or give --kafka-lib DIR";

    private static final String LOAD_CLASS = "io.aerolog.perf.kafka.KafkaLoad";
    private static final String RESULT = "RESULT ";
    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(600);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final int FAILURE_LINES = 40;
    private static final List<String> LOAD_JVM_ARGS = List.of("-Xmx1g", "-XX:+UseG1GC");

    private final String classpath;
    private final String bootstrap;
    private final java.util.function.Supplier<String> brokerFailure;
    private final AutoCloseable broker;
    private Histogram ack = LatencyHistograms.newHistogram();
    private Histogram e2e = LatencyHistograms.newHistogram();
    private ThroughputResult produce;
    private ThroughputResult catchUp;

    private KafkaSide(
        final String classpath,
        final String bootstrap,
        final java.util.function.Supplier<String> brokerFailure,
        final AutoCloseable broker)
    {
        this.classpath = classpath;
        this.bootstrap = bootstrap;
        this.brokerFailure = brokerFailure;
        this.broker = broker;
    }

    /**
     * Kafka's clients against another broker that speaks Kafka's protocol (Aerolog's Kafka listener).
     *
     * @param libDir        the Kafka lib dir ({@link #findLib(String)}).
     * @param bootstrap     the broker's Kafka address.
     * @param brokerFailure says why the broker stopped, or null while it runs.
     * @return the side; closing it leaves the broker alone.
     */
    static KafkaSide against(
        final File libDir, final String bootstrap, final java.util.function.Supplier<String> brokerFailure)
    {
        return new KafkaSide(classpath(libDir), bootstrap, brokerFailure, null);
    }

    private static String classpath(final File libDir)
    {
        return new File(libDir, "*").getAbsolutePath() + File.pathSeparator +
            new File(libDir.getParentFile(), "classes").getAbsolutePath();
    }

    /**
     * @param libDir given by the user, or null to look for {@value #LIB_DIR} above this code and the working dir.
     * @return the Kafka lib dir, or null if there is none.
     */
    static File findLib(final String libDir)
    {
        if (null != libDir)
        {
            final File dir = new File(libDir);
            return hasJars(dir) ? dir : null;
        }
        final List<File> starts = new ArrayList<>();
        starts.add(new File("").getAbsoluteFile());
        try
        {
            starts.add(new File(KafkaSide.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        }
        catch (final URISyntaxException | SecurityException | NullPointerException ex)
        {
            // only the working directory then
        }
        for (final File start : starts)
        {
            for (File dir = start; null != dir; dir = dir.getParentFile())
            {
                final File lib = new File(dir, LIB_DIR);
                if (hasJars(lib))
                {
                    return lib;
                }
            }
        }
        return null;
    }

    /**
     * Starts the Kafka broker.
     *
     * @param libDir the Kafka lib dir ({@link #findLib(String)}); the load generator's classes are beside it.
     * @param out    for a progress line.
     * @return the running side.
     * @throws InterruptedException if interrupted.
     */
    static KafkaSide start(final File libDir, final PrintWriter out) throws InterruptedException
    {
        return start(libDir, 1, out);
    }

    /**
     * Starts a Kafka cluster of combined broker and controller nodes (one for a single-node broker).
     *
     * @param libDir the Kafka lib dir ({@link #findLib(String)}); the load generator's classes are beside it.
     * @param nodes  how many, each in a child JVM.
     * @param out    for a progress line.
     * @return the running side.
     * @throws InterruptedException if interrupted.
     */
    static KafkaSide start(final File libDir, final int nodes, final PrintWriter out) throws InterruptedException
    {
        final String classpath = classpath(libDir);
        final long startNs = System.nanoTime();
        final KafkaBroker broker = KafkaBroker.start(classpath, nodes);
        out.println("kafka: " + (1 == nodes ? "single-node KRaft broker (child JVM)" : nodes + " KRaft nodes, " +
            "each broker and controller (child JVMs),") + " at " + broker.bootstrap() + ", started in " +
            (System.nanoTime() - startNs) / 1_000_000 + " ms");
        out.flush();
        return new KafkaSide(classpath, broker.bootstrap(), broker::failure, broker);
    }

    /**
     * The fixed-rate latency run: one partition, acks as given, linger 0, on a topic of its own.
     *
     * @param acks              0, 1 or all.
     * @param replicationFactor of the topic.
     * @param minInsyncReplicas {@code min.insync.replicas} of the topic.
     * @param topic             to create and measure; it must not exist.
     * @return null on success, else why it failed.
     * @throws InterruptedException if interrupted.
     */
    String latency(
        final int size,
        final long rate,
        final long warmupSeconds,
        final long durationSeconds,
        final String acks,
        final int replicationFactor,
        final int minInsyncReplicas,
        final String topic,
        final PrintWriter out)
        throws InterruptedException
    {
        return runLoad(List.of("latency", bootstrap, String.valueOf(size), String.valueOf(rate),
            String.valueOf(warmupSeconds), String.valueOf(durationSeconds), acks, String.valueOf(replicationFactor),
            String.valueOf(minInsyncReplicas), topic), out);
    }

    /**
     * The throughput run: produce with batching, then a catch-up read.
     *
     * @return null on success, else why it failed.
     * @throws InterruptedException if interrupted.
     */
    String throughput(
        final int size,
        final int partitions,
        final long records,
        final String acks,
        final long lingerMs,
        final int batchSize,
        final PrintWriter out)
        throws InterruptedException
    {
        return runLoad(List.of("throughput", bootstrap, String.valueOf(size), String.valueOf(partitions),
            String.valueOf(records), acks, String.valueOf(lingerMs), String.valueOf(batchSize)), out);
    }

    /**
     * @return produce-to-ack latencies of the latency run, in nanoseconds.
     */
    Histogram ackHistogram()
    {
        return ack;
    }

    /**
     * @return produce-to-consume latencies of the latency run, in nanoseconds.
     */
    Histogram e2eHistogram()
    {
        return e2e;
    }

    /**
     * @return produce throughput of the throughput run, or null.
     */
    ThroughputResult produce()
    {
        return produce;
    }

    /**
     * @return catch-up read throughput of the throughput run, or null.
     */
    ThroughputResult catchUp()
    {
        return catchUp;
    }

    /**
     * Stops the Kafka broker and deletes its data.
     */
    public void close()
    {
        org.agrona.CloseHelper.quietClose(broker);
    }

    private String runLoad(final List<String> args, final PrintWriter out) throws InterruptedException
    {
        final List<String> failures = new ArrayList<>();
        final int exitCode;
        try (ChildProcess load = ChildProcess.java(LOAD_CLASS).name("kafka-load").jvmArgs(LOAD_JVM_ARGS)
            .classpath(classpath).args(args).stopOnExit().stopTimeout(STOP_TIMEOUT).listener((line) ->
        {
            if (line.startsWith(RESULT))
            {
                onResult(line.substring(RESULT.length()), failures);
            }
            else if (line.startsWith("kafka"))
            {
                synchronized (out)
                {
                    out.println(line);
                    out.flush();
                }
            }
        }).start())
        {
            exitCode = load.waitFor(LOAD_TIMEOUT);
            if (0 != exitCode)
            {
                return "the Kafka load generator failed (exit code " + exitCode + "); its output:" +
                    System.lineSeparator() + load.tail(FAILURE_LINES) + (null == brokerFailure.get() ? "" :
                    System.lineSeparator() + brokerFailure.get());
            }
        }
        return failures.isEmpty() ? null : String.join("; ", failures);
    }

    private void onResult(final String result, final List<String> failures)
    {
        final String[] fields = result.split(" ");
        try
        {
            if ("hist".equals(fields[0]))
            {
                final Histogram histogram = Histogram.decodeFromCompressedByteBuffer(
                    ByteBuffer.wrap(Base64.getDecoder().decode(fields[2])), 0);
                if ("ack".equals(fields[1]))
                {
                    ack = histogram;
                }
                else
                {
                    e2e = histogram;
                }
            }
            else if ("throughput".equals(fields[0]))
            {
                final boolean isProduce = "produce".equals(fields[1]);
                final ThroughputResult r = new ThroughputResult(isProduce ? "kafka produce" : "kafka catch-up read",
                    Long.parseLong(fields[2]), Long.parseLong(fields[3]), Long.parseLong(fields[4]));
                if (isProduce)
                {
                    produce = r;
                }
                else
                {
                    catchUp = r;
                }
            }
        }
        catch (final RuntimeException | DataFormatException ex)
        {
            synchronized (failures)
            {
                failures.add("cannot read the Kafka load generator's result: " + ex);
            }
        }
    }

    private static boolean hasJars(final File dir)
    {
        final String[] clients = dir.list((d, name) -> name.startsWith("kafka-clients-") && name.endsWith(".jar"));
        return null != clients && clients.length > 0 && new File(dir.getParentFile(), "classes").isDirectory();
    }
}
