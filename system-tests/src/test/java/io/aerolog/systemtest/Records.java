package io.aerolog.systemtest;

import io.aerolog.client.Consumer;
import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.Producer;
import io.aerolog.client.ProducerRecord;
import io.aerolog.client.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Producing and consuming helpers shared by the system tests.
 */
final class Records
{
    static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(15);

    private Records()
    {
    }

    static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(final byte[] bytes)
    {
        return null == bytes ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Sends {@code count} records with values {@code prefix + i} to a partition and waits for every acknowledgement.
     *
     * @return where each went, in send order.
     */
    static List<RecordMetadata> produce(
        final Producer producer, final String topic, final int partition, final String prefix, final int count)
    {
        final List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            futures.add(producer.send(
                new ProducerRecord(topic, partition, -1, null, bytes(prefix + i), List.of())));
        }
        producer.flush();
        final List<RecordMetadata> result = new ArrayList<>(count);
        for (final CompletableFuture<RecordMetadata> future : futures)
        {
            assertThat(future).isDone();
            result.add(future.join());
        }
        return result;
    }

    /**
     * Polls until exactly {@code count} records have arrived (failing after a timeout), then checks for a short
     * while that no more arrive.
     */
    static List<ConsumerRecord> consumeExactly(final Consumer consumer, final int count)
    {
        final List<ConsumerRecord> records = consume(consumer, count);
        assertThat(consumer.poll(Duration.ofMillis(200))).as("records beyond the expected %d", count).isEmpty();
        return records;
    }

    /** Polls until at least {@code count} records have arrived, failing after a timeout. */
    static List<ConsumerRecord> consume(final Consumer consumer, final int count)
    {
        final List<ConsumerRecord> records = new ArrayList<>(count);
        final long deadlineNs = System.nanoTime() + CONSUME_TIMEOUT.toNanos();
        while (records.size() < count)
        {
            if (System.nanoTime() > deadlineNs)
            {
                fail("consumed " + records.size() + " of " + count + " records within " + CONSUME_TIMEOUT +
                    "; last: " + (records.isEmpty() ? "none" : describe(records.get(records.size() - 1))));
            }
            records.addAll(consumer.poll(Duration.ofMillis(50)));
        }
        return records;
    }

    /** Asserts each partition's records have dense offsets from {@code firstOffset} in order. */
    static void assertDense(final List<ConsumerRecord> records, final long firstOffset)
    {
        final Map<Integer, Long> next = new TreeMap<>();
        for (final ConsumerRecord record : records)
        {
            final long expected = next.getOrDefault(record.partition(), firstOffset);
            assertThat(record.offset()).as("offset in partition %d", record.partition()).isEqualTo(expected);
            next.put(record.partition(), expected + 1);
        }
    }

    static String describe(final ConsumerRecord record)
    {
        return record.topic() + "-" + record.partition() + "@" + record.offset() + "=" + text(record.value());
    }

    static long millisSince(final long startNs)
    {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
    }
}
