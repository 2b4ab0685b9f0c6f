package io.aerolog.client.partition;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RoundRobinPartitionerTest
{
    private final RoundRobinPartitioner partitioner = new RoundRobinPartitioner();

    @Test
    void shouldCyclePartitionsForEveryRecord()
    {
        for (int i = 0; i < 10; i++)
        {
            assertThat(partitioner.partition("t", null, 0, -1, 3)).isEqualTo(i % 3);
        }
    }

    @Test
    void shouldIgnoreKey()
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[]{ 'f', 'o', 'o' });

        assertThat(partitioner.partition("t", key, 0, 3, 4)).isEqualTo(0);
        assertThat(partitioner.partition("t", key, 0, 3, 4)).isEqualTo(1);
        assertThat(partitioner.partition("t", null, 0, -1, 4)).isEqualTo(2);
        assertThat(partitioner.partition("t", key, 0, 3, 4)).isEqualTo(3);
        assertThat(partitioner.partition("t", key, 0, 3, 4)).isEqualTo(0);
    }

    @Test
    void shouldCycleEachTopicIndependently()
    {
        assertThat(partitioner.partition("a", null, 0, -1, 2)).isEqualTo(0);
        assertThat(partitioner.partition("a", null, 0, -1, 2)).isEqualTo(1);
        assertThat(partitioner.partition("b", null, 0, -1, 2)).isEqualTo(0);
        assertThat(partitioner.partition("a", null, 0, -1, 2)).isEqualTo(0);
    }

    @Test
    void shouldNotChangeCycleOnNewBatch()
    {
        assertThat(partitioner.partition("t", null, 0, -1, 3)).isEqualTo(0);
        partitioner.onNewBatch("t", 3, 0);
        assertThat(partitioner.partition("t", null, 0, -1, 3)).isEqualTo(1);
    }
}
