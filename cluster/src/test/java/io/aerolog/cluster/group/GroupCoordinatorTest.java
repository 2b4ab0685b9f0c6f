package io.aerolog.cluster.group;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class GroupCoordinatorTest
{
    private static final String GROUP = "g1";
    private static final String TOPIC = "orders";
    private static final int REBALANCE_TIMEOUT_MS = 5_000;
    private static final int SESSION_TIMEOUT_MS = 10_000;
    private static final TopicPartitionCounts COUNTS = (topic) -> switch (topic)
    {
        case TOPIC -> 6;
        case "other" -> 2;
        default -> TopicPartitionCounts.UNKNOWN_TOPIC;
    };

    private final List<String> expired = new ArrayList<>();
    private final GroupCoordinator coordinator = new GroupCoordinator(
        COUNTS, new StickyAssignor(), (groupId, memberId, reason, nowMs) -> expired.add(memberId + ":" + reason));
    private final List<SimMember> members = new ArrayList<>();
    private long nowMs = 1_000;

    @Test
    void shouldConvergeThreeMembersOverSixPartitionsWithNoPartitionOwnedTwice()
    {
        final SimMember a = join(GROUP, null);
        runRounds(2);
        assertThat(a.owned).hasSize(6);

        final SimMember b = join(GROUP, null);
        final SimMember c = join(GROUP, null);
        runRounds(4);

        for (final SimMember member : List.of(a, b, c))
        {
            assertThat(member.owned).hasSize(2);
            assertThat(member.last.revoke()).isEmpty();
            assertThat(member.last.pending()).isEmpty();
            assertThat(member.epoch).isEqualTo(coordinator.describe(GROUP).groupEpoch());
        }
        assertThat(coveredPartitions()).hasSize(6);
    }

    @Test
    void shouldGiveLeaversPartitionsOnlyToOthers()
    {
        final SimMember a = join(GROUP, null);
        final SimMember b = join(GROUP, null);
        final SimMember c = join(GROUP, null);
        runRounds(4);
        final TreeSet<TopicPartition> aBefore = new TreeSet<>(a.owned);
        final TreeSet<TopicPartition> bBefore = new TreeSet<>(b.owned);

        assertThat(coordinator.leave(GROUP, c.memberId, false, nowMs)).isEqualTo(GroupErrors.NONE);
        members.remove(c);
        runRounds(2);

        assertThat(a.owned).hasSize(3).containsAll(aBefore);
        assertThat(b.owned).hasSize(3).containsAll(bBefore);
        assertThat(coveredPartitions()).hasSize(6);
        assertThat(heartbeat(c).errorCode()).isEqualTo(GroupErrors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldExpireKilledMemberAfterSessionTimeout()
    {
        final SimMember a = join(GROUP, null);
        final SimMember b = join(GROUP, null);
        final SimMember c = join(GROUP, null);
        runRounds(4);
        members.remove(c);
        final long killedAtMs = nowMs;

        while (nowMs < killedAtMs + SESSION_TIMEOUT_MS - 1_000)
        {
            runRounds(1);
            assertThat(coordinator.expireMembers(nowMs)).isZero();
        }

        nowMs = killedAtMs + SESSION_TIMEOUT_MS;
        assertThat(coordinator.expireMembers(nowMs)).isEqualTo(1);
        assertThat(expired).containsExactly(c.memberId + ":" + GroupListener.SESSION_TIMEOUT);
        runRounds(2);

        assertThat(a.owned).hasSize(3);
        assertThat(b.owned).hasSize(3);
        assertThat(coordinator.nextDeadlineMs()).isGreaterThan(nowMs);
    }

    @Test
    void shouldRemoveMemberThatDoesNotRevokeWithinRebalanceTimeout()
    {
        final SimMember a = join(GROUP, null);
        runRounds(1);
        final SimMember b = join(GROUP, null);
        final HeartbeatResult told = heartbeat(a);
        assertThat(told.revoke()).hasSize(3);

        final List<TopicPartition> stillOwned = new ArrayList<>(told.assigned());
        stillOwned.addAll(told.revoke());
        nowMs += REBALANCE_TIMEOUT_MS;
        coordinator.heartbeat(
            GROUP, a.memberId, null, null, stillOwned, REBALANCE_TIMEOUT_MS, SESSION_TIMEOUT_MS, nowMs);
        heartbeat(b);
        assertThat(b.owned).isEmpty();

        assertThat(coordinator.expireMembers(nowMs)).isEqualTo(1);
        assertThat(expired).containsExactly(a.memberId + ":" + GroupListener.REBALANCE_TIMEOUT);
        members.remove(a);
        runRounds(1);
        assertThat(b.owned).hasSize(6);
    }

    @Test
    void shouldGiveRestartedStaticMemberItsPartitionsWithoutRebalance()
    {
        final SimMember a = join(GROUP, "instance-a");
        final SimMember b = join(GROUP, "instance-b");
        runRounds(4);
        final int groupEpoch = coordinator.describe(GROUP).groupEpoch();
        final TreeSet<TopicPartition> bOwned = new TreeSet<>(b.owned);
        final String oldMemberId = b.memberId;

        assertThat(coordinator.leave(GROUP, b.memberId, true, nowMs)).isEqualTo(GroupErrors.NONE);
        members.remove(b);
        nowMs += 2_000;
        runRounds(1);
        final SimMember restarted = join(GROUP, "instance-b");

        assertThat(restarted.memberId).isNotEqualTo(oldMemberId);
        assertThat(restarted.owned).isEqualTo(bOwned);
        assertThat(coordinator.describe(GROUP).groupEpoch()).isEqualTo(groupEpoch);
        assertThat(a.last.revoke()).isEmpty();
        assertThat(coordinator.heartbeat(GROUP, oldMemberId, null, null, List.of(), REBALANCE_TIMEOUT_MS,
            SESSION_TIMEOUT_MS, nowMs).errorCode()).isEqualTo(GroupErrors.UNKNOWN_MEMBER_ID);
        runRounds(2);
        assertThat(restarted.owned).isEqualTo(bOwned);
        assertThat(coordinator.describe(GROUP).groupEpoch()).isEqualTo(groupEpoch);
    }

    @Test
    void shouldExpireStaticMemberThatDoesNotComeBack()
    {
        final SimMember a = join(GROUP, "instance-a");
        final SimMember b = join(GROUP, "instance-b");
        runRounds(4);
        coordinator.leave(GROUP, b.memberId, true, nowMs);
        members.remove(b);
        final long leftAtMs = nowMs;
        runRounds(2);
        assertThat(a.owned).hasSize(3);

        nowMs = leftAtMs + SESSION_TIMEOUT_MS;
        assertThat(coordinator.expireMembers(nowMs)).isEqualTo(1);
        runRounds(2);
        assertThat(a.owned).hasSize(6);
    }

    @Test
    void shouldRefuseSecondLiveMemberWithSameInstanceId()
    {
        join(GROUP, "instance-a");
        final HeartbeatResult result = coordinator.heartbeat(
            GROUP, null, "instance-a", List.of(TOPIC), null, REBALANCE_TIMEOUT_MS, SESSION_TIMEOUT_MS, nowMs);

        assertThat(result.errorCode()).isEqualTo(GroupErrors.UNRELEASED_INSTANCE_ID);
        assertThat(result.errorMessage()).contains("instance-a");
    }

    @Test
    void shouldRefuseJoinWithUnknownTopic()
    {
        final HeartbeatResult result = coordinator.heartbeat(
            GROUP, null, null, List.of(TOPIC, "missing"), null, REBALANCE_TIMEOUT_MS, SESSION_TIMEOUT_MS, nowMs);

        assertThat(result.errorCode()).isEqualTo(GroupErrors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(result.errorMessage()).contains("missing");
        assertThat(coordinator.listGroups()).isEmpty();
        assertThat(coordinator.lastChanged()).isFalse();
    }

    @Test
    void shouldKeepTwoGroupsOnOneTopicIndependent()
    {
        final SimMember a = join("g1", null);
        final SimMember b = join("g1", null);
        final SimMember c = join("g2", null);
        runRounds(4);

        assertThat(a.owned).hasSize(3);
        assertThat(b.owned).hasSize(3);
        assertThat(c.owned).hasSize(6);
        assertThat(coordinator.listGroups()).containsExactly("g1", "g2");

        assertThat(coordinator.commitOffset("g2", c.memberId, c.epoch, TOPIC, 0, 42, null))
            .isEqualTo(GroupErrors.NONE);
        assertThat(coordinator.committedOffset("g2", TOPIC, 0)).isEqualTo(42);
        assertThat(coordinator.committedOffset("g1", TOPIC, 0)).isEqualTo(GroupCoordinator.NO_OFFSET);
    }

    @Test
    void shouldRefuseCommitWithStaleEpochOrNotOwnedPartition()
    {
        final SimMember a = join(GROUP, null);
        final SimMember b = join(GROUP, null);
        runRounds(4);
        final TopicPartition mine = a.owned.first();
        final TopicPartition theirs = b.owned.first();

        assertThat(coordinator.commitOffset(GROUP, a.memberId, a.epoch - 1, TOPIC, mine.partition(), 1, null))
            .isEqualTo(GroupErrors.STALE_MEMBER_EPOCH);
        assertThat(coordinator.commitOffset(GROUP, a.memberId, a.epoch, TOPIC, theirs.partition(), 1, null))
            .isEqualTo(GroupErrors.PARTITION_NOT_OWNED);
        assertThat(coordinator.commitOffset(GROUP, a.memberId, a.epoch, "other", 0, 1, null))
            .isEqualTo(GroupErrors.PARTITION_NOT_OWNED);
        assertThat(coordinator.commitOffset(GROUP, "member-99", a.epoch, TOPIC, mine.partition(), 1, null))
            .isEqualTo(GroupErrors.UNKNOWN_MEMBER_ID);
        assertThat(coordinator.commitOffset("nope", a.memberId, a.epoch, TOPIC, mine.partition(), 1, null))
            .isEqualTo(GroupErrors.UNKNOWN_GROUP);
        assertThat(coordinator.commitOffset(GROUP, a.memberId, a.epoch, TOPIC, mine.partition(), -1, null))
            .isEqualTo(GroupErrors.INVALID_REQUEST);
        assertThat(coordinator.lastErrorMessage()).isNotNull();
        assertThat(coordinator.committedOffset(GROUP, TOPIC, mine.partition())).isEqualTo(GroupCoordinator.NO_OFFSET);

        assertThat(coordinator.commitOffset(GROUP, a.memberId, a.epoch, TOPIC, mine.partition(), 7, "m"))
            .isEqualTo(GroupErrors.NONE);
        assertThat(coordinator.committed(GROUP, TOPIC, mine.partition())).isEqualTo(new OffsetAndMetadata(7, "m"));
    }

    @Test
    void shouldNeverMoveOffsetsBackwards()
    {
        final SimMember a = join(GROUP, null);
        runRounds(1);

        assertThat(coordinator.commitOffset(GROUP, a.memberId, a.epoch, TOPIC, 0, 10, null))
            .isEqualTo(GroupErrors.NONE);
        assertThat(coordinator.lastChanged()).isTrue();
        assertThat(coordinator.commitOffset(GROUP, a.memberId, a.epoch, TOPIC, 0, 5, null))
            .isEqualTo(GroupErrors.NONE);
        assertThat(coordinator.lastChanged()).isFalse();
        assertThat(coordinator.committedOffset(GROUP, TOPIC, 0)).isEqualTo(10);

        assertThat(coordinator.commitOffset(GROUP, a.memberId, a.epoch, TOPIC, 0, 12, null))
            .isEqualTo(GroupErrors.NONE);
        assertThat(coordinator.committedOffset(GROUP, TOPIC, 0)).isEqualTo(12);
    }

    @Test
    void shouldRefuseResetWithLiveMembersAndAllowItWhenEmpty()
    {
        final SimMember a = join(GROUP, null);
        runRounds(1);
        coordinator.commitOffset(GROUP, a.memberId, a.epoch, TOPIC, 0, 10, null);

        assertThat(coordinator.resetOffset(GROUP, TOPIC, 0, 0)).isEqualTo(GroupErrors.GROUP_NOT_EMPTY);
        assertThat(coordinator.deleteGroup(GROUP)).isEqualTo(GroupErrors.GROUP_NOT_EMPTY);

        coordinator.leave(GROUP, a.memberId, false, nowMs);
        assertThat(coordinator.resetOffset(GROUP, TOPIC, 9, 0)).isEqualTo(GroupErrors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(coordinator.resetOffset(GROUP, TOPIC, 0, 3)).isEqualTo(GroupErrors.NONE);
        assertThat(coordinator.committedOffset(GROUP, TOPIC, 0)).isEqualTo(3);

        assertThat(coordinator.deleteGroup(GROUP)).isEqualTo(GroupErrors.NONE);
        assertThat(coordinator.describe(GROUP)).isNull();
        assertThat(coordinator.deleteGroup(GROUP)).isEqualTo(GroupErrors.UNKNOWN_GROUP);
    }

    @Test
    void shouldRebalanceWhenSubscribedTopicChanges()
    {
        final HashMap<String, Integer> partitionCounts = new HashMap<>();
        partitionCounts.put(TOPIC, 2);
        final GroupCoordinator local = new GroupCoordinator(
            (topic) -> partitionCounts.getOrDefault(topic, -1), new StickyAssignor(), (g, m, r, t) -> {});
        final HeartbeatResult joined =
            local.heartbeat(GROUP, null, null, List.of(TOPIC), null, REBALANCE_TIMEOUT_MS, SESSION_TIMEOUT_MS, 0);
        assertThat(joined.assigned()).hasSize(2);

        partitionCounts.put(TOPIC, 4);
        assertThat(local.topicChanged(TOPIC)).isEqualTo(1);
        assertThat(local.topicChanged("unrelated")).isZero();
        final HeartbeatResult next = local.heartbeat(
            GROUP, joined.memberId(), null, null, joined.assigned(), REBALANCE_TIMEOUT_MS, SESSION_TIMEOUT_MS, 1);
        assertThat(next.assigned()).hasSize(4);
        assertThat(next.groupEpoch()).isEqualTo(joined.groupEpoch() + 1);
    }

    @Test
    void shouldMapGroupErrorsOntoWireCodes()
    {
        assertThat(GroupErrors.toWireCode(GroupErrors.NONE).value()).isEqualTo((short)0);
        assertThat(GroupErrors.toWireCode(GroupErrors.STALE_MEMBER_EPOCH).name()).isEqualTo("STALE_MEMBER_EPOCH");
        assertThat(GroupErrors.toWireCode(GroupErrors.INCONSISTENT_ASSIGNOR).value()).isEqualTo((short)107);
        assertThat(GroupErrors.name(GroupErrors.PARTITION_NOT_OWNED)).isEqualTo("PARTITION_NOT_OWNED");
    }

    private SimMember join(final String groupId, final String instanceId)
    {
        final SimMember member = new SimMember(groupId, instanceId);
        members.add(member);
        heartbeat(member);

        return member;
    }

    private HeartbeatResult heartbeat(final SimMember member)
    {
        final HeartbeatResult result = coordinator.heartbeat(
            member.groupId,
            member.memberId,
            member.instanceId,
            List.of(TOPIC),
            null == member.memberId ? null : new ArrayList<>(member.owned),
            REBALANCE_TIMEOUT_MS,
            SESSION_TIMEOUT_MS,
            nowMs);
        if (result.isSuccess())
        {
            member.memberId = result.memberId();
            member.epoch = result.memberEpoch();
            member.last = result;
            member.owned.clear();
            member.owned.addAll(result.assigned());
            assertNoPartitionOwnedTwice();
        }

        return result;
    }

    private void runRounds(final int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            nowMs += 1_000;
            for (final SimMember member : members)
            {
                assertThat(heartbeat(member).errorCode()).isEqualTo(GroupErrors.NONE);
            }
        }
    }

    private void assertNoPartitionOwnedTwice()
    {
        final HashMap<String, String> owners = new HashMap<>();
        for (final SimMember member : members)
        {
            for (final TopicPartition tp : member.owned)
            {
                final String key = member.groupId + "/" + tp;
                assertThat(owners.put(key, member.memberId)).as("%s owned twice", key).isNull();
            }
        }

        for (final String groupId : coordinator.listGroups())
        {
            final TreeSet<TopicPartition> seen = new TreeSet<>();
            for (final GroupDescription.MemberDescription member : coordinator.describe(groupId).members())
            {
                for (final TopicPartition tp : member.owned())
                {
                    assertThat(seen.add(tp)).as("%s owned twice in coordinator", tp).isTrue();
                }
            }
        }
    }

    private TreeSet<TopicPartition> coveredPartitions()
    {
        final TreeSet<TopicPartition> covered = new TreeSet<>();
        for (final SimMember member : members)
        {
            covered.addAll(member.owned);
        }

        return covered;
    }

    private static final class SimMember
    {
        final String groupId;
        final String instanceId;
        final TreeSet<TopicPartition> owned = new TreeSet<>();
        String memberId;
        int epoch;
        HeartbeatResult last;

        SimMember(final String groupId, final String instanceId)
        {
            this.groupId = groupId;
            this.instanceId = instanceId;
        }
    }
}
