package io.aerolog.perf.throughput;

import io.aerolog.client.Admin;
import io.aerolog.client.ClientContext;
import io.aerolog.client.Producer;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.perf.latency.PerfBroker;

import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;

/**
 * One throughput run against a running broker: creates the topic, produces into it as fast as one producer goes
 * (batching on: linger and batch size as given), then reads it all back from the beginning with one consumer
 * (a catch-up read, served from the archive). Used by {@code perf throughput} and {@code perf compare}.
 */
public final class ThroughputRun
{
    /** The topic the run creates on its fresh broker. */
    public static final String TOPIC = "perf-throughput";

    private final int size;
    private final int partitions;
    private final long records;
    private final long durationSeconds;
    private final Acks acks;
    private final long lingerMs;
    private final int batchSize;
    private ThroughputResult produce;
    private ThroughputResult catchUp;

    /**
     * @param size            value bytes, at least 8.
     * @param partitions      of the topic, sent to in turn.
     * @param records         most records to produce.
     * @param durationSeconds most seconds to produce for, 0 for no limit.
     * @param acks            producer acks.
     * @param lingerMs        producer linger.
     * @param batchSize       producer batch size in bytes.
     */
    public ThroughputRun(
        final int size,
        final int partitions,
        final long records,
        final long durationSeconds,
        final Acks acks,
        final long lingerMs,
        final int batchSize)
    {
        this.size = size;
        this.partitions = partitions;
        this.records = records;
        this.durationSeconds = durationSeconds;
        this.acks = acks;
        this.lingerMs = lingerMs;
        this.batchSize = batchSize;
    }

    /**
     * Produces, then reads back, printing a line after each.
     *
     * @param broker to run against.
     * @param out    for progress lines.
     * @return null on success, else why the run failed.
     */
    public String run(final PerfBroker broker, final PrintWriter out)
    {
        final ClientContext ctx = broker.clientContext();
        try (Admin admin = Admin.connect(ctx.copy().clientName("aerolog-perf-admin")))
        {
            admin.createTopic(TOPIC, partitions);
        }

        final ProduceLoad load = new ProduceLoad(TOPIC, partitions, size);
        final long produceNs;
        try (Producer producer = Producer.connect(
            ctx.copy().clientName("aerolog-perf-producer"),
            new Producer.Config().acks(acks).lingerMs(lingerMs).batchSize(batchSize)))
        {
            producer.partitionCount(TOPIC);
            final long deadlineNs = 0 == durationSeconds ?
                Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds);
            produceNs = load.run(producer, records, deadlineNs);
        }
        produce = new ThroughputResult("produce", load.sent(), load.sent() * size, produceNs);
        out.println("produced " + load.sent() + " records: " + load.succeeded() + " succeeded, " + load.failed() +
            " failed" + (null == load.firstError() ? "" : " (first: " + load.firstError().getMessage() + ")"));
        out.flush();
        if (null != broker.failure())
        {
            return "broker failed: " + broker.failure();
        }
        if (load.failed() > 0)
        {
            return load.failed() + " sends failed, the first with: " + load.firstError().getMessage();
        }

        final CatchUpRead read = new CatchUpRead();
        final long readNs = read.run(ctx.copy().clientName("aerolog-perf-consumer"), TOPIC, load.succeeded());
        catchUp = new ThroughputResult("catch-up read", read.received(), read.valueBytes(), readNs);
        out.println("read back " + read.received() + " of " + load.succeeded() + " records from the beginning");
        out.flush();
        if (null != broker.failure())
        {
            return "broker failed: " + broker.failure();
        }
        if (read.received() != load.succeeded())
        {
            return "records lost: read " + read.received() + " of " + load.succeeded() +
                " (stopped after 10 s without progress)";
        }
        return null;
    }

    /**
     * @return the produce result, or null before {@link #run}.
     */
    public ThroughputResult produce()
    {
        return produce;
    }

    /**
     * @return the catch-up read result, or null if the run did not get that far.
     */
    public ThroughputResult catchUp()
    {
        return catchUp;
    }
}
