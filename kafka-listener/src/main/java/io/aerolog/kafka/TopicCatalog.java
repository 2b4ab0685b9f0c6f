package io.aerolog.kafka;

import io.aerolog.client.Admin;
import io.aerolog.client.AerologException;
import io.aerolog.client.TopicInfo;
import io.aerolog.codecs.wire.ErrorCode;
import org.apache.kafka.common.Uuid;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The topics as the broker describes them, asked through the native admin client, with a short-lived cache for the
 * produce and fetch paths (which need a topic's partition count and its Kafka topic id on every request). Metadata
 * requests always ask afresh. Listener thread only.
 */
final class TopicCatalog
{
    private static final long CACHE_NS = TimeUnit.SECONDS.toNanos(1);

    private final Admin admin;
    private final Map<String, Cached> byName = new HashMap<>();
    private final Map<Uuid, String> nameById = new HashMap<>();
    private final Map<String, Cached> offsetsByName = new HashMap<>();
    private long lastRescanNs = System.nanoTime() - CACHE_NS;

    private record Cached(TopicInfo info, Uuid id, long describedNs)
    {
    }

    TopicCatalog(final Admin admin)
    {
        this.admin = admin;
    }

    /** @return every topic's name. */
    List<String> names()
    {
        return admin.listTopics();
    }

    /**
     * Describes a topic afresh (leaders, replicas, in-sync replicas) and caches it.
     *
     * @param name of the topic.
     * @return its description, or null if there is no such topic.
     */
    TopicInfo describe(final String name)
    {
        try
        {
            final TopicInfo info = admin.describeTopicMetadata(name);
            remember(info);
            return info;
        }
        catch (final AerologException ex)
        {
            if (ErrorCode.UNKNOWN_TOPIC_OR_PARTITION == ex.code())
            {
                forget(name);
                return null;
            }
            throw ex;
        }
    }

    /**
     * @param name of the topic.
     * @return its description, at most a second old, or null if there is no such topic.
     */
    TopicInfo cached(final String name)
    {
        final Cached cached = byName.get(name);
        if (null != cached && System.nanoTime() - cached.describedNs < CACHE_NS)
        {
            return cached.info;
        }
        return describe(name);
    }

    /**
     * Describes a topic with each partition's offsets as its leader knows them.
     *
     * @param name of the topic.
     * @return its description, or null if there is no such topic.
     */
    TopicInfo offsets(final String name)
    {
        try
        {
            final TopicInfo info = admin.describeTopic(name);
            offsetsByName.put(name, new Cached(info, idOf(info), System.nanoTime()));
            return info;
        }
        catch (final AerologException ex)
        {
            if (ErrorCode.UNKNOWN_TOPIC_OR_PARTITION == ex.code())
            {
                return null;
            }
            throw ex;
        }
    }

    /**
     * @param name of the topic.
     * @return its description with offsets, at most a second old, or null if there is no such topic.
     */
    TopicInfo cachedOffsets(final String name)
    {
        final Cached cached = offsetsByName.get(name);
        if (null != cached && System.nanoTime() - cached.describedNs < CACHE_NS)
        {
            return cached.info;
        }
        final TopicInfo info = offsets(name);
        if (null == info)
        {
            offsetsByName.remove(name);
        }
        return info;
    }

    /**
     * @param id a Kafka topic id.
     * @return the topic's name, or null if no topic has that id.
     */
    String nameOf(final Uuid id)
    {
        String name = nameById.get(id);
        final long nowNs = System.nanoTime();
        // A topic made since the last look, or an id no topic has: look at every topic, but at most once a
        // second, so that a client sending made-up ids cannot make each of its requests cost that.
        if (null == name && nowNs - lastRescanNs >= CACHE_NS)
        {
            lastRescanNs = nowNs;
            for (final String topic : names())
            {
                describe(topic);
            }
            name = nameById.get(id);
        }
        return name;
    }

    /**
     * @param info a topic's description.
     * @return its Kafka topic id.
     */
    static Uuid idOf(final TopicInfo info)
    {
        return TopicIds.of(info.topicId(), info.name());
    }

    void forget(final String name)
    {
        offsetsByName.remove(name);
        final Cached cached = byName.remove(name);
        if (null != cached)
        {
            nameById.remove(cached.id);
        }
    }

    private void remember(final TopicInfo info)
    {
        final Uuid id = idOf(info);
        final Cached previous = byName.put(info.name(), new Cached(info, id, System.nanoTime()));
        if (null != previous && !previous.id.equals(id))
        {
            nameById.remove(previous.id);
        }
        nameById.put(id, info.name());
    }
}
