package io.aerolog.sequencer;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs random histories of leader changes over three replicas (any replica may become leader, followers copy some
 * or none of the leader's log, leaders only append) and checks the truncation point against the truth: the longest
 * prefix in which the two logs hold the same epoch at every position. Every epoch is written by one leader only, so
 * equal epochs at a position mean equal records there.
 */
class LeaderEpochHistoryPropertyTest
{
    private static final int REPLICAS = 3;

    @Property(tries = 2_000)
    void theTruncationPointIsWhereTheLogsStopAgreeing(
        @ForAll @Size(min = 1, max = 40) final List<@IntRange(min = 0, max = 999) Integer> rounds)
    {
        final List<List<Integer>> logs = new ArrayList<>();
        for (int r = 0; r < REPLICAS; r++)
        {
            logs.add(new ArrayList<>());
        }
        int epoch = 0;
        for (final int round : rounds)
        {
            epoch++;
            final int leader = round % REPLICAS;
            final int appended = (round / REPLICAS) % 6;
            final List<Integer> leaderLog = logs.get(leader);
            for (int i = 0; i < appended; i++)
            {
                leaderLog.add(epoch);
            }
            for (int r = 0; r < REPLICAS; r++)
            {
                if (r == leader)
                {
                    continue;
                }
                final List<Integer> replicaLog = logs.get(r);
                final long truncateTo = LeaderEpochHistory.truncationPoint(
                    historyOf(leaderLog), leaderLog.size(), historyOf(replicaLog), replicaLog.size());
                assertThat(truncateTo).as("leader %s, replica %s", leaderLog, replicaLog)
                    .isEqualTo(commonPrefix(leaderLog, replicaLog));

                // Some followers catch up partly or fully; some stay behind (down, slow) with their tail.
                final int copyMode = (round / 18 + r) % 3;
                if (0 != copyMode)
                {
                    replicaLog.subList((int)truncateTo, replicaLog.size()).clear();
                    final int target = 1 == copyMode ? leaderLog.size() : (replicaLog.size() + leaderLog.size()) / 2;
                    while (replicaLog.size() < target)
                    {
                        replicaLog.add(leaderLog.get(replicaLog.size()));
                    }
                }
            }
        }
    }

    private static LeaderEpochHistory historyOf(final List<Integer> log)
    {
        final LeaderEpochHistory history = new LeaderEpochHistory();
        for (int position = 0; position < log.size(); position++)
        {
            if (0 == position || !log.get(position).equals(log.get(position - 1)))
            {
                history.append(log.get(position), position, position);
            }
        }
        return history;
    }

    private static int commonPrefix(final List<Integer> a, final List<Integer> b)
    {
        int i = 0;
        while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i)))
        {
            i++;
        }
        return i;
    }
}
