package io.aerolog.systemtest.history;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HistoryCheckerTest
{
    private final History history = new History();
    private final HistoryChecker checker = new HistoryChecker();

    @Test
    void shouldPassAHistoryWhereEveryAckedRecordIsReadOnceInOrder()
    {
        acked("p1", "a", 0, 0);
        acked("p1", "b", 0, 1);
        acked("p2", "c", 1, 0);
        history.invoke("p1", "failed");
        history.fail("failed", "NOT_ENOUGH_REPLICAS");
        history.invoke("p2", "maybe");
        history.unknown("maybe", "REQUEST_TIMED_OUT");
        history.invoke("p2", "unanswered");
        readAll("c1", 0, "a", "b");
        readAll("c1", 1, "c", "maybe");
        readAll("c2", 0, "a"); // a second consumer reads part of it again: no duplicate

        final CheckReport report = checker.check(history).assertValid();

        assertThat(report.sends(Send.Outcome.ACKED)).isEqualTo(3);
        assertThat(report.sends(Send.Outcome.FAILED)).isEqualTo(1);
        assertThat(report.sends(Send.Outcome.UNKNOWN)).isEqualTo(1);
        assertThat(report.sends(Send.Outcome.INVOKED)).isEqualTo(1);
        assertThat(report.reads()).isEqualTo(5);
        assertThat(report.toString()).contains("no anomalies");
    }

    @Test
    void shouldFindAnAckedRecordNeverRead()
    {
        acked("p1", "a", 0, 0);
        acked("p1", "b", 0, 1);
        readAll("c1", 0, "a");

        assertOnly(Anomaly.Kind.LOST, "'b' acked to p1 at 0@1 was never read");
    }

    @Test
    void shouldPassAnUnknownSendNeverRead()
    {
        acked("p1", "a", 0, 0);
        history.invoke("p1", "b");
        history.unknown("b", "REQUEST_TIMED_OUT");
        readAll("c1", 0, "a");

        checker.check(history).assertValid();
    }

    @Test
    void shouldFindAValueAckedOnceButPresentTwice()
    {
        acked("p1", "a", 0, 0);
        acked("p1", "b", 0, 1);
        readAll("c1", 0, "a", "b", "a");

        final CheckReport report = checker.check(history);

        assertThat(report.anomalies(Anomaly.Kind.DUPLICATE)).singleElement().extracting(Anomaly::evidence)
            .isEqualTo("'a' acked once to p1 at 0@0 but present at [0@0, 0@2] (a retried write written twice)");
    }

    @Test
    void shouldFindAnUnknownSendPresentTwice()
    {
        history.invoke("p1", "a");
        history.unknown("a", "REQUEST_TIMED_OUT");
        readAll("c1", 0, "a", "a");

        assertThat(checker.check(history).anomalies(Anomaly.Kind.DUPLICATE)).singleElement()
            .extracting(Anomaly::evidence).asString().contains("sent once by p1 (unknown)", "[0@0, 0@1]");
    }

    @Test
    void shouldFindAValueAckedTwice()
    {
        acked("p1", "a", 0, 0);
        history.ack("a", 0, 1);
        readAll("c1", 0, "a", "a");

        assertThat(checker.check(history).anomalies(Anomaly.Kind.DUPLICATE)).singleElement()
            .extracting(Anomaly::evidence).isEqualTo("'a' written twice: acked to p1 at [0@0, 0@1]");
    }

    @Test
    void shouldPassReadsThatStartAtTheLogStart()
    {
        acked("p1", "c", 0, 5);
        acked("p1", "d", 0, 6);
        history.read("c1", 0, 5, "c");
        history.read("c1", 0, 6, "d");

        new HistoryChecker().logStart(0, 5).check(history).assertValid();
    }

    @Test
    void shouldFindAnOffsetGapBelowTheHighestOffsetRead()
    {
        history.invoke("p1", "a");
        history.invoke("p1", "d");
        history.unknown("a", "REQUEST_TIMED_OUT");
        history.unknown("d", "REQUEST_TIMED_OUT");
        history.read("c1", 0, 0, "a");
        history.read("c2", 0, 3, "d"); // a second consumer, so that no consumer skipped: only the union has a gap

        assertOnly(Anomaly.Kind.GAP, "partition 0: offsets 1..2 (2) never read, though reads reached offset 3");
    }

    @Test
    void shouldFindAGapAtTheLogStart()
    {
        acked("p1", "b", 0, 1);
        history.read("c1", 0, 1, "b");

        assertOnly(Anomaly.Kind.GAP, "partition 0: offset 0 never read, though reads reached offset 1");
    }

    @Test
    void shouldFindAnOffsetTwoReadsSawHoldingDifferentValues()
    {
        history.invoke("p1", "a");
        history.invoke("p1", "b");
        history.unknown("a", "REQUEST_TIMED_OUT");
        history.unknown("b", "REQUEST_TIMED_OUT");
        history.read("c1", 0, 0, "a");
        history.read("c2", 0, 0, "b");

        assertOnly(Anomaly.Kind.INCONSISTENT, "0@0 holds 2 values: 'a' (read by c1) 'b' (read by c2)");
    }

    @Test
    void shouldFindAnAckedPositionReadHoldingAnotherValue()
    {
        acked("p1", "a", 0, 0);
        acked("p1", "b", 0, 0);
        history.read("c1", 0, 0, "a");
        history.read("c1", 0, 1, "b");

        final CheckReport report = checker.check(history);

        assertThat(report.anomalies(Anomaly.Kind.INCONSISTENT)).extracting(Anomaly::evidence).containsExactly(
            "0@0 holds 2 values: 'a' (read by c1, acked to p1) 'b' (acked to p1)",
            "'b' acked to p1 at 0@0 but read at [0@1]");
    }

    @Test
    void shouldFindAConsumerThatWentBackwards()
    {
        acked("p1", "a", 0, 0);
        acked("p1", "b", 0, 1);
        readAll("c1", 0, "a", "b");
        history.read("c1", 0, 0, "a");

        assertOnly(Anomaly.Kind.NON_MONOTONIC, "c1 on partition 0 went backwards from offset 1 to 0");
    }

    @Test
    void shouldPassANewIncarnationThatReadsAgainFromAnEarlierOffset()
    {
        acked("p1", "a", 0, 0);
        acked("p1", "b", 0, 1);
        readAll("c1", 0, "a", "b");
        readAll("c1#2", 0, "a", "b");

        checker.check(history).assertValid();
    }

    @Test
    void shouldFindAConsumerThatSkipped()
    {
        acked("p1", "a", 0, 0);
        acked("p1", "b", 0, 1);
        acked("p1", "c", 0, 2);
        history.read("c1", 0, 0, "a");
        history.read("c1", 0, 2, "c");
        history.read("c2", 0, 1, "b");

        assertOnly(Anomaly.Kind.NON_MONOTONIC, "c1 on partition 0 skipped from offset 0 to 2 (offset 1 not read)");
    }

    @Test
    void shouldFindARecordReadThatWasNeverSent()
    {
        acked("p1", "a", 0, 0);
        history.read("c1", 0, 0, "a");
        history.read("c1", 0, 1, "ghost");

        assertOnly(Anomaly.Kind.PHANTOM, "'ghost' read at 0@1 by c1 was never sent");
    }

    @Test
    void shouldFindARecordReadWhoseSendFailed()
    {
        history.invoke("p1", "refused");
        history.fail("refused", "NOT_ENOUGH_REPLICAS");
        history.read("c1", 0, 0, "refused");

        assertOnly(Anomaly.Kind.ABORTED_READ, "'refused' read at 0@0 by c1, but its send by p1 failed: " +
            "NOT_ENOUGH_REPLICAS");
    }

    @Test
    void shouldKeepAnAcknowledgementOverALaterTimeOut()
    {
        acked("p1", "a", 0, 0);
        history.unknown("a", "REQUEST_TIMED_OUT");

        assertOnly(Anomaly.Kind.LOST, "'a' acked to p1 at 0@0 was never read");
    }

    @Test
    void shouldRefuseAValueSentTwiceAndAnOutcomeOfNoSend()
    {
        history.invoke("p1", "a");

        assertThatThrownBy(() -> history.invoke("p2", "a")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("value sent twice: a");
        assertThatThrownBy(() -> history.ack("b", 0, 0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("no send of b");
    }

    @Test
    void shouldQuoteTheEvidenceInTheAssertionAndCountWhatItDoesNotQuote()
    {
        for (int i = 0; i < CheckReport.QUOTED_PER_KIND + 3; i++)
        {
            acked("p1", "v" + i, 0, i);
        }

        assertThatThrownBy(() -> checker.check(history).assertValid()).isInstanceOf(AssertionError.class)
            .hasMessageContaining("13 anomalies")
            .hasMessageContaining("LOST: 'v0' acked to p1 at 0@0 was never read")
            .hasMessageContaining("... and 3 more LOST");
    }

    private void acked(final String producer, final String value, final int partition, final long offset)
    {
        history.invoke(producer, value);
        history.ack(value, partition, offset);
    }

    private void readAll(final String consumer, final int partition, final String... values)
    {
        for (int i = 0; i < values.length; i++)
        {
            history.read(consumer, partition, i, values[i]);
        }
    }

    private void assertOnly(final Anomaly.Kind kind, final String evidence)
    {
        final CheckReport report = checker.check(history);
        assertThat(report.anomalies()).as(report.toString()).singleElement().isEqualTo(new Anomaly(kind, evidence));
    }
}
