package io.aerolog.cli;

import io.aerolog.client.TopicInfo;

/**
 * Formats {@code aerolog topics describe} output: a header line for the topic, then one line per partition.
 */
final class TopicFormatter
{
    private TopicFormatter()
    {
    }

    /**
     * @param info of the topic.
     * @return e.g. {@code topic=t id=1 partitions=3 retention.ms=-1 retention.bytes=-1 timestamp=CreateTime
     * max.batch.bytes=1048576}.
     */
    static String header(final TopicInfo info)
    {
        return "topic=" + info.name() +
            " id=" + info.topicId() +
            " partitions=" + info.partitions().size() +
            " retention.ms=" + info.retentionMs() +
            " retention.bytes=" + info.retentionBytes() +
            " timestamp=" + (info.logAppendTime() ? "LogAppendTime" : "CreateTime") +
            " max.batch.bytes=" + info.maxBatchBytes();
    }

    /**
     * @param partition state.
     * @return e.g. {@code partition=0 leader=0 leaderEpoch=1 replicas=0,1,2 isr=0,1 logStartOffset=0
     * logEndOffset=10 highWatermark=10}; leader -1 when the partition is offline.
     */
    static String partition(final TopicInfo.PartitionInfo partition)
    {
        return "partition=" + partition.partition() +
            " leader=" + partition.leader() +
            " leaderEpoch=" + partition.leaderEpoch() +
            " replicas=" + ids(partition.replicas()) +
            " isr=" + ids(partition.isr()) +
            " logStartOffset=" + partition.logStartOffset() +
            " logEndOffset=" + partition.logEndOffset() +
            " highWatermark=" + partition.highWatermark();
    }

    private static String ids(final java.util.List<Integer> brokerIds)
    {
        final StringBuilder sb = new StringBuilder();
        for (final Integer id : brokerIds)
        {
            sb.append(sb.length() > 0 ? "," : "").append(id);
        }
        return sb.toString();
    }

    /**
     * @param broker as listed.
     * @return e.g. {@code broker=1 address=host1:9090 status=ALIVE partitionsLed=4}.
     */
    static String broker(final io.aerolog.client.BrokerInfo broker)
    {
        return "broker=" + broker.brokerId() +
            " address=" + broker.address() +
            " status=" + broker.status() +
            " partitionsLed=" + broker.partitionsLed();
    }
}
