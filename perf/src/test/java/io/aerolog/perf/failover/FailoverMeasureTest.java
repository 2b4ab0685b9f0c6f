package io.aerolog.perf.failover;

import org.junit.jupiter.api.Test;

import java.util.BitSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The failover time, the consumer stall and the loss check computed from recorded sequences of sends,
 * acknowledgements and deliveries (times in ms, as nanoseconds for the log).
 */
class FailoverMeasureTest
{
    private static final long MS = 1_000_000;
    private static final long KILL_START = 1_000 * MS;
    private static final long KILL_DONE = 1_005 * MS;

    private final FailoverLog log = new FailoverLog();

    @Test
    void shouldTimeTheFirstAcknowledgementOfARecordSentAfterTheKill()
    {
        send(990, 992);           // 0: acknowledged by the old leader
        send(998, 1_002);         // 1: sent before the kill, its ack arrived after it: not the successor's
        send(1_003, 1_900);       // 2: sent during the kill, retried and acknowledged by the successor first
        send(1_010, 1_950);       // 3: the first sent after the process was gone
        send(1_020, 1_960);       // 4

        assertThat(FailoverMeasure.failoverNs(log, KILL_START, KILL_DONE)).isEqualTo(950 * MS);
    }

    @Test
    void shouldTakeTheEarliestAcknowledgementAmongRecordsSentAfterTheKill()
    {
        send(1_010, 2_000);
        send(1_020, 1_980); // answered first (out of order)
        assertThat(FailoverMeasure.failoverNs(log, KILL_START, KILL_DONE)).isEqualTo(980 * MS);
    }

    @Test
    void shouldSkipFailedAndUnacknowledgedRecordsAndSayWhenNothingRecovered()
    {
        send(1_010, FailoverLog.FAILED);
        send(1_020, FailoverLog.NOT_ACKED);
        assertThat(FailoverMeasure.failoverNs(log, KILL_START, KILL_DONE)).isEqualTo(FailoverMeasure.NOT_RECOVERED);

        send(1_030, 1_500);
        assertThat(FailoverMeasure.failoverNs(log, KILL_START, KILL_DONE)).isEqualTo(500 * MS);
    }

    @Test
    void shouldTakeTheLongestGapFromTheLastDeliveryBeforeTheKillToTheFirstOfARecordSentAfterIt()
    {
        send(900, 901);     // 0
        send(950, 951);     // 1
        send(999, 1_001);   // 2
        send(1_010, 1_600); // 3: first sent after the kill
        send(1_020, 1_610); // 4
        deliver(0, 902);
        deliver(1, 952);    // last delivery before the kill
        deliver(2, 1_300);  // a pre-kill record delivered late: the gap 952 -> 1300 is 348
        deliver(3, 1_800);  // 1300 -> 1800 is 500: the stall
        deliver(4, 3_000);  // after the first post-kill delivery: not counted

        assertThat(FailoverMeasure.stallNs(log, KILL_START, KILL_DONE)).isEqualTo(500 * MS);
    }

    @Test
    void shouldCountFromTheKillWhenTheConsumerHadNothingBefore()
    {
        send(1_010, 1_600);
        deliver(0, 1_700);
        assertThat(FailoverMeasure.stallNs(log, KILL_START, KILL_DONE)).isEqualTo(700 * MS);
    }

    @Test
    void shouldSayTheConsumerDidNotRecoverWhenNoRecordSentAfterTheKillWasDelivered()
    {
        send(990, 991);
        send(1_010, 1_600);
        deliver(0, 992);
        assertThat(FailoverMeasure.stallNs(log, KILL_START, KILL_DONE)).isEqualTo(FailoverMeasure.NOT_RECOVERED);
    }

    @Test
    void shouldMeasureEachRoundOfOneLogOnItsOwn()
    {
        send(990, 991);
        deliver(0, 992);
        send(1_010, 1_400);
        deliver(1, 1_450);
        send(5_000, 5_001);
        deliver(2, 5_002);
        send(6_010, 6_300);
        deliver(3, 6_700);

        assertThat(FailoverMeasure.failoverNs(log, KILL_START, KILL_DONE)).isEqualTo(400 * MS);
        assertThat(FailoverMeasure.stallNs(log, KILL_START, KILL_DONE)).isEqualTo(458 * MS);
        assertThat(FailoverMeasure.failoverNs(log, 6_000 * MS, 6_005 * MS)).isEqualTo(300 * MS);
        assertThat(FailoverMeasure.stallNs(log, 6_000 * MS, 6_005 * MS)).isEqualTo(1_698 * MS);
    }

    @Test
    void shouldFindTheFirstRecordSentAfterATime()
    {
        send(10, 11);
        send(20, 21);
        send(20, 22);
        send(30, 31);
        assertThat(FailoverMeasure.firstSentAfter(log, 5 * MS)).isZero();
        assertThat(FailoverMeasure.firstSentAfter(log, 20 * MS)).isEqualTo(3);
        assertThat(FailoverMeasure.firstSentAfter(log, 30 * MS)).isEqualTo(4);
    }

    @Test
    void shouldCountAcknowledgedRecordsMissingFromTheReadAsLost()
    {
        send(1, 2);                       // 0 acked, read
        send(2, 3);                       // 1 acked, missing: lost
        send(3, FailoverLog.FAILED);      // 2 failed, missing: not lost
        send(4, FailoverLog.NOT_ACKED);   // 3 unanswered, missing: not lost
        send(5, 6);                       // 4 acked, missing: lost
        final BitSet read = new BitSet();
        read.set(0);

        final LossCheck check = LossCheck.of(log, read, 0);
        assertThat(check.acked()).isEqualTo(3);
        assertThat(check.lost()).isEqualTo(2);
        assertThat(check.firstLost()).isEqualTo(1);
        assertThat(check.failed()).isEqualTo(1);
        assertThat(check.isClean()).isFalse();

        read.set(1);
        read.set(4);
        assertThat(LossCheck.of(log, read, 0).isClean()).isTrue();
        assertThat(LossCheck.of(log, read, 1).isClean()).as("a duplicate").isFalse();
    }

    private void send(final long sendMs, final long ackMs)
    {
        final int seq = log.onSend(sendMs * MS);
        if (FailoverLog.FAILED == ackMs)
        {
            log.onFailed(seq);
        }
        else if (FailoverLog.NOT_ACKED != ackMs)
        {
            log.onAck(seq, ackMs * MS);
        }
    }

    private void deliver(final long seq, final long atMs)
    {
        log.onDelivery(seq, atMs * MS);
    }
}
