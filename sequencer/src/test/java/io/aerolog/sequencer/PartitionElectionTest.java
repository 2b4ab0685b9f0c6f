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
}
