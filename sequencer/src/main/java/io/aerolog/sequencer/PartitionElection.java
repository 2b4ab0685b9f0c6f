package io.aerolog.sequencer;

import java.util.Arrays;
import java.util.function.IntPredicate;
import java.util.function.IntToLongFunction;

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

    /** What the controller answers a leader's proposal of a new in-sync set. */
    public enum AlterOutcome
    {
        /** Applied (or nothing to change). */
        ACCEPTED,
        /** The proposer's broker epoch is not its registered one: a restarted or zombie broker. */
        STALE_BROKER_EPOCH,
        /** The proposer does not lead the partition at that leader epoch (an older one: it was deposed). */
        FENCED_LEADER_EPOCH,
        /** The proposer is not the leader, or names a newer leader epoch than the controller knows. */
        NOT_LEADER_OR_FOLLOWER,
        /** The proposal was made on another version of the partition: re-read it and propose again. */
        STALE_PARTITION_EPOCH,
        /** The set is empty, lacks the leader, or adds a broker that is no replica, is fenced or has restarted. */
        INELIGIBLE_REPLICA
    }

    /**
     * The outcome of a proposal and the partition's state after it.
     *
     * @param outcome what the controller answers.
     * @param state   the partition's state: changed only when accepted with a different set.
     */
    public record AlterResult(AlterOutcome outcome, State state)
    {
    }

    /**
     * A leader proposes a new in-sync set (KRaft's AlterPartition, with KIP-903's broker epochs): accepted only from
     * the live leader at the current leader and partition epochs; a broker it adds must be a replica, live, and of
     * the broker epoch the leader saw it catch up in. Only the leader shrinks or grows the set. A replica that
     * joins the set leaves the eligible set, and once the set reaches {@code min.insync.replicas} the eligible set
     * is cleared (KIP-966 keeps it only below).
     *
     * @param state             of the partition.
     * @param brokerId          proposing.
     * @param brokerEpoch       of the proposer, as it registered.
     * @param leaderEpoch       the proposer leads in.
     * @param partitionEpoch    the proposal was made on.
     * @param newIsr            the proposed set.
     * @param newIsrEpochs      each proposed member's broker epoch as the leader saw it, or -1 where unknown.
     * @param minInsyncReplicas of the topic.
     * @param registeredEpoch   each broker's registered epoch, -1 for none.
     * @param isFenced          tells which brokers are fenced.
     * @return the outcome and the resulting state.
     */
    public static AlterResult alterIsr(
        final State state,
        final int brokerId,
        final long brokerEpoch,
        final int leaderEpoch,
        final int partitionEpoch,
        final int[] newIsr,
        final long[] newIsrEpochs,
        final int minInsyncReplicas,
        final IntToLongFunction registeredEpoch,
        final IntPredicate isFenced)
    {
        if (registeredEpoch.applyAsLong(brokerId) != brokerEpoch || isFenced.test(brokerId))
        {
            return new AlterResult(AlterOutcome.STALE_BROKER_EPOCH, state);
        }
        if (state.leader != brokerId || leaderEpoch > state.leaderEpoch)
        {
            return new AlterResult(leaderEpoch < state.leaderEpoch ?
                AlterOutcome.FENCED_LEADER_EPOCH : AlterOutcome.NOT_LEADER_OR_FOLLOWER, state);
        }
        if (leaderEpoch < state.leaderEpoch)
        {
            return new AlterResult(AlterOutcome.FENCED_LEADER_EPOCH, state);
        }
        if (partitionEpoch != state.partitionEpoch)
        {
            return new AlterResult(AlterOutcome.STALE_PARTITION_EPOCH, state);
        }
        if (0 == newIsr.length || !contains(newIsr, brokerId) || newIsr.length != newIsrEpochs.length ||
            Arrays.stream(newIsr).distinct().count() != newIsr.length)
        {
            return new AlterResult(AlterOutcome.INELIGIBLE_REPLICA, state);
        }
        for (int i = 0; i < newIsr.length; i++)
        {
            final int member = newIsr[i];
            if (!contains(state.replicas, member))
            {
                return new AlterResult(AlterOutcome.INELIGIBLE_REPLICA, state);
            }
            final boolean added = !contains(state.isr, member);
            if (added && (isFenced.test(member) ||
                (newIsrEpochs[i] >= 0 && newIsrEpochs[i] != registeredEpoch.applyAsLong(member))))
            {
                return new AlterResult(AlterOutcome.INELIGIBLE_REPLICA, state);
            }
        }
        int[] elr = state.elr;
        for (final int member : newIsr)
        {
            elr = without(elr, member);
        }
        if (newIsr.length >= minInsyncReplicas)
        {
            elr = new int[0];
        }
        return new AlterResult(AlterOutcome.ACCEPTED, changed(state, state.leader, newIsr.clone(), elr));
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
