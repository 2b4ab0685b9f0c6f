package io.aerolog.cluster.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Helpers shared by the assignors.
 */
final class AssignorSupport
{
    private AssignorSupport()
    {
    }

    static TreeMap<String, TreeSet<TopicPartition>> emptyAssignment(
        final SortedMap<String, ? extends SortedSet<String>> subscriptions)
    {
        final TreeMap<String, TreeSet<TopicPartition>> assignment = new TreeMap<>();
        for (final String memberId : subscriptions.keySet())
        {
            assignment.put(memberId, new TreeSet<>());
        }

        return assignment;
    }

    /**
     * Members subscribing to each topic, topics in name order, members in id order.
     */
    static TreeMap<String, List<String>> membersByTopic(
        final SortedMap<String, ? extends SortedSet<String>> subscriptions)
    {
        final TreeMap<String, List<String>> byTopic = new TreeMap<>();
        for (final Map.Entry<String, ? extends SortedSet<String>> entry : subscriptions.entrySet())
        {
            for (final String topic : entry.getValue())
            {
                byTopic.computeIfAbsent(topic, (t) -> new ArrayList<>()).add(entry.getKey());
            }
        }

        return byTopic;
    }

    static int partitionCount(final TopicPartitionCounts counts, final String topic)
    {
        return Math.max(0, counts.partitionCount(topic));
    }
}
