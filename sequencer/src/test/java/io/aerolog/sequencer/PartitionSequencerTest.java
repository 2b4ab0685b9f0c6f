package io.aerolog.sequencer;

import org.junit.jupiter.api.Test;

import static io.aerolog.sequencer.PartitionSequencer.ACCEPT;
import static io.aerolog.sequencer.PartitionSequencer.DUPLICATE;
import static io.aerolog.sequencer.PartitionSequencer.INVALID_RECORD_COUNT;
import static io.aerolog.sequencer.PartitionSequencer.NO_PRODUCER_ID;
import static io.aerolog.sequencer.PartitionSequencer.OUT_OF_ORDER_SEQUENCE;
import static org.assertj.core.api.Assertions.assertThat;

class PartitionSequencerTest
{
    private static final long PRODUCER_ID = 42L;
    private static final short EPOCH = 3;

    private final PartitionSequencer sequencer = new PartitionSequencer(100L);

    @Test
    void shouldAssignDenseOffsetsAcrossBatches()
    {
        assertThat(sequencer.nextOffset()).isEqualTo(100L);
        assertThat(checkAndAppend(NO_PRODUCER_ID, (short)0, -1, 3)).isEqualTo(100L);
        assertThat(checkAndAppend(PRODUCER_ID, EPOCH, 0, 5)).isEqualTo(103L);
        assertThat(checkAndAppend(7L, (short)0, 0, 1)).isEqualTo(108L);
        assertThat(checkAndAppend(PRODUCER_ID, EPOCH, 5, 2)).isEqualTo(109L);
        assertThat(sequencer.nextOffset()).isEqualTo(111L);
        assertThat(sequencer.producerCount()).isEqualTo(2);
    }

    @Test
    void shouldRejectInvalidRecordCount()
    {
        assertThat(sequencer.check(NO_PRODUCER_ID, (short)0, 0, 0)).isEqualTo(INVALID_RECORD_COUNT);
        assertThat(sequencer.check(PRODUCER_ID, EPOCH, 0, -1)).isEqualTo(INVALID_RECORD_COUNT);
    }

    @Test
    void shouldDetectDuplicateOfEachOfLastFiveBatches()
    {
        final long[] baseOffsets = new long[7];
        int sequence = 0;
        for (int i = 0; i < baseOffsets.length; i++)
        {
            final int recordCount = i + 1;
            baseOffsets[i] = checkAndAppend(PRODUCER_ID, EPOCH, sequence, recordCount);
            sequence += recordCount;
        }
        final long nextOffset = sequencer.nextOffset();

        sequence = 0;
        for (int i = 0; i < baseOffsets.length; i++)
        {
            final int recordCount = i + 1;
            final int result = sequencer.check(PRODUCER_ID, EPOCH, sequence, recordCount);
            if (i < baseOffsets.length - PartitionSequencer.BATCH_HISTORY_SIZE)
            {
                // Too old to be remembered exactly.
                assertThat(result).as("batch %d", i).isEqualTo(OUT_OF_ORDER_SEQUENCE);
            }
            else
            {
                assertThat(result).as("batch %d", i).isEqualTo(DUPLICATE);
                assertThat(sequencer.duplicateBaseOffset()).as("batch %d", i).isEqualTo(baseOffsets[i]);
            }
            sequence += recordCount;
        }

        assertThat(sequencer.nextOffset()).isEqualTo(nextOffset);
    }

    @Test
    void shouldNotTreatSameBaseSequenceWithDifferentCountAsDuplicate()
    {
        checkAndAppend(PRODUCER_ID, EPOCH, 0, 5);

        assertThat(sequencer.check(PRODUCER_ID, EPOCH, 0, 4)).isEqualTo(OUT_OF_ORDER_SEQUENCE);
    }

    @Test
    void shouldRejectSequenceGap()
    {
        checkAndAppend(PRODUCER_ID, EPOCH, 0, 5);

        assertThat(sequencer.check(PRODUCER_ID, EPOCH, 6, 1)).isEqualTo(OUT_OF_ORDER_SEQUENCE);
        assertThat(sequencer.check(PRODUCER_ID, EPOCH, 5, 1)).isEqualTo(ACCEPT);
    }

    @Test
    void shouldRejectOldSequenceThatIsNotRemembered()
    {
        checkAndAppend(PRODUCER_ID, EPOCH, 0, 5);
        checkAndAppend(PRODUCER_ID, EPOCH, 5, 5);

        assertThat(sequencer.check(PRODUCER_ID, EPOCH, 3, 2)).isEqualTo(OUT_OF_ORDER_SEQUENCE);
        assertThat(sequencer.check(PRODUCER_ID, EPOCH, 9, 1)).isEqualTo(OUT_OF_ORDER_SEQUENCE);
    }

    @Test
    void shouldAcceptNewEpochWithAnySequenceAndForgetOldBatches()
    {
        checkAndAppend(PRODUCER_ID, EPOCH, 0, 5);
        checkAndAppend(PRODUCER_ID, EPOCH, 5, 5);

        final short newEpoch = EPOCH + 1;
        assertThat(sequencer.check(PRODUCER_ID, newEpoch, 17, 1)).isEqualTo(ACCEPT);
        final long baseOffset = checkAndAppend(PRODUCER_ID, newEpoch, 0, 2);

        assertThat(sequencer.check(PRODUCER_ID, newEpoch, 0, 2)).isEqualTo(DUPLICATE);
        assertThat(sequencer.duplicateBaseOffset()).isEqualTo(baseOffset);
        assertThat(sequencer.check(PRODUCER_ID, newEpoch, 5, 5)).isEqualTo(OUT_OF_ORDER_SEQUENCE);
        assertThat(sequencer.check(PRODUCER_ID, newEpoch, 2, 1)).isEqualTo(ACCEPT);
        assertThat(sequencer.producerCount()).isEqualTo(1);
    }

    @Test
    void shouldFenceOlderEpoch()
    {
        checkAndAppend(PRODUCER_ID, EPOCH, 0, 5);

        assertThat(sequencer.check(PRODUCER_ID, (short)(EPOCH - 1), 5, 1)).isEqualTo(OUT_OF_ORDER_SEQUENCE);
        assertThat(sequencer.check(PRODUCER_ID, (short)(EPOCH - 1), 0, 5)).isEqualTo(OUT_OF_ORDER_SEQUENCE);
    }

    @Test
    void shouldAlwaysAcceptNonIdempotentBatches()
    {
        for (int i = 0; i < 10; i++)
        {
            assertThat(checkAndAppend(NO_PRODUCER_ID, (short)-1, 0, 2)).isEqualTo(100L + i * 2);
        }

        assertThat(sequencer.producerCount()).isZero();
    }

    @Test
    void shouldAcceptUnknownProducerWithAnySequence()
    {
        assertThat(sequencer.check(PRODUCER_ID, EPOCH, 1234, 3)).isEqualTo(ACCEPT);
        checkAndAppend(PRODUCER_ID, EPOCH, 1234, 3);

        assertThat(sequencer.check(PRODUCER_ID, EPOCH, 1237, 1)).isEqualTo(ACCEPT);
    }

    @Test
    void shouldNotOverflowNearMaximumSequence()
    {
        checkAndAppend(PRODUCER_ID, EPOCH, Integer.MAX_VALUE - 1, 2);

        assertThat(sequencer.check(PRODUCER_ID, EPOCH, Integer.MIN_VALUE, 1)).isEqualTo(OUT_OF_ORDER_SEQUENCE);
        assertThat(sequencer.check(PRODUCER_ID, EPOCH, Integer.MAX_VALUE - 1, 2)).isEqualTo(DUPLICATE);
    }

    @Test
    void shouldRecoverFromLogThenContinue()
    {
        final PartitionSequencer recovered = new PartitionSequencer(0L);

        // Log starts at 500 after retention.
        recovered.recover(500L, 2, NO_PRODUCER_ID, (short)-1, -1);
        recovered.recover(502L, 3, PRODUCER_ID, EPOCH, 10);
        recovered.recover(505L, 4, 9L, (short)0, 0);
        recovered.recover(509L, 1, PRODUCER_ID, EPOCH, 13);

        assertThat(recovered.nextOffset()).isEqualTo(510L);
        assertThat(recovered.producerCount()).isEqualTo(2);

        assertThat(recovered.check(PRODUCER_ID, EPOCH, 10, 3)).isEqualTo(DUPLICATE);
        assertThat(recovered.duplicateBaseOffset()).isEqualTo(502L);
        assertThat(recovered.check(PRODUCER_ID, EPOCH, 13, 1)).isEqualTo(DUPLICATE);
        assertThat(recovered.duplicateBaseOffset()).isEqualTo(509L);
        assertThat(recovered.check(9L, (short)0, 4, 1)).isEqualTo(ACCEPT);

        assertThat(recovered.check(PRODUCER_ID, EPOCH, 14, 2)).isEqualTo(ACCEPT);
        assertThat(recovered.append(PRODUCER_ID, EPOCH, 14, 2)).isEqualTo(510L);
        assertThat(recovered.nextOffset()).isEqualTo(512L);
    }

    @Test
    void shouldTakeMaximumOffsetWhenRecoveringOutOfLine()
    {
        final PartitionSequencer recovered = new PartitionSequencer(1000L);

        recovered.recover(10L, 5, NO_PRODUCER_ID, (short)-1, -1);
        assertThat(recovered.nextOffset()).isEqualTo(1000L);

        recovered.recover(2000L, 5, NO_PRODUCER_ID, (short)-1, -1);
        assertThat(recovered.nextOffset()).isEqualTo(2005L);
    }

    @Test
    void shouldResetProducersAndOffset()
    {
        checkAndAppend(PRODUCER_ID, EPOCH, 0, 5);

        sequencer.reset(7L);

        assertThat(sequencer.nextOffset()).isEqualTo(7L);
        assertThat(sequencer.producerCount()).isZero();
        assertThat(sequencer.check(PRODUCER_ID, EPOCH, 0, 5)).isEqualTo(ACCEPT);
    }

    private long checkAndAppend(
        final long producerId, final short producerEpoch, final int baseSequence, final int recordCount)
    {
        assertThat(sequencer.check(producerId, producerEpoch, baseSequence, recordCount)).isEqualTo(ACCEPT);
        return sequencer.append(producerId, producerEpoch, baseSequence, recordCount);
    }
}
