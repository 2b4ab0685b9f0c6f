package io.aerolog.cli;

import io.aerolog.client.TopicInfo;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FormattingTest
{
    @Test
    void electLeadersPrintsEachPartitionWhoseLeaderMoved()
    {
        final TopicInfo before = new TopicInfo("orders", 4, -1, -1, false, 1_048_576, List.of(
            new TopicInfo.PartitionInfo(0, 1, 0, 10, 10, 3, List.of(0, 1, 2), List.of(0, 1, 2)),
            new TopicInfo.PartitionInfo(1, 1, 0, 10, 10, 0, List.of(1, 2, 0), List.of(1, 2, 0))));
        final TopicInfo after = new TopicInfo("orders", 4, -1, -1, false, 1_048_576, List.of(
            new TopicInfo.PartitionInfo(0, 0, 0, 10, 10, 4, List.of(0, 1, 2), List.of(0, 1, 2)),
            new TopicInfo.PartitionInfo(1, 1, 0, 10, 10, 0, List.of(1, 2, 0), List.of(1, 2, 0))));

        assertThat(ElectLeadersCommand.movedLines(java.util.Map.of("orders", before), java.util.Map.of("orders", after)))
            .containsExactly("orders-0: leader 1 -> 0 (epoch 4)");
        assertThat(ElectLeadersCommand.movedLines(java.util.Map.of("orders", after), java.util.Map.of("orders", after)))
            .isEmpty();
    }

    @Test
    void describeLines()
    {
        final TopicInfo info = new TopicInfo("orders", 4, 604_800_000L, -1, false, 1_048_576,
            List.of(new TopicInfo.PartitionInfo(0, 0, 0, 10, 9), new TopicInfo.PartitionInfo(1, 0, 5, 5, 5)));

        assertThat(TopicFormatter.header(info)).isEqualTo("topic=orders id=4 partitions=2 retention.ms=604800000 " +
            "retention.bytes=-1 timestamp=CreateTime max.batch.bytes=1048576");
        assertThat(TopicFormatter.partition(info.partitions().get(0)))
            .isEqualTo("partition=0 leader=0 leaderEpoch=0 replicas=0 isr=0 logStartOffset=0 logEndOffset=10 " +
            "highWatermark=9");
        assertThat(TopicFormatter.partition(info.partitions().get(1)))
            .isEqualTo("partition=1 leader=0 leaderEpoch=0 replicas=0 isr=0 logStartOffset=5 logEndOffset=5 " +
            "highWatermark=5");
        assertThat(TopicFormatter.partition(new TopicInfo.PartitionInfo(2, -1, -1, -1, -1, 3, List.of(2, 0, 1),
            List.of()))).isEqualTo("partition=2 leader=-1 leaderEpoch=3 replicas=2,0,1 isr= logStartOffset=-1 " +
            "logEndOffset=-1 highWatermark=-1");
        assertThat(TopicFormatter.broker(new io.aerolog.client.BrokerInfo(1, "host1", 9090, "FENCED", 0)))
            .isEqualTo("broker=1 address=host1:9090 status=FENCED partitionsLed=0");
    }

    @Test
    void demoKeysRoundTrip()
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[16]);
        for (final int i : new int[]{ 0, 7, 99_999, Integer.MAX_VALUE })
        {
            final int length = DemoRecords.putKey(key, i);
            assertThat(key.getStringWithoutLengthAscii(0, length)).isEqualTo("key-" + i);
            assertThat(DemoRecords.keyIndex(key, length)).isEqualTo(i);
        }
    }

    @Test
    void foreignKeysAreNotDemoKeys()
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[32]);
        for (final String text : new String[]{ "key-", "kex-1", "key-1x", "key-99999999999", "k" })
        {
            key.putStringWithoutLengthAscii(0, text);
            assertThat(DemoRecords.keyIndex(key, text.length())).as(text).isEqualTo(-1);
        }
    }
}
