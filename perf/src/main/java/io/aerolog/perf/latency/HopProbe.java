package io.aerolog.perf.latency;

import io.aerolog.node.PortBases;
import io.aerolog.node.BrokerDirectories;
import io.aerolog.broker.Broker;
import io.aerolog.client.Admin;
import io.aerolog.client.AerologException;
import io.aerolog.client.ClientContext;
import io.aerolog.client.ConsumedRecord;
import io.aerolog.client.Consumer;
import io.aerolog.client.Producer;
import io.aerolog.client.RecordHandler;
import io.aerolog.client.SendCallback;
import io.aerolog.client.TopicPartition;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.transport.AerologCounters;
import io.aeron.Aeron;
import io.aeron.archive.status.RecordingPos;
import io.aeron.status.ReadableCounter;
import org.HdrHistogram.Histogram;
import org.agrona.collections.IntHashSet;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Where the time of one record goes inside an embedded broker, hop by hop:
 * {@code java ... io.aerolog.perf.latency.HopProbe [PROFILE] [RECORDS] [INTERVAL_US]}. One probe thread sends a
 * 100-byte record (acks=1) every interval, one at a time, and busy-polls the producer, the consumer and the broker's
 * counters to timestamp each stage: the produce agent appended it to the partition log (log end offset), the archive
 * recorded it (recording position), the produce agent saw that and moved the high watermark (and sent the ack), the
 * producer got the ack, the consumer got the record from its replay. Not open-loop and not coordinated-omission
 * corrected: it splits a single record's path, {@code perf latency} measures the load.
 */
public final class HopProbe implements SendCallback, RecordHandler
{
    private static final String TOPIC = "hops";
    private static final long RECORD_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(500);

    private final String[] names = {
        "offer->appended", "appended->recorded", "recorded->hwm+ack", "ack sent->client", "hwm->consumed",
        "offer->ack", "offer->consumed"};
    private final String[] meanings = {
        "the client offers; the produce agent takes the request, sequences it and appends it to the partition log",
        "the archive's recorder writes it to the recording (recording position counter)",
        "the produce agent sees the recording position, moves the high watermark and sends the ack",
        "the ack crosses to the client and the client's poll reads it",
        "the archive's replay (bounded by the high watermark) sends it and the consumer's poll reads it",
        "sum: produce->ack", "sum: produce->consume"};
    private final Histogram[] histograms = new Histogram[names.length];
    private long ackNs;
    private long consumedNs;

    private HopProbe()
    {
        for (int i = 0; i < histograms.length; i++)
        {
            histograms[i] = LatencyHistograms.newHistogram();
        }
    }

    /**
     * Runs the probe.
     *
     * @param args threading profile (default balanced), records (default 20000), interval in us (default 100).
     */
    public static void main(final String[] args)
    {
        final String profile = args.length > 0 ? args[0] : "balanced";
        final int records = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        final long intervalNs = TimeUnit.MICROSECONDS.toNanos(args.length > 2 ? Long.parseLong(args[2]) : 100);
        new HopProbe().run(profile, records, intervalNs);
    }

    private void run(final String profile, final int records, final long intervalNs)
    {
        try (BrokerDirectories dirs = BrokerDirectories.create("aerolog-hops"))
        {
            final Broker.Context ctx = new Broker.Context()
                .dataDir(dirs.dataDir())
                .aeronDirectoryName(dirs.aeronDir().getAbsolutePath())
                .host("localhost")
                .portBase(PortBases.find("localhost"))
                .profile(profile);
            try (Broker broker = Broker.launch(ctx);
                Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(ctx.aeronDirectoryName())))
            {
                final ClientContext clientCtx = broker.clientContext();
                final CountersReader counters = aeron.countersReader();
                final IntHashSet recordingsBefore = counterIds(counters, RecordingPos.RECORDING_POSITION_TYPE_ID);
                try (Admin admin = Admin.connect(clientCtx.copy()))
                {
                    admin.createTopic(TOPIC, 1);
                }
                final ReadableCounter logEnd = counter(aeron, AerologCounters.LOG_END_OFFSET_TYPE_ID, null);
                final ReadableCounter highWatermark = counter(aeron, AerologCounters.HIGH_WATERMARK_TYPE_ID, null);
                final ReadableCounter recorded = counter(
                    aeron, RecordingPos.RECORDING_POSITION_TYPE_ID, recordingsBefore);
                try (Producer producer = Producer.connect(
                    clientCtx.copy(), new Producer.Config().acks(Acks.LEADER).lingerMs(0));
                    Consumer consumer = Consumer.connect(
                        clientCtx.copy(), new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
                {
                    final TopicPartition tp = new TopicPartition(TOPIC, 0);
                    consumer.assignAll(TOPIC);
                    consumer.position(tp);
                    System.out.println("hop probe: profile " + ctx.threadingProfile().name() + ", " + records +
                        " records of 100 B, one every " + TimeUnit.NANOSECONDS.toMicros(intervalNs) +
                        " us, acks=1, IPC, embedded broker");
                    probe(producer, consumer, logEnd, recorded, highWatermark, records, intervalNs);
                }
            }
        }
        System.out.println();
        System.out.println(LatencyHistograms.header());
        for (int i = 0; i < names.length; i++)
        {
            System.out.println(LatencyHistograms.row(names[i], histograms[i]));
        }
        System.out.println();
        for (int i = 0; i < names.length; i++)
        {
            System.out.println(String.format("%-18s", names[i]) + " " + meanings[i]);
        }
    }

    private void probe(
        final Producer producer,
        final Consumer consumer,
        final ReadableCounter logEnd,
        final ReadableCounter recorded,
        final ReadableCounter highWatermark,
        final int records,
        final long intervalNs)
    {
        final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(100));
        final int warmup = Math.min(records / 5, 5_000);
        long nextNs = System.nanoTime();
        for (int i = 0; i < records + warmup; i++)
        {
            while (System.nanoTime() < nextNs)
            {
                producer.poll();
                consumer.poll(this, 10);
            }
            nextNs += intervalNs;
            final long logEnd0 = logEnd.get();
            final long recorded0 = recorded.get();
            final long highWatermark0 = highWatermark.get();
            ackNs = 0;
            consumedNs = 0;
            final long sendNs = System.nanoTime();
            producer.send(TOPIC, 0, null, 0, 0, value, 0, value.capacity(), -1, this);
            long appendedNs = 0;
            long recordedNs = 0;
            long highWatermarkNs = 0;
            while (0 == ackNs || 0 == consumedNs)
            {
                producer.poll();
                consumer.poll(this, 10);
                final long nowNs = System.nanoTime();
                if (0 == appendedNs && logEnd.get() != logEnd0)
                {
                    appendedNs = nowNs;
                }
                if (0 == recordedNs && recorded.get() != recorded0)
                {
                    recordedNs = nowNs;
                }
                if (0 == highWatermarkNs && highWatermark.get() != highWatermark0)
                {
                    highWatermarkNs = nowNs;
                }
                if (nowNs - sendNs > RECORD_TIMEOUT_NS)
                {
                    throw new IllegalStateException("record " + i + " not acknowledged and consumed in time");
                }
            }
            if (i >= warmup && 0 != appendedNs && 0 != recordedNs && 0 != highWatermarkNs)
            {
                // A stage seen in the same poll as the previous one counts as no time: hops never go negative.
                recordedNs = Math.max(recordedNs, appendedNs);
                highWatermarkNs = Math.max(highWatermarkNs, recordedNs);
                LatencyHistograms.record(histograms[0], appendedNs - sendNs);
                LatencyHistograms.record(histograms[1], recordedNs - appendedNs);
                LatencyHistograms.record(histograms[2], highWatermarkNs - recordedNs);
                LatencyHistograms.record(histograms[3], Math.max(0, ackNs - highWatermarkNs));
                LatencyHistograms.record(histograms[4], Math.max(0, consumedNs - highWatermarkNs));
                LatencyHistograms.record(histograms[5], ackNs - sendNs);
                LatencyHistograms.record(histograms[6], consumedNs - sendNs);
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onCompletion(final String topic, final int partition, final long offset, final AerologException error)
    {
        if (null != error)
        {
            throw error;
        }
        ackNs = System.nanoTime();
    }

    /**
     * {@inheritDoc}
     */
    public void onRecord(final ConsumedRecord record)
    {
        consumedNs = System.nanoTime();
    }

    private static IntHashSet counterIds(final CountersReader counters, final int typeId)
    {
        final IntHashSet ids = new IntHashSet();
        counters.forEach((counterId, type, keyBuffer, label) ->
        {
            if (type == typeId)
            {
                ids.add(counterId);
            }
        });
        return ids;
    }

    private static ReadableCounter counter(final Aeron aeron, final int typeId, final IntHashSet exclude)
    {
        final CountersReader counters = aeron.countersReader();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadlineNs)
        {
            final int[] found = {-1};
            counters.forEach((counterId, type, keyBuffer, label) ->
            {
                if (type == typeId && (null == exclude || !exclude.contains(counterId)))
                {
                    found[0] = counterId;
                }
            });
            if (found[0] >= 0)
            {
                return new ReadableCounter(counters, found[0]);
            }
            Thread.yield();
        }
        throw new IllegalStateException("no counter of type " + typeId);
    }
}
