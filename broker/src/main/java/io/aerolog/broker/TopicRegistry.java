package io.aerolog.broker;

import io.aerolog.archive.PartitionLog;
import io.aerolog.cluster.TopicMetadata;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The topics this broker knows and the partition logs it has open for them. Conductor thread only.
 */
final class TopicRegistry
{
    private final Map<String, TopicState> byName = new TreeMap<>();
    private final Int2ObjectHashMap<TopicState> byId = new Int2ObjectHashMap<>();

    /** A topic as the broker holds it: its metadata and one slot per partition log. */
    static final class TopicState
    {
        TopicMetadata metadata;
        final PartitionLog[] logs;
        /** Per partition: its role on this broker. */
        final PartitionRole[] roles;
        String failedToOpen;
        /** Every partition has its role here: the topic is served. */
        boolean opened;

        TopicState(final TopicMetadata metadata)
        {
            this.metadata = metadata;
            final int partitions = metadata.partitions();
            this.logs = new PartitionLog[partitions];
            this.roles = new PartitionRole[partitions];
            for (int p = 0; p < partitions; p++)
            {
                roles[p] = new PartitionRole();
            }
        }
    }

    TopicState add(final TopicMetadata metadata)
    {
        final TopicState state = new TopicState(metadata);
        byName.put(metadata.name(), state);
        byId.put(metadata.topicId(), state);
        return state;
    }

    TopicState remove(final int topicId)
    {
        final TopicState state = byId.remove(topicId);
        if (null != state)
        {
            byName.remove(state.metadata.name());
        }
        return state;
    }

    TopicState byId(final int topicId)
    {
        return byId.get(topicId);
    }

    TopicState byName(final String name)
    {
        return byName.get(name);
    }

    Collection<TopicState> all()
    {
        return byName.values();
    }

    PartitionLog log(final int topicId, final int partition)
    {
        return log(byId.get(topicId), partition);
    }

    PartitionLog log(final String topic, final int partition)
    {
        return log(byName.get(topic), partition);
    }

    private static PartitionLog log(final TopicState topic, final int partition)
    {
        return null == topic || partition < 0 || partition >= topic.logs.length ? null : topic.logs[partition];
    }

    /** @return every partition log open now. */
    List<PartitionLog> logs()
    {
        final List<PartitionLog> logs = new ArrayList<>();
        for (final TopicState topic : byName.values())
        {
            for (final PartitionLog log : topic.logs)
            {
                if (null != log)
                {
                    logs.add(log);
                }
            }
        }
        return logs;
    }
}
