package io.aerolog.client.partition;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DefaultPartitionerTest
{
    private static final String TOPIC = "orders";

    private final DefaultPartitioner partitioner = new DefaultPartitioner();
    private final UnsafeBuffer keyBuffer = new UnsafeBuffer(new byte[64]);

    @Test
    void shouldPartitionKeyedRecordsAsKafka()
    {
        assertThat(partitionForKey("foobar", 6)).isEqualTo(Murmur2.toPositive(-790332482) % 6).isZero();
        assertThat(partitionForKey("21", 10)).isEqualTo(Murmur2.toPositive(-973932308) % 10);
        assertThat(partitionForKey("a-little-bit-long-string", 3)).isEqualTo(Murmur2.toPositive(-985981536) % 3);
        assertThat(partitionForKey("abc", 100)).isEqualTo(479470107 % 100);
    }

    @Test
    void shouldPartitionSameKeyToSamePartitionRegardlessOfBatches()
    {
        final int partition = partitionForKey("foobar", 6);
        partitioner.onNewBatch(TOPIC, 6, partition);

        assertThat(partitionForKey("foobar", 6)).isEqualTo(partition);
    }

    @Test
    void shouldHashEmptyKey()
    {
        assertThat(partitioner.partition(TOPIC, keyBuffer, 0, 0, 7))
            .isEqualTo(Murmur2.toPositive(Murmur2.hash(new byte[0])) % 7);
    }

    @Test
    void shouldStickToOnePartitionForKeylessRecordsUntilNewBatch()
    {
        final int numPartitions = 5;
        final int first = partitioner.partition(TOPIC, null, 0, -1, numPartitions);
        assertThat(first).isBetween(0, numPartitions - 1);

        for (int i = 0; i < 100; i++)
        {
            assertThat(partitioner.partition(TOPIC, null, 0, -1, numPartitions)).isEqualTo(first);
            // A key length of -1 marks a keyless record even with a buffer.
            assertThat(partitioner.partition(TOPIC, keyBuffer, 0, -1, numPartitions)).isEqualTo(first);
        }

        partitioner.onNewBatch(TOPIC, numPartitions, first);
        final int second = partitioner.partition(TOPIC, null, 0, -1, numPartitions);
        assertThat(second).isEqualTo((first + 1) % numPartitions);
        assertThat(partitioner.partition(TOPIC, null, 0, -1, numPartitions)).isEqualTo(second);

        // A new batch for a partition no longer sticky, e.g. reported late, does not move on again.
        partitioner.onNewBatch(TOPIC, numPartitions, first);
        assertThat(partitioner.partition(TOPIC, null, 0, -1, numPartitions)).isEqualTo(second);
    }

    @Test
    void shouldCycleThroughAllPartitionsWithNewBatches()
    {
        final int numPartitions = 4;
        final boolean[] seen = new boolean[numPartitions];
        for (int i = 0; i < numPartitions; i++)
        {
            final int partition = partitioner.partition(TOPIC, null, 0, -1, numPartitions);
            seen[partition] = true;
            partitioner.onNewBatch(TOPIC, numPartitions, partition);
        }

        assertThat(seen).containsOnly(true);
    }

    @Test
    void shouldKeepStickyPartitionPerTopic()
    {
        final int a = partitioner.partition("a", null, 0, -1, 8);
        final int b = partitioner.partition("b", null, 0, -1, 8);

        partitioner.onNewBatch("a", 8, a);

        assertThat(partitioner.partition("a", null, 0, -1, 8)).isEqualTo((a + 1) % 8);
        assertThat(partitioner.partition("b", null, 0, -1, 8)).isEqualTo(b);
    }

    @Test
    void shouldUseOnlyPartitionOfSinglePartitionTopic()
    {
        assertThat(partitioner.partition(TOPIC, null, 0, -1, 1)).isZero();
        partitioner.onNewBatch(TOPIC, 1, 0);
        assertThat(partitioner.partition(TOPIC, null, 0, -1, 1)).isZero();
    }

    @Test
    void shouldRejectNoPartitions()
    {
        assertThatThrownBy(() -> partitioner.partition(TOPIC, null, 0, -1, 0))
            .isInstanceOf(IllegalArgumentException.class);
    }

    private int partitionForKey(final String key, final int numPartitions)
    {
        final byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        keyBuffer.putBytes(5, bytes);

        return partitioner.partition(TOPIC, keyBuffer, 5, bytes.length, numPartitions);
    }
}
