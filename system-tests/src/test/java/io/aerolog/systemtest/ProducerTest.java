package io.aerolog.systemtest;

import io.aerolog.client.AerologException;
import io.aerolog.client.Admin;
import io.aerolog.client.ClientContext;
import io.aerolog.client.Consumer;
import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.Producer;
import io.aerolog.client.ProducerRecord;
import io.aerolog.client.RecordMetadata;
import io.aerolog.client.TopicInfo;
import io.aerolog.client.partition.Murmur2;
import io.aerolog.client.partition.Partitioner;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.testsupport.ChildProcess;
import io.aerolog.transport.RecordSetWriter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.aerolog.systemtest.Records.bytes;
import static io.aerolog.systemtest.Records.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The producer: partitioning, acks, linger and flush, and idempotence on the broker.
 */
class ProducerTest extends SharedBrokerTest
{
    @Test
    void shouldPlaceKeyedRecordsByMurmur2AsKafkaDoes() throws Exception
    {
        final String topic = "keyed";
        final int partitions = 5;
        broker.createTopic(topic, partitions);
        final Map<String, Integer> expectedPartitionByKey = new TreeMap<>();
        try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config()))
        {
            for (int i = 0; i < 100; i++)
            {
                final String key = "user-" + i;
                final int expected = Murmur2.toPositive(Murmur2.hash(bytes(key))) % partitions;
                expectedPartitionByKey.put(key, expected);
                // each key twice: the same key always lands on the same partition
                assertThat(producer.send(topic, bytes(key), bytes("a")).get().partition()).isEqualTo(expected);
                assertThat(producer.send(topic, bytes(key), bytes("b")).get().partition()).isEqualTo(expected);
            }
        }
        assertThat(new HashSet<>(expectedPartitionByKey.values())).hasSize(partitions);
        try (Consumer consumer = Consumer.connect(broker.ipc(),
            new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            consumer.assignAll(topic);
            for (final ConsumerRecord record : Records.consumeExactly(consumer, 200))
            {
                assertThat(record.partition()).isEqualTo(expectedPartitionByKey.get(text(record.key())));
            }
        }
    }

    @Test
    void shouldHonourExplicitPartitionAndCustomPartitioner() throws Exception
    {
        final String topic = "explicit";
        final int partitions = 4;
        broker.createTopic(topic, partitions);
        final byte[] key = bytes("some-key");
        final int keyPartition = Murmur2.toPositive(Murmur2.hash(key)) % partitions;
        final int explicit = (keyPartition + 1) % partitions;
        try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config()))
        {
            final RecordMetadata md = producer.send(
                new ProducerRecord(topic, explicit, -1, key, bytes("v"), List.of())).get();
            assertThat(md.partition()).isEqualTo(explicit);
            assertThat(md.offset()).isZero();
        }

        // key length decides the partition; keyless records go to the last partition
        final Partitioner byKeyLength = new Partitioner()
        {
            public int partition(
                final String t, final DirectBuffer k, final int keyOffset, final int keyLength, final int n)
            {
                return null == k ? n - 1 : keyLength % n;
            }
        };
        try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config().partitioner(byKeyLength)))
        {
            for (int length = 1; length <= 8; length++)
            {
                final RecordMetadata md = producer.send(topic, new byte[length], bytes("v")).get();
                assertThat(md.partition()).isEqualTo(length % partitions);
            }
            assertThat(producer.send(topic, null, bytes("v")).get().partition()).isEqualTo(partitions - 1);
            // an explicit partition still wins over the partitioner
            assertThat(producer.send(new ProducerRecord(topic, 0, -1, null, bytes("v"), List.of())).get().partition())
                .isZero();
        }
    }

    @Test
    void shouldStickKeylessRecordsToOnePartitionPerBatchAndSpreadThemOverBatches() throws Exception
    {
        final String topic = "keyless";
        final int partitions = 3;
        broker.createTopic(topic, partitions);
        final Producer.Config lingering = new Producer.Config().lingerMs(60_000).batchSize(1024 * 1024);
        try (Producer producer = Producer.connect(broker.ipc(), lingering))
        {
            final List<Integer> batchPartitions = new ArrayList<>();
            for (int batch = 0; batch < partitions; batch++)
            {
                final Set<Integer> used = new HashSet<>();
                for (int i = 0; i < 20; i++)
                {
                    producer.send(topic, -1, null, 0, 0, new UnsafeBuffer(bytes("v" + i)), 0,
                        ("v" + i).length(), -1, (t, p, o, e) -> used.add(p));
                }
                producer.flush();
                assertThat(used).as("partitions of batch %d", batch).hasSize(1);
                batchPartitions.add(used.iterator().next());
            }
            assertThat(new HashSet<>(batchPartitions)).as("one partition per batch, moving on").hasSize(partitions);
        }

        try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config()))
        {
            final Set<Integer> used = new HashSet<>();
            for (int i = 0; i < 60; i++)
            {
                used.add(producer.send(topic, null, bytes("x" + i)).get().partition());
            }
            assertThat(used).as("keyless records spread over partitions").hasSize(partitions);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Acks.class, names = { "NONE", "LEADER", "ALL" })
    void shouldDeliverWithEveryAcksSetting(final Acks acks)
    {
        final String topic = "acks-" + acks;
        broker.createTopic(topic, 2);
        final int count = 300;
        final List<Long> offsets = new ArrayList<>();
        final AtomicReference<AerologException> error = new AtomicReference<>();
        try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config().acks(acks)))
        {
            for (int i = 0; i < count; i++)
            {
                final UnsafeBuffer value = new UnsafeBuffer(bytes("v" + i));
                producer.send(topic, i % 2, null, 0, 0, value, 0, value.capacity(), -1, (t, p, o, e) ->
                {
                    offsets.add(o);
                    if (null != e)
                    {
                        error.set(e);
                    }
                });
            }
            producer.flush();
            assertThat(error.get()).isNull();
            assertThat(offsets).hasSize(count);
            if (Acks.NONE == acks)
            {
                assertThat(offsets).containsOnly(-1L);
            }
            else
            {
                assertThat(offsets).doesNotContain(-1L);
            }
        }
        try (Consumer consumer = Consumer.connect(broker.ipc(),
            new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            consumer.assignAll(topic);
            final List<ConsumerRecord> records = Records.consumeExactly(consumer, count);
            Records.assertDense(records, 0);
        }
    }

    /**
     * Regression: the broker forgot a closing client's produce stream as soon as its goodbye arrived on the control
     * stream, so acks=0 batches still in the produce stream were dropped as coming from nobody.
     */
    @Test
    void shouldWriteEveryRecordSentWithAcksNoneBeforeClose()
    {
        final int count = 300;
        for (int round = 0; round < 10; round++)
        {
            final String topic = "fire-and-forget-" + round;
            broker.createTopic(topic, 2);
            try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config().acks(Acks.NONE)))
            {
                for (int i = 0; i < count; i++)
                {
                    final UnsafeBuffer value = new UnsafeBuffer(bytes("v" + i));
                    producer.send(topic, i % 2, null, 0, 0, value, 0, value.capacity(), -1, null);
                }
            }
            try (Admin admin = Admin.connect(broker.ipc()))
            {
                final long written = await().atMost(Duration.ofSeconds(5)).pollInSameThread()
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> admin.describeTopic(topic).partitions().stream()
                        .mapToLong(TopicInfo.PartitionInfo::highWatermark).sum(), (sum) -> sum == count);
                assertThat(written).as("round %d", round).isEqualTo(count);
            }
        }
    }

    @Test
    void shouldBatchWithLingerAndFlushUntilEveryRecordIsAcknowledged()
    {
        final String topic = "linger";
        broker.createTopic(topic, 2);
        final int count = 2_000;
        final long[] offsets = new long[count];
        final int[] completed = new int[1];
        final AtomicReference<AerologException> error = new AtomicReference<>();
        try (Producer producer = Producer.connect(broker.udp(), new Producer.Config().lingerMs(5).acks(Acks.ALL)))
        {
            for (int i = 0; i < count; i++)
            {
                final int index = i;
                final UnsafeBuffer value = new UnsafeBuffer(bytes("v" + i));
                producer.send(topic, 0, null, 0, 0, value, 0, value.capacity(), -1, (t, p, o, e) ->
                {
                    offsets[index] = o;
                    completed[0]++;
                    if (null != e)
                    {
                        error.set(e);
                    }
                });
            }
            producer.flush();
            assertThat(completed[0]).as("acknowledged when flush returned").isEqualTo(count);
            assertThat(error.get()).isNull();
        }
        for (int i = 0; i < count; i++)
        {
            assertThat(offsets[i]).isEqualTo(i);
        }
    }

    /**
     * Idempotence is tested with a raw client that sends the very same ProduceRequest bytes twice (what a producer
     * does when an ack is lost and it retries): a retried batch must be written once and answered with its first
     * offsets. Making the real producer retry needs the broker to be slow on cue, which no test can arrange
     * reliably; the raw frames make the retry exact.
     */
    @Test
    void shouldWriteRetriedBatchOnce()
    {
        final String topic = "idempotent";
        broker.createTopic(topic, 1);
        final int topicId;
        try (Admin admin = Admin.connect(broker.ipc()))
        {
            topicId = admin.describeTopic(topic).topicId();
        }
        try (RawClient raw = RawClient.ipc(broker.broker().context().aeronDirectoryName()))
        {
            raw.connect();
            final long producerId = raw.initProducerId();
            assertThat(producerId).isNotNegative();

            final byte[] first = raw.produceRequest(1, topicId, 0, producerId, 0, Acks.LEADER, "a", "b", "c");
            raw.sendProduce(first);
            assertThat(raw.awaitProduceResponse(1)).isEqualTo(new RawClient.ProduceResponse(ErrorCode.NONE, 0));
            raw.sendProduce(first);
            assertThat(raw.awaitProduceResponse(1)).isEqualTo(new RawClient.ProduceResponse(ErrorCode.NONE, 0));

            final byte[] second = raw.produceRequest(2, topicId, 0, producerId, 3, Acks.LEADER, "d", "e");
            raw.sendProduce(second);
            assertThat(raw.awaitProduceResponse(2)).isEqualTo(new RawClient.ProduceResponse(ErrorCode.NONE, 3));
            raw.sendProduce(second);
            assertThat(raw.awaitProduceResponse(2)).isEqualTo(new RawClient.ProduceResponse(ErrorCode.NONE, 3));
            raw.sendProduce(first);
            assertThat(raw.awaitProduceResponse(1)).isEqualTo(new RawClient.ProduceResponse(ErrorCode.NONE, 0));

            final byte[] gap = raw.produceRequest(3, topicId, 0, producerId, 10, Acks.LEADER, "f");
            raw.sendProduce(gap);
            assertThat(raw.awaitProduceResponse(3).code()).isEqualTo(ErrorCode.OUT_OF_ORDER_SEQUENCE);

            // a non-idempotent batch (no producer id) is always written
            final byte[] plain = raw.produceRequest(4, topicId, 0, -1, 0, Acks.LEADER, "g");
            raw.sendProduce(plain);
            assertThat(raw.awaitProduceResponse(4)).isEqualTo(new RawClient.ProduceResponse(ErrorCode.NONE, 5));
        }
        try (Consumer consumer = Consumer.connect(broker.ipc(),
            new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            consumer.assignAll(topic);
            final List<ConsumerRecord> records = Records.consumeExactly(consumer, 6);
            Records.assertDense(records, 0);
            assertThat(records).extracting((r) -> text(r.value())).containsExactly("a", "b", "c", "d", "e", "g");
        }
    }

    /**
     * Kafka semantics for a batch the broker refuses: nothing of it is written, the producer's sequence for the
     * partition does not stay advanced past it, and every batch behind it is still written once, in order, with
     * dense offsets: those sent before the refusal came back (with sequences the refusal left a gap before) and those
     * sent after. The broker runs in a child JVM that is paused while the producer sends the refused batch and the
     * batches behind it, so they are all on the wire when the broker answers. The broker refuses a batch over its
     * limit; the producer never builds one itself (it checks records against the limit the broker announced), so the
     * test widens the producer's view of that limit, as if the broker's limit were lower than the producer was told.
     */
    @Test
    void shouldWriteEveryLaterBatchOnceInOrderAfterTheBrokerRefusedOneBatchOfAnIdempotentProducer() throws Exception
    {
        final File brokerDir = new File(dir, "refusing-broker");
        assertThat(brokerDir.mkdirs()).isTrue();
        final int portBase = Ports.nextPortBase();
        final ClientContext udp = new ClientContext().bootstrap("localhost:" + portBase).clientHost("localhost")
            .requestTimeoutMs(10_000);
        final String topic = "refused-batch";
        final int before = 300;
        final int behind = 200;
        final int after = 2_000;
        final int good = before + behind + after;
        final long[] offsets = new long[good];
        final AerologException[] errors = new AerologException[good];
        final int[] completed = new int[1];
        final AtomicReference<AerologException> refusal = new AtomicReference<>();
        try (ChildProcess child = TestBroker.launchInChildProcess(brokerDir, portBase))
        {
            final int brokerLimit;
            try (Admin admin = Admin.connect(udp))
            {
                admin.createTopic(topic, 1);
                brokerLimit = admin.describeTopic(topic).maxBatchBytes();
            }
            // Small batches with linger, up to five in flight.
            try (Producer producer = Producer.connect(udp, new Producer.Config()
                .acks(Acks.ALL).lingerMs(5).batchSize(64).maxInFlight(5).deliveryTimeoutMs(60_000)))
            {
                assertThat(producer.producerId()).as("idempotent").isNotNegative();
                // Just over the broker's limit (far over it, the broker drops the frame unread and never answers).
                final int overLimit = brokerLimit + 64;
                widenBatchLimit(producer, overLimit);
                final UnsafeBuffer tooLarge = new UnsafeBuffer(new byte[
                    overLimit - RecordSetWriter.emptyLength() - RecordSetWriter.encodedRecordLength(-1, 0, 0)]);

                int next = 0;
                while (next < before)
                {
                    send(producer, topic, next++, offsets, errors, completed);
                }
                producer.flush();

                child.pause();
                try
                {
                    producer.send(topic, 0, null, 0, 0, tooLarge, 0, tooLarge.capacity(), -1,
                        (t, p, o, e) -> refusal.set(e));
                    while (next < before + behind)
                    {
                        send(producer, topic, next++, offsets, errors, completed);
                    }
                    final long lingeredNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
                    while (System.nanoTime() < lingeredNs)
                    {
                        producer.poll(); // the refused batch and four behind it go on the wire
                    }
                    assertThat(refusal.get()).as("no answer from a paused broker").isNull();
                }
                finally
                {
                    child.resume();
                }
                while (next < good)
                {
                    send(producer, topic, next++, offsets, errors, completed);
                }
                producer.flush();
            }

            assertThat(refusal.get()).as("the oversized batch is refused").isNotNull()
                .satisfies((e) -> assertThat(e.code()).isEqualTo(ErrorCode.RECORD_TOO_LARGE));
            assertThat(completed[0]).isEqualTo(good);
            for (int i = 0; i < good; i++)
            {
                assertThat(errors[i]).as("error of good record %d", i).isNull();
                assertThat(offsets[i]).as("offset of good record %d", i).isEqualTo(i);
            }
            try (Consumer consumer = Consumer.connect(udp,
                new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
            {
                consumer.assignAll(topic);
                final List<ConsumerRecord> records = Records.consumeExactly(consumer, good);
                Records.assertDense(records, 0);
                for (int i = 0; i < good; i++)
                {
                    assertThat(text(records.get(i).value())).isEqualTo("good-" + i);
                }
            }
            assertThat(child.stop()).as(child::output).isEqualTo(143); // SIGTERM: closed by its shutdown hook
            assertThat(child.lastLine("stopping broker: ")).isEqualTo("stopping broker: 0 errors");
        }
    }

    private static void send(
        final Producer producer,
        final String topic,
        final int index,
        final long[] offsets,
        final AerologException[] errors,
        final int[] completed)
    {
        final UnsafeBuffer value = new UnsafeBuffer(bytes("good-" + index));
        producer.send(topic, 0, null, 0, 0, value, 0, value.capacity(), -1, (t, p, o, e) ->
        {
            offsets[index] = o;
            errors[index] = e;
            completed[0]++;
        });
    }

    private static void widenBatchLimit(final Producer producer, final int maxBatchBytes)
        throws ReflectiveOperationException
    {
        final Field field = Producer.class.getDeclaredField("maxBatchBytes");
        field.setAccessible(true);
        field.setInt(producer, maxBatchBytes);
    }
}
