package io.aerolog.sequencer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LeaderEpochHistoryTest
{
    /** Entries as (epoch, start position); offsets are position / 10 here. */
    private static LeaderEpochHistory history(final long... epochAndStart)
    {
        final LeaderEpochHistory history = new LeaderEpochHistory();
        for (int i = 0; i < epochAndStart.length; i += 2)
        {
            history.append((int)epochAndStart[i], epochAndStart[i + 1], epochAndStart[i + 1] / 10);
        }
        return history;
    }

    @Test
    void aReplicaThatIsAPrefixOfTheLeaderKeepsEverything()
    {
        final LeaderEpochHistory leader = history(1, 0, 2, 80);
        assertThat(LeaderEpochHistory.truncationPoint(leader, 200, history(1, 0, 2, 80), 150)).isEqualTo(150);
        assertThat(LeaderEpochHistory.truncationPoint(leader, 200, history(1, 0), 60)).isEqualTo(60);
    }

    @Test
    void aDeposedLeaderCutsItsUncommittedTailAtTheNextEpochsStart()
    {
        // It led epoch 1 up to 100; the new leader of epoch 2 started at 80, so 80..100 never committed.
        final LeaderEpochHistory leader = history(1, 0, 2, 80);
        assertThat(LeaderEpochHistory.truncationPoint(leader, 120, history(1, 0), 100)).isEqualTo(80);
    }

    @Test
    void aReplicaAheadOfTheLeaderInTheSameEpochCutsToTheLeadersEnd()
    {
        final LeaderEpochHistory leader = history(1, 0, 2, 80);
        assertThat(LeaderEpochHistory.truncationPoint(leader, 120, history(1, 0, 2, 80), 130)).isEqualTo(120);
    }

    @Test
    void anEpochTheLeaderNeverHadIsCutWhereTheReplicaStartedIt()
    {
        // The replica led epoch 2 from 50 (never committed); the leader went from epoch 1 to 3 at 60.
        final LeaderEpochHistory leader = history(1, 0, 3, 60);
        assertThat(LeaderEpochHistory.truncationPoint(leader, 100, history(1, 0, 2, 50), 70)).isEqualTo(50);
    }

    @Test
    void afterADoubleFailoverTheReplicaWalksBackUntilTheEpochsAgree()
    {
        // KIP-279: one round with the replica's last epoch alone would keep 50..80, written in epoch 2, which the
        // leader holds as epoch 1 data up to 60 and epoch 3 after.
        final LeaderEpochHistory leader = history(1, 0, 3, 60);
        final LeaderEpochHistory replica = history(1, 0, 2, 50, 4, 80);
        assertThat(LeaderEpochHistory.truncationPoint(leader, 120, replica, 100)).isEqualTo(50);
    }

    @Test
    void theLeadersCurrentEpochEndsAtItsLogEnd()
    {
        final LeaderEpochHistory leader = history(1, 0, 2, 80, 5, 90);
        assertThat(LeaderEpochHistory.truncationPoint(leader, 95, history(1, 0, 2, 80, 5, 90), 200)).isEqualTo(95);
        assertThat(LeaderEpochHistory.truncationPoint(leader, 95, history(1, 0, 2, 80), 200)).isEqualTo(90);
    }

    @Test
    void aReplicaOlderThanTheLeadersHistoryKeepsOnlyWhatLiesBeforeIt()
    {
        // Retention dropped the leader's early epochs: its history starts with epoch 3 at 200.
        final LeaderEpochHistory leader = history(3, 200);
        assertThat(LeaderEpochHistory.truncationPoint(leader, 300, history(1, 0, 2, 100), 250)).isEqualTo(200);
    }

    @Test
    void anEmptyReplicaKeepsNothingAndAnEmptyLeaderKeepsWhatBothHave()
    {
        assertThat(LeaderEpochHistory.truncationPoint(history(1, 0), 100, history(), 0)).isZero();
        assertThat(LeaderEpochHistory.truncationPoint(history(), 40, history(1, 0), 60)).isEqualTo(40);
    }

    @Test
    void aLaterEpochStartingNoLaterReplacesTheEntriesItOverlaps()
    {
        final LeaderEpochHistory history = history(1, 0, 2, 60, 3, 60);
        assertThat(history.size()).isEqualTo(2);
        assertThat(history.epochAt(1)).isEqualTo(3);
        assertThat(history.startPositionAt(1)).isEqualTo(60);

        history.append(4, 40, 4);
        assertThat(history.toString()).isEqualTo("LeaderEpochHistory[(1, 0, 0), (4, 40, 4)]");
        assertThat(history.largestEpochAtMost(3)).isEqualTo(1);
        assertThat(history.endPositionOf(1, 500)).isEqualTo(40);
        assertThat(history.epochBefore(40)).isEqualTo(1);
        assertThat(history.epochBefore(41)).isEqualTo(4);
    }

    @Test
    void epochsOnlyGrowAndTheLastEntryMayBeAppendedAgain()
    {
        final LeaderEpochHistory history = history(1, 0, 2, 80);
        history.append(2, 80, 8);
        assertThat(history.size()).isEqualTo(2);
        assertThatThrownBy(() -> history.append(2, 90, 9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> history.append(1, 100, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> history.append(3, -1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> history.epochAt(2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void truncatingForgetsTheEpochsThatStartedAtOrBeyondTheCut()
    {
        final LeaderEpochHistory history = history(1, 0, 2, 50, 4, 80);
        history.truncateFrom(50);
        assertThat(history.lastEpoch()).isEqualTo(1);
        history.append(5, 50, 5);
        assertThat(history.lastEpoch()).isEqualTo(5);
        for (int epoch = 6; epoch < 40; epoch++)
        {
            history.append(epoch, epoch * 100L, epoch * 10L);
        }
        assertThat(history.size()).isEqualTo(36);
        assertThat(history.largestEpochAtMost(Integer.MAX_VALUE)).isEqualTo(39);
    }
}
