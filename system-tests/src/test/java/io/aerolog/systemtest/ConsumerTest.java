package io.aerolog.systemtest;

import io.aerolog.client.Consumer;
import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.Producer;
import io.aerolog.client.ProducerRecord;
import io.aerolog.client.TopicPartition;
import io.aerolog.codecs.wire.Acks;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.aerolog.systemtest.Records.bytes;
import static io.aerolog.systemtest.Records.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * The consumer: seeks, positions, offset lookups, catch-up from the archive onto the live log, bounded polls.
 */
class ConsumerTest extends SharedBrokerTest
{
    private static final Consumer.Config EARLIEST = new Consumer.Config()
        .autoOffsetReset(Consumer.OffsetReset.EARLIEST);


    private static void produceValues(final String topic, final int count)
    {
        try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config().lingerMs(2)))
        {
            Records.produce(producer, topic, 0, "value-", count);
        }
    }

    @Test
    void shouldSeekToOffsetsAndReportPositions()
    {
        final String topic = "seek";
        broker.createTopic(topic, 1);
        // ~100 bytes per record: spans several terms and index entries
        final int count = 3_000;
        produceValues(topic, count);
        final TopicPartition tp = new TopicPartition(topic, 0);
        try (Consumer consumer = Consumer.connect(broker.ipc(), new Consumer.Config()))
        {
            consumer.assign(List.of(tp));
            assertThat(consumer.position(tp)).as("LATEST reset").isEqualTo(count);

            consumer.seek(tp, 1_637);
            assertThat(consumer.position(tp)).isEqualTo(1_637);
            List<ConsumerRecord> records = Records.consume(consumer, 100);
            assertThat(records.get(0).offset()).isEqualTo(1_637);
            assertThat(text(records.get(0).value())).isEqualTo("value-1637");
            Records.assertDense(records, 1_637);
            assertThat(consumer.position(tp)).isEqualTo(1_637 + records.size());

            consumer.seek(tp, 17);
            records = Records.consume(consumer, 3);
            assertThat(records.get(0).offset()).isEqualTo(17);
            assertThat(text(records.get(0).value())).isEqualTo("value-17");

            consumer.seekToBeginning(List.of(tp));
            assertThat(consumer.position(tp)).isZero();
            records = Records.consumeExactly(consumer, count);
            Records.assertDense(records, 0);
            for (final ConsumerRecord record : records)
            {
                assertThat(text(record.value())).isEqualTo("value-" + record.offset());
            }
            assertThat(consumer.position(tp)).isEqualTo(count);

            consumer.seek(tp, count - 1);
            assertThat(Records.consumeExactly(consumer, 1).get(0).offset()).isEqualTo(count - 1);

            consumer.seekToEnd(List.of(tp));
            assertThat(consumer.position(tp)).isEqualTo(count);
            assertThat(consumer.poll(Duration.ofMillis(200))).isEmpty();
            produceValues(topic, 5);
            records = Records.consumeExactly(consumer, 5);
            Records.assertDense(records, count);
            assertThat(records).extracting((r) -> text(r.value()))
                .containsExactly("value-0", "value-1", "value-2", "value-3", "value-4");
        }
    }

    @Test
    void shouldLookUpOffsetsByTimeAndBounds()
    {
        final String topic = "times";
        broker.createTopic(topic, 2);
        final long base = System.currentTimeMillis() - 60_000;
        final int count = 2_000;
        try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config().lingerMs(2)))
        {
            for (int i = 0; i < count; i++)
            {
                producer.send(new ProducerRecord(topic, 0, base + 10L * i, null, bytes("t" + i), List.of()));
            }
            producer.flush();
        }
        final TopicPartition p0 = new TopicPartition(topic, 0);
        final TopicPartition p1 = new TopicPartition(topic, 1);
        try (Consumer consumer = Consumer.connect(broker.ipc(), EARLIEST))
        {
            final Map<TopicPartition, Long> query = new LinkedHashMap<>();
            query.put(p0, base + 255);
            query.put(p1, base);
            final Map<TopicPartition, Long> found = consumer.offsetsForTimes(query);
            assertThat(found.get(p0)).isEqualTo(26L);
            assertThat(found.get(p1)).as("empty partition").isNull();

            assertThat(consumer.offsetsForTimes(Map.of(p0, base - 1_000_000))).containsEntry(p0, 0L);
            assertThat(consumer.offsetsForTimes(Map.of(p0, base))).containsEntry(p0, 0L);
            assertThat(consumer.offsetsForTimes(Map.of(p0, base + 10L * 1_234))).containsEntry(p0, 1_234L);
            assertThat(consumer.offsetsForTimes(Map.of(p0, base + 10L * (count - 1)))).containsEntry(p0, count - 1L);
            assertThat(consumer.offsetsForTimes(Map.of(p0, base + 10L * count))).containsEntry(p0, null);

            assertThat(consumer.beginningOffsets(List.of(p0, p1))).containsEntry(p0, 0L).containsEntry(p1, 0L);
            assertThat(consumer.endOffsets(List.of(p0, p1))).containsEntry(p0, (long)count).containsEntry(p1, 0L);

            // the looked-up offset is where reading starts
            consumer.assign(List.of(p0));
            consumer.seek(p0, found.get(p0));
            final ConsumerRecord record = Records.consume(consumer, 1).get(0);
            assertThat(record.offset()).isEqualTo(26);
            assertThat(record.timestamp()).isEqualTo(base + 260);
        }
    }

    @Test
    void shouldCatchUpFromArchiveThenTailLiveWithoutGapOrDuplicate() throws Exception
    {
        final String topic = "tail";
        broker.createTopic(topic, 1);
        final int count = 20_000;
        final AtomicLong acknowledged = new AtomicLong();
        final ExecutorService executor = Executors.newSingleThreadExecutor();
        try
        {
            final Future<?> producing = executor.submit(() ->
            {
                try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config().acks(Acks.LEADER)))
                {
                    for (int i = 0; i < count; i++)
                    {
                        final CompletableFuture<?> sent = producer.send(
                            new ProducerRecord(topic, 0, -1, null, bytes("r" + i), List.of()));
                        sent.thenRun(acknowledged::incrementAndGet);
                        if (0 == i % 50)
                        {
                            producer.flush(); // pace the producer so the consumer joins mid-stream
                        }
                    }
                    producer.flush();
                }
                return null;
            });
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(5))
                .until(() -> acknowledged.get() >= count / 10 || producing.isDone());
            if (producing.isDone())
            {
                producing.get();
                fail("producer finished before the consumer started");
            }

            try (Consumer consumer = Consumer.connect(broker.ipc(), EARLIEST))
            {
                consumer.assignAll(topic);
                final List<ConsumerRecord> records = Records.consume(consumer, 1);
                assertThat(acknowledged.get()).as("consumer started while producing").isLessThan(count);
                records.addAll(Records.consumeExactly(consumer, count - records.size()));
                producing.get(15, TimeUnit.SECONDS);
                assertThat(records).hasSize(count);
                for (int i = 0; i < count; i++)
                {
                    assertThat(records.get(i).offset()).isEqualTo(i);
                    assertThat(text(records.get(i).value())).isEqualTo("r" + i);
                }
            }
        }
        finally
        {
            executor.shutdownNow();
        }
    }

    @Test
    void shouldDeliverInOrderWhenBatchesAreSplitAcrossSmallPolls()
    {
        final String topic = "small-polls";
        broker.createTopic(topic, 1);
        final int count = 500;
        // a long linger and a large batch size: a few batches of many records each
        try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config().lingerMs(60_000)))
        {
            Records.produce(producer, topic, 0, "s", count);
        }
        try (Consumer consumer = Consumer.connect(broker.ipc(), EARLIEST))
        {
            consumer.assignAll(topic);
            final List<Long> offsets = new ArrayList<>();
            final List<String> values = new ArrayList<>();
            final long deadlineNs = System.nanoTime() + Records.CONSUME_TIMEOUT.toNanos();
            while (offsets.size() < count)
            {
                if (System.nanoTime() > deadlineNs)
                {
                    fail("consumed " + offsets.size() + " of " + count);
                }
                final int before = offsets.size();
                consumer.poll((r) ->
                {
                    offsets.add(r.offset());
                    values.add(r.valueAsString());
                }, 3);
                assertThat(offsets.size() - before).as("records per poll").isLessThanOrEqualTo(3);
            }
            assertThat(consumer.poll(Duration.ofMillis(200))).isEmpty();
            for (int i = 0; i < count; i++)
            {
                assertThat(offsets.get(i)).isEqualTo(i);
                assertThat(values.get(i)).isEqualTo("s" + i);
            }
        }
    }
}
