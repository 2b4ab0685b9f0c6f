package io.aerolog.sequencer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InSyncReplicasTest
{
    private static final int LEADER = 1;
    private static final int EPOCH = 4;
    private static final long LAG_MS = 3_000;

    private static InSyncReplicas threeInSync(final int minInsync)
    {
        return new InSyncReplicas(LEADER, new int[]{ 1, 2, 3 }, new int[]{ 1, 2, 3 }, minInsync, LAG_MS, EPOCH,
            100, 100, 0);
    }

    @Test
    void theHighWatermarkIsTheLowestPositionOverTheInSyncSet()
    {
        final InSyncReplicas isr = threeInSync(2);
        assertThat(isr.updateHighWatermark(500)).as("no follower has reported in this epoch").isEqualTo(100);

        isr.onReport(2, EPOCH, 400, 500, 10);
        assertThat(isr.updateHighWatermark(500)).as("follower 3 still unknown").isEqualTo(100);

        isr.onReport(3, EPOCH, 300, 500, 10);
        assertThat(isr.updateHighWatermark(500)).isEqualTo(300);
        isr.onReport(3, EPOCH, 600, 700, 20);
        assertThat(isr.updateHighWatermark(700)).isEqualTo(400);
        assertThat(isr.updateHighWatermark(350)).as("never moves back").isEqualTo(400);
    }

    @Test
    void reportsOfAnotherEpochOrAStrangerAreDropped()
    {
        final InSyncReplicas isr = threeInSync(1);
        assertThat(isr.onReport(2, EPOCH - 1, 900, 500, 10)).isFalse();
        assertThat(isr.onReport(7, EPOCH, 900, 500, 10)).isFalse();
        assertThat(isr.onReport(LEADER, EPOCH, 900, 500, 10)).isFalse();
        assertThat(isr.positionOf(2)).isEqualTo(InSyncReplicas.UNKNOWN);
        assertThat(isr.updateHighWatermark(500)).isEqualTo(100);
    }

    @Test
    void belowMinInsyncTheHighWatermarkStays()
    {
        final InSyncReplicas isr = threeInSync(2);
        isr.applyInSync(new int[]{ LEADER });
        assertThat(isr.hasMinInsync()).isFalse();
        assertThat(isr.updateHighWatermark(500)).isEqualTo(100);
        isr.applyInSync(new int[]{ LEADER, 2 });
        isr.onReport(2, EPOCH, 450, 500, 10);
        assertThat(isr.hasMinInsync()).isTrue();
        assertThat(isr.updateHighWatermark(500)).isEqualTo(450);
    }

    @Test
    void aFollowerBehindForLongerThanTheLagTimeIsProposedForRemoval()
    {
        final InSyncReplicas isr = threeInSync(2);
        isr.onReport(2, EPOCH, 500, 500, 1_000);
        isr.onReport(3, EPOCH, 200, 500, 1_000);
        assertThat(isr.shrinkProposal(2_000)).isNull();

        // Follower 2 keeps reaching the leader's end as of its previous report; 3 stays at 200.
        isr.onReport(2, EPOCH, 500, 800, 3_500);
        isr.onReport(2, EPOCH, 800, 1_000, 6_000);
        isr.onReport(3, EPOCH, 200, 1_000, 6_000);
        assertThat(isr.shrinkProposal(6_000)).containsExactly(1, 2);

        isr.applyInSync(new int[]{ 1, 2 });
        assertThat(isr.updateHighWatermark(1_000)).as("3 no longer holds it back").isEqualTo(800);
    }

    @Test
    void aReplicaThatCaughtUpIsProposedAndCountsAtOnce()
    {
        final InSyncReplicas isr = new InSyncReplicas(LEADER, new int[]{ 1, 2, 3 }, new int[]{ 1, 2 }, 2, LAG_MS,
            EPOCH, 100, 100, 0);
        isr.onReport(2, EPOCH, 400, 400, 10);
        assertThat(isr.updateHighWatermark(400)).isEqualTo(400);

        isr.onReport(3, EPOCH, 90, 400, 10);
        assertThat(isr.expandProposal(10)).as("below the epoch start and the high watermark").isNull();
        isr.onReport(3, EPOCH, 420, 450, 20);
        assertThat(isr.expandProposal(20)).containsExactly(1, 2, 3);

        isr.onReport(2, EPOCH, 450, 450, 30);
        assertThat(isr.updateHighWatermark(450)).as("the proposed member is in the maximal set").isEqualTo(420);
    }

    @Test
    void aRefusedAdditionNoLongerHoldsTheHighWatermarkAndAStalledCopyIsNotProposedAgain()
    {
        final InSyncReplicas isr = new InSyncReplicas(LEADER, new int[]{ 1, 2, 3 }, new int[]{ 1, 2 }, 2, LAG_MS,
            EPOCH, 0, 100, 0);
        isr.onReport(2, EPOCH, 400, 400, 10);
        isr.onReport(3, EPOCH, 400, 400, 10);
        assertThat(isr.expandProposal(10)).containsExactly(1, 2, 3);

        // Replica 3's copy stops at 400 while the leader and 2 go on: as a proposed member it holds the watermark.
        isr.onReport(2, EPOCH, 900, 900, 50);
        isr.onReport(3, EPOCH, 400, 900, 50);
        assertThat(isr.updateHighWatermark(900)).isEqualTo(400);

        isr.cancelProposedAdditions(); // the controller refused
        assertThat(isr.updateHighWatermark(900)).as("the agreed set alone").isEqualTo(900);

        isr.onReport(3, EPOCH, 400, 900, LAG_MS + 100);
        assertThat(isr.updateHighWatermark(900)).isEqualTo(900);
        isr.onReport(3, EPOCH, 900, 900, LAG_MS + 200);
        assertThat(isr.expandProposal(LAG_MS + 200)).as("caught up again").containsExactly(1, 2, 3);
    }

    @Test
    void aCopyAtTheHighWatermarkButNotCaughtUpWithinTheLagTimeIsNotProposed()
    {
        final InSyncReplicas isr = new InSyncReplicas(LEADER, new int[]{ 1, 2, 3 }, new int[]{ 1, 2 }, 2, LAG_MS,
            EPOCH, 0, 100, 0);
        isr.onReport(2, EPOCH, 100, 900, 10);
        isr.onReport(3, EPOCH, 100, 900, 10);
        isr.onReport(3, EPOCH, 100, 900, LAG_MS + 50);
        assertThat(isr.expandProposal(LAG_MS + 50)).as("at the high watermark, far behind the leader's end").isNull();
    }

    @Test
    void badSetsAreRefused()
    {
        assertThatThrownBy(() -> new InSyncReplicas(9, new int[]{ 1, 2 }, new int[]{ 1 }, 1, LAG_MS, 0, 0, 0, 0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InSyncReplicas(1, new int[]{ 1, 2 }, new int[]{ 1 }, 3, LAG_MS, 0, 0, 0, 0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> threeInSync(1).applyInSync(new int[]{ 1, 5 }))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
