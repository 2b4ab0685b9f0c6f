package io.aerolog.cluster.group;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * State of one group: members, epoch, target assignment, who owns which partition, committed offsets; and the
 * reconciliation step that moves a member towards its target, revoking before assigning.
 */
final class ConsumerGroup
{
    final String groupId;
    Assignor assignor;
    int groupEpoch;
    final TreeMap<String, GroupMember> members = new TreeMap<>();
    final TreeMap<TopicPartition, OffsetAndMetadata> offsets = new TreeMap<>();
    private final HashMap<String, GroupMember> membersByInstanceId = new HashMap<>();
    private final HashMap<TopicPartition, String> owners = new HashMap<>();
    private final HashMap<String, Integer> topicRefCounts = new HashMap<>();

    ConsumerGroup(final String groupId, final Assignor assignor)
    {
        this.groupId = groupId;
        this.assignor = assignor;
    }

    GroupMember member(final String memberId)
    {
        return members.get(memberId);
    }

    GroupMember staticMember(final String instanceId)
    {
        return membersByInstanceId.get(instanceId);
    }

    String owner(final TopicPartition partition)
    {
        return owners.get(partition);
    }

    void addMember(final GroupMember member)
    {
        members.put(member.memberId, member);
        if (member.isStatic())
        {
            membersByInstanceId.put(member.instanceId, member);
        }

        for (final TopicPartition partition : member.assigned)
        {
            final String previous = owners.put(partition, member.memberId);
            if (null != previous)
            {
                throw new IllegalStateException(partition + " owned by " + previous + " and " + member.memberId);
            }
        }
    }

    void removeMember(final GroupMember member)
    {
        members.remove(member.memberId);
        if (member.isStatic())
        {
            membersByInstanceId.remove(member.instanceId);
        }

        for (final TopicPartition partition : member.assigned)
        {
            owners.remove(partition);
        }
        member.assigned.clear();
    }

    void renameMember(final GroupMember member, final String newMemberId)
    {
        members.remove(member.memberId);
        member.memberId = newMemberId;
        members.put(newMemberId, member);
        for (final TopicPartition partition : member.assigned)
        {
            owners.put(partition, newMemberId);
        }
    }

    /**
     * Count a topic subscription.
     *
     * @return true if no member subscribed to it before.
     */
    boolean addTopicRef(final String topic)
    {
        return 1 == topicRefCounts.merge(topic, 1, Integer::sum);
    }

    /**
     * Uncount a topic subscription.
     *
     * @return true if no member subscribes to it any more.
     */
    boolean removeTopicRef(final String topic)
    {
        final Integer count = topicRefCounts.get(topic);
        if (null == count || count <= 1)
        {
            topicRefCounts.remove(topic);
            return true;
        }

        topicRefCounts.put(topic, count - 1);

        return false;
    }

    void bumpEpochAndAssign(final TopicPartitionCounts counts)
    {
        groupEpoch++;
        final TreeMap<String, TreeSet<String>> subscriptions = new TreeMap<>();
        final TreeMap<String, TreeSet<TopicPartition>> current = new TreeMap<>();
        for (final GroupMember member : members.values())
        {
            subscriptions.put(member.memberId, member.subscribedTopics);
            current.put(member.memberId, member.target);
        }

        final TreeMap<String, TreeSet<TopicPartition>> target = assignor.assign(subscriptions, current, counts);
        for (final GroupMember member : members.values())
        {
            final TreeSet<TopicPartition> partitions = target.get(member.memberId);
            member.target = null == partitions ? new TreeSet<>() : partitions;
        }
    }

    /**
     * Move a member towards its target: release what it reports no longer owning among the partitions it must
     * revoke; tell it what is still to revoke; only when nothing is left to revoke, move it to the group epoch and
     * give it the target partitions no other member owns.
     */
    HeartbeatResult reconcile(final GroupMember member, final Collection<TopicPartition> owned, final long nowMs)
    {
        if (null != owned && !member.assigned.isEmpty())
        {
            final HashSet<TopicPartition> ownedSet = new HashSet<>(owned);
            final Iterator<TopicPartition> iterator = member.assigned.iterator();
            while (iterator.hasNext())
            {
                final TopicPartition partition = iterator.next();
                if (!member.target.contains(partition) && !ownedSet.contains(partition))
                {
                    iterator.remove();
                    owners.remove(partition);
                }
            }
        }

        final List<TopicPartition> revoke = new ArrayList<>();
        for (final TopicPartition partition : member.assigned)
        {
            if (!member.target.contains(partition))
            {
                revoke.add(partition);
            }
        }

        if (revoke.isEmpty())
        {
            member.memberEpoch = groupEpoch;
            member.revocationDeadlineMs = GroupMember.NO_DEADLINE;
            for (final TopicPartition partition : member.target)
            {
                if (!owners.containsKey(partition))
                {
                    owners.put(partition, member.memberId);
                    member.assigned.add(partition);
                }
            }
        }
        else if (GroupMember.NO_DEADLINE == member.revocationDeadlineMs)
        {
            member.revocationDeadlineMs = nowMs + member.rebalanceTimeoutMs;
        }

        final List<TopicPartition> assigned = new ArrayList<>();
        final List<TopicPartition> pending = new ArrayList<>();
        for (final TopicPartition partition : member.target)
        {
            (member.assigned.contains(partition) ? assigned : pending).add(partition);
        }

        return new HeartbeatResult(
            GroupErrors.NONE,
            null,
            member.memberId,
            member.memberEpoch,
            groupEpoch,
            List.copyOf(assigned),
            List.copyOf(revoke),
            List.copyOf(pending));
    }
}
