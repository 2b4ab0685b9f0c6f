package io.aerolog.perf.failover;

import java.util.BitSet;

/**
 * Compares what the producer had acknowledged with what a read of the whole partition from the beginning found:
 * an acknowledged record missing from the log is lost (a failover number with lost records means nothing), a
 * record found twice is a duplicate.
 *
 * @param acked      records acknowledged.
 * @param lost       acknowledged records the read did not find.
 * @param firstLost  sequence of the first of them, or -1.
 * @param duplicates records the read found more than once.
 * @param failed     records whose send failed (not acknowledged, so not lost if missing).
 */
public record LossCheck(long acked, long lost, long firstLost, long duplicates, long failed)
{
    /**
     * @param log        of the run, its load stopped.
     * @param read       the sequences the read found.
     * @param duplicates how many records it found more than once.
     * @return the comparison.
     */
    public static LossCheck of(final FailoverLog log, final BitSet read, final long duplicates)
    {
        long acked = 0;
        long lost = 0;
        long firstLost = -1;
        long failed = 0;
        for (int seq = 0, sent = log.sent(); seq < sent; seq++)
        {
            if (log.isAcked(seq))
            {
                acked++;
                if (!read.get(seq))
                {
                    lost++;
                    firstLost = -1 == firstLost ? seq : firstLost;
                }
            }
            else if (FailoverLog.FAILED == log.ackNs(seq))
            {
                failed++;
            }
        }
        return new LossCheck(acked, lost, firstLost, duplicates, failed);
    }

    /** @return whether nothing acknowledged was lost and nothing was written twice. */
    public boolean isClean()
    {
        return 0 == lost && 0 == duplicates;
    }
}
