package io.aerolog.perf.failover;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoundStatsTest
{
    @Test
    void shouldGiveMinMedianAndMaxOfAnOddCount()
    {
        assertThat(RoundStats.of(new long[]{30, 10, 20})).isEqualTo(new RoundStats(10, 20, 30));
        assertThat(RoundStats.of(new long[]{7})).isEqualTo(new RoundStats(7, 7, 7));
    }

    @Test
    void shouldTakeTheMeanOfTheTwoMiddleValuesOfAnEvenCount()
    {
        assertThat(RoundStats.of(new long[]{40, 10, 30, 20})).isEqualTo(new RoundStats(10, 25, 40));
    }

    @Test
    void shouldNotChangeTheValuesGiven()
    {
        final long[] values = {3, 1, 2};
        RoundStats.of(values);
        assertThat(values).containsExactly(3, 1, 2);
    }

    @Test
    void shouldRefuseNoRounds()
    {
        assertThatThrownBy(() -> RoundStats.of(new long[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
