package io.aerolog.cluster.group;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Kafka's range strategy: per topic, the members subscribing to it (in id order) get consecutive ranges of
 * partitions, the first {@code partitions % members} one more than the others.
 */
public final class RangeAssignor implements Assignor
{
    /**
     * Name of the strategy.
     */
    public static final String NAME = "range";

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
        for (final Map.Entry<String, List<String>> entry : AssignorSupport.membersByTopic(subscriptions).entrySet())
        {
            final String topic = entry.getKey();
            final List<String> members = entry.getValue();
            final int partitions = AssignorSupport.partitionCount(counts, topic);
            final int quota = partitions / members.size();
            final int extra = partitions % members.size();
            int partition = 0;
            for (int i = 0; i < members.size(); i++)
            {
                final TreeSet<TopicPartition> assigned = assignment.get(members.get(i));
                final int take = quota + (i < extra ? 1 : 0);
                for (int j = 0; j < take; j++)
                {
                    assigned.add(new TopicPartition(topic, partition++));
                }
            }
        }

        return assignment;
    }
}
