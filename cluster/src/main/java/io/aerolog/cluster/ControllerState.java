package io.aerolog.cluster;

import io.aerolog.codecs.wire.ErrorCode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The deterministic replicated state of the controller: topics, and the id allocators for topics, partition stream
 * ids and producer ids.
 * <p>
 * No Aeron types and no clocks, so every replica applying the same commands in the same order ends in the same
 * state. Iteration is always in topic id order. Operations return an {@link ErrorCode} value; on success
 * {@link #lastTopic()} holds the topic affected, on failure {@link #lastErrorMessage()} says why.
 * <p>
 * <b>Not thread-safe:</b> owned by the service thread.
 */
public final class ControllerState
{
    /**
     * First topic id allocated.
     */
    public static final int FIRST_TOPIC_ID = 1;

    /**
     * First partition stream id allocated; lower ids are left for control streams. A broker's IPC streams other than
     * partition logs must stay below it: a partition's recording records every IPC image of its stream id.
     */
    public static final int FIRST_STREAM_ID = 1000;

    /**
     * First producer id allocated.
     */
    public static final long FIRST_PRODUCER_ID = 1;

    /**
     * Maximum length of a topic name, as in Kafka.
     */
    public static final int MAX_TOPIC_NAME_LENGTH = 249;

    /**
     * Maximum number of partitions of a topic.
     */
    public static final int MAX_PARTITIONS = 10_000;

    private static final int NONE = ErrorCode.NONE.value();

    // Sorted by id so snapshots and metadata answers are produced in the same order on every replica.
    private final ControllerLimits limits;
    private final TreeMap<Integer, TopicMetadata> topicsById = new TreeMap<>();
    private final HashMap<String, TopicMetadata> topicsByName = new HashMap<>();
    private int nextTopicId = FIRST_TOPIC_ID;
    private int nextStreamId = FIRST_STREAM_ID;
    private long nextProducerId = FIRST_PRODUCER_ID;
    private TopicMetadata lastTopic;
    private boolean lastChanged;
    private String lastErrorMessage;

    /**
     * An empty state with the {@link ControllerLimits#DEFAULT} caps.
     */
    public ControllerState()
    {
        this(ControllerLimits.DEFAULT);
    }

    /**
     * An empty state.
     *
     * @param limits caps on the number of topics and partitions per topic.
     */
    public ControllerState(final ControllerLimits limits)
    {
        this.limits = limits;
    }

    /**
     * The caps this state keeps to.
     *
     * @return the caps.
     */
    public ControllerLimits limits()
    {
        return limits;
    }

    /**
     * Create a topic after validating its parameters.
     *
     * @param name           Kafka topic name: 1..249 chars of {@code [a-zA-Z0-9._-]}, not "." or "..".
     * @param partitions     1..{@link ControllerLimits#maxPartitionsPerTopic()}.
     * @param retentionMs    {@code >= -1}, -1 for unlimited.
     * @param retentionBytes {@code >= -1}, -1 for unlimited.
     * @param timestampType  {@link TopicMetadata#CREATE_TIME} or {@link TopicMetadata#LOG_APPEND_TIME}.
     * @return {@link ErrorCode#NONE}, {@link ErrorCode#INVALID_TOPIC}, {@link ErrorCode#INVALID_PARTITIONS},
     * {@link ErrorCode#INVALID_CONFIG}, {@link ErrorCode#TOPIC_ALREADY_EXISTS} or {@link ErrorCode#LIMIT_REACHED}
     * (already {@link ControllerLimits#maxTopics()} topics) value.
     */
    public int createTopic(
        final String name,
        final int partitions,
        final long retentionMs,
        final long retentionBytes,
        final int timestampType)
    {
        reset();

        final String invalidNameReason = invalidTopicNameReason(name);
        if (null != invalidNameReason)
        {
            return fail(ErrorCode.INVALID_TOPIC, invalidNameReason);
        }

        final int maxPartitions = limits.maxPartitionsPerTopic();
        if (partitions < 1 || partitions > maxPartitions)
        {
            return fail(ErrorCode.INVALID_PARTITIONS, "partitions must be in 1.." + maxPartitions + ": " + partitions);
        }

        if (retentionMs < -1)
        {
            return fail(ErrorCode.INVALID_CONFIG, "retentionMs must be >= -1: " + retentionMs);
        }

        if (retentionBytes < -1)
        {
            return fail(ErrorCode.INVALID_CONFIG, "retentionBytes must be >= -1: " + retentionBytes);
        }

        if (TopicMetadata.CREATE_TIME != timestampType && TopicMetadata.LOG_APPEND_TIME != timestampType)
        {
            return fail(ErrorCode.INVALID_CONFIG, "timestampType must be 0 or 1: " + timestampType);
        }

        if (topicsByName.containsKey(name))
        {
            return fail(ErrorCode.TOPIC_ALREADY_EXISTS, "topic already exists: " + name);
        }

        if (topicsById.size() >= limits.maxTopics())
        {
            return fail(ErrorCode.LIMIT_REACHED, "topic limit reached: " + limits.maxTopics());
        }

        if ((long)nextStreamId + partitions > Integer.MAX_VALUE || Integer.MAX_VALUE == nextTopicId)
        {
            return fail(ErrorCode.INVALID_PARTITIONS, "stream or topic ids exhausted");
        }

        final long[] logStartOffsets = new long[partitions];
        final TopicMetadata topic = new TopicMetadata(
            nextTopicId, name, partitions, retentionMs, retentionBytes, timestampType, nextStreamId, logStartOffsets);
        nextTopicId++;
        nextStreamId += partitions;
        put(topic);

        return succeed(topic);
    }

    /**
     * Delete a topic. Its topic id and stream ids are never reused.
     *
     * @param name of the topic.
     * @return {@link ErrorCode#NONE} or {@link ErrorCode#UNKNOWN_TOPIC_OR_PARTITION} value.
     */
    public int deleteTopic(final String name)
    {
        reset();

        final TopicMetadata topic = null == name ? null : topicsByName.remove(name);
        if (null == topic)
        {
            return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "unknown topic: " + name);
        }

        topicsById.remove(topic.topicId());

        return succeed(topic);
    }

    /**
     * Allocate the next producer id. Ids are never reused.
     *
     * @return the allocated producer id.
     */
    public long allocateProducerId()
    {
        reset();
        lastChanged = true;

        return nextProducerId++;
    }

    /**
     * Move the log start offset of a partition forward, as retention on the partition's broker did. Refused unless
     * {@code current log start <= logStartOffset <= logEndOffset}: the log start never moves back, and never past
     * the end of the log as the broker reports it with the command. A value equal to the current one is accepted
     * and changes nothing, so a re-sent update is harmless; {@link #lastChanged()} tells whether the state changed.
     *
     * @param topicId        of the topic.
     * @param partition      index from 0.
     * @param logStartOffset the new log start offset, {@code >= 0}.
     * @param logEndOffset   the broker's log end offset of the partition (the offset of its next record).
     * @return {@link ErrorCode#NONE}, {@link ErrorCode#UNKNOWN_TOPIC_OR_PARTITION},
     * {@link ErrorCode#INVALID_REQUEST} (negative) or {@link ErrorCode#OFFSET_OUT_OF_RANGE} (backwards, or beyond the
     * log end) value; nothing changed unless {@link #lastChanged()}.
     */
    public int updateLogStartOffset(
        final int topicId, final int partition, final long logStartOffset, final long logEndOffset)
    {
        reset();

        final TopicMetadata topic = topicsById.get(topicId);
        if (null == topic || partition < 0 || partition >= topic.partitions())
        {
            return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "unknown topic/partition: " + topicId + "/" + partition);
        }

        if (logStartOffset < 0)
        {
            return fail(ErrorCode.INVALID_REQUEST, "logStartOffset must be >= 0: " + logStartOffset);
        }

        final long current = topic.logStartOffset(partition);
        if (logStartOffset < current)
        {
            return fail(ErrorCode.OFFSET_OUT_OF_RANGE, "logStartOffset " + logStartOffset +
                " is below the current log start " + current);
        }

        if (logStartOffset > logEndOffset)
        {
            return fail(ErrorCode.OFFSET_OUT_OF_RANGE, "logStartOffset " + logStartOffset +
                " is beyond the log end offset " + logEndOffset);
        }

        if (logStartOffset == current)
        {
            lastTopic = topic;
            return NONE;
        }

        final TopicMetadata updated = topic.withLogStartOffset(partition, logStartOffset);
        put(updated);

        return succeed(updated);
    }

    /**
     * Topic affected by the last successful operation, null after a failure or {@link #allocateProducerId()}.
     *
     * @return topic affected by the last successful operation.
     */
    public TopicMetadata lastTopic()
    {
        return lastTopic;
    }

    /**
     * Did the last operation change the state?
     *
     * @return true if the last operation changed the state.
     */
    public boolean lastChanged()
    {
        return lastChanged;
    }

    /**
     * Reason the last operation failed, null if it succeeded.
     *
     * @return reason the last operation failed, or null.
     */
    public String lastErrorMessage()
    {
        return lastErrorMessage;
    }

    /**
     * Look up a topic by name.
     *
     * @param name of the topic.
     * @return the topic or null if unknown.
     */
    public TopicMetadata topic(final String name)
    {
        return topicsByName.get(name);
    }

    /**
     * Look up a topic by id.
     *
     * @param topicId of the topic.
     * @return the topic or null if unknown.
     */
    public TopicMetadata topic(final int topicId)
    {
        return topicsById.get(topicId);
    }

    /**
     * Number of topics.
     *
     * @return number of topics.
     */
    public int topicCount()
    {
        return topicsById.size();
    }

    /**
     * Visit every topic in topic id order.
     *
     * @param consumer of each topic.
     */
    public void forEachTopic(final Consumer<TopicMetadata> consumer)
    {
        for (final TopicMetadata topic : topicsById.values())
        {
            consumer.accept(topic);
        }
    }

    /**
     * Copy of the topics in topic id order.
     *
     * @return a new list of the topics in topic id order.
     */
    public List<TopicMetadata> topics()
    {
        return new ArrayList<>(topicsById.values());
    }

    /**
     * Topic id the next created topic will get.
     *
     * @return topic id the next created topic will get.
     */
    public int nextTopicId()
    {
        return nextTopicId;
    }

    /**
     * Stream id partition 0 of the next created topic will get.
     *
     * @return stream id partition 0 of the next created topic will get.
     */
    public int nextStreamId()
    {
        return nextStreamId;
    }

    /**
     * Producer id the next allocation will return.
     *
     * @return producer id the next allocation will return.
     */
    public long nextProducerId()
    {
        return nextProducerId;
    }

    /**
     * Replace the whole state, as when loading a snapshot.
     *
     * @param nextTopicId    topic id allocator.
     * @param nextStreamId   stream id allocator.
     * @param nextProducerId producer id allocator.
     * @param topics         the topics, in any order.
     * @throws IllegalStateException if the values are inconsistent, e.g. a topic id at or above nextTopicId, or a
     *                               negative log start offset.
     */
    public void restore(
        final int nextTopicId,
        final int nextStreamId,
        final long nextProducerId,
        final Collection<TopicMetadata> topics)
    {
        final TreeMap<Integer, TopicMetadata> byId = new TreeMap<>();
        final HashMap<String, TopicMetadata> byName = new HashMap<>();
        for (final TopicMetadata topic : topics)
        {
            final long streamIdLimit = (long)topic.firstStreamId() + topic.partitions();
            if (topic.topicId() < FIRST_TOPIC_ID || topic.topicId() >= nextTopicId ||
                topic.firstStreamId() < FIRST_STREAM_ID || streamIdLimit > nextStreamId)
            {
                throw new IllegalStateException("topic inconsistent with allocators: " + topic);
            }

            for (int p = 0; p < topic.partitions(); p++)
            {
                if (topic.logStartOffset(p) < 0)
                {
                    throw new IllegalStateException("negative log start offset: " + topic);
                }
            }

            if (null != byId.put(topic.topicId(), topic) || null != byName.put(topic.name(), topic))
            {
                throw new IllegalStateException("duplicate topic: " + topic);
            }
        }

        if (nextTopicId < FIRST_TOPIC_ID || nextStreamId < FIRST_STREAM_ID || nextProducerId < FIRST_PRODUCER_ID)
        {
            throw new IllegalStateException("invalid allocators: nextTopicId=" + nextTopicId +
                " nextStreamId=" + nextStreamId + " nextProducerId=" + nextProducerId);
        }

        topicsById.clear();
        topicsById.putAll(byId);
        topicsByName.clear();
        topicsByName.putAll(byName);
        this.nextTopicId = nextTopicId;
        this.nextStreamId = nextStreamId;
        this.nextProducerId = nextProducerId;
        reset();
    }

    /**
     * Check a topic name against the Kafka rules: 1..249 chars of {@code [a-zA-Z0-9._-]}, not "." or "..".
     *
     * @param name to check.
     * @return null if valid, else the reason it is invalid.
     */
    public static String invalidTopicNameReason(final String name)
    {
        if (null == name || name.isEmpty())
        {
            return "topic name must not be empty";
        }

        if (name.length() > MAX_TOPIC_NAME_LENGTH)
        {
            return "topic name longer than " + MAX_TOPIC_NAME_LENGTH + " chars";
        }

        if (".".equals(name) || "..".equals(name))
        {
            return "topic name must not be '.' or '..'";
        }

        for (int i = 0, length = name.length(); i < length; i++)
        {
            final char c = name.charAt(i);
            final boolean isLegal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                '.' == c || '_' == c || '-' == c;
            if (!isLegal)
            {
                return "topic name has an illegal char at index " + i + ", legal: [a-zA-Z0-9._-]";
            }
        }

        return null;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "ControllerState{" +
            "topics=" + topicsById.size() +
            ", nextTopicId=" + nextTopicId +
            ", nextStreamId=" + nextStreamId +
            ", nextProducerId=" + nextProducerId +
            '}';
    }

    private void put(final TopicMetadata topic)
    {
        topicsById.put(topic.topicId(), topic);
        topicsByName.put(topic.name(), topic);
    }

    private void reset()
    {
        lastTopic = null;
        lastChanged = false;
        lastErrorMessage = null;
    }

    private int succeed(final TopicMetadata topic)
    {
        lastTopic = topic;
        lastChanged = true;

        return NONE;
    }

    private int fail(final ErrorCode code, final String message)
    {
        lastErrorMessage = message;

        return code.value();
    }
}
