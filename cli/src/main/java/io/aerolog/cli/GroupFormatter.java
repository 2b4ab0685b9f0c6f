package io.aerolog.cli;

import io.aerolog.client.GroupInfo;
import io.aerolog.client.GroupListing;

import java.util.ArrayList;
import java.util.List;

/**
 * Formats consumer groups for the terminal: TAB-separated fields, {@code -} for an unknown value.
 */
final class GroupFormatter
{
    private GroupFormatter()
    {
    }

    static String listing(final GroupListing group)
    {
        return group.groupId() + "\tmembers=" + group.memberCount() + "\tepoch=" + group.groupEpoch();
    }

    static List<String> describe(final GroupInfo info)
    {
        final List<String> lines = new ArrayList<>();
        lines.add("Group: " + info.groupId() + "\tAssignor: " + info.assignor() + "\tEpoch: " + info.groupEpoch() +
            "\tMembers: " + info.members().size());
        for (final GroupInfo.Member member : info.members())
        {
            lines.add("\tMember: " + member.memberId() +
                (member.instanceId().isEmpty() ? "" : "\tInstance: " + member.instanceId()) +
                "\tEpoch: " + member.memberEpoch());
        }
        lines.add("TOPIC\tPARTITION\tOWNER\tCOMMITTED\tLOG-END\tLAG\tLAG-MS");
        for (final GroupInfo.PartitionLag p : info.partitions())
        {
            lines.add(p.partition().topic() + "\t" + p.partition().partition() + "\t" +
                (p.ownerMemberId().isEmpty() ? "-" : p.ownerMemberId()) + "\t" +
                orDash(p.committedOffset()) + "\t" + orDash(p.logEndOffset()) + "\t" + orDash(p.lagRecords()) + "\t" +
                orDash(p.lagMs()));
        }
        return lines;
    }

    private static String orDash(final long value)
    {
        return value < 0 ? "-" : Long.toString(value);
    }
}
