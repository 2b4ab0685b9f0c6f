package io.aerolog.perf.kafka;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The Kafka side of {@code aerolog perf compare}, run in a child JVM with the Kafka jars on its classpath, against
 * a Kafka broker the parent started. Two modes:
 * <ul>
 *     <li>{@code latency BOOTSTRAP SIZE RATE WARMUP_S DURATION_S [ACKS REPLICATION_FACTOR MIN_ISR TOPIC]}: the
 *     same fixed-rate, open-loop load as Aerolog's latency run (one partition of a new topic, replicated as given,
 *     by default {@code perf-compare-latency} with one replica; acks as given, by default 1; linger 0; each value
 *     carries its intended send time in its first 8 bytes, little-endian), with a consumer reading the topic from
 *     the beginning on its own thread.
 *     Latency is measured from the intended send time to the producer callback (ack) and to the consumer's poll
 *     returning the record (end to end).</li>
 *     <li>{@code throughput BOOTSTRAP SIZE PARTITIONS RECORDS ACKS LINGER_MS BATCH_BYTES}: one producer sends as
 *     fast as it can (batching as given) and flushes, then one consumer reads everything from the beginning.</li>
 * </ul>
 * Results go to stdout as {@code RESULT ...} lines the parent parses: histograms in HdrHistogram's compressed
 * form, base64; throughput as records, value bytes and nanoseconds.
 */
public final class KafkaLoad
{
    private static final String LATENCY_TOPIC = "perf-compare-latency";
    private static final String THROUGHPUT_TOPIC = "perf-compare-throughput";
    private static final long TOPIC_TIMEOUT_MS = 60_000;
    private static final long IDLE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long MAX_PARK_NS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.MINUTES.toNanos(5);

    private KafkaLoad()
    {
    }

    /**
     * @param args see the class comment.
     * @throws Exception on any failure: the exit code is then not 0.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length >= 6 && "latency".equals(args[0]))
        {
            final boolean replicated = args.length >= 10;
            latency(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]), Long.parseLong(args[4]),
                Long.parseLong(args[5]), replicated ? args[6] : "1", replicated ? Short.parseShort(args[7]) : 1,
                replicated ? Integer.parseInt(args[8]) : 1, replicated ? args[9] : LATENCY_TOPIC);
        }
        else if (args.length >= 8 && "throughput".equals(args[0]))
        {
            throughput(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]),
                args[5], Long.parseLong(args[6]), Integer.parseInt(args[7]));
        }
        else
        {
            System.err.println("usage: KafkaLoad latency BOOTSTRAP SIZE RATE WARMUP_S DURATION_S " +
                "[ACKS REPLICATION_FACTOR MIN_ISR TOPIC]");
            System.err.println("       KafkaLoad throughput BOOTSTRAP SIZE PARTITIONS RECORDS ACKS LINGER_MS BATCH");
            System.exit(2);
        }
    }

    private static void latency(
        final String bootstrap,
        final int size,
        final long rate,
        final long warmupS,
        final long durationS,
        final String acks,
        final short replicationFactor,
        final int minInsyncReplicas,
        final String topic)
        throws Exception
    {
        createTopic(bootstrap, topic, 1, replicationFactor, minInsyncReplicas);
        final long total = rate * (warmupS + durationS);
        final Histogram ack = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        final Histogram e2e = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        final AtomicLong failures = new AtomicLong();
        final LatencyReader reader = new LatencyReader(bootstrap, topic, e2e, total);
        final Thread readerThread = new Thread(reader, "kafka-perf-consumer");
        readerThread.start();
        reader.awaitAssigned();

        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        final byte[] value = value(size);
        final ByteBuffer valueView = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        final long startNs;
        final long sendEndNs;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(bootstrap, acks, 0, 16384)))
        {
            producer.partitionsFor(topic);
            startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
            final long measureFromNs = startNs + TimeUnit.SECONDS.toNanos(warmupS);
            reader.measureFromNs = measureFromNs;
            long nextSendNs = startNs;
            long sent = 0;
            while (sent < total)
            {
                final long nowNs = System.nanoTime();
                if (nextSendNs > nowNs)
                {
                    LockSupport.parkNanos(Math.min(MAX_PARK_NS, nextSendNs - nowNs));
                    continue;
                }
                final long intendedNs = nextSendNs;
                valueView.putLong(0, intendedNs);
                // The producer copies the value into its batch during send, so the array can be reused.
                producer.send(new ProducerRecord<>(topic, 0, null, value), (metadata, error) ->
                {
                    if (null != error)
                    {
                        failures.incrementAndGet();
                    }
                    else if (intendedNs >= measureFromNs)
                    {
                        record(ack, System.nanoTime() - intendedNs);
                    }
                });
                sent++;
                nextSendNs += intervalNs;
            }
            sendEndNs = System.nanoTime();
            producer.flush();
        }
        readerThread.join(TimeUnit.SECONDS.toMillis(60));
        reader.running = false;
        readerThread.join();

        final double seconds = (sendEndNs - startNs) / 1e9;
        System.out.printf("kafka: sent %d records in %.3f s: achieved %.0f records/s (target %d); %d send " +
            "errors; consumed %d%n", total, seconds, total / seconds, rate, failures.get(), reader.received);
        System.out.println("RESULT hist ack " + encode(ack));
        System.out.println("RESULT hist e2e " + encode(e2e));
        System.out.flush();
        if (failures.get() > 0 || reader.received != total || null != reader.error)
        {
            System.err.println("kafka latency run failed: " + failures.get() + " send errors, consumed " +
                reader.received + " of " + total + (null == reader.error ? "" : ", consumer: " + reader.error));
            System.exit(1);
        }
    }

    private static void throughput(
        final String bootstrap,
        final int size,
        final int partitions,
        final long records,
        final String acks,
        final long lingerMs,
        final int batchSize)
        throws Exception
    {
        createTopic(bootstrap, THROUGHPUT_TOPIC, partitions, (short)1, 1);
        final byte[] value = value(size);
        final AtomicLong failures = new AtomicLong();
        final Callback callback = (metadata, error) ->
        {
            if (null != error)
            {
                failures.incrementAndGet();
            }
        };
        final long produceNs;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
            producerProps(bootstrap, acks, lingerMs, batchSize)))
        {
            producer.partitionsFor(THROUGHPUT_TOPIC);
            final long startNs = System.nanoTime();
            int partition = 0;
            for (long i = 0; i < records; i++)
            {
                producer.send(new ProducerRecord<>(THROUGHPUT_TOPIC, partition, null, value), callback);
                if (++partition == partitions)
                {
                    partition = 0;
                }
            }
            producer.flush();
            produceNs = System.nanoTime() - startNs;
        }
        System.out.println("RESULT throughput produce " + records + " " + records * size + " " + produceNs);
        System.out.flush();
        if (failures.get() > 0)
        {
            System.err.println("kafka produce failed: " + failures.get() + " send errors");
            System.exit(1);
        }

        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(bootstrap)))
        {
            final List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++)
            {
                tps.add(new TopicPartition(THROUGHPUT_TOPIC, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            final long startNs = System.nanoTime();
            long endNs = startNs;
            long lastProgressNs = startNs;
            long received = 0;
            long bytes = 0;
            while (received < records && System.nanoTime() - lastProgressNs < IDLE_TIMEOUT_NS)
            {
                final ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(100));
                for (final ConsumerRecord<byte[], byte[]> r : polled)
                {
                    received++;
                    bytes += null == r.value() ? 0 : r.value().length;
                }
                if (!polled.isEmpty())
                {
                    endNs = System.nanoTime();
                    lastProgressNs = endNs;
                }
            }
            System.out.println("RESULT throughput catchup " + received + " " + bytes + " " + (endNs - startNs));
            System.out.flush();
            if (received != records)
            {
                System.err.println("kafka catch-up read got " + received + " of " + records + " records");
                System.exit(1);
            }
        }
    }

    private static void createTopic(
        final String bootstrap,
        final String topic,
        final int partitions,
        final short replicationFactor,
        final int minInsyncReplicas)
        throws Exception
    {
        final Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TOPIC_TIMEOUT_MS);
        try (Admin admin = Admin.create(props))
        {
            while (true)
            {
                try
                {
                    admin.createTopics(List.of(new NewTopic(topic, partitions, replicationFactor)
                        .configs(Map.of("min.insync.replicas", Integer.toString(minInsyncReplicas)))))
                        .all().get(TOPIC_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    return;
                }
                catch (final ExecutionException ex)
                {
                    // Brokers that listen may not all be registered yet: a factor above those registered waits.
                    if (!(ex.getCause() instanceof InvalidReplicationFactorException) ||
                        System.nanoTime() - deadlineNs > 0)
                    {
                        throw ex;
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    private static Properties producerProps(
        final String bootstrap, final String acks, final long lingerMs, final int batchSize)
    {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, acks);
        // Idempotence needs acks=all; with acks=1 or 0 it must be off, as Kafka turns it off itself by default.
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, Boolean.toString("all".equals(acks) || "-1".equals(acks)));
        props.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(lingerMs));
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(batchSize));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    private static Properties consumerProps(final String bootstrap)
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    private static byte[] value(final int size)
    {
        final byte[] value = new byte[size];
        for (int i = Long.BYTES; i < size; i++)
        {
            value[i] = (byte)('a' + (i % 26));
        }
        return value;
    }

    private static void record(final Histogram histogram, final long latencyNs)
    {
        histogram.recordValue(Math.max(0, Math.min(latencyNs, HIGHEST_TRACKABLE_NS)));
    }

    private static String encode(final Histogram histogram)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        final int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        final byte[] bytes = new byte[length];
        buffer.flip();
        buffer.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Reads the topic from the beginning and records end-to-end latency. */
    private static final class LatencyReader implements Runnable
    {
        private final String bootstrap;
        private final String topic;
        private final Histogram histogram;
        private final long expected;
        private final CountDownLatch assigned = new CountDownLatch(1);
        volatile long measureFromNs = Long.MAX_VALUE;
        volatile boolean running = true;
        volatile long received;
        volatile Throwable error;

        LatencyReader(final String bootstrap, final String topic, final Histogram histogram, final long expected)
        {
            this.bootstrap = bootstrap;
            this.topic = topic;
            this.histogram = histogram;
            this.expected = expected;
        }

        void awaitAssigned() throws InterruptedException
        {
            assigned.await(60, TimeUnit.SECONDS);
        }

        public void run()
        {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(bootstrap)))
            {
                final TopicPartition tp = new TopicPartition(topic, 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                consumer.position(tp);
                assigned.countDown();
                long count = 0;
                while (running && count < expected)
                {
                    final ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                    final long nowNs = System.nanoTime();
                    for (final ConsumerRecord<byte[], byte[]> r : records)
                    {
                        count++;
                        final long intendedNs = ByteBuffer.wrap(r.value()).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
                        if (intendedNs >= measureFromNs)
                        {
                            record(histogram, nowNs - intendedNs);
                        }
                    }
                    received = count;
                }
            }
            catch (final Throwable t)
            {
                error = t;
            }
            finally
            {
                assigned.countDown();
            }
        }
    }

}
