package io.aerolog.cluster;

import java.util.Arrays;
import java.util.Objects;

/**
 * Immutable description of a topic as held by the controller.
 * <p>
 * Partition {@code p} of the topic logs on Aeron stream id {@link #firstStreamId()} {@code + p}.
 */
public final class TopicMetadata
{
    /**
     * Value of {@link #retentionMs()} and {@link #retentionBytes()} meaning no limit.
     */
    public static final long UNLIMITED = -1;

    /**
     * {@link #timestampType()} for producer supplied create time.
     */
    public static final int CREATE_TIME = 0;

    /**
     * {@link #timestampType()} for broker assigned log-append time.
     */
    public static final int LOG_APPEND_TIME = 1;

    private final int topicId;
    private final String name;
    private final int partitions;
    private final long retentionMs;
    private final long retentionBytes;
    private final int timestampType;
    private final int firstStreamId;
    private final long[] logStartOffsets;

    /**
     * Construct a topic description. The log start offsets are copied.
     *
     * @param topicId         unique id assigned by the controller, never reused.
     * @param name            of the topic.
     * @param partitions      number of partitions.
     * @param retentionMs     retention by age in milliseconds or {@link #UNLIMITED}.
     * @param retentionBytes  retention by size in bytes per partition or {@link #UNLIMITED}.
     * @param timestampType   {@link #CREATE_TIME} or {@link #LOG_APPEND_TIME}.
     * @param firstStreamId   stream id of partition 0, partition p uses {@code firstStreamId + p}.
     * @param logStartOffsets one per partition, copied.
     * @throws IllegalArgumentException if the number of log start offsets is not the number of partitions.
     */
    public TopicMetadata(
        final int topicId,
        final String name,
        final int partitions,
        final long retentionMs,
        final long retentionBytes,
        final int timestampType,
        final int firstStreamId,
        final long[] logStartOffsets)
    {
        if (logStartOffsets.length != partitions)
        {
            throw new IllegalArgumentException(
                "logStartOffsets.length=" + logStartOffsets.length + " != partitions=" + partitions);
        }

        this.topicId = topicId;
        this.name = Objects.requireNonNull(name, "name");
        this.partitions = partitions;
        this.retentionMs = retentionMs;
        this.retentionBytes = retentionBytes;
        this.timestampType = timestampType;
        this.firstStreamId = firstStreamId;
        this.logStartOffsets = logStartOffsets.clone();
    }

    /**
     * Unique id of the topic, assigned by the controller from 1 and never reused.
     *
     * @return unique id of the topic.
     */
    public int topicId()
    {
        return topicId;
    }

    /**
     * Name of the topic.
     *
     * @return name of the topic.
     */
    public String name()
    {
        return name;
    }

    /**
     * Number of partitions.
     *
     * @return number of partitions.
     */
    public int partitions()
    {
        return partitions;
    }

    /**
     * Retention by age in milliseconds, or {@link #UNLIMITED}.
     *
     * @return retention by age in milliseconds, or {@link #UNLIMITED}.
     */
    public long retentionMs()
    {
        return retentionMs;
    }

    /**
     * Retention by size in bytes per partition, or {@link #UNLIMITED}.
     *
     * @return retention by size in bytes per partition, or {@link #UNLIMITED}.
     */
    public long retentionBytes()
    {
        return retentionBytes;
    }

    /**
     * Timestamp type: {@link #CREATE_TIME} or {@link #LOG_APPEND_TIME}.
     *
     * @return timestamp type.
     */
    public int timestampType()
    {
        return timestampType;
    }

    /**
     * Stream id of partition 0.
     *
     * @return stream id of partition 0.
     */
    public int firstStreamId()
    {
        return firstStreamId;
    }

    /**
     * Stream id on which a partition logs.
     *
     * @param partition index from 0.
     * @return {@link #firstStreamId()} {@code + partition}.
     * @throws IndexOutOfBoundsException if the partition does not exist.
     */
    public int streamId(final int partition)
    {
        Objects.checkIndex(partition, partitions);
        return firstStreamId + partition;
    }

    /**
     * Log start offset of a partition: offsets below it have been deleted by retention or explicitly.
     *
     * @param partition index from 0.
     * @return the log start offset of the partition.
     * @throws IndexOutOfBoundsException if the partition does not exist.
     */
    public long logStartOffset(final int partition)
    {
        return logStartOffsets[Objects.checkIndex(partition, partitions)];
    }

    /**
     * Copy of the log start offsets, one per partition.
     *
     * @return a new array of log start offsets.
     */
    public long[] logStartOffsets()
    {
        return logStartOffsets.clone();
    }

    /**
     * Copy of this topic with the log start offset of one partition replaced.
     *
     * @param partition      index from 0.
     * @param logStartOffset the new value.
     * @return a new instance.
     */
    public TopicMetadata withLogStartOffset(final int partition, final long logStartOffset)
    {
        final long[] offsets = logStartOffsets.clone();
        offsets[Objects.checkIndex(partition, partitions)] = logStartOffset;

        return new TopicMetadata(
            topicId, name, partitions, retentionMs, retentionBytes, timestampType, firstStreamId, offsets);
    }

    /**
     * {@inheritDoc}
     */
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }

        if (!(o instanceof TopicMetadata))
        {
            return false;
        }

        final TopicMetadata that = (TopicMetadata)o;

        return topicId == that.topicId &&
            partitions == that.partitions &&
            retentionMs == that.retentionMs &&
            retentionBytes == that.retentionBytes &&
            timestampType == that.timestampType &&
            firstStreamId == that.firstStreamId &&
            name.equals(that.name) &&
            Arrays.equals(logStartOffsets, that.logStartOffsets);
    }

    /**
     * {@inheritDoc}
     */
    public int hashCode()
    {
        return 31 * Objects.hash(topicId, name, partitions, retentionMs, retentionBytes, timestampType, firstStreamId) +
            Arrays.hashCode(logStartOffsets);
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "TopicMetadata{" +
            "topicId=" + topicId +
            ", name='" + name + '\'' +
            ", partitions=" + partitions +
            ", retentionMs=" + retentionMs +
            ", retentionBytes=" + retentionBytes +
            ", timestampType=" + timestampType +
            ", firstStreamId=" + firstStreamId +
            '}';
    }
}
