package io.aerolog.sequencer;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random follower reports, set changes and leader appends: the high watermark never moves back, never passes the
 * leader's end, and whenever it moves, every member of the in-sync set (the leader too) has reported at least that
 * far, so an acks=all acknowledgement below it is held by every in-sync replica.
 */
class InSyncReplicasPropertyTest
{
    private static final int[] REPLICAS = { 1, 2, 3 };

    @Property(tries = 1_000)
    void theHighWatermarkIsHeldByEveryInSyncReplica(
        @ForAll @Size(min = 1, max = 200) final List<@IntRange(min = 0, max = 99_999) Integer> steps,
        @ForAll @IntRange(min = 1, max = 3) final int minInsync)
    {
        final InSyncReplicas isr = new InSyncReplicas(1, REPLICAS, REPLICAS, minInsync, 50, 7, 0, 0, 0);
        int[] agreed = REPLICAS.clone();
        long leaderEnd = 0;
        long now = 0;
        long previous = 0;
        for (final int step : steps)
        {
            now += step % 20;
            switch (step % 4)
            {
                case 0 -> leaderEnd += step % 97;
                case 1 ->
                {
                    final int follower = 2 + (step / 4) % 2;
                    final int epoch = 0 == (step / 8) % 10 ? 6 : 7; // now and then a stale epoch's report
                    isr.onReport(follower, epoch, Math.min(leaderEnd, (step / 16) % (leaderEnd + 1)), leaderEnd, now);
                }
                case 2 ->
                {
                    final int[] proposal = 0 == (step / 4) % 2 ? isr.shrinkProposal(now) : isr.expandProposal(now);
                    if (null != proposal && 0 == (step / 8) % 3)
                    {
                        agreed = proposal;
                        isr.applyInSync(agreed);
                    }
                }
                default ->
                {
                    final long hw = isr.updateHighWatermark(leaderEnd);
                    assertThat(hw).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(leaderEnd);
                    if (hw > previous)
                    {
                        assertThat(agreed.length).isGreaterThanOrEqualTo(minInsync);
                        for (final int member : agreed)
                        {
                            if (1 != member)
                            {
                                assertThat(isr.positionOf(member)).as("member %d", member).isGreaterThanOrEqualTo(hw);
                            }
                        }
                    }
                    previous = hw;
                }
            }
        }
    }
}
