package io.aerolog.cluster.group;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Writes and reads the groups' state as primitive fields in a deterministic order:
 * <pre>
 * version, nextMemberSeq, groupCount, then per group in id order:
 *   groupId, assignor name, groupEpoch, memberCount, then per member in id order:
 *     memberId, instanceId, memberEpoch, rebalanceTimeoutMs, sessionTimeoutMs, sessionDeadlineMs,
 *     revocationDeadlineMs, leftTemporarily (0/1), ownerSessionId, ownerClientSessionId, topics (count, names), assigned, target (count, topic/partition)
 *   offsetCount, then per partition in order: topic, partition, offset, metadata
 * </pre>
 * Derived structures (owners, instance ids, deadlines, topic index) are rebuilt on restore.
 */
final class GroupSnapshot
{
    private GroupSnapshot()
    {
    }

    static void write(
        final SnapshotSink sink, final int version, final long nextMemberSeq, final Collection<ConsumerGroup> groups)
    {
        sink.writeInt(version);
        sink.writeLong(nextMemberSeq);
        sink.writeInt(groups.size());
        for (final ConsumerGroup group : groups)
        {
            sink.writeString(group.groupId);
            sink.writeString(group.assignor.name());
            sink.writeInt(group.groupEpoch);
            sink.writeInt(group.members.size());
            for (final GroupMember member : group.members.values())
            {
                sink.writeString(member.memberId);
                sink.writeString(member.instanceId);
                sink.writeInt(member.memberEpoch);
                sink.writeInt(member.rebalanceTimeoutMs);
                sink.writeInt(member.sessionTimeoutMs);
                sink.writeLong(member.sessionDeadlineMs);
                sink.writeLong(member.revocationDeadlineMs);
                sink.writeInt(member.leftTemporarily ? 1 : 0);
                sink.writeLong(member.ownerSessionId);
                sink.writeLong(member.ownerClientSessionId);
                sink.writeInt(member.subscribedTopics.size());
                for (final String topic : member.subscribedTopics)
                {
                    sink.writeString(topic);
                }
                writePartitions(sink, member.assigned);
                writePartitions(sink, member.target);
            }

            sink.writeInt(group.offsets.size());
            for (final Map.Entry<TopicPartition, OffsetAndMetadata> entry : group.offsets.entrySet())
            {
                sink.writeString(entry.getKey().topic());
                sink.writeInt(entry.getKey().partition());
                sink.writeLong(entry.getValue().offset());
                sink.writeString(entry.getValue().metadata());
            }
        }
    }

    /**
     * Read groups into {@code groups}.
     *
     * @return the next member sequence.
     */
    static long read(
        final SnapshotSource source,
        final int version,
        final Function<String, Assignor> assignors,
        final TreeMap<String, ConsumerGroup> groups)
    {
        final int readVersion = source.readInt();
        if (version != readVersion)
        {
            throw new IllegalStateException("unknown group snapshot version: " + readVersion);
        }

        final long nextMemberSeq = source.readLong();
        final int groupCount = count(source.readInt());
        for (int i = 0; i < groupCount; i++)
        {
            final String groupId = source.readString();
            final String assignorName = source.readString();
            final Assignor assignor = assignors.apply(assignorName);
            if (null == assignor)
            {
                throw new IllegalStateException("unknown assignor of group " + groupId + ": " + assignorName);
            }
            final ConsumerGroup group = new ConsumerGroup(groupId, assignor);
            group.groupEpoch = source.readInt();
            final int memberCount = count(source.readInt());
            for (int j = 0; j < memberCount; j++)
            {
                final String memberId = source.readString();
                final GroupMember member = new GroupMember(memberId, source.readString());
                member.memberEpoch = source.readInt();
                member.rebalanceTimeoutMs = source.readInt();
                member.sessionTimeoutMs = source.readInt();
                member.sessionDeadlineMs = source.readLong();
                member.revocationDeadlineMs = source.readLong();
                member.leftTemporarily = 1 == source.readInt();
                member.ownerSessionId = source.readLong();
                member.ownerClientSessionId = source.readLong();
                final int topicCount = count(source.readInt());
                for (int k = 0; k < topicCount; k++)
                {
                    member.subscribedTopics.add(source.readString());
                }
                readPartitions(source, member.assigned);
                readPartitions(source, member.target);
                group.addMember(member);
            }

            final int offsetCount = count(source.readInt());
            for (int j = 0; j < offsetCount; j++)
            {
                final TopicPartition tp = new TopicPartition(source.readString(), source.readInt());
                group.offsets.put(tp, new OffsetAndMetadata(source.readLong(), source.readString()));
            }

            if (null != groups.put(group.groupId, group))
            {
                throw new IllegalStateException("duplicate group: " + group.groupId);
            }
        }

        return nextMemberSeq;
    }

    private static void writePartitions(final SnapshotSink sink, final TreeSet<TopicPartition> partitions)
    {
        sink.writeInt(partitions.size());
        for (final TopicPartition tp : partitions)
        {
            sink.writeString(tp.topic());
            sink.writeInt(tp.partition());
        }
    }

    private static void readPartitions(final SnapshotSource source, final TreeSet<TopicPartition> partitions)
    {
        final int count = count(source.readInt());
        for (int i = 0; i < count; i++)
        {
            partitions.add(new TopicPartition(source.readString(), source.readInt()));
        }
    }

    private static int count(final int count)
    {
        if (count < 0)
        {
            throw new IllegalStateException("negative count in group snapshot: " + count);
        }

        return count;
    }
}
