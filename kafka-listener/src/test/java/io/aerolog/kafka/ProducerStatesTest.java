package io.aerolog.kafka;

import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProducerStatesTest
{
    private final ProducerStates states = new ProducerStates();

    @Test
    void aRetriedBatchIsADuplicateWithItsOriginalOffset()
    {
        assertThat(states.check(7, (short)0, "t", 0, 0, 9).verdict).isEqualTo(ProducerStates.Verdict.APPEND);
        states.onAppended(7, (short)0, "t", 0, 0, 9, 100);
        final ProducerStates.Check retry = states.check(7, (short)0, "t", 0, 0, 9);
        assertThat(retry.verdict).isEqualTo(ProducerStates.Verdict.DUPLICATE);
        assertThat(retry.baseOffset).isEqualTo(100);
    }

    @Test
    void aRetryWhileTheFirstCopyIsInFlightIsADuplicateWithoutAnOffset()
    {
        states.check(7, (short)0, "t", 0, 0, 9);
        final ProducerStates.Check retry = states.check(7, (short)0, "t", 0, 0, 9);
        assertThat(retry.verdict).isEqualTo(ProducerStates.Verdict.DUPLICATE);
        assertThat(retry.baseOffset).isEqualTo(-1);
    }

    @Test
    void pipelinedBatchesFollowEachOtherAndAGapIsOutOfOrder()
    {
        assertThat(states.check(7, (short)0, "t", 0, 0, 9).verdict).isEqualTo(ProducerStates.Verdict.APPEND);
        assertThat(states.check(7, (short)0, "t", 0, 10, 19).verdict).isEqualTo(ProducerStates.Verdict.APPEND);
        final ProducerStates.Check gap = states.check(7, (short)0, "t", 0, 25, 30);
        assertThat(gap.verdict).isEqualTo(ProducerStates.Verdict.REFUSE);
        assertThat(gap.error).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
    }

    @Test
    void aFailedBatchGivesItsSequencesBack()
    {
        states.check(7, (short)0, "t", 0, 0, 9);
        states.onAppended(7, (short)0, "t", 0, 0, 9, -1);
        assertThat(states.check(7, (short)0, "t", 0, 0, 4).verdict).isEqualTo(ProducerStates.Verdict.APPEND);
    }

    @Test
    void epochsFenceOlderOnesAndANewEpochStartsAtZero()
    {
        states.check(7, (short)1, "t", 0, 0, 0);
        assertThat(states.check(7, (short)0, "t", 0, 1, 1).error).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(states.check(7, (short)2, "t", 0, 5, 5).error).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(states.check(7, (short)2, "t", 0, 0, 3).verdict).isEqualTo(ProducerStates.Verdict.APPEND);
    }

    @Test
    void onlyTheLastFiveBatchesAreRemembered()
    {
        for (int i = 0; i < 6; i++)
        {
            states.check(7, (short)0, "t", 0, i, i);
            states.onAppended(7, (short)0, "t", 0, i, i, 50 + i);
        }
        assertThat(states.check(7, (short)0, "t", 0, 5, 5).baseOffset).isEqualTo(55);
        assertThat(states.check(7, (short)0, "t", 0, 0, 0).verdict).isEqualTo(ProducerStates.Verdict.REFUSE);
    }

    @Test
    void partitionsAndProducersAreIndependent()
    {
        states.check(7, (short)0, "t", 0, 0, 9);
        assertThat(states.check(7, (short)0, "t", 1, 3, 3).verdict).isEqualTo(ProducerStates.Verdict.APPEND);
        assertThat(states.check(8, (short)0, "t", 0, 3, 3).verdict).isEqualTo(ProducerStates.Verdict.APPEND);
    }
}
