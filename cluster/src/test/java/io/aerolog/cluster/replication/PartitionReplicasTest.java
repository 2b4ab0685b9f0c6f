package io.aerolog.cluster.replication;

import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.sequencer.PartitionElection;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PartitionReplicasTest
{
    private final PartitionReplicas replicas = new PartitionReplicas();
    private final List<PartitionReplicas.PartitionRecord> changes = new ArrayList<>();
    private final PartitionReplicas.ChangeListener listener =
        (topicId, partition, minIsr, state) -> changes.add(new PartitionReplicas.PartitionRecord(
            topicId, partition, minIsr, state));
    private final Set<Integer> fenced = new HashSet<>();
    private final IntPredicate isFenced = fenced::contains;

    @Test
    void shouldValidateReplicationSettingsAgainstLiveBrokers()
    {
        assertThat(replicas.validate(1, 1, 0, 0)).as("no broker registered: one node").isZero();
        assertThat(replicas.validate(2, 1, 0, 0)).isEqualTo(ErrorCode.INVALID_REPLICATION_FACTOR.value());
        assertThat(replicas.validate(1, 1, 0, 1)).as("registered but all fenced")
            .isEqualTo(ErrorCode.INVALID_REPLICATION_FACTOR.value());
        assertThat(replicas.validate(3, 2, 3, 4)).isZero();
        assertThat(replicas.validate(4, 2, 3, 4)).isEqualTo(ErrorCode.INVALID_REPLICATION_FACTOR.value());
        assertThat(replicas.lastErrorMessage()).contains("3 live brokers");
        assertThat(replicas.validate(0, 1, 3, 3)).isEqualTo(ErrorCode.INVALID_REPLICATION_FACTOR.value());
        assertThat(replicas.validate(3, 0, 3, 3)).isEqualTo(ErrorCode.INVALID_CONFIG.value());
        assertThat(replicas.validate(3, 4, 3, 3)).isEqualTo(ErrorCode.INVALID_CONFIG.value());
    }

    @Test
    void shouldPlaceStripedReplicasLedByTheFirst()
    {
        replicas.create(1, 3, 3, 2, new int[]{ 3, 1, 2 }, listener);

        assertThat(changes).hasSize(3);
        assertThat(replicas.state(1, 0).replicas()).containsExactly(2, 3, 1);
        assertThat(replicas.state(1, 1).replicas()).containsExactly(3, 1, 2);
        assertThat(replicas.state(1, 2).replicas()).containsExactly(1, 2, 3);
        for (int p = 0; p < 3; p++)
        {
            final PartitionElection.State state = replicas.state(1, p);
            assertThat(state.leader()).isEqualTo(state.replicas()[0]);
            assertThat(state.isr()).containsExactly(state.replicas());
            assertThat(state.elr()).isEmpty();
            assertThat(state.leaderEpoch()).isZero();
            assertThat(state.partitionEpoch()).isZero();
        }
        assertThat(replicas.minInsyncReplicas(1)).isEqualTo(2);
        assertThat(replicas.partitionCount()).isEqualTo(3);

        replicas.create(2, 2, 1, 1, new int[0], listener);
        assertThat(replicas.state(2, 1).replicas()).as("no broker registered").containsExactly(0);
        replicas.remove(1);
        assertThat(replicas.state(1, 0)).isNull();
        assertThat(replicas.partitionCount()).isEqualTo(2);
    }

    @Test
    void shouldReplaceAFencedLeaderFromTheIsrAndDropAFencedFollower()
    {
        replicas.create(1, 3, 3, 2, new int[]{ 1, 2, 3 }, listener);
        changes.clear();

        fenced.add(2);
        assertThat(replicas.onBrokerFenced(2, false, isFenced, listener)).isEqualTo(3);
        assertThat(changes).extracting(PartitionReplicas.PartitionRecord::partition).containsExactly(0, 1, 2);
        final PartitionElection.State led = replicas.state(1, 0); // [2, 3, 1]
        assertThat(led.leader()).isEqualTo(3);
        assertThat(led.leaderEpoch()).isEqualTo(1);
        assertThat(led.partitionEpoch()).isEqualTo(1);
        assertThat(led.isr()).containsExactly(3, 1);
        final PartitionElection.State followed = replicas.state(1, 1); // [3, 1, 2]
        assertThat(followed.leader()).isEqualTo(3);
        assertThat(followed.leaderEpoch()).isZero();
        assertThat(followed.partitionEpoch()).isEqualTo(1);
        assertThat(followed.isr()).containsExactly(3, 1);

        // Back: nothing offline to lead, no change (it rejoins the ISR through the leader's AlterPartition).
        fenced.remove(2);
        changes.clear();
        assertThat(replicas.onBrokerUnfenced(2, listener)).isZero();
        assertThat(changes).isEmpty();
    }

    @Test
    void shouldElectACleanlyStoppedEligibleReplicaAndNeverAnUncleanOne()
    {
        replicas.create(1, 1, 3, 2, new int[]{ 1, 2, 3 }, listener); // [2, 3, 1]

        fenced.add(1);
        replicas.onBrokerFenced(1, false, isFenced, listener);
        assertThat(replicas.state(1, 0).isr()).containsExactly(2, 3);
        // Below min ISR after a clean stop: 3 becomes eligible.
        fenced.add(3);
        replicas.onBrokerFenced(3, true, isFenced, listener);
        assertThat(replicas.state(1, 0).isr()).containsExactly(2);
        assertThat(replicas.state(1, 0).elr()).containsExactly(3);
        fenced.add(2);
        replicas.onBrokerFenced(2, false, isFenced, listener);
        PartitionElection.State state = replicas.state(1, 0);
        assertThat(state.leader()).as("no unclean election").isEqualTo(PartitionElection.NO_LEADER);
        assertThat(state.isr()).containsExactly(2);

        // Broker 1 (crashed, out of sync) comes back: still offline.
        fenced.remove(1);
        replicas.onBrokerUnfenced(1, listener);
        assertThat(replicas.state(1, 0).leader()).isEqualTo(PartitionElection.NO_LEADER);
        // The eligible 3 comes back: it leads, alone in the ISR.
        fenced.remove(3);
        replicas.onBrokerUnfenced(3, listener);
        state = replicas.state(1, 0);
        assertThat(state.leader()).isEqualTo(3);
        assertThat(state.isr()).containsExactly(3);
        assertThat(state.elr()).isEmpty();
        assertThat(state.leaderEpoch()).isEqualTo(2);
    }

    @Test
    void shouldApplyOrRefuseAlterPartition()
    {
        replicas.create(1, 1, 3, 2, new int[]{ 1, 2, 3 }, listener); // [2, 3, 1], leader 2
        final Map<Integer, Long> epochs = Map.of(1, 11L, 2, 12L, 3, 13L);
        changes.clear();

        assertThat(alter(2, 12, 0, 0, new int[]{ 2, 3 }, epochs)).isZero();
        assertThat(replicas.state(1, 0).isr()).containsExactly(2, 3);
        assertThat(replicas.lastState().partitionEpoch()).isEqualTo(1);
        assertThat(changes).hasSize(1);

        assertThat(alter(2, 12, 0, 0, new int[]{ 2, 3, 1 }, epochs)).as("stale partition epoch")
            .isEqualTo(ErrorCode.FENCED_LEADER_EPOCH.value());
        assertThat(replicas.lastErrorMessage()).contains("partition epoch");
        assertThat(alter(2, 11, 0, 1, new int[]{ 2, 3, 1 }, epochs))
            .isEqualTo(ErrorCode.STALE_BROKER_EPOCH.value());
        assertThat(alter(3, 13, 0, 1, new int[]{ 3 }, epochs)).isEqualTo(ErrorCode.NOT_LEADER_OR_FOLLOWER.value());
        assertThat(alter(2, 12, 0, 1, new int[]{ 2, 4 }, epochs)).isEqualTo(ErrorCode.INELIGIBLE_REPLICA.value());
        assertThat(replicas.alter(9, 0, 2, 12, 0, 1, new int[]{ 2 }, new long[]{ 12 }, epochs::get, isFenced,
            listener)).isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.value());
        assertThat(changes).hasSize(1);

        // The leader is replaced: the old one's proposal names a fenced leader epoch.
        fenced.add(2);
        replicas.onBrokerFenced(2, false, isFenced, listener);
        fenced.remove(2);
        assertThat(alter(2, 12, 0, 2, new int[]{ 2, 3 }, epochs)).isEqualTo(ErrorCode.FENCED_LEADER_EPOCH.value());
        assertThat(alter(3, 13, 1, 2, new int[]{ 3, 1 }, epochs)).isZero();
        assertThat(replicas.state(1, 0).isr()).containsExactly(3, 1);
    }

    @Test
    void shouldElectPreferredLeadersWhereLiveAndInSync()
    {
        replicas.create(1, 2, 2, 1, new int[]{ 1, 2 }, listener); // [2, 1], [1, 2]
        replicas.create(2, 1, 2, 1, new int[]{ 1, 2 }, listener); // [1, 2]
        fenced.add(1);
        replicas.onBrokerFenced(1, false, isFenced, listener); // 1-1 and 2-0 led by 2, ISRs {2}
        fenced.remove(1);
        changes.clear();

        assertThat(replicas.electPreferred(PartitionReplicas.ALL_TOPICS, isFenced, listener))
            .as("broker 1 is out of the ISRs").isZero();
        final Map<Integer, Long> epochs = Map.of(1, 1L, 2, 2L);
        final PartitionElection.State before = replicas.state(1, 1);
        assertThat(replicas.alter(1, 1, 2, 2, before.leaderEpoch(), before.partitionEpoch(), new int[]{ 2, 1 },
            new long[]{ 2, 1 }, (id) -> epochs.getOrDefault(id, -1L), isFenced, listener)).isZero();
        assertThat(replicas.electPreferred(2, isFenced, listener)).as("topic 2 only: its ISR lacks 1").isZero();
        assertThat(replicas.electPreferred(PartitionReplicas.ALL_TOPICS, isFenced, listener)).isEqualTo(1);
        assertThat(replicas.state(1, 1).leader()).isEqualTo(1);
        assertThat(replicas.state(1, 1).leaderEpoch()).isEqualTo(before.leaderEpoch() + 1);
        assertThat(replicas.electPreferred(9, isFenced, listener)).isEqualTo(-1);
    }

    @Test
    void shouldRestoreRecordsAndGiveTopicsWithoutThemTheSingleNodeLayout()
    {
        final PartitionElection.State state =
            new PartitionElection.State(new int[]{ 1, 2 }, 2, 3, 4, new int[]{ 2 }, new int[]{ 1 });
        replicas.restore(Map.of(1, 1, 2, 2), List.of(new PartitionReplicas.PartitionRecord(1, 0, 2, state)));

        assertThat(replicas.state(1, 0)).isSameAs(state);
        assertThat(replicas.minInsyncReplicas(1)).isEqualTo(2);
        assertThat(replicas.state(2, 1).replicas()).containsExactly(0);
        assertThat(replicas.state(2, 1).leader()).isZero();
        assertThat(replicas.minInsyncReplicas(2)).isEqualTo(1);

        assertThatThrownBy(() -> replicas.restore(Map.of(1, 2),
            List.of(new PartitionReplicas.PartitionRecord(1, 0, 2, state))))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> replicas.restore(Map.of(),
            List.of(new PartitionReplicas.PartitionRecord(1, 0, 2, state))))
            .isInstanceOf(IllegalStateException.class);
    }

    private int alter(
        final int brokerId,
        final long brokerEpoch,
        final int leaderEpoch,
        final int partitionEpoch,
        final int[] isr,
        final Map<Integer, Long> epochs)
    {
        final long[] isrEpochs = new long[isr.length];
        for (int i = 0; i < isr.length; i++)
        {
            isrEpochs[i] = epochs.getOrDefault(isr[i], -1L);
        }
        return replicas.alter(1, 0, brokerId, brokerEpoch, leaderEpoch, partitionEpoch, isr, isrEpochs,
            (id) -> epochs.getOrDefault(id, -1L), isFenced, listener);
    }
}
