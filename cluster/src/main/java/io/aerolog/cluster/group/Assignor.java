package io.aerolog.cluster.group;

import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Computes a group's target assignment: a pure, deterministic function of its inputs.
 * <p>
 * Topics whose count is unknown ({@code < 0}) get no partitions assigned.
 */
public interface Assignor
{
    /**
     * Name of the strategy, e.g. "sticky".
     *
     * @return name of the strategy.
     */
    String name();

    /**
     * Assign the partitions of the subscribed topics to the members.
     *
     * @param subscriptions the topics each member subscribes to, by member id.
     * @param current       the current target assignment by member id (members may be missing), used by sticky
     *                      strategies.
     * @param counts        partition count of each topic.
     * @return a new assignment with an entry, possibly empty, for every member of {@code subscriptions}; each
     * partition of a subscribed topic is assigned to exactly one member subscribing to its topic.
     */
    TreeMap<String, TreeSet<TopicPartition>> assign(
        SortedMap<String, ? extends SortedSet<String>> subscriptions,
        SortedMap<String, ? extends SortedSet<TopicPartition>> current,
        TopicPartitionCounts counts);
}
