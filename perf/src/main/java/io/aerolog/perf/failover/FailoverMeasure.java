package io.aerolog.perf.failover;

/**
 * The two numbers of one failover round, from a {@link FailoverLog} and the kill's times:
 * <ul>
 *     <li><b>failover time</b>: from the moment {@code kill -9} of the leader was issued to the first acks=all
 *     acknowledgement of a record handed to the producer after the killed process was gone. No such record can
 *     have been written by the dead leader, so its acknowledgement is the successor's, with the in-sync set it
 *     leads.</li>
 *     <li><b>consumer stall</b>: the longest gap between consecutive deliveries to the consumer from its last
 *     delivery at or before the kill (the kill itself if it had none) to its first delivery of a record sent after
 *     the killed process was gone: the longest the consumer saw nothing while the partition changed leader.</li>
 * </ul>
 */
public final class FailoverMeasure
{
    /** A number that could not be computed: nothing sent after the kill was acknowledged or delivered. */
    public static final long NOT_RECOVERED = -1;

    private FailoverMeasure()
    {
    }

    /**
     * @param log         of the run.
     * @param killStartNs when {@code kill -9} was issued.
     * @param killDoneNs  when the killed process was seen gone.
     * @return the failover time in nanoseconds, or {@link #NOT_RECOVERED}.
     */
    public static long failoverNs(final FailoverLog log, final long killStartNs, final long killDoneNs)
    {
        long firstAckNs = Long.MAX_VALUE;
        for (int seq = firstSentAfter(log, killDoneNs), sent = log.sent(); seq < sent; seq++)
        {
            if (log.isAcked(seq))
            {
                firstAckNs = Math.min(firstAckNs, log.ackNs(seq));
            }
        }
        return Long.MAX_VALUE == firstAckNs ? NOT_RECOVERED : firstAckNs - killStartNs;
    }

    /**
     * @param log         of the run.
     * @param killStartNs when {@code kill -9} was issued.
     * @param killDoneNs  when the killed process was seen gone.
     * @return the consumer stall in nanoseconds, or {@link #NOT_RECOVERED}.
     */
    public static long stallNs(final FailoverLog log, final long killStartNs, final long killDoneNs)
    {
        final int firstPostKillSeq = firstSentAfter(log, killDoneNs);
        int end = -1;
        for (int k = 0, n = log.deliveries(); k < n; k++)
        {
            if (log.deliveredSeq(k) >= firstPostKillSeq && log.deliverNs(k) > killStartNs)
            {
                end = k;
                break;
            }
        }
        if (end < 0)
        {
            return NOT_RECOVERED;
        }
        int start = end - 1;
        while (start >= 0 && log.deliverNs(start) > killStartNs)
        {
            start--;
        }
        long previousNs = start >= 0 ? log.deliverNs(start) : killStartNs;
        long longestNs = 0;
        for (int k = start + 1; k <= end; k++)
        {
            longestNs = Math.max(longestNs, log.deliverNs(k) - previousNs);
            previousNs = log.deliverNs(k);
        }
        return longestNs;
    }

    /**
     * @param log    of the run.
     * @param timeNs a time.
     * @return the sequence of the first record handed to the producer after it ({@link FailoverLog#sent()} if none):
     *     records are sent by one thread in sequence order, so send times only grow.
     */
    static int firstSentAfter(final FailoverLog log, final long timeNs)
    {
        int low = 0;
        int high = log.sent();
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (log.sendNs(mid) > timeNs)
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }
        return low;
    }
}
