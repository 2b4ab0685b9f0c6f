package io.aerolog.perf.latency;

import io.aerolog.client.Admin;
import io.aerolog.client.ClientContext;
import io.aerolog.client.Producer;
import io.aerolog.codecs.wire.Acks;
import org.HdrHistogram.Histogram;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One fixed-rate, open-loop latency run against a running broker: creates the topic, starts one or more consumers,
 * each reading all of it from the beginning on a thread of its own, sends {@code rate * (warmup + duration)} records
 * from the calling thread ({@link OpenLoopProducer}), waits until every consumer has them all, and keeps the
 * produce-to-ack and produce-to-consume histograms (all consumers together) of what was sent after the warmup, and
 * the broker's CPU use over the measured seconds where the broker runs in processes of its own. Used by
 * {@code perf latency}, {@code perf compare} and {@code perf replicated}.
 */
public final class LatencyRun
{
    /** The topic the run creates on its fresh broker. */
    public static final String TOPIC = "perf-latency";

    private static final long CONSUMER_READY_TIMEOUT_MS = 30_000;
    private static final long DRAIN_IDLE_TIMEOUT_MS = 10_000;
    private static final long CONSUMER_STOP_TIMEOUT_MS = 10_000;

    private final int size;
    private final long rate;
    private final long warmupSeconds;
    private final long durationSeconds;
    private final int partitions;
    private final Acks acks;
    private String topic = TOPIC;
    private int replicationFactor = -1;
    private int minInsyncReplicas = -1;
    private int consumerCount = 1;
    private double brokerCoresUsed = -1;
    private Histogram ackHistogram = LatencyHistograms.newHistogram();
    private Histogram e2eHistogram = LatencyHistograms.newHistogram();

    /**
     * @param size            value bytes, at least 8.
     * @param rate            records per second.
     * @param warmupSeconds   of load before measuring.
     * @param durationSeconds measured.
     * @param partitions      of the topic, sent to in turn.
     * @param acks            producer acks.
     */
    public LatencyRun(
        final int size,
        final long rate,
        final long warmupSeconds,
        final long durationSeconds,
        final int partitions,
        final Acks acks)
    {
        this.size = size;
        this.rate = rate;
        this.warmupSeconds = warmupSeconds;
        this.durationSeconds = durationSeconds;
        this.partitions = partitions;
        this.acks = acks;
    }

    /**
     * The topic the run creates and its replication, when not {@value #TOPIC} with the broker's defaults.
     *
     * @param topic             to create and measure; it must not exist.
     * @param replicationFactor replicas of its partitions, or -1 for the broker's default.
     * @param minInsyncReplicas in-sync replicas an acks=all write needs, or -1 for the broker's default.
     * @return this.
     */
    public LatencyRun topic(final String topic, final int replicationFactor, final int minInsyncReplicas)
    {
        this.topic = topic;
        this.replicationFactor = replicationFactor;
        this.minInsyncReplicas = minInsyncReplicas;
        return this;
    }

    /**
     * @param consumerCount consumers, each reading every record of the topic (default 1).
     * @return this.
     */
    public LatencyRun consumers(final int consumerCount)
    {
        if (consumerCount < 1)
        {
            throw new IllegalArgumentException("consumers must be at least 1: " + consumerCount);
        }
        this.consumerCount = consumerCount;
        return this;
    }

    /**
     * @return cores' worth of CPU the broker processes used from the end of the warmup to the last send (1.0 is
     * one core busy all the time), or -1 when it was not measured (a broker in this process, or a failed run).
     */
    public double brokerCoresUsed()
    {
        return brokerCoresUsed;
    }

    /**
     * @return records the run sends, warmup included.
     */
    public long total()
    {
        return rate * (warmupSeconds + durationSeconds);
    }

    /**
     * Runs the load and prints what was sent and consumed.
     *
     * @param broker to run against: one broker or a cluster.
     * @param out    for the progress lines.
     * @return null on success, else why the run failed (records lost, sends failed, the broker failed).
     * @throws InterruptedException if interrupted.
     */
    public String run(final LatencyTarget broker, final PrintWriter out) throws InterruptedException
    {
        final ClientContext clientContext = broker.clientContext();
        try (Admin admin = Admin.connect(clientContext.copy().clientName("aerolog-perf-admin")))
        {
            admin.createTopic(topic, partitions, -1, -1, false, replicationFactor, minInsyncReplicas);
        }

        final List<LatencyConsumer> consumers = new ArrayList<>(consumerCount);
        try
        {
            for (int i = 0; i < consumerCount; i++)
            {
                final String name = "aerolog-perf-consumer" + (1 == consumerCount ? "" : "-" + i);
                final LatencyConsumer consumer = new LatencyConsumer(clientContext.copy().clientName(name), topic);
                consumers.add(consumer);
                final Thread consumerThread = new Thread(consumer, name);
                consumerThread.setDaemon(true);
                consumerThread.start();
            }
            for (final LatencyConsumer consumer : consumers)
            {
                if (!consumer.awaitReady(CONSUMER_READY_TIMEOUT_MS))
                {
                    return "consumer could not start: " +
                        (null == consumer.error() ? "timed out" : Failures.describe(consumer.error()));
                }
            }

            final OpenLoopProducer load = new OpenLoopProducer(
                topic, partitions, rate, total(), size, clientContext.newIdleStrategy());
            final long warmupNs = TimeUnit.SECONDS.toNanos(warmupSeconds);
            final long startNs;
            final BrokerCpuSampler cpu;
            try (Producer producer = Producer.connect(
                clientContext.copy().clientName("aerolog-perf-producer"),
                new Producer.Config().acks(acks).lingerMs(0)))
            {
                producer.partitionCount(topic);
                startNs = System.nanoTime();
                for (final LatencyConsumer consumer : consumers)
                {
                    consumer.measureFrom(startNs + warmupNs);
                }
                cpu = BrokerCpuSampler.start(broker, startNs + warmupNs);
                load.run(producer, startNs, warmupNs);
                brokerCoresUsed = cpu.coresUsedUntilNow();
            }

            final long expected = load.sent() - load.failed();
            String failure = null;
            for (final LatencyConsumer consumer : consumers)
            {
                final String brokerFailure = drain(consumer, expected, broker);
                final boolean stopped = consumer.stop(CONSUMER_STOP_TIMEOUT_MS);
                final String consumerFailure = stopped ? brokerFailure : "consumer did not stop";
                failure = null == failure ? consumerFailure : failure;
            }
            ackHistogram = load.histogram();
            e2eHistogram = LatencyHistograms.newHistogram();
            for (final LatencyConsumer consumer : consumers)
            {
                e2eHistogram.add(consumer.histogram());
            }
            return report(out, load, consumers, startNs, expected, failure);
        }
        finally
        {
            for (final LatencyConsumer consumer : consumers)
            {
                consumer.stop(CONSUMER_STOP_TIMEOUT_MS);
            }
        }
    }

    /**
     * @return produce-to-ack latencies in nanoseconds (empty with acks=0).
     */
    public Histogram ackHistogram()
    {
        return ackHistogram;
    }

    /**
     * @return produce-to-consume latencies in nanoseconds.
     */
    public Histogram e2eHistogram()
    {
        return e2eHistogram;
    }

    private static String drain(final LatencyConsumer consumer, final long expected, final LatencyTarget broker)
        throws InterruptedException
    {
        long lastReceived = consumer.received();
        long lastProgressNs = System.nanoTime();
        while (!consumer.isDone() && consumer.received() < expected)
        {
            if (null != broker.failure())
            {
                return broker.failure();
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
        return broker.failure();
    }

    private String report(
        final PrintWriter out,
        final OpenLoopProducer load,
        final List<LatencyConsumer> consumers,
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
        for (final LatencyConsumer consumer : consumers)
        {
            out.println("consumed " + consumer.received() + " of " + expected + " records" +
                (consumer.malformed() > 0 ? " (" + consumer.malformed() + " without a send time)" : ""));
        }
        if (brokerCoresUsed >= 0)
        {
            out.println(String.format(Locale.ROOT,
                "broker CPU over the measured seconds: %.1f%% of one core (user + system)", brokerCoresUsed * 100));
        }
        out.flush();

        if (null != brokerFailure)
        {
            return "broker failed: " + brokerFailure;
        }
        for (final LatencyConsumer consumer : consumers)
        {
            if (null != consumer.error())
            {
                return "consumer failed: " + Failures.describe(consumer.error());
            }
            if (consumer.received() != expected || consumer.malformed() > 0)
            {
                return "records lost: consumed " + consumer.received() + " but " + expected +
                    " were sent without error (drain timeout " + DRAIN_IDLE_TIMEOUT_MS + " ms without progress)";
            }
        }
        if (load.failed() > 0)
        {
            return load.failed() + " sends failed, the first with: " + load.firstError().getMessage();
        }
        return null;
    }
}
