package io.aerolog.cluster.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The default strategy: balanced per topic (the members subscribing to a topic own counts of its partitions that
 * differ by at most 1) while moving as few partitions as possible from the current assignment.
 * <p>
 * Per topic: the {@code partitions % members} larger quotas go to the members that already hold the most of the
 * topic (ties: fewer partitions assigned so far over all topics, then member id), so the extra partitions spread over
 * members across topics. Each member keeps up to its quota of what it holds (lowest partitions first); partitions
 * released by members over quota, or held by members that left, are dealt in partition order to the members under
 * quota in id order. Partitions moved = orphans + surplus over quota, which is the minimum for a balanced result.
 */
public final class StickyAssignor implements Assignor
{
    /**
     * Name of the strategy.
     */
    public static final String NAME = "sticky";

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
            assignTopic(entry.getKey(), entry.getValue(), current, counts, assignment);
        }

        return assignment;
    }

    private static void assignTopic(
        final String topic,
        final List<String> members,
        final SortedMap<String, ? extends SortedSet<TopicPartition>> current,
        final TopicPartitionCounts counts,
        final TreeMap<String, TreeSet<TopicPartition>> assignment)
    {
        final int partitions = AssignorSupport.partitionCount(counts, topic);
        if (0 == partitions)
        {
            return;
        }

        final boolean[] taken = new boolean[partitions];
        final HashMap<String, List<Integer>> held = new HashMap<>();
        for (final String memberId : members)
        {
            final List<Integer> mine = new ArrayList<>();
            final SortedSet<TopicPartition> currentOfMember = current.get(memberId);
            if (null != currentOfMember)
            {
                final TopicPartition from = new TopicPartition(topic, 0);
                for (final TopicPartition tp : currentOfMember.tailSet(from))
                {
                    if (!tp.topic().equals(topic) || tp.partition() >= partitions)
                    {
                        break;
                    }

                    if (tp.partition() >= 0 && !taken[tp.partition()])
                    {
                        taken[tp.partition()] = true;
                        mine.add(tp.partition());
                    }
                }
            }
            held.put(memberId, mine);
        }

        final List<String> byPreference = new ArrayList<>(members);
        byPreference.sort((a, b) ->
        {
            final int byHeld = Integer.compare(held.get(b).size(), held.get(a).size());
            if (0 != byHeld)
            {
                return byHeld;
            }

            final int byTotal = Integer.compare(assignment.get(a).size(), assignment.get(b).size());

            return 0 != byTotal ? byTotal : a.compareTo(b);
        });

        final int quota = partitions / members.size();
        final int extra = partitions % members.size();
        final HashMap<String, Integer> quotas = new HashMap<>();
        for (int i = 0; i < byPreference.size(); i++)
        {
            quotas.put(byPreference.get(i), quota + (i < extra ? 1 : 0));
        }

        for (final String memberId : members)
        {
            final List<Integer> mine = held.get(memberId);
            final int keep = Math.min(mine.size(), quotas.get(memberId));
            final TreeSet<TopicPartition> assigned = assignment.get(memberId);
            for (int i = 0; i < mine.size(); i++)
            {
                if (i < keep)
                {
                    assigned.add(new TopicPartition(topic, mine.get(i)));
                }
                else
                {
                    taken[mine.get(i)] = false;
                }
            }
            quotas.put(memberId, quotas.get(memberId) - keep);
        }

        int partition = 0;
        for (final String memberId : members)
        {
            int deficit = quotas.get(memberId);
            final TreeSet<TopicPartition> assigned = assignment.get(memberId);
            while (deficit > 0)
            {
                while (taken[partition])
                {
                    partition++;
                }
                taken[partition] = true;
                assigned.add(new TopicPartition(topic, partition));
                deficit--;
            }
        }
    }
}
