package io.aerolog.sequencer;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static io.aerolog.sequencer.PartitionElection.NO_LEADER;
import static org.assertj.core.api.Assertions.assertThat;

class PartitionElectionTest
{
    private static final int[] REPLICAS = { 1, 2, 3 };

    private static PartitionElection.State state(final int leader, final int[] isr, final int[] elr)
    {
        return new PartitionElection.State(REPLICAS, leader, 5, 10, isr, elr);
    }

    @Test
    void aFencedLeaderIsReplacedByTheNextInSyncReplicaInReplicaOrder()
    {
        final PartitionElection.State next = PartitionElection.onBrokerFenced(
            state(1, new int[]{ 1, 3, 2 }, new int[0]), 1, true, 2, (id) -> false);
        assertThat(next.leader()).isEqualTo(2);
        assertThat(next.isr()).containsExactly(3, 2);
        assertThat(next.leaderEpoch()).isEqualTo(6);
        assertThat(next.partitionEpoch()).isEqualTo(11);
        assertThat(next.elr()).isEmpty();
    }

    @Test
    void aFencedFollowerLeavesTheSetAndTheLeaderStays()
    {
        final PartitionElection.State next = PartitionElection.onBrokerFenced(
            state(1, new int[]{ 1, 2, 3 }, new int[0]), 3, true, 2, (id) -> false);
        assertThat(next.leader()).isEqualTo(1);
        assertThat(next.leaderEpoch()).as("same leader, same epoch").isEqualTo(5);
        assertThat(next.partitionEpoch()).isEqualTo(11);
        assertThat(next.isr()).containsExactly(1, 2);
    }

    @Test
    void belowMinInsyncACleanlyStoppedReplicaBecomesEligibleAndLeadsWhenNoInSyncOneIsLive()
    {
        PartitionElection.State s = state(1, new int[]{ 1, 2 }, new int[0]);
        s = PartitionElection.onBrokerFenced(s, 2, true, 2, (id) -> false);
        assertThat(s.isr()).containsExactly(1);
        assertThat(s.elr()).containsExactly(2);

        // The leader dies too, while 2 is still fenced: nobody live may lead, so the partition is offline.
        s = PartitionElection.onBrokerFenced(s, 1, false, 2, (id) -> id == 2);
        assertThat(s.leader()).isEqualTo(NO_LEADER);
        assertThat(s.isr()).as("the last member is kept").containsExactly(1);

        // 2 returns: as an eligible leader replica it holds the committed log and may lead.
        s = PartitionElection.onBrokerUnfenced(s, 2);
        assertThat(s.leader()).isEqualTo(2);
        assertThat(s.isr()).containsExactly(2);
        assertThat(s.elr()).isEmpty();
    }

    @Test
    void anUncleanlyStoppedReplicaNeverBecomesEligibleAndThereIsNoUncleanElection()
    {
        PartitionElection.State s = state(1, new int[]{ 1, 2 }, new int[0]);
        s = PartitionElection.onBrokerFenced(s, 2, false, 2, (id) -> false);
        assertThat(s.elr()).isEmpty();
        s = PartitionElection.onBrokerFenced(s, 1, false, 2, (id) -> id == 2);
        assertThat(s.leader()).isEqualTo(NO_LEADER);

        assertThat(PartitionElection.onBrokerUnfenced(s, 3)).as("3 was never in sync").isSameAs(s);
        assertThat(PartitionElection.onBrokerUnfenced(s, 2)).as("2 stopped uncleanly").isSameAs(s);
        final PartitionElection.State back = PartitionElection.onBrokerUnfenced(s, 1);
        assertThat(back.leader()).isEqualTo(1);
        assertThat(back.leaderEpoch()).isEqualTo(s.leaderEpoch() + 1);
    }

    @Test
    void aFencedReplicaIsNotElectedAndAStrangerChangesNothing()
    {
        final PartitionElection.State s = state(1, new int[]{ 1, 2, 3 }, new int[0]);
        final PartitionElection.State next = PartitionElection.onBrokerFenced(s, 1, true, 1, (id) -> id == 2);
        assertThat(next.leader()).isEqualTo(3);
        assertThat(PartitionElection.onBrokerFenced(s, 9, true, 1, (id) -> false)).isSameAs(s);
    }

    @Test
    void thePreferredLeaderTakesOverOnlyWhenInSyncAndLive()
    {
        final PartitionElection.State s = state(2, new int[]{ 2, 3 }, new int[0]);
        assertThat(PartitionElection.electPreferred(s, (id) -> false)).as("1 is not in sync").isSameAs(s);
        final PartitionElection.State withOne = state(2, new int[]{ 2, 3, 1 }, new int[0]);
        assertThat(PartitionElection.electPreferred(withOne, Set.of(1)::contains)).isSameAs(withOne);
        final PartitionElection.State moved = PartitionElection.electPreferred(withOne, (id) -> false);
        assertThat(moved.leader()).isEqualTo(1);
        assertThat(moved.leaderEpoch()).isEqualTo(6);
    }

    private static final long[] NO_EPOCHS = {};

    private static PartitionElection.AlterResult alter(
        final PartitionElection.State state, final int broker, final long brokerEpoch, final int leaderEpoch,
        final int partitionEpoch, final int[] isr, final long[] isrEpochs, final Set<Integer> fenced)
    {
        // Broker b registered with epoch 100 + b.
        return PartitionElection.alterIsr(state, broker, brokerEpoch, leaderEpoch, partitionEpoch, isr, isrEpochs, 2,
            (id) -> 100 + id, fenced::contains);
    }

    @Test
    void theLeaderShrinksAndGrowsTheSetAtTheCurrentEpochs()
    {
        final PartitionElection.State full = state(1, new int[]{ 1, 2, 3 }, new int[0]);
        final PartitionElection.AlterResult shrunk =
            alter(full, 1, 101, 5, 10, new int[]{ 1, 2 }, new long[]{ -1, -1 }, Set.of());
        assertThat(shrunk.outcome()).isEqualTo(PartitionElection.AlterOutcome.ACCEPTED);
        assertThat(shrunk.state().isr()).containsExactly(1, 2);
        assertThat(shrunk.state().partitionEpoch()).isEqualTo(11);
        assertThat(shrunk.state().leaderEpoch()).isEqualTo(5);

        final PartitionElection.AlterResult grown =
            alter(shrunk.state(), 1, 101, 5, 11, new int[]{ 1, 2, 3 }, new long[]{ -1, -1, 103 }, Set.of());
        assertThat(grown.outcome()).isEqualTo(PartitionElection.AlterOutcome.ACCEPTED);
        assertThat(grown.state().isr()).containsExactly(1, 2, 3);
        assertThat(grown.state().partitionEpoch()).isEqualTo(12);

        final PartitionElection.AlterResult same =
            alter(grown.state(), 1, 101, 5, 12, new int[]{ 1, 2, 3 }, new long[]{ -1, -1, -1 }, Set.of());
        assertThat(same.state()).as("no change, no new epoch").isSameAs(grown.state());
    }

    @Test
    void onlyTheLiveLeaderOfTheCurrentEpochsMayChangeTheSet()
    {
        final PartitionElection.State full = state(1, new int[]{ 1, 2, 3 }, new int[0]);
        final int[] isr = { 1, 2 };
        final long[] epochs = { -1, -1 };
        assertThat(alter(full, 1, 99, 5, 10, isr, epochs, Set.of()).outcome())
            .as("a restarted broker's old incarnation").isEqualTo(PartitionElection.AlterOutcome.STALE_BROKER_EPOCH);
        assertThat(alter(full, 1, 101, 5, 10, isr, epochs, Set.of(1)).outcome())
            .as("a fenced leader").isEqualTo(PartitionElection.AlterOutcome.STALE_BROKER_EPOCH);
        assertThat(alter(full, 2, 102, 5, 10, new int[]{ 2 }, new long[]{ -1 }, Set.of()).outcome())
            .as("a follower").isEqualTo(PartitionElection.AlterOutcome.NOT_LEADER_OR_FOLLOWER);
        assertThat(alter(full, 1, 101, 4, 10, isr, epochs, Set.of()).outcome())
            .as("a deposed leader's epoch").isEqualTo(PartitionElection.AlterOutcome.FENCED_LEADER_EPOCH);
        assertThat(alter(full, 1, 101, 6, 10, isr, epochs, Set.of()).outcome())
            .as("an epoch the controller never gave").isEqualTo(PartitionElection.AlterOutcome.NOT_LEADER_OR_FOLLOWER);
        assertThat(alter(full, 1, 101, 5, 9, isr, epochs, Set.of()).outcome())
            .as("made on an older version").isEqualTo(PartitionElection.AlterOutcome.STALE_PARTITION_EPOCH);
    }

    @Test
    void aSetThatLacksTheLeaderOrAddsAnIneligibleBrokerIsRefused()
    {
        final PartitionElection.State partial = state(1, new int[]{ 1, 2 }, new int[0]);
        assertThat(alter(partial, 1, 101, 5, 10, new int[]{ 2 }, new long[]{ -1 }, Set.of()).outcome())
            .isEqualTo(PartitionElection.AlterOutcome.INELIGIBLE_REPLICA);
        assertThat(alter(partial, 1, 101, 5, 10, new int[0], NO_EPOCHS, Set.of()).outcome())
            .isEqualTo(PartitionElection.AlterOutcome.INELIGIBLE_REPLICA);
        assertThat(alter(partial, 1, 101, 5, 10, new int[]{ 1, 2, 4 }, new long[]{ -1, -1, -1 }, Set.of()).outcome())
            .as("not a replica").isEqualTo(PartitionElection.AlterOutcome.INELIGIBLE_REPLICA);
        assertThat(alter(partial, 1, 101, 5, 10, new int[]{ 1, 2, 3 }, new long[]{ -1, -1, -1 }, Set.of(3)).outcome())
            .as("fenced").isEqualTo(PartitionElection.AlterOutcome.INELIGIBLE_REPLICA);
        assertThat(alter(partial, 1, 101, 5, 10, new int[]{ 1, 2, 3 }, new long[]{ -1, -1, 90 }, Set.of()).outcome())
            .as("caught up in an earlier incarnation").isEqualTo(PartitionElection.AlterOutcome.INELIGIBLE_REPLICA);
        assertThat(alter(partial, 1, 101, 5, 10, new int[]{ 1, 1 }, new long[]{ -1, -1 }, Set.of()).outcome())
            .isEqualTo(PartitionElection.AlterOutcome.INELIGIBLE_REPLICA);
        // A member already in the set that is fenced may stay (only the controller's fencing removes it).
        assertThat(alter(partial, 1, 101, 5, 10, new int[]{ 1, 2 }, new long[]{ -1, -1 }, Set.of(2)).outcome())
            .isEqualTo(PartitionElection.AlterOutcome.ACCEPTED);
    }

    @Test
    void aReplicaThatJoinsLeavesTheEligibleSetWhichEmptiesAtMinInsync()
    {
        final PartitionElection.State below = state(1, new int[]{ 1 }, new int[]{ 2, 3 });
        final PartitionElection.AlterResult grown =
            alter(below, 1, 101, 5, 10, new int[]{ 1, 2 }, new long[]{ -1, 102 }, Set.of());
        assertThat(grown.outcome()).isEqualTo(PartitionElection.AlterOutcome.ACCEPTED);
        assertThat(grown.state().isr()).containsExactly(1, 2);
        assertThat(grown.state().elr()).as("at min.insync.replicas (2) the eligible set is not kept").isEmpty();
    }
}
