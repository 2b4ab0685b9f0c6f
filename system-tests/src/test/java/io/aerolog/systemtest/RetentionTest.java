package io.aerolog.systemtest;

import io.aerolog.client.Admin;
import io.aerolog.client.AerologException;
import io.aerolog.client.Consumer;
import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.Producer;
import io.aerolog.client.ProducerRecord;
import io.aerolog.client.TopicPartition;
import io.aerolog.codecs.wire.ErrorCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.List;

import static io.aerolog.systemtest.Records.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Retention by size and by time drops whole segments from the front of a partition log and moves its start offset;
 * reads below it are out of range.
 */
class RetentionTest
{
    private static final int RECORD_BYTES = 1_000;
    private static final int RECORDS = 1_500; // ~1.5 MB: about six 256 KiB segments

    @TempDir
    static File dir;
    static TestBroker broker;

    @BeforeAll
    static void launch()
    {
        broker = TestBroker.launch(dir, (ctx) -> ctx.retentionCheckIntervalMs(200));
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

    @Test
    void shouldPurgeByRetentionBytes()
    {
        final String topic = "by-size";
        try (Admin admin = Admin.connect(broker.ipc()))
        {
            admin.createTopic(topic, 1, -1, 300_000, false);
        }
        produce(topic, -1);
        // Whole segments go, while what is left exceeds the retention: it settles at no more than 300 KB.
        final long logStart = awaitRetainedAtMost(topic, 300_000);
        assertOutOfRangeBelowLogStart(topic, logStart);
    }

    @Test
    void shouldPurgeByRetentionMs()
    {
        final String topic = "by-time";
        try (Admin admin = Admin.connect(broker.ipc()))
        {
            admin.createTopic(topic, 1, 60_000, -1, false);
        }
        produce(topic, System.currentTimeMillis() - 3_600_000);
        // Every record is too old, but the active segment stays: it settles at one segment or less.
        final long logStart = awaitRetainedAtMost(topic, TestBroker.SEGMENT_LENGTH);
        assertOutOfRangeBelowLogStart(topic, logStart);
    }

    /**
     * As in Kafka, retention does not wait for consumers: one that lags behind the purge (here it started reading
     * at 0 and then stopped polling, so its replay sits in the first segment) loses the purged records and carries
     * on from the new log start (reset EARLIEST). The broker must not count that as an error.
     */
    @Test
    void shouldPurgeWhileALaggingConsumerStillReadsTheOldSegments()
    {
        final String topic = "lagging";
        try (Admin admin = Admin.connect(broker.ipc()))
        {
            admin.createTopic(topic, 1, -1, 300_000, false);
        }
        final TopicPartition tp = new TopicPartition(topic, 0);
        try (Consumer lagging = Consumer.connect(broker.ipc(),
            new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            lagging.assign(List.of(tp));
            assertThat(lagging.position(tp)).isZero(); // the broker is streaming the partition from offset 0
            produce(topic, -1);
            final long logStart = awaitRetainedAtMost(topic, 300_000);

            final List<ConsumerRecord> records = Records.consume(lagging, 1);
            long expected = 0;
            boolean jumped = false;
            while (expected < RECORDS)
            {
                for (final ConsumerRecord record : records)
                {
                    if (record.offset() != expected && !jumped && expected < logStart)
                    {
                        jumped = true;
                        expected = record.offset();
                        assertThat(expected).as("reset to the log start").isGreaterThanOrEqualTo(logStart);
                    }
                    assertThat(record.offset()).isEqualTo(expected);
                    expected++;
                }
                records.clear();
                if (expected < RECORDS)
                {
                    records.addAll(Records.consume(lagging, 1));
                }
            }
            assertThat(jumped).as("the lagging consumer lost the purged records").isTrue();
        }
    }

    private static void produce(final String topic, final long timestamp)
    {
        final byte[] value = new byte[RECORD_BYTES - 40];
        try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config().lingerMs(2)))
        {
            for (int i = 0; i < RECORDS; i++)
            {
                producer.send(new ProducerRecord(topic, 0, timestamp, bytes("k" + i), value, List.of()));
            }
            producer.flush();
        }
    }

    /**
     * Waits until retention has settled: the log holds no more than a number of bytes (records are a little under
     * {@link #RECORD_BYTES} each in the log, and the next smaller state is a whole segment less).
     *
     * @return the log start offset then.
     */
    private static long awaitRetainedAtMost(final String topic, final long bytes)
    {
        final long maxRecords = bytes / (RECORD_BYTES - 100);
        try (Admin admin = Admin.connect(broker.ipc()))
        {
            final long logStart = await().atMost(Duration.ofSeconds(10)).pollInSameThread()
                .pollInterval(Duration.ofMillis(50))
                .until(() -> admin.describeTopic(topic).partitions().get(0).logStartOffset(),
                    (start) -> RECORDS - start <= maxRecords);
            assertThat(logStart).isPositive();
            assertThat(admin.describeTopic(topic).partitions().get(0).highWatermark()).isEqualTo(RECORDS);
            return logStart;
        }
    }

    private static void assertOutOfRangeBelowLogStart(final String topic, final long logStart)
    {
        final TopicPartition tp = new TopicPartition(topic, 0);
        try (Consumer consumer = Consumer.connect(broker.ipc(),
            new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.NONE)))
        {
            assertThat(consumer.beginningOffsets(List.of(tp))).containsEntry(tp, logStart);
            consumer.assign(List.of(tp));
            consumer.seek(tp, 0);
            assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(AerologException.class,
                    (ex) -> assertThat(ex.code()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE));

            // a position still in the log reads fine
            consumer.seek(tp, logStart);
            final ConsumerRecord first = Records.consume(consumer, 1).get(0);
            assertThat(first.offset()).isEqualTo(logStart);
            assertThat(Records.text(first.key())).isEqualTo("k" + logStart);
        }
        try (Consumer consumer = Consumer.connect(broker.ipc(),
            new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 0);
            final List<ConsumerRecord> records = Records.consumeExactly(consumer, (int)(RECORDS - logStart));
            Records.assertDense(records, logStart);
            assertThat(Records.text(records.get(0).key())).isEqualTo("k" + logStart);
        }
    }
}
