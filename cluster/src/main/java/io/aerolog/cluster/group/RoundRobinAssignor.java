package io.aerolog.cluster.group;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Kafka's round-robin strategy: all subscribed partitions in (topic, partition) order are dealt to the members in id
 * order, skipping members that do not subscribe to the partition's topic.
 */
public final class RoundRobinAssignor implements Assignor
{
    /**
     * Name of the strategy.
     */
    public static final String NAME = "roundrobin";

    /**
     * {@inheritDoc}
     */
    public String name()
    {
        return NAME;
    }

    /**
     * {@inheritDoc}
     */
    public TreeMap<String, TreeSet<TopicPartition>> assign(
        final SortedMap<String, ? extends SortedSet<String>> subscriptions,
        final SortedMap<String, ? extends SortedSet<TopicPartition>> current,
        final TopicPartitionCounts counts)
    {
        final TreeMap<String, TreeSet<TopicPartition>> assignment = AssignorSupport.emptyAssignment(subscriptions);
        final List<String> members = new ArrayList<>(subscriptions.keySet());
        int cursor = 0;
        for (final String topic : AssignorSupport.membersByTopic(subscriptions).keySet())
        {
            final int partitions = AssignorSupport.partitionCount(counts, topic);
            for (int partition = 0; partition < partitions; partition++)
            {
                while (!subscriptions.get(members.get(cursor)).contains(topic))
                {
                    cursor = (cursor + 1) % members.size();
                }

                assignment.get(members.get(cursor)).add(new TopicPartition(topic, partition));
                cursor = (cursor + 1) % members.size();
            }
        }

        return assignment;
    }
}
