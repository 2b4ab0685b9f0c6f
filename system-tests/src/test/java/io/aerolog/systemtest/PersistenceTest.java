package io.aerolog.systemtest;

import io.aerolog.client.Admin;
import io.aerolog.client.AerologException;
import io.aerolog.client.ClientContext;
import io.aerolog.client.Consumer;
import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.Producer;
import io.aerolog.client.ProducerRecord;
import io.aerolog.client.RecordMetadata;
import io.aerolog.client.TopicInfo;
import io.aerolog.client.TopicPartition;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.testsupport.ChildProcess;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static io.aerolog.systemtest.Records.bytes;
import static io.aerolog.systemtest.Records.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What was written survives a restart: a clean one, one after a controller snapshot, and a kill -9.
 */
class PersistenceTest
{
    private static final Consumer.Config EARLIEST = new Consumer.Config()
        .autoOffsetReset(Consumer.OffsetReset.EARLIEST);

    @TempDir
    File dir;

    @Test
    void shouldKeepTopicsRecordsAndOffsetsAcrossCleanRestart()
    {
        try (TestBroker broker = TestBroker.launch(dir))
        {
            restartKeepsEverything(broker, false);
        }
    }

    /** Regression: a batch the old log's term could not hold made the produce agent fail on it again and again. */
    @Test
    void shouldRefuseABatchTooLargeForALogCreatedUnderAShorterTermAfterARestartWithALongerOne() throws Exception
    {
        final int portBase;
        try (TestBroker broker = TestBroker.launch(dir))
        {
            portBase = broker.portBase();
            broker.createTopic("old", 1);
        }
        try (TestBroker broker = TestBroker.launch(dir, portBase, (ctx) -> ctx.logTermLength(4 * TestBroker.TERM_LENGTH)))
        {
            broker.createTopic("new", 1);
            final byte[] large = new byte[2 * TestBroker.TERM_LENGTH / 8];
            try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config()))
            {
                assertThatThrownBy(() -> producer.send(new ProducerRecord("old", 0, -1, null, large, List.of())).get())
                    .hasCauseInstanceOf(AerologException.class)
                    .cause().satisfies((ex) ->
                        assertThat(((AerologException)ex).code()).isEqualTo(ErrorCode.RECORD_TOO_LARGE));
                // The broker goes on: the old log takes what fits, the new one the larger batch.
                assertThat(producer.send(new ProducerRecord("old", 0, -1, null, bytes("small"), List.of())).get()
                    .offset()).isZero();
                assertThat(producer.send(new ProducerRecord("new", 0, -1, null, large, List.of())).get().offset())
                    .isZero();
            }
            broker.assertNoErrors();
        }
    }

    @Test
    void shouldKeepTopicsRecordsAndOffsetsAcrossRestartFromControllerSnapshot()
    {
        try (TestBroker broker = TestBroker.launch(dir))
        {
            restartKeepsEverything(broker, true);
        }
    }

    @Test
    void shouldRestartWithManyPartitionsWhileClientsReadThem()
    {
        // Partition stream ids run from 1000 up; a broker's own IPC streams (e.g. its archive control responses) must
        // never share one, or a partition's recording also records them and the next start cannot extend it.
        try (TestBroker broker = TestBroker.launch(dir))
        {
            broker.createTopic("wide", 16);
            try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config());
                Consumer consumer = Consumer.connect(broker.ipc(),
                    new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
            {
                for (int p = 0; p < 16; p++)
                {
                    Records.produce(producer, "wide", p, "w", 20);
                }
                consumer.assignAll("wide");
                Records.consumeExactly(consumer, 16 * 20);
            }
            broker.restart();
            try (Consumer consumer = Consumer.connect(broker.ipc(),
                new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
            {
                consumer.assignAll("wide");
                Records.assertDense(Records.consumeExactly(consumer, 16 * 20), 0);
            }
            broker.assertNoErrors();
        }
    }

    private static void restartKeepsEverything(final TestBroker broker, final boolean snapshot)
    {
        broker.createTopic("alpha", 2);
        final long firstProducerId;
        try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config()))
        {
            firstProducerId = producer.producerId();
            Records.produce(producer, "alpha", 0, "a0-", 100);
            Records.produce(producer, "alpha", 1, "a1-", 50);
        }
        final int alphaId = describe(broker, "alpha").topicId();
        final byte[] rawBatch;
        final long rawProducerId;
        try (RawClient raw = RawClient.ipc(broker.broker().context().aeronDirectoryName()))
        {
            raw.connect();
            rawProducerId = raw.initProducerId();
            rawBatch = raw.produceRequest(7, alphaId, 1, rawProducerId, 0, Acks.LEADER, "raw-0", "raw-1");
            raw.sendProduce(rawBatch);
            assertThat(raw.awaitProduceResponse(7)).isEqualTo(new RawClient.ProduceResponse(ErrorCode.NONE, 50));
        }
        if (snapshot)
        {
            assertThat(broker.broker().takeControllerSnapshot()).isTrue();
        }
        broker.createTopic("beta", 1); // after the snapshot: replayed from the controller's log
        try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config()))
        {
            Records.produce(producer, "beta", 0, "b-", 10);
        }
        broker.assertNoErrors();

        broker.restart();

        try (Admin admin = Admin.connect(broker.ipc()))
        {
            assertThat(admin.listTopics()).containsExactly("alpha", "beta");
            final TopicInfo alpha = admin.describeTopic("alpha");
            assertThat(alpha.topicId()).isEqualTo(alphaId);
            assertThat(alpha.partitions()).extracting(TopicInfo.PartitionInfo::highWatermark)
                .containsExactly(100L, 52L);
            assertThat(alpha.partitions()).extracting(TopicInfo.PartitionInfo::logEndOffset).containsExactly(100L, 52L);
            assertThat(alpha.partitions()).extracting(TopicInfo.PartitionInfo::logStartOffset).containsExactly(0L, 0L);
        }

        // the producer state was rebuilt from the log: a retry of a batch written before the restart is a duplicate
        try (RawClient raw = RawClient.ipc(broker.broker().context().aeronDirectoryName()))
        {
            raw.connect();
            raw.sendProduce(rawBatch);
            assertThat(raw.awaitProduceResponse(7)).isEqualTo(new RawClient.ProduceResponse(ErrorCode.NONE, 50));
        }

        try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config()))
        {
            assertThat(producer.producerId()).as("producer ids are not reused").isGreaterThan(firstProducerId)
                .isGreaterThan(rawProducerId);
            assertThat(Records.produce(producer, "alpha", 0, "a0-", 5)).extracting(RecordMetadata::offset)
                .containsExactly(100L, 101L, 102L, 103L, 104L);
            assertThat(Records.produce(producer, "alpha", 1, "a1-", 1).get(0).offset()).isEqualTo(52L);
            assertThat(Records.produce(producer, "beta", 0, "b-", 1).get(0).offset()).isEqualTo(10L);
        }
        try (Consumer consumer = Consumer.connect(broker.ipc(), EARLIEST))
        {
            consumer.assignAll("alpha");
            final List<ConsumerRecord> records = Records.consumeExactly(consumer, 105 + 53);
            Records.assertDense(records, 0);
            final Map<Integer, List<String>> values = new HashMap<>();
            for (final ConsumerRecord record : records)
            {
                values.computeIfAbsent(record.partition(), (p) -> new ArrayList<>()).add(text(record.value()));
            }
            assertThat(values.get(0).subList(0, 100)).isEqualTo(expectedValues("a0-", 100));
            assertThat(values.get(0).subList(100, 105)).isEqualTo(expectedValues("a0-", 5));
            assertThat(values.get(1).subList(0, 50)).isEqualTo(expectedValues("a1-", 50));
            assertThat(values.get(1).subList(50, 53)).containsExactly("raw-0", "raw-1", "a1-0");
        }
        broker.assertNoErrors();
    }

    private static List<String> expectedValues(final String prefix, final int count)
    {
        final List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            values.add(prefix + i);
        }
        return values;
    }

    private static TopicInfo describe(final TestBroker broker, final String topic)
    {
        try (Admin admin = Admin.connect(broker.ipc()))
        {
            return admin.describeTopic(topic);
        }
    }

    @Test
    void shouldReadBackEveryAcknowledgedRecordAfterKill9() throws Exception
    {
        final int portBase = Ports.nextPortBase();
        final ClientContext udp = new ClientContext().bootstrap("localhost:" + portBase).clientHost("localhost")
            .requestTimeoutMs(2_000);
        final String topic = "durable";
        final int partitions = 2;
        final Map<String, String> acknowledged = new ConcurrentHashMap<>();
        Producer producer = null;
        try (ChildProcess child = TestBroker.launchInChildProcess(dir, portBase))
        {
            try (Admin admin = Admin.connect(udp))
            {
                admin.createTopic(topic, partitions);
            }
            producer = Producer.connect(udp, new Producer.Config().acks(Acks.LEADER).deliveryTimeoutMs(3_000));
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            for (int i = 0; acknowledged.size() < 5_000 && System.nanoTime() < deadlineNs; i++)
            {
                final String value = "v" + i;
                final UnsafeBuffer buffer = new UnsafeBuffer(bytes(value));
                producer.send(topic, i % partitions, null, 0, 0, buffer, 0, buffer.capacity(), -1,
                    (t, p, o, e) ->
                    {
                        if (null == e)
                        {
                            acknowledged.put(p + "@" + o, value);
                        }
                    });
            }
            assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(5_000);
            child.kill(); // with batches still in flight
        }
        catch (final RuntimeException | Error ex)
        {
            closeAfterBrokerLoss(producer);
            throw ex;
        }

        // relaunched at once (the dead driver's heartbeat is still fresh), in this JVM, on the same dirs and ports
        try
        {
            try (TestBroker broker = TestBroker.launch(dir, portBase, UnaryOperator.identity()))
            {
                closeAfterBrokerLoss(producer); // what it had in flight is lost or times out
                final List<TopicPartition> tps = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
                final Map<TopicPartition, Long> ends;
                try (Consumer consumer = Consumer.connect(udp, EARLIEST))
                {
                    ends = consumer.endOffsets(tps);
                    consumer.assign(tps);
                    final int total = (int)(ends.get(tps.get(0)) + ends.get(tps.get(1)));
                    assertThat(total).isGreaterThanOrEqualTo(acknowledged.size());
                    final List<ConsumerRecord> records = Records.consumeExactly(consumer, total);
                    Records.assertDense(records, 0);
                    final Map<String, String> read = new HashMap<>();
                    for (final ConsumerRecord record : records)
                    {
                        read.put(record.partition() + "@" + record.offset(), text(record.value()));
                    }
                    for (final Map.Entry<String, String> entry : acknowledged.entrySet())
                    {
                        assertThat(read.get(entry.getKey())).as("acknowledged record at %s", entry.getKey())
                            .isEqualTo(entry.getValue());
                    }
                }
                try (Producer next = Producer.connect(udp, new Producer.Config()))
                {
                    for (final TopicPartition tp : tps)
                    {
                        final RecordMetadata md = next.send(
                            new ProducerRecord(topic, tp.partition(), -1, null, bytes("after"), List.of())).get();
                        assertThat(md.offset()).as("next offset of %s", tp).isEqualTo(ends.get(tp));
                    }
                }
                broker.assertNoErrors();
            }
        }
        finally
        {
            closeAfterBrokerLoss(producer); // again if the relaunch failed: closing twice is harmless
        }
    }

    private static void closeAfterBrokerLoss(final Producer producer)
    {
        if (null != producer)
        {
            try
            {
                producer.close();
            }
            catch (final AerologException ex)
            {
                assertThat(ex.code()).isIn(ErrorCode.BROKER_NOT_AVAILABLE, ErrorCode.REQUEST_TIMED_OUT);
            }
        }
    }
}
