package io.aerolog.sequencer;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * The controller's rules for a partition's leader and in-sync set when brokers come and go (KRaft's, with eligible
 * leader replicas from KIP-966), as pure functions of the partition's state: a fenced broker leaves the in-sync set
 * (the last member stays, so the set remembers who holds the committed log) and, when the set falls below
 * {@code min.insync.replicas} and it stopped cleanly, joins the eligible set; a new leader comes from the in-sync set
 * in replica order, else from the eligible set (the in-sync set then is that one replica), else the partition is
 * offline until one of them returns. Never an unclean election. Each change bumps the partition epoch, and each new
 * leader the leader epoch.
 */
public final class PartitionElection
{
    /** Leader of an offline partition. */
    public static final int NO_LEADER = -1;

    private PartitionElection()
    {
    }

    /**
     * A partition's replication state.
     *
     * @param replicas       every replica, the preferred leader first.
     * @param leader         the leader, or {@link #NO_LEADER}.
     * @param leaderEpoch    bumped with every new leader.
     * @param partitionEpoch bumped with every change.
     * @param isr            the in-sync replicas.
     * @param elr            the eligible leader replicas (out of the in-sync set, but hold the committed log).
     */
    public record State(int[] replicas, int leader, int leaderEpoch, int partitionEpoch, int[] isr, int[] elr)
    {
        @Override
        public String toString()
        {
            return "State[replicas=" + Arrays.toString(replicas) + ", leader=" + leader + ", leaderEpoch=" +
                leaderEpoch + ", partitionEpoch=" + partitionEpoch + ", isr=" + Arrays.toString(isr) + ", elr=" +
                Arrays.toString(elr) + "]";
        }
    }

    /**
     * A broker was fenced (missed its heartbeats, or stopped).
     *
     * @param state             of the partition.
     * @param brokerId          the fenced broker.
     * @param cleanShutdown     whether it stopped cleanly (only then may it become an eligible leader).
     * @param minInsyncReplicas of the topic.
     * @param isFenced          tells which other brokers are fenced now.
     * @return the new state, or the same one when the broker is not a replica.
     */
    public static State onBrokerFenced(
        final State state,
        final int brokerId,
        final boolean cleanShutdown,
        final int minInsyncReplicas,
        final IntPredicate isFenced)
    {
        if (!contains(state.replicas, brokerId))
        {
            return state;
        }
        final IntPredicate fenced = (id) -> id == brokerId || isFenced.test(id);
        int[] isr = state.isr;
        int[] elr = state.elr;
        if (contains(isr, brokerId) && isr.length > 1)
        {
            isr = without(isr, brokerId);
            if (isr.length < minInsyncReplicas && cleanShutdown)
            {
                elr = with(elr, brokerId);
            }
        }
        int leader = state.leader;
        if (leader == brokerId || NO_LEADER == leader)
        {
            leader = NO_LEADER;
            for (final int replica : state.replicas)
            {
                if (contains(isr, replica) && !fenced.test(replica))
                {
                    leader = replica;
                    break;
                }
            }
            if (NO_LEADER == leader)
            {
                for (final int replica : state.replicas)
                {
                    if (contains(elr, replica) && !fenced.test(replica))
                    {
                        leader = replica;
                        isr = new int[]{ replica };
                        elr = without(elr, replica);
                        break;
                    }
                }
            }
        }
        return changed(state, leader, isr, elr);
    }

    /**
     * A broker is back (registered, caught up with the controller): an offline partition it may lead gets it as
     * leader.
     *
     * @param state    of the partition.
     * @param brokerId the broker now unfenced.
     * @return the new state, or the same one.
     */
    public static State onBrokerUnfenced(final State state, final int brokerId)
    {
        if (NO_LEADER != state.leader || !contains(state.replicas, brokerId))
        {
            return state;
        }
        if (contains(state.isr, brokerId))
        {
            return changed(state, brokerId, state.isr, state.elr);
        }
        if (contains(state.elr, brokerId))
        {
            return changed(state, brokerId, new int[]{ brokerId }, without(state.elr, brokerId));
        }
        return state;
    }

    /**
     * Moves leadership back to the preferred leader when it is in sync and live.
     *
     * @param state    of the partition.
     * @param isFenced tells which brokers are fenced.
     * @return the new state, or the same one.
     */
    public static State electPreferred(final State state, final IntPredicate isFenced)
    {
        final int preferred = state.replicas[0];
        if (preferred == state.leader || !contains(state.isr, preferred) || isFenced.test(preferred))
        {
            return state;
        }
        return changed(state, preferred, state.isr, state.elr);
    }

    private static State changed(final State state, final int leader, final int[] isr, final int[] elr)
    {
        final boolean newLeader = leader != state.leader;
        if (!newLeader && Arrays.equals(isr, state.isr) && Arrays.equals(elr, state.elr))
        {
            return state;
        }
        return new State(state.replicas, leader, newLeader ? state.leaderEpoch + 1 : state.leaderEpoch,
            state.partitionEpoch + 1, isr, elr);
    }

    private static boolean contains(final int[] ids, final int id)
    {
        for (final int each : ids)
        {
            if (each == id)
            {
                return true;
            }
        }
        return false;
    }

    private static int[] without(final int[] ids, final int id)
    {
        return Arrays.stream(ids).filter((each) -> each != id).toArray();
    }

    private static int[] with(final int[] ids, final int id)
    {
        if (contains(ids, id))
        {
            return ids;
        }
        final int[] result = Arrays.copyOf(ids, ids.length + 1);
        result[ids.length] = id;
        return result;
    }
}
