package io.aerolog.sequencer;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicaPlacerTest
{
    @Test
    void replicasAreDistinctAndLeadershipAndFollowersSpreadEvenly()
    {
        final int[] brokers = { 30, 10, 20 };
        final int[][] placement = ReplicaPlacer.place(7, 12, 3, brokers);
        final Map<Integer, Integer> leaders = new HashMap<>();
        final Map<Integer, Integer> seconds = new HashMap<>();
        for (final int[] replicas : placement)
        {
            assertThat(Arrays.stream(replicas).distinct().count()).isEqualTo(3);
            leaders.merge(replicas[0], 1, Integer::sum);
            seconds.merge(replicas[1], 1, Integer::sum);
        }
        assertThat(leaders).containsOnly(Map.entry(10, 4), Map.entry(20, 4), Map.entry(30, 4));
        assertThat(seconds.values()).allMatch((count) -> count == 4);
    }

    @Test
    void thePlacementIsTheSameOnEveryCallAndDependsOnTheTopic()
    {
        final int[][] a = ReplicaPlacer.place(5, 6, 2, new int[]{ 1, 2, 3, 4 });
        assertThat(ReplicaPlacer.place(5, 6, 2, new int[]{ 4, 3, 2, 1 })).isDeepEqualTo(a);
        assertThat(ReplicaPlacer.place(6, 6, 2, new int[]{ 1, 2, 3, 4 })[0][0]).isNotEqualTo(a[0][0]);
        assertThat(ReplicaPlacer.place(0, 3, 1, new int[]{ 0 })).isDeepEqualTo(new int[][]{ { 0 }, { 0 }, { 0 } });
    }

    @Test
    void aFactorAboveTheLiveBrokersIsRefused()
    {
        assertThatThrownBy(() -> ReplicaPlacer.place(1, 3, 3, new int[]{ 1, 2 }))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replication factor 3");
        assertThatThrownBy(() -> ReplicaPlacer.place(1, 3, 0, new int[]{ 1, 2 }))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReplicaPlacer.place(1, 0, 1, new int[]{ 1, 2 }))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
