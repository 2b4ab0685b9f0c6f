package io.aerolog.cluster.group;

import java.util.TreeSet;

/**
 * Members ordered by their next deadline (then group id, member id), so expiry visits only the members due.
 */
final class DeadlineQueue
{
    record Entry(long deadlineMs, String groupId, String memberId) implements Comparable<Entry>
    {
        public int compareTo(final Entry other)
        {
            int result = Long.compare(deadlineMs, other.deadlineMs);
            if (0 == result)
            {
                result = groupId.compareTo(other.groupId);
            }

            return 0 != result ? result : memberId.compareTo(other.memberId);
        }
    }

    private final TreeSet<Entry> entries = new TreeSet<>();

    void schedule(final String groupId, final GroupMember member)
    {
        cancel(groupId, member);
        final long deadlineMs = member.nextDeadlineMs();
        if (GroupMember.NO_DEADLINE != deadlineMs)
        {
            entries.add(new Entry(deadlineMs, groupId, member.memberId));
            member.queuedDeadlineMs = deadlineMs;
        }
    }

    void cancel(final String groupId, final GroupMember member)
    {
        if (GroupMember.NO_DEADLINE != member.queuedDeadlineMs)
        {
            entries.remove(new Entry(member.queuedDeadlineMs, groupId, member.memberId));
            member.queuedDeadlineMs = GroupMember.NO_DEADLINE;
        }
    }

    Entry pollDue(final long nowMs)
    {
        final Entry first = entries.isEmpty() ? null : entries.first();
        if (null != first && first.deadlineMs() <= nowMs)
        {
            entries.pollFirst();
            return first;
        }

        return null;
    }

    long nextDeadlineMs()
    {
        return entries.isEmpty() ? GroupMember.NO_DEADLINE : entries.first().deadlineMs();
    }

    void clear()
    {
        entries.clear();
    }
}
