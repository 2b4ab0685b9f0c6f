package io.aerolog.cli;

import io.aerolog.broker.Broker;
import io.aerolog.client.Admin;
import io.aerolog.client.ClientContext;
import io.aerolog.client.Producer;
import io.aerolog.client.partition.DefaultPartitioner;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.node.BrokerDirectories;
import io.aerolog.perf.latency.LatencyHistograms;
import io.aerolog.node.PortBases;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code aerolog demo}: starts an embedded broker in fresh temp dirs, creates a topic, produces records with acks=all
 * while a consumer reads them back, checks every record arrived exactly once and in order, and reports throughput
 * and latency.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Runs produce and consume on an embedded broker and reports latency.",
        "Starts a broker in fresh temp dirs, produces with acks=all while a consumer reads from the beginning, " +
            "checks that every record arrived exactly once in offset order, prints throughput and latency, and " +
            "leaves nothing behind."
    })
final class DemoCommand extends CliCommand
{
    static final String TOPIC = "demo";

    private static final String HOST = "localhost";
    private static final long CONSUMER_READY_TIMEOUT_MS = 30_000;
    private static final long CONSUMER_IDLE_TIMEOUT_MS = 10_000;
    private static final long CONSUMER_STOP_TIMEOUT_MS = 10_000;

    @Option(names = "--records", paramLabel = "N", defaultValue = "50000",
        description = "Records to produce (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100",
        description = "Value size in bytes, at least 8 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--partitions", paramLabel = "P", defaultValue = "3",
        description = "Partitions of the demo topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "10000",
        description = "Records per second, so the latency summary is not queueing; 0 sends as fast as " +
            "acknowledgements allow (default: ${DEFAULT-VALUE}).")
    long rate;

    int execute() throws InterruptedException
    {
        validate();
        final PrintWriter out = out();
        out.println("aerolog demo: " + records + " records of " + size + " bytes, " + partitions + " partitions, " +
            "acks=all, " + (0 == rate ? "as fast as acks allow" : rate + " records/s"));
        out.flush();

        // The flag is closed last: on Ctrl-C the broker is closed and its directories removed before the JVM halts.
        try (ShutdownFlag shutdown = new ShutdownFlag();
            BrokerDirectories dirs = BrokerDirectories.create("aerolog-demo"))
        {
            final int portBase = PortBases.find(HOST);
            final Broker.Context ctx = new Broker.Context()
                .dataDir(dirs.dataDir())
                .aeronDirectoryName(dirs.aeronDir().getAbsolutePath())
                .host(HOST)
                .portBase(portBase);
            final long startNs = System.nanoTime();
            try (Broker broker = Broker.launch(ctx))
            {
                out.println("started broker in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) +
                    " ms (data in " + dirs.dataDir() + ", Aeron dir " + dirs.aeronDir() + ", port base " +
                    portBase + ")");
                out.flush();
                return run(broker.clientContext(), out, shutdown);
            }
            finally
            {
                out.println("stopped broker and removed its directories");
                out.flush();
            }
        }
    }

    private void validate()
    {
        if (records < 1)
        {
            throw new ParameterException(spec.commandLine(), "--records must be at least 1: " + records);
        }
        if (size < DemoRecords.MIN_VALUE_SIZE)
        {
            throw new ParameterException(spec.commandLine(),
                "--size must be at least " + DemoRecords.MIN_VALUE_SIZE + " (room for the send time): " + size);
        }
        if (partitions < 1)
        {
            throw new ParameterException(spec.commandLine(), "--partitions must be at least 1: " + partitions);
        }
        if (rate < 0)
        {
            throw new ParameterException(spec.commandLine(), "--rate must be >= 0: " + rate);
        }
    }

    private int run(final ClientContext clientContext, final PrintWriter out, final ShutdownFlag shutdown)
        throws InterruptedException
    {
        try (Admin admin = Admin.connect(clientContext.copy().clientName("aerolog-demo-admin")))
        {
            admin.createTopic(TOPIC, partitions);
        }
        out.println("created topic " + TOPIC + " with " + partitions + " partition" + (1 == partitions ? "" : "s"));
        out.flush();

        final DemoConsumer consumer = new DemoConsumer(
            clientContext.copy().clientName("aerolog-demo-consumer"), TOPIC, partitions, records, size);
        final Thread consumerThread = new Thread(consumer, "aerolog-demo-consumer");
        consumerThread.setDaemon(true);
        consumerThread.start();
        try
        {
            if (!consumer.awaitReady(CONSUMER_READY_TIMEOUT_MS))
            {
                return error("consumer could not start: " +
                    (null == consumer.error() ? "timed out" : Errors.describe(consumer.error())));
            }
            out.println("consumer reading all " + partitions + " partitions from the beginning");
            out.flush();

            final AckLatencyRecorder acks = new AckLatencyRecorder(partitions);
            produce(clientContext.copy().clientName("aerolog-demo-producer"), acks, out, shutdown);
            awaitConsumed(consumer, shutdown);
            if (shutdown.isStopRequested())
            {
                return error("demo interrupted");
            }
            consumer.stop(CONSUMER_STOP_TIMEOUT_MS);
            return report(acks, consumer, out);
        }
        finally
        {
            consumer.stop(CONSUMER_STOP_TIMEOUT_MS);
        }
    }

    private void produce(
        final ClientContext clientContext,
        final AckLatencyRecorder acks,
        final PrintWriter out,
        final ShutdownFlag shutdown)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[16]);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[size]);
        for (int i = DemoRecords.MIN_VALUE_SIZE; i < size; i++)
        {
            value.putByte(i, (byte)('a' + (i % 26)));
        }
        final long intervalNs = 0 == rate ? 0 : TimeUnit.SECONDS.toNanos(1) / rate;
        final IdleStrategy idleStrategy = new BackoffIdleStrategy(
            10, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(20));

        final long startNs;
        final long endNs;
        try (Producer producer = Producer.connect(clientContext, new Producer.Config().acks(Acks.ALL)))
        {
            startNs = System.nanoTime();
            for (int i = 0; i < records; i++)
            {
                if (shutdown.isStopRequested())
                {
                    return;
                }
                if (0 != intervalNs)
                {
                    final long dueNs = startNs + i * intervalNs;
                    idleStrategy.reset();
                    while (System.nanoTime() < dueNs)
                    {
                        // Yield the CPU while waiting: on a small machine the broker needs it more than we do.
                        idleStrategy.idle(producer.poll());
                    }
                }
                final int keyLength = DemoRecords.putKey(key, i);
                final int partition = DefaultPartitioner.partitionForKey(key, 0, keyLength, partitions);
                final long sendNs = System.nanoTime();
                DemoRecords.putSendTime(value, sendNs);
                acks.onSend(partition, sendNs);
                producer.send(TOPIC, partition, key, 0, keyLength, value, 0, size, -1, acks);
            }
            producer.flush();
            endNs = System.nanoTime();
        }

        final double seconds = (endNs - startNs) / 1e9;
        out.println(String.format(Locale.ROOT, "produced %d records (%.1f MB) in %.3f s: %.0f records/s",
            records, (double)records * size / 1e6, seconds, records / seconds));
        if (acks.failed() > 0)
        {
            out.println(acks.failed() + " records failed, the first with: " + acks.firstError().getMessage());
        }
        out.flush();
    }

    private void awaitConsumed(final DemoConsumer consumer, final ShutdownFlag shutdown) throws InterruptedException
    {
        long lastReceived = consumer.received();
        long lastProgressNs = System.nanoTime();
        while (!consumer.isDone() && consumer.received() < records && !shutdown.isStopRequested())
        {
            Thread.sleep(1);
            final long received = consumer.received();
            final long nowNs = System.nanoTime();
            if (received != lastReceived)
            {
                lastReceived = received;
                lastProgressNs = nowNs;
            }
            else if (nowNs - lastProgressNs > TimeUnit.MILLISECONDS.toNanos(CONSUMER_IDLE_TIMEOUT_MS))
            {
                break;
            }
        }
    }

    private int report(final AckLatencyRecorder acks, final DemoConsumer consumer, final PrintWriter out)
    {
        int partitionsDiffering = 0;
        for (int p = 0; p < partitions; p++)
        {
            if (consumer.nextOffset(p) != acks.nextOffset(p))
            {
                partitionsDiffering++;
            }
        }
        final boolean consumedAll = 0 == consumer.missing() && 0 == consumer.duplicates() &&
            0 == consumer.outOfOrder() && 0 == consumer.malformed() && 0 == partitionsDiffering;
        if (null != consumer.error())
        {
            out.println("consumer failed: " + Errors.describe(consumer.error()));
        }
        if (consumedAll)
        {
            out.println("consumed " + consumer.received() + " records, none missing, none duplicated, " +
                "each partition in offset order from 0");
        }
        else
        {
            out.println("consumed " + consumer.received() + " records: " + consumer.missing() + " missing, " +
                consumer.duplicates() + " duplicated, " + consumer.outOfOrder() + " out of offset order, " +
                consumer.malformed() + " not from the demo, " + partitionsDiffering +
                " partitions whose last offset differs from the last acknowledged");
        }
        if (acks.unexpectedOffsets() > 0)
        {
            out.println(acks.unexpectedOffsets() + " acknowledgements at unexpected offsets");
        }
        out.println();
        out.println(LatencyHistograms.header());
        out.println(LatencyHistograms.row("produce->ack", acks.histogram()));
        out.println(LatencyHistograms.row("produce->consume", consumer.histogram()));
        out.println();
        out.flush();

        if (!consumedAll || null != consumer.error() || acks.failed() > 0 || acks.unexpectedOffsets() > 0)
        {
            return error("demo failed: see above");
        }
        return 0;
    }
}
