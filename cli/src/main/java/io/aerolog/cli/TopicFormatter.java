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
     * @return e.g. {@code partition=0 leader=0 logStartOffset=0 logEndOffset=10 highWatermark=10}.
     */
    static String partition(final TopicInfo.PartitionInfo partition)
    {
        return "partition=" + partition.partition() +
            " leader=" + partition.leader() +
            " logStartOffset=" + partition.logStartOffset() +
            " logEndOffset=" + partition.logEndOffset() +
            " highWatermark=" + partition.highWatermark();
    }
}
