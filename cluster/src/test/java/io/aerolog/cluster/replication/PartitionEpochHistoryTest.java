package io.aerolog.cluster.replication;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PartitionEpochHistoryTest
{
    @Test
    void shouldKeepARecordingIdPerEntryAndReplaceAnEpochThatWroteNothing()
    {
        final PartitionEpochHistory history = new PartitionEpochHistory();
        assertThat(history.leaderRecordingId()).isEqualTo(PartitionEpochHistory.NULL_RECORDING_ID);
        history.append(0, 0, 0, 7);
        history.append(1, 640, 10, 9);
        history.append(2, 640, 10, 11);
        assertThat(history.size()).isEqualTo(2);
        assertThat(history.epochAt(1)).isEqualTo(2);
        assertThat(history.recordingIdAt(0)).isEqualTo(7);
        assertThat(history.leaderRecordingId()).isEqualTo(11);
        assertThat(history.lastEquals(2, 640, 10, 11)).isTrue();
        assertThat(history.lastEquals(2, 640, 10, 12)).isFalse();
    }

    @Test
    void shouldDropOnlyEntriesWhollyBelowTheLogStartWhenFull()
    {
        final PartitionEpochHistory history = new PartitionEpochHistory();
        for (int e = 0; e < PartitionEpochHistory.MAX_ENTRIES; e++)
        {
            history.append(e, 100L * e, 10L * e, e);
        }
        assertThat(history.makeRoom(0)).as("nothing below the log start").isFalse();
        assertThat(history.makeRoom(5)).as("epoch 0 holds offset 5").isFalse();
        assertThat(history.makeRoom(25)).isTrue();
        assertThat(history.size()).isEqualTo(PartitionEpochHistory.MAX_ENTRIES - 2);
        assertThat(history.epochAt(0)).as("epoch 2 holds the log start").isEqualTo(2);
        assertThat(history.recordingIdAt(0)).isEqualTo(2);
        history.append(PartitionEpochHistory.MAX_ENTRIES, 1_000_000, 100_000, 99);
        assertThat(history.leaderRecordingId()).isEqualTo(99);
        assertThat(history.makeRoom(0)).as("room left").isTrue();
    }
}
