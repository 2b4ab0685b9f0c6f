package io.aerolog.client;

import java.util.List;

/**
 * What a broker knows of a topic.
 *
 * @param name           of the topic.
 * @param topicId        the controller gave it.
 * @param retentionMs    how long records are kept, -1 for ever.
 * @param retentionBytes how many bytes a partition keeps, -1 without bound.
 * @param logAppendTime  whether records are stamped with the broker's time rather than their create time.
 * @param maxBatchBytes  largest record batch the broker accepts.
 * @param partitions     state of each partition.
 */
public record TopicInfo(
    String name,
    int topicId,
    long retentionMs,
    long retentionBytes,
    boolean logAppendTime,
    int maxBatchBytes,
    List<PartitionInfo> partitions)
{
    /**
     * State of one partition.
     *
     * @param partition      number.
     * @param leader         broker id of the leader.
     * @param logStartOffset first offset retained.
     * @param logEndOffset   next offset to be written.
     * @param highWatermark  offset below which records are acknowledged and readable.
     */
    public record PartitionInfo(int partition, int leader, long logStartOffset, long logEndOffset, long highWatermark)
    {
    }
}
