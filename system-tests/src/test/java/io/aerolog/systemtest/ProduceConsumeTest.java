package io.aerolog.systemtest;

import io.aerolog.client.Admin;
import io.aerolog.client.AerologException;
import io.aerolog.client.Consumer;
import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.Producer;
import io.aerolog.client.ProducerRecord;
import io.aerolog.client.RecordMetadata;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.codecs.wire.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.aerolog.systemtest.Records.bytes;
import static io.aerolog.systemtest.Records.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Records go in and come out unchanged, once each, with dense offsets from 0 per partition, over IPC and UDP.
 */
class ProduceConsumeTest extends SharedBrokerTest
{
    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldRoundTripEveryRecordOnceWithDenseOffsets(final Transport transport) throws Exception
    {
        final String topic = "round-trip-" + transport;
        final int partitions = 3;
        broker.createTopic(topic, partitions);
        final long baseTime = 1_700_000_000_000L;
        final List<ProducerRecord> sent = new ArrayList<>();
        for (int i = 0; i < 60; i++)
        {
            final List<Map.Entry<String, byte[]>> headers = 0 == i % 3 ? List.of() : List.of(
                new SimpleImmutableEntry<>("trace", bytes("t-" + i)),
                new SimpleImmutableEntry<>("empty", new byte[0]));
            sent.add(new ProducerRecord(topic, i % partitions, baseTime + i, bytes("key-" + i), bytes("value-" + i),
                headers));
        }
        sent.add(new ProducerRecord(topic, 0, baseTime, null, bytes("no key"), List.of()));
        sent.add(new ProducerRecord(topic, 1, baseTime, bytes("deleted"), null, List.of()));
        sent.add(new ProducerRecord(topic, 2, baseTime, null, null, List.of()));
        sent.add(new ProducerRecord(topic, 2, baseTime, new byte[0], new byte[0], List.of()));

        final Map<String, ProducerRecord> byPosition = new HashMap<>();
        try (Producer producer = Producer.connect(transport.context(broker), new Producer.Config().acks(Acks.ALL)))
        {
            final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
            for (final ProducerRecord record : sent)
            {
                futures.add(producer.send(record));
            }
            producer.flush();
            final Map<Integer, Long> expectedNext = new HashMap<>();
            for (int i = 0; i < sent.size(); i++)
            {
                final RecordMetadata md = futures.get(i).get();
                assertThat(md.partition()).isEqualTo(sent.get(i).partition());
                final long expected = expectedNext.getOrDefault(md.partition(), 0L);
                assertThat(md.offset()).as("offset acknowledged for record %d", i).isEqualTo(expected);
                expectedNext.put(md.partition(), expected + 1);
                byPosition.put(md.partition() + "@" + md.offset(), sent.get(i));
            }
        }

        try (Consumer consumer = Consumer.connect(transport.context(broker),
            new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            consumer.assignAll(topic);
            final List<ConsumerRecord> received = Records.consumeExactly(consumer, sent.size());
            Records.assertDense(received, 0);
            for (final ConsumerRecord record : received)
            {
                final ProducerRecord expected = byPosition.remove(record.partition() + "@" + record.offset());
                assertThat(expected).as("record %s", Records.describe(record)).isNotNull();
                assertThat(record.topic()).isEqualTo(topic);
                assertThat(record.timestamp()).isEqualTo(expected.timestamp());
                assertThat(record.key()).isEqualTo(expected.key());
                assertThat(record.value()).isEqualTo(expected.value());
                assertThat(record.headers()).hasSameSizeAs(expected.headers());
                for (int h = 0; h < expected.headers().size(); h++)
                {
                    assertThat(record.headers().get(h).getKey()).isEqualTo(expected.headers().get(h).getKey());
                    assertThat(record.headers().get(h).getValue()).isEqualTo(expected.headers().get(h).getValue());
                }
            }
            assertThat(byPosition).as("records never consumed").isEmpty();
        }
    }

    /** Regression: the answer to a Connect was offered before the new response stream had a limit, and lost. */
    @Test
    void shouldOpenEverySessionWhenClientsComeAndGo()
    {
        broker.createTopic("sessions", 1);
        for (int i = 0; i < 150; i++)
        {
            final long startNs = System.nanoTime();
            try (Admin admin = Admin.connect(broker.ipc().connectTimeoutMs(5_000)))
            {
                assertThat(admin.listTopics()).contains("sessions");
            }
            assertThat(Records.millisSince(startNs)).as("session %d", i).isLessThan(5_000);
        }
    }

    @Test
    void shouldRefuseRecordLargerThanBrokerMaxBatchBytes() throws Exception
    {
        final String topic = "too-large";
        broker.createTopic(topic, 1);
        final int maxBatchBytes = broker.broker().context().maxBatchBytes();
        try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config()))
        {
            assertThatThrownBy(() -> producer.send(topic, null, new byte[maxBatchBytes + 1]))
                .isInstanceOfSatisfying(AerologException.class,
                    (ex) -> assertThat(ex.code()).isEqualTo(ErrorCode.RECORD_TOO_LARGE));

            // The producer is still usable, and the refused record took no offset.
            final RecordMetadata md = producer.send(topic, null, bytes("small")).get();
            assertThat(md.offset()).isZero();
        }
        try (Consumer consumer = Consumer.connect(broker.ipc(),
            new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            consumer.assignAll(topic);
            assertThat(Records.consumeExactly(consumer, 1)).extracting((r) -> text(r.value())).containsExactly("small");
        }
    }
}
