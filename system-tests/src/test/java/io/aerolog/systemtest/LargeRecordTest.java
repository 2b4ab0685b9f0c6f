package io.aerolog.systemtest;

import io.aerolog.client.AerologException;
import io.aerolog.client.Consumer;
import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.Producer;
import io.aerolog.client.RecordMetadata;
import io.aerolog.codecs.wire.ErrorCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A 1 MiB record round-trips on a broker with the default 16 MiB log term; a record over the broker's batch limit
 * is refused.
 */
class LargeRecordTest
{
    private static final int MIB = 1024 * 1024;

    @TempDir
    static File dir;
    static TestBroker broker;

    @BeforeAll
    static void launch()
    {
        broker = TestBroker.launch(dir, (ctx) -> ctx.logTermLength(16 * MIB).segmentLength(64 * MIB));
    }

    @AfterAll
    static void close()
    {
        broker.close();
    }

    @AfterEach
    void noErrors()
    {
        broker.assertNoErrors();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldRoundTripOneMebibyteRecord(final Transport transport) throws Exception
    {
        final String topic = "large-" + transport;
        broker.createTopic(topic, 1);
        final byte[] value = new byte[MIB];
        ThreadLocalRandom.current().nextBytes(value);
        final byte[] key = Records.bytes("big");
        try (Producer producer = Producer.connect(transport.context(broker), new Producer.Config()))
        {
            final RecordMetadata first = producer.send(topic, key, value).get();
            final RecordMetadata second = producer.send(topic, null, Records.bytes("after")).get();
            assertThat(first.offset()).isZero();
            assertThat(second.offset()).isEqualTo(1);

            final int maxBatchBytes = broker.broker().context().maxBatchBytes();
            assertThat(maxBatchBytes).isGreaterThan(MIB);
            assertThatThrownBy(() -> producer.send(topic, null, new byte[maxBatchBytes + 1]))
                .isInstanceOfSatisfying(AerologException.class,
                    (ex) -> assertThat(ex.code()).isEqualTo(ErrorCode.RECORD_TOO_LARGE));
        }
        try (Consumer consumer = Consumer.connect(transport.context(broker),
            new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            consumer.assignAll(topic);
            final List<ConsumerRecord> records = Records.consumeExactly(consumer, 2);
            assertThat(records.get(0).offset()).isZero();
            assertThat(records.get(0).key()).isEqualTo(key);
            assertThat(records.get(0).value()).isEqualTo(value);
            assertThat(records.get(1).offset()).isEqualTo(1);
            assertThat(Records.text(records.get(1).value())).isEqualTo("after");
        }
    }
}
