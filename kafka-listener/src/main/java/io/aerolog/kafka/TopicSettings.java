package io.aerolog.kafka;

import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.protocol.Errors;

/**
 * A Kafka CreateTopics entry as Aerolog topic settings. Of Kafka's topic configs it applies {@code retention.ms},
 * {@code retention.bytes}, {@code message.timestamp.type}, {@code min.insync.replicas} and
 * {@code cleanup.policy} (a {@code compact} topic keeps every record: Aerolog does not compact, and deleting by
 * time or size would lose state that a compacted topic keeps); it accepts the other configs Kafka's tools send
 * without applying them, and refuses unknown ones.
 *
 * @param partitions        how many.
 * @param replicationFactor replicas per partition, or -1 for the broker's default.
 * @param minInsyncReplicas for acks=all, or -1 for the broker's default.
 * @param retentionMs       -1 for ever.
 * @param retentionBytes    -1 without bound.
 * @param logAppendTime     stamp with the broker's time.
 */
record TopicSettings(
    int partitions,
    int replicationFactor,
    int minInsyncReplicas,
    long retentionMs,
    long retentionBytes,
    boolean logAppendTime)
{
    /** A config Aerolog cannot honour, with Kafka's error. */
    static final class InvalidSettingException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        final Errors error;

        InvalidSettingException(final Errors error, final String message)
        {
            super(message);
            this.error = error;
        }
    }

    private static final java.util.Set<String> ACCEPTED_UNAPPLIED = java.util.Set.of(
        "segment.bytes", "segment.ms", "max.message.bytes", "compression.type", "flush.messages", "flush.ms",
        "index.interval.bytes", "segment.index.bytes", "delete.retention.ms", "min.compaction.lag.ms",
        "max.compaction.lag.ms", "min.cleanable.dirty.ratio", "file.delete.delay.ms", "preallocate",
        "unclean.leader.election.enable", "message.timestamp.difference.max.ms",
        "message.timestamp.before.max.ms", "message.timestamp.after.max.ms", "segment.jitter.ms",
        "local.retention.ms", "local.retention.bytes", "remote.storage.enable", "follower.replication.throttled.replicas",
        "leader.replication.throttled.replicas", "message.downconversion.enable");

    static TopicSettings of(final CreateTopicsRequestData.CreatableTopic topic, final int defaultPartitions)
    {
        if (!topic.assignments().isEmpty())
        {
            throw new InvalidSettingException(Errors.INVALID_REQUEST,
                "manual replica assignment is not supported; give a partition count and replication factor");
        }
        final int partitions = topic.numPartitions() < 0 ? defaultPartitions : topic.numPartitions();
        if (partitions < 1)
        {
            throw new InvalidSettingException(Errors.INVALID_PARTITIONS, "partitions must be at least 1: " +
                partitions);
        }
        long retentionMs = -1;
        long retentionBytes = -1;
        boolean logAppendTime = false;
        int minInsync = -1;
        boolean compact = false;
        for (final CreateTopicsRequestData.CreatableTopicConfig config : topic.configs())
        {
            final String value = config.value();
            switch (config.name())
            {
                case "retention.ms" -> retentionMs = number(config.name(), value);
                case "retention.bytes" -> retentionBytes = number(config.name(), value);
                case "min.insync.replicas" -> minInsync = (int)number(config.name(), value);
                case "message.timestamp.type" ->
                {
                    if ("LogAppendTime".equals(value))
                    {
                        logAppendTime = true;
                    }
                    else if (null != value && !"CreateTime".equals(value))
                    {
                        throw new InvalidSettingException(Errors.INVALID_CONFIG,
                            "message.timestamp.type is CreateTime or LogAppendTime, not " + value);
                    }
                }
                case "cleanup.policy" ->
                {
                    if (null != value && value.contains("compact"))
                    {
                        compact = true;
                    }
                    else if (null != value && !"delete".equals(value))
                    {
                        throw new InvalidSettingException(Errors.INVALID_CONFIG,
                            "cleanup.policy is delete or compact, not " + value);
                    }
                }
                default ->
                {
                    if (!ACCEPTED_UNAPPLIED.contains(config.name()))
                    {
                        throw new InvalidSettingException(Errors.INVALID_CONFIG, "unknown topic config " +
                            config.name());
                    }
                }
            }
        }
        if (compact)
        {
            retentionMs = -1;
            retentionBytes = -1;
        }
        return new TopicSettings(partitions, topic.replicationFactor() < 0 ? -1 : topic.replicationFactor(),
            minInsync, retentionMs < 0 ? -1 : retentionMs, retentionBytes < 0 ? -1 : retentionBytes, logAppendTime);
    }

    private static long number(final String name, final String value)
    {
        try
        {
            return Long.parseLong(value.trim());
        }
        catch (final RuntimeException ex)
        {
            throw new InvalidSettingException(Errors.INVALID_CONFIG, name + " must be a number: " + value);
        }
    }
}
