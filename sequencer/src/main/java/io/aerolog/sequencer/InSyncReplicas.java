package io.aerolog.sequencer;

import java.util.Arrays;

/**
 * A partition leader's view of its followers: the recorded position each reported in the current leader epoch, when
 * each was last caught up, the in-sync set agreed with the controller and the high watermark over it. Kafka's rules:
 * <ul>
 *     <li>the high watermark is the lowest position over the leader and the <em>maximal</em> in-sync set (the agreed
 *     set plus any replica whose addition is proposed but not yet agreed), it moves only while the agreed set has at
 *     least {@code min.insync.replicas} members, and it never moves back; a member whose position is not known yet
 *     (a new leader starts knowing none) holds it where it is;</li>
 *     <li>a follower is caught up when its report reaches the leader's end, or the end the leader had at its previous
 *     report; one not caught up for longer than the lag time is proposed for removal;</li>
 *     <li>a replica outside the set is proposed for addition once its position in the current epoch reaches both
 *     the high watermark and the start of the epoch, and it has been caught up within the lag time (a copy that
 *     stopped at the high watermark it holds is not proposed again and again); a proposal the controller refuses
 *     is {@link #cancelProposedAdditions() cancelled}, so a refused replica no longer holds the high watermark;</li>
 *     <li>reports from another epoch or from a broker that is not a replica are dropped.</li>
 * </ul>
 * Pure and single threaded (the leader's data-path thread). Reports and the high watermark allocate nothing; a
 * proposal allocates its set, so call the proposal methods on a slow tick, not every duty cycle.
 */
public final class InSyncReplicas
{
    /** Position of a follower that has not reported in this epoch. */
    public static final long UNKNOWN = -1;

    private final int leaderId;
    private final int minInsyncReplicas;
    private final long lagTimeMaxMs;
    private final int leaderEpoch;
    private final long epochStartPosition;
    private final int[] replicas;
    private final boolean[] inSync;
    private final boolean[] additionProposed;
    private final long[] positions;
    private final long[] lastCaughtUpMs;
    private final long[] leaderEndAtLastReport;
    private final long[] lastReportMs;
    private long highWatermark;

    /**
     * @param leaderId           this broker.
     * @param replicas           every replica of the partition, the leader among them.
     * @param inSync             the agreed in-sync set, the leader among them.
     * @param minInsyncReplicas  members the set needs for the high watermark to move.
     * @param lagTimeMaxMs       how long a member may stay behind before it is proposed for removal.
     * @param leaderEpoch        the epoch this broker leads.
     * @param epochStartPosition where the epoch starts in the log.
     * @param highWatermark      the last high watermark known (from the previous leader), at most the log end.
     * @param nowMs              the time now, from which members count as caught up.
     */
    public InSyncReplicas(
        final int leaderId,
        final int[] replicas,
        final int[] inSync,
        final int minInsyncReplicas,
        final long lagTimeMaxMs,
        final int leaderEpoch,
        final long epochStartPosition,
        final long highWatermark,
        final long nowMs)
    {
        if (indexIn(replicas, leaderId) < 0 || indexIn(inSync, leaderId) < 0)
        {
            throw new IllegalArgumentException("leader " + leaderId + " must be a replica and in sync: " +
                Arrays.toString(replicas) + ", " + Arrays.toString(inSync));
        }
        if (minInsyncReplicas < 1 || minInsyncReplicas > replicas.length)
        {
            throw new IllegalArgumentException("min.insync.replicas " + minInsyncReplicas + " outside 1.." +
                replicas.length);
        }
        this.leaderId = leaderId;
        this.minInsyncReplicas = minInsyncReplicas;
        this.lagTimeMaxMs = lagTimeMaxMs;
        this.leaderEpoch = leaderEpoch;
        this.epochStartPosition = epochStartPosition;
        this.replicas = replicas.clone();
        this.inSync = new boolean[replicas.length];
        this.additionProposed = new boolean[replicas.length];
        this.positions = new long[replicas.length];
        this.lastCaughtUpMs = new long[replicas.length];
        this.leaderEndAtLastReport = new long[replicas.length];
        this.lastReportMs = new long[replicas.length];
        Arrays.fill(positions, UNKNOWN);
        Arrays.fill(leaderEndAtLastReport, Long.MAX_VALUE);
        Arrays.fill(lastCaughtUpMs, nowMs);
        this.highWatermark = highWatermark;
        applyInSync(inSync);
    }

    /**
     * A follower's report of its recorded position.
     *
     * @param brokerId  of the follower.
     * @param epoch     the leader epoch it follows.
     * @param position  its recorded position.
     * @param leaderEnd the leader's log end now.
     * @param nowMs     the time now.
     * @return true if the report was taken, false if dropped (another epoch, not a replica, or the leader itself).
     */
    public boolean onReport(
        final int brokerId, final int epoch, final long position, final long leaderEnd, final long nowMs)
    {
        final int i = indexIn(replicas, brokerId);
        if (i < 0 || brokerId == leaderId || epoch != leaderEpoch || position < 0)
        {
            return false;
        }
        if (position >= leaderEnd)
        {
            lastCaughtUpMs[i] = nowMs;
        }
        else if (position >= leaderEndAtLastReport[i])
        {
            lastCaughtUpMs[i] = Math.max(lastCaughtUpMs[i], lastReportMs[i]);
        }
        leaderEndAtLastReport[i] = leaderEnd;
        lastReportMs[i] = nowMs;
        positions[i] = Math.max(positions[i], position);
        return true;
    }

    /**
     * Moves the high watermark as far as the maximal in-sync set allows.
     *
     * @param leaderEnd the leader's recorded position (its own copy is in its archive up to there).
     * @return the high watermark, never lower than before.
     */
    public long updateHighWatermark(final long leaderEnd)
    {
        if (inSyncCount() < minInsyncReplicas)
        {
            return highWatermark;
        }
        long lowest = leaderEnd;
        for (int i = 0; i < replicas.length; i++)
        {
            if (replicas[i] != leaderId && (inSync[i] || additionProposed[i]))
            {
                if (UNKNOWN == positions[i])
                {
                    return highWatermark;
                }
                lowest = Math.min(lowest, positions[i]);
            }
        }
        highWatermark = Math.max(highWatermark, lowest);
        return highWatermark;
    }

    /**
     * @return the high watermark.
     */
    public long highWatermark()
    {
        return highWatermark;
    }

    /**
     * @return true while the agreed set has at least {@code min.insync.replicas} members: acks=all may be taken.
     */
    public boolean hasMinInsync()
    {
        return inSyncCount() >= minInsyncReplicas;
    }

    /**
     * The in-sync set to propose when a member lagged too long, or null when none did.
     *
     * @param nowMs the time now.
     * @return the agreed set less its lagging followers, or null.
     */
    public int[] shrinkProposal(final long nowMs)
    {
        int keep = 0;
        boolean anyLagging = false;
        for (int i = 0; i < replicas.length; i++)
        {
            if (inSync[i])
            {
                if (replicas[i] != leaderId && nowMs - lastCaughtUpMs[i] > lagTimeMaxMs)
                {
                    anyLagging = true;
                }
                else
                {
                    keep++;
                }
            }
        }
        if (!anyLagging)
        {
            return null;
        }
        final int[] proposal = new int[keep];
        int n = 0;
        for (int i = 0; i < replicas.length; i++)
        {
            if (inSync[i] && (replicas[i] == leaderId || nowMs - lastCaughtUpMs[i] <= lagTimeMaxMs))
            {
                proposal[n++] = replicas[i];
            }
        }
        return proposal;
    }

    /**
     * The in-sync set to propose when a replica outside it has caught up (its position in this epoch has reached the
     * high watermark and the epoch start), or null; such replicas count towards the high watermark from now on.
     *
     * @param nowMs the time now.
     * @return the agreed set plus the caught-up replicas, or null.
     */
    public int[] expandProposal(final long nowMs)
    {
        boolean any = false;
        for (int i = 0; i < replicas.length; i++)
        {
            if (!inSync[i] && UNKNOWN != positions[i] && positions[i] >= highWatermark &&
                positions[i] >= epochStartPosition && nowMs - lastCaughtUpMs[i] <= lagTimeMaxMs)
            {
                additionProposed[i] = true;
                any = true;
            }
        }
        if (!any)
        {
            return null;
        }
        int count = 0;
        for (int i = 0; i < replicas.length; i++)
        {
            count += inSync[i] || additionProposed[i] ? 1 : 0;
        }
        final int[] proposal = new int[count];
        int n = 0;
        for (int i = 0; i < replicas.length; i++)
        {
            if (inSync[i] || additionProposed[i])
            {
                proposal[n++] = replicas[i];
            }
        }
        return proposal;
    }

    /**
     * The controller refused a proposal, or its answer is overdue: replicas proposed for addition count no longer
     * towards the high watermark until proposed (and agreed) again.
     */
    public void cancelProposedAdditions()
    {
        Arrays.fill(additionProposed, false);
    }

    /**
     * The controller agreed a new in-sync set (or refused a proposal: pass the set it holds).
     *
     * @param agreed the in-sync set now agreed.
     */
    public void applyInSync(final int[] agreed)
    {
        Arrays.fill(inSync, false);
        Arrays.fill(additionProposed, false);
        for (final int brokerId : agreed)
        {
            final int i = indexIn(replicas, brokerId);
            if (i < 0)
            {
                throw new IllegalArgumentException("in-sync broker " + brokerId + " is not a replica: " +
                    Arrays.toString(replicas));
            }
            inSync[i] = true;
        }
    }

    /**
     * @param brokerId a replica.
     * @return its last reported position in this epoch, or {@link #UNKNOWN}.
     */
    public long positionOf(final int brokerId)
    {
        final int i = indexIn(replicas, brokerId);
        return i < 0 ? UNKNOWN : positions[i];
    }

    private int inSyncCount()
    {
        int count = 0;
        for (final boolean member : inSync)
        {
            count += member ? 1 : 0;
        }
        return count;
    }

    private static int indexIn(final int[] ids, final int id)
    {
        for (int i = 0; i < ids.length; i++)
        {
            if (ids[i] == id)
            {
                return i;
            }
        }
        return -1;
    }
}
