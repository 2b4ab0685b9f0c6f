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
     * @param leaderEpoch    bumped with every new leader, -1 when unknown.
     * @param replicas       broker ids of every replica, the preferred leader first.
     * @param isr            broker ids of the in-sync replicas.
     */
    public record PartitionInfo(
        int partition,
        int leader,
        long logStartOffset,
        long logEndOffset,
        long highWatermark,
        int leaderEpoch,
        List<Integer> replicas,
        List<Integer> isr)
    {
        /** Broker id of the leader of a partition that has none (offline). */
        public static final int NO_LEADER = -1;

        /**
         * A partition with one replica, its leader, in sync.
         *
         * @param partition      number.
         * @param leader         broker id of the leader.
         * @param logStartOffset first offset retained.
         * @param logEndOffset   next offset to be written.
         * @param highWatermark  offset below which records are acknowledged and readable.
         */
        public PartitionInfo(
            final int partition, final int leader, final long logStartOffset, final long logEndOffset,
            final long highWatermark)
        {
            this(partition, leader, logStartOffset, logEndOffset, highWatermark, 0, List.of(leader), List.of(leader));
        }

        /**
         * @param offsets the same partition as its leader describes it.
         * @return this partition's replication state with the leader's offsets.
         */
        public PartitionInfo withOffsetsOf(final PartitionInfo offsets)
        {
            return new PartitionInfo(partition, leader, offsets.logStartOffset, offsets.logEndOffset,
                offsets.highWatermark, leaderEpoch, replicas, isr);
        }
    }
}
