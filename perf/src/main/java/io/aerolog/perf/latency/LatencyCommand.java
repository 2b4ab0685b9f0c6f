package io.aerolog.perf.latency;

import io.aerolog.broker.Broker;
import io.aerolog.client.Admin;
import io.aerolog.client.AerologException;
import io.aerolog.client.ClientContext;
import io.aerolog.client.Producer;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.transport.CpuAffinity;
import io.aerolog.transport.ThreadingProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code aerolog perf latency}: fixed-rate, open-loop load on a fresh broker, reporting produce-to-ack and
 * produce-to-consume latency percentiles measured from each record's intended send time (corrected for
 * coordinated omission). With {@code --transport ipc} the broker runs in this process and the clients talk IPC to
 * it; with {@code --transport udp} it runs in a JVM of its own ({@link BrokerMain}) and the clients, each with its
 * own media driver, talk UDP over loopback. The producer runs on the calling thread and the consumer, reading the
 * topic from the beginning, on a thread of its own. Exits with 0 on success, 1 when records were lost, sends failed
 * or the broker failed, and 2 on bad arguments.
 */
@Command(
    name = "latency",
    mixinStandardHelpOptions = true,
    description = {
        "Measures produce->ack and produce->consume latency under fixed-rate, open-loop load.",
        "Starts a fresh broker (in this process for ipc, in a child JVM for udp), sends records at a fixed rate " +
            "from intended send times that do not wait for late sends, consumes them from the beginning, and " +
            "prints percentiles in microseconds of what was sent after the warmup."
    })
public final class LatencyCommand implements Callable<Integer>
{
    /** Exit code when the run failed: records lost, sends failed, the broker failed. */
    public static final int EXIT_FAILED = 1;

    /** The topic the run creates on its fresh broker. */
    public static final String TOPIC = "perf-latency";

    private static final String HOST = "localhost";
    private static final long BROKER_START_TIMEOUT_MS = 90_000;
    private static final long CONSUMER_READY_TIMEOUT_MS = 30_000;
    private static final long DRAIN_IDLE_TIMEOUT_MS = 10_000;
    private static final long CONSUMER_STOP_TIMEOUT_MS = 10_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--transport", paramLabel = "ipc|udp", defaultValue = "ipc",
        description = "ipc: embedded broker, clients over IPC; udp: broker in a child JVM, clients over " +
            "loopback UDP (default: ${DEFAULT-VALUE}).")
    String transport;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100",
        description = "Value size in bytes, at least 8 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "10000",
        description = "Records per second, at most 1000000000 (default: ${DEFAULT-VALUE}).")
    long rate;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "10",
        description = "Measured seconds after the warmup (default: ${DEFAULT-VALUE}).")
    long duration;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "2",
        description = "Seconds of load before measuring (default: ${DEFAULT-VALUE}).")
    long warmup;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "1",
        description = "Partitions of the topic, sent to in turn (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--acks", paramLabel = "0|1|all", defaultValue = "all", converter = AcksConverter.class,
        description = "Producer acks (default: ${DEFAULT-VALUE}).")
    Acks acks;

    @Option(names = "--profile", paramLabel = "NAME|FILE", defaultValue = ThreadingProfile.DEFAULT,
        description = "Threading profile of the broker and the clients: balanced, small-low-latency, one-thread, " +
            "low-latency, or a properties file (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(names = "--pin", paramLabel = "CPUS",
        description = "Pin the broker to these CPUs with taskset (udp: the child JVM; ipc: this whole process), " +
            "e.g. 1; wins over the profile's cpu.affinity. Skipped with a note where the CPUs do not exist.")
    String pin;

    @Option(names = "--hgrm", paramLabel = "PREFIX",
        description = "Also write PREFIX-e2e.hgrm and PREFIX-ack.hgrm: percentile distributions in microseconds.")
    String hgrm;

    /**
     * Runs the measurement.
     *
     * @return the exit code.
     * @throws InterruptedException if interrupted.
     */
    public Integer call() throws InterruptedException
    {
        validate();
        final ThreadingProfile threadingProfile;
        final int[] cpus;
        try
        {
            threadingProfile = ThreadingProfile.load(profile);
            cpus = null != pin ? ThreadingProfile.parseCpuList(pin) : threadingProfile.cpuAffinity();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
        final PrintWriter out = spec.commandLine().getOut();
        final long total = rate * (warmup + duration);
        out.println("aerolog perf latency: " + transport + ", " + size + "-byte values, " + rate + " records/s for " +
            duration + " s after " + warmup + " s of warmup (" + total + " records), " + partitions + " partition" +
            (1 == partitions ? "" : "s") + ", acks=" + AcksConverter.toString(acks) + ", profile " +
            threadingProfile.name());
        final String pinNote = cpus.length == 0 ? null : CpuAffinity.unusableReason(cpus);
        if (null != pinNote)
        {
            out.println("note: not pinning the broker to CPUs " + CpuAffinity.cpuList(cpus) + ": " + pinNote);
        }
        final int[] pinTo = null == pinNote ? cpus : new int[0];
        out.flush();

        try (BrokerDirectories dirs = BrokerDirectories.create("aerolog-perf"))
        {
            final int portBase = PortBases.find(HOST);
            final long startNs = System.nanoTime();
            if ("ipc".equals(transport))
            {
                final Broker.Context ctx = new Broker.Context()
                    .dataDir(dirs.dataDir())
                    .aeronDirectoryName(dirs.aeronDir().getAbsolutePath())
                    .host(HOST)
                    .portBase(portBase)
                    .threadingProfile(threadingProfile);
                if (pinTo.length > 0)
                {
                    out.println(CpuAffinity.pinThisProcess(pinTo) + " (this process: broker and clients)");
                }
                try (Broker broker = Broker.launch(ctx))
                {
                    out.println("broker: embedded, IPC via " + dirs.aeronDir() + ", started in " +
                        millisSince(startNs) + " ms");
                    out.flush();
                    final int exitCode = measure(broker.clientContext(), total, null);
                    if (broker.errorCount() > 0)
                    {
                        out.println("note: the broker counted " + broker.errorCount() + " errors, the first: " +
                            broker.firstError());
                    }
                    return exitCode;
                }
            }
            try (BrokerProcess broker = BrokerProcess.start(
                dirs.dataDir(), dirs.aeronDir(), HOST, portBase, profile, pinTo, BROKER_START_TIMEOUT_MS))
            {
                out.println("broker: child JVM, UDP via " + HOST + ":" + portBase + ", started in " +
                    millisSince(startNs) + " ms" + (pinTo.length > 0 ? ", pinned to CPUs " +
                    CpuAffinity.cpuList(pinTo) : ""));
                out.flush();
                return measure(new ClientContext().bootstrap(HOST + ":" + portBase).clientHost(HOST)
                    .profile(threadingProfile), total, broker);
            }
        }
        catch (final AerologException | IllegalArgumentException | IllegalStateException ex)
        {
            return fail("run failed: " + describe(ex));
        }
    }

    private void validate()
    {
        if (!"ipc".equals(transport) && !"udp".equals(transport))
        {
            throw new ParameterException(spec.commandLine(), "--transport must be ipc or udp: " + transport);
        }
        if (size < Long.BYTES)
        {
            throw new ParameterException(spec.commandLine(),
                "--size must be at least " + Long.BYTES + " (room for the send time): " + size);
        }
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
        if (partitions < 1)
        {
            throw new ParameterException(spec.commandLine(), "--partitions must be at least 1: " + partitions);
        }
        if (rate * (warmup + duration) > Integer.MAX_VALUE)
        {
            throw new ParameterException(spec.commandLine(), "--rate * (--warmup + --duration) is too many records");
        }
    }

    private int measure(final ClientContext clientContext, final long total, final BrokerProcess brokerProcess)
        throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        try (Admin admin = Admin.connect(clientContext.copy().clientName("aerolog-perf-admin")))
        {
            admin.createTopic(TOPIC, partitions);
        }

        final LatencyConsumer consumer = new LatencyConsumer(
            clientContext.copy().clientName("aerolog-perf-consumer"), TOPIC);
        final Thread consumerThread = new Thread(consumer, "aerolog-perf-consumer");
        consumerThread.setDaemon(true);
        consumerThread.start();
        try
        {
            if (!consumer.awaitReady(CONSUMER_READY_TIMEOUT_MS))
            {
                return fail("consumer could not start: " +
                    (null == consumer.error() ? "timed out" : describe(consumer.error())));
            }

            final OpenLoopProducer load = new OpenLoopProducer(
                TOPIC, partitions, rate, total, size, clientContext.newIdleStrategy());
            final long warmupNs = TimeUnit.SECONDS.toNanos(warmup);
            final long startNs;
            try (Producer producer = Producer.connect(
                clientContext.copy().clientName("aerolog-perf-producer"),
                new Producer.Config().acks(acks).lingerMs(0)))
            {
                producer.partitionCount(TOPIC);
                startNs = System.nanoTime();
                consumer.measureFrom(startNs + warmupNs);
                load.run(producer, startNs, warmupNs);
            }

            final long expected = load.sent() - load.failed();
            final String brokerFailure = drain(consumer, expected, brokerProcess);
            final boolean stopped = consumer.stop(CONSUMER_STOP_TIMEOUT_MS);
            return report(out, load, consumer, startNs, expected, stopped ? brokerFailure : "consumer did not stop");
        }
        finally
        {
            consumer.stop(CONSUMER_STOP_TIMEOUT_MS);
        }
    }

    private static String drain(final LatencyConsumer consumer, final long expected, final BrokerProcess broker)
        throws InterruptedException
    {
        long lastReceived = consumer.received();
        long lastProgressNs = System.nanoTime();
        while (!consumer.isDone() && consumer.received() < expected)
        {
            if (null != broker && !broker.isAlive())
            {
                return "the broker process exited; its output:" + System.lineSeparator() + broker.output();
            }
            Thread.sleep(1);
            final long received = consumer.received();
            final long nowNs = System.nanoTime();
            if (received != lastReceived)
            {
                lastReceived = received;
                lastProgressNs = nowNs;
            }
            else if (nowNs - lastProgressNs > TimeUnit.MILLISECONDS.toNanos(DRAIN_IDLE_TIMEOUT_MS))
            {
                break;
            }
        }
        return null != broker && !broker.isAlive() ?
            "the broker process exited; its output:" + System.lineSeparator() + broker.output() : null;
    }

    private int report(
        final PrintWriter out,
        final OpenLoopProducer load,
        final LatencyConsumer consumer,
        final long startNs,
        final long expected,
        final String brokerFailure)
    {
        final double sendSeconds = (load.sendEndNs() - startNs) / 1e9;
        out.println(String.format(Locale.ROOT,
            "sent %d records in %.3f s: achieved %.0f records/s (target %d); %d acknowledged, %d send errors",
            load.sent(), sendSeconds, load.sent() / sendSeconds, rate, load.completed() - load.failed(),
            load.failed()));
        if (load.failed() > 0)
        {
            out.println("first send error: " + load.firstError().getMessage());
        }
        out.println("consumed " + consumer.received() + " of " + expected + " records" +
            (consumer.malformed() > 0 ? " (" + consumer.malformed() + " without a send time)" : ""));
        out.println();
        out.println(LatencyHistograms.header());
        out.println(LatencyHistograms.row("produce->ack", load.histogram()));
        out.println(LatencyHistograms.row("produce->consume", consumer.histogram()));
        out.println();
        if (null != hgrm)
        {
            final File e2e = new File(hgrm + "-e2e.hgrm");
            final File ack = new File(hgrm + "-ack.hgrm");
            LatencyHistograms.writeHgrm(consumer.histogram(), e2e);
            LatencyHistograms.writeHgrm(load.histogram(), ack);
            out.println("wrote " + e2e + " and " + ack + " (values in microseconds)");
        }
        out.flush();

        if (null != brokerFailure)
        {
            return fail("broker failed: " + brokerFailure);
        }
        if (null != consumer.error())
        {
            return fail("consumer failed: " + describe(consumer.error()));
        }
        if (consumer.received() != expected || consumer.malformed() > 0)
        {
            return fail("records lost: consumed " + consumer.received() + " but " + expected +
                " were sent without error (drain timeout " + DRAIN_IDLE_TIMEOUT_MS + " ms without progress)");
        }
        if (load.failed() > 0)
        {
            return fail(load.failed() + " sends failed, the first with: " + load.firstError().getMessage());
        }
        return 0;
    }

    private int fail(final String message)
    {
        final PrintWriter err = spec.commandLine().getErr();
        err.println("error: " + message);
        err.flush();
        return EXIT_FAILED;
    }

    private static long millisSince(final long startNs)
    {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
    }

    private static String describe(final Throwable throwable)
    {
        final StringBuilder sb = new StringBuilder();
        Throwable t = throwable;
        int depth = 0;
        while (null != t && depth++ < 5)
        {
            final String message = null == t.getMessage() ? t.getClass().getSimpleName() : t.getMessage();
            if (sb.indexOf(message) < 0)
            {
                sb.append(sb.length() > 0 ? ": " : "").append(message);
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return sb.toString();
    }
}
