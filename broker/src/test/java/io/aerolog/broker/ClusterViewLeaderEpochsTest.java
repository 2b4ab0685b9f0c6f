package io.aerolog.broker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterViewLeaderEpochsTest
{
    @Test
    void shouldFollowEpochStartsAndReplaceTheHistoryWithEachMetadataAnswer()
    {
        final ClusterView view = new ClusterView(1);
        assertThat(view.leaderEpochs(3, 0)).isNull();

        assertThat(view.onLeaderEpochStart(-1, 3, 0, 0, 0, 0, 7)).isTrue();
        assertThat(view.onLeaderEpochStart(-1, 3, 0, 1, 640, 10, 9)).isTrue();
        assertThat(view.onLeaderEpochStart(-1, 3, 0, 1, 640, 10, 9)).as("told twice").isFalse();
        ClusterView.LeaderEpochs epochs = view.leaderEpochs(3, 0);
        assertThat(epochs.history().toString()).isEqualTo("LeaderEpochHistory[(0, 0, 0), (1, 640, 10)]");
        assertThat(epochs.leaderRecordingId()).isEqualTo(9);

        // A metadata answer replaces it: its first entry starts a new history, the rest append.
        assertThat(view.onLeaderEpochStart(42, 3, 0, 0, 0, 0, 7)).isTrue();
        assertThat(view.onLeaderEpochStart(42, 3, 0, 2, 640, 10, 11)).isTrue();
        epochs = view.leaderEpochs(3, 0);
        assertThat(epochs.history().toString()).isEqualTo("LeaderEpochHistory[(0, 0, 0), (2, 640, 10)]");
        assertThat(epochs.leaderRecordingId()).isEqualTo(11);
        assertThat(view.onLeaderEpochStart(-1, 3, 0, 3, -1, 10, 12)).as("negative start").isFalse();

        view.onTopicDeleted(3, 1);
        assertThat(view.leaderEpochs(3, 0)).isNull();
    }
}
