package io.aerolog.archive;

import io.aerolog.sequencer.LeaderEpochHistory;
import io.aerolog.sequencer.PartitionSequencer;
import io.aeron.Aeron;
import io.aeron.archive.client.AeronArchive;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static io.aerolog.archive.ReplicaNode.append;
import static io.aerolog.archive.ReplicaNode.awaitRecorded;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Followers copying a partition's recording from its leader's archive, on real nodes (media driver and archive each,
 * node secret on) over loopback: byte-identical copies that follow appends, a promoted follower going on with dense
 * offsets and its producers' state, a divergent ex-leader truncated by the epoch history, a dead leader reported.
 */
@Timeout(60)
class PartitionReplicationTest
{
    private static final int TOPIC_ID = 7;
    private static final long PRODUCER_ID = 42;
    private static final int RECORDS = 3;
    /** Longer than the MTU: fragmented, so a copy can stop inside it. */
    private static final int LARGE = 5000;
    private static final int SMALL = 100;

    @TempDir
    Path dir;

    private final List<ReplicaNode> nodes = new ArrayList<>();
    private final int streamId = 1000 + ThreadLocalRandom.current().nextInt(100_000);

    @AfterEach
    void tearDown()
    {
        for (int i = nodes.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(nodes.get(i));
        }
    }

    @Test
    void followerShouldStartCopyingAnEmptyLogAndFollowItsFirstAppends()
    {
        final ReplicaNode leader = node(0);
        final ReplicaNode follower = node(1);
        final PartitionLog log = openLeader(leader, 0);

        final PartitionReplicator replicator = follower.replicateFrom(leader, Aeron.NULL_VALUE, log.recordingId());
        follower.await("the copy of an empty log records",
            () -> org.agrona.concurrent.status.CountersReader.NULL_COUNTER_ID != replicator.recordingPositionCounterId());
        appendBatches(log, 0, 3);
        awaitCopied(follower, replicator, log);
        assertThat(replicator.hasFailed()).as(String.valueOf(replicator.failure())).isFalse();
    }

    @Test
    void followerShouldCopyTheLeadersLogByteForByteAndFollowNewAppends()
    {
        final ReplicaNode leader = node(0);
        final ReplicaNode follower = node(1);
        final PartitionLog log = openLeader(leader, 0);
        appendBatches(log, 0, 12);

        final PartitionReplicator replicator = follower.replicateFrom(leader, Aeron.NULL_VALUE, log.recordingId());
        awaitCopied(follower, replicator, log);
        appendBatches(log, 12, 8);
        awaitCopied(follower, replicator, log);

        assertThat(replicator.hasFailed()).as(String.valueOf(replicator.failure())).isFalse();
        assertThat(replicator.recordingId()).isNotEqualTo(Aeron.NULL_VALUE);
        final LogScan leaderScan = leader.store.scan(streamId);
        final LogScan copyScan = follower.store.scan(streamId);
        assertThat(copyScan.recordingId()).isEqualTo(replicator.recordingId());
        assertSamePositions(copyScan, leaderScan);
        assertThat(copyScan.endPosition()).isEqualTo(log.position());
        assertThat(copyScan.nextOffset()).isEqualTo(20L * RECORDS);
        assertThat(follower.digest(copyScan.recordingId(), 0, copyScan.endPosition()))
            .isEqualTo(leader.digest(leaderScan.recordingId(), 0, leaderScan.endPosition()));

        final long stopPosition = replicator.stop(PartitionReplicator.STOP_TIMEOUT_MS_DEFAULT);
        assertThat(stopPosition).isEqualTo(log.position());
        assertThat(follower.archive.getStopPosition(replicator.recordingId())).isEqualTo(stopPosition);
        assertThat(replicator.isEnded()).isTrue();
        assertThat(replicator.hasFailed()).as("stopped, not failed").isFalse();
    }

    @Test
    void promotedFollowerShouldKeepItsCopyDropOnlyAPartialBatchAndGoOnWithDenseOffsetsAndProducerState()
    {
        final ReplicaNode leader = node(0);
        final ReplicaNode follower = node(1);
        final PartitionLog log = openLeader(leader, 0);
        appendBatches(log, 0, 9);
        final long lastBatchStart = log.position();
        append(log, PRODUCER_ID, 9 * RECORDS, RECORDS, LARGE);
        awaitRecorded(log);
        final PartitionReplicator replicator = follower.replicateFrom(leader, Aeron.NULL_VALUE, log.recordingId());
        awaitCopied(follower, replicator, log);
        final long copyId = replicator.recordingId();
        final long leaderEnd = log.position();

        leader.close();
        assertThat(replicator.stop(PartitionReplicator.STOP_TIMEOUT_MS_DEFAULT)).isEqualTo(leaderEnd);
        // A copy that stopped inside the large last batch: its first frame (one MTU) arrived, the rest did not.
        follower.archive.truncateRecording(copyId, lastBatchStart + PartitionLogStore.LOG_MTU);

        final PartitionLog promoted = follower.store.openAsLeader(
            TOPIC_ID, 0, "t", streamId, false, 0, 1);

        assertThat(promoted.recordingId()).as("the copy is extended").isEqualTo(copyId);
        assertThat(promoted.leaderEpoch()).isEqualTo(1);
        assertThat(promoted.epochStartPosition()).isEqualTo(lastBatchStart);
        assertThat(promoted.position()).isEqualTo(lastBatchStart);
        assertThat(promoted.logEndOffset()).isEqualTo(9L * RECORDS);
        // A retry of a batch the copy holds is answered with its original offsets.
        final PartitionSequencer sequencer = promoted.sequencer();
        assertThat(sequencer.check(PRODUCER_ID, (short)0, 8 * RECORDS, RECORDS)).isEqualTo(PartitionSequencer.DUPLICATE);
        assertThat(sequencer.duplicateBaseOffset()).isEqualTo(8L * RECORDS);
        // The cut batch was never complete here, so never acknowledged: its retry is new.
        assertThat(sequencer.check(PRODUCER_ID, (short)0, 9 * RECORDS, RECORDS)).isEqualTo(PartitionSequencer.ACCEPT);

        appendBatches(promoted, 9, 4);
        awaitRecorded(promoted);
        assertThat(promoted.logEndOffset()).isEqualTo(13L * RECORDS);

        final LogScan scan = follower.store.scan(streamId);
        assertThat(scan.nextOffset()).isEqualTo(13L * RECORDS);
        assertThat(scan.endPosition()).isEqualTo(promoted.position());
        assertThat(scan.history().size()).isEqualTo(2);
        assertThat(scan.history().epochAt(1)).isEqualTo(1);
        assertThat(scan.history().startPositionAt(1)).isEqualTo(lastBatchStart);
        assertThat(scan.history().startOffsetAt(1)).isEqualTo(9L * RECORDS);
    }

    @Test
    void divergentExLeaderShouldTruncateByTheEpochHistoryAndEndByteIdenticalToTheNewLeader()
    {
        final ReplicaNode a = node(0);
        final ReplicaNode b = node(1);
        final PartitionLog logA = openLeader(a, 0);
        appendBatches(logA, 0, 10);
        final PartitionReplicator copyB = b.replicateFrom(a, Aeron.NULL_VALUE, logA.recordingId());
        awaitCopied(b, copyB, logA);
        copyB.stop(PartitionReplicator.STOP_TIMEOUT_MS_DEFAULT);

        // A goes on alone: a tail B never copies, then A is deposed.
        appendBatches(logA, 10, 5);
        awaitRecorded(logA);
        final long divergentEnd = logA.position();
        a.store.stop(logA);

        final PartitionLog logB = b.store.openAsLeader(TOPIC_ID, 0, "t", streamId, false, 0, 1);
        final long epochStart = logB.epochStartPosition();
        appendBatches(logB, 100, 6);
        awaitRecorded(logB);

        final LogScan local = a.store.scan(streamId);
        final LogScan leaderScan = b.store.scan(streamId);
        assertThat(local.endPosition()).isEqualTo(divergentEnd).isGreaterThan(epochStart);
        final long truncationPoint = LeaderEpochHistory.truncationPoint(
            leaderScan.history(), Long.MAX_VALUE, local.history(), local.endPosition());
        assertThat(truncationPoint).isEqualTo(epochStart);

        a.store.truncate(local.recordingId(), truncationPoint);
        assertThat(a.archive.getStopPosition(local.recordingId())).isEqualTo(truncationPoint);
        final PartitionReplicator copyA = a.replicateFrom(b, local.recordingId(), leaderScan.recordingId());
        awaitCopied(a, copyA, logB);

        assertThat(copyA.recordingId()).as("into its own recording").isEqualTo(local.recordingId());
        final LogScan after = a.store.scan(streamId);
        assertSamePositions(after, b.store.scan(streamId));
        assertThat(after.nextOffset()).isEqualTo(16L * RECORDS);
        assertThat(a.digest(after.recordingId(), 0, after.endPosition()))
            .isEqualTo(b.digest(leaderScan.recordingId(), 0, logB.position()));
    }

    @Test
    void replicationWhoseLeaderDiesShouldEndWithAFailureReportedNotThrown()
    {
        final ReplicaNode leader = node(0);
        final ReplicaNode follower = node(1);
        final PartitionLog log = openLeader(leader, 0);
        appendBatches(log, 0, 4);
        final PartitionReplicator replicator = follower.replicateFrom(leader, Aeron.NULL_VALUE, log.recordingId());
        awaitCopied(follower, replicator, log);
        final long leaderEnd = log.position();

        leader.close();
        follower.await("the replication to end", replicator::isEnded);

        assertThat(replicator.hasFailed()).isTrue();
        assertThat(replicator.failure()).isNotBlank();
        assertThat(replicator.recordedPosition()).isEqualTo(AeronArchive.NULL_POSITION);
        assertThat(replicator.stop(PartitionReplicator.STOP_TIMEOUT_MS_DEFAULT)).isEqualTo(leaderEnd);
        assertThat(follower.signals.pollFailures()).isZero();
    }

    @Test
    void followerShouldMoveToThePromotedFollowerAfterAFailoverOfThreeReplicas()
    {
        final ReplicaNode leader = node(0);
        final ReplicaNode first = node(1);
        final ReplicaNode second = node(2);
        final PartitionLog log = openLeader(leader, 0);
        appendBatches(log, 0, 6);
        final PartitionReplicator toFirst = first.replicateFrom(leader, Aeron.NULL_VALUE, log.recordingId());
        final PartitionReplicator toSecond = second.replicateFrom(leader, Aeron.NULL_VALUE, log.recordingId());
        awaitCopied(first, toFirst, log);
        awaitCopied(second, toSecond, log);

        leader.close();
        toFirst.stop(PartitionReplicator.STOP_TIMEOUT_MS_DEFAULT);
        toSecond.stop(PartitionReplicator.STOP_TIMEOUT_MS_DEFAULT);
        final PartitionLog promoted = first.store.openAsLeader(TOPIC_ID, 0, "t", streamId, false, 0, 1);
        appendBatches(promoted, 6, 5);
        awaitRecorded(promoted);

        final LogScan local = second.store.scan(streamId);
        final LogScan leaderScan = first.store.scan(streamId);
        assertThat(LeaderEpochHistory.truncationPoint(
            leaderScan.history(), Long.MAX_VALUE, local.history(), local.endPosition()))
            .as("nothing to cut").isEqualTo(local.endPosition());
        final PartitionReplicator toNewLeader = second.replicateFrom(first, local.recordingId(), leaderScan.recordingId());
        awaitCopied(second, toNewLeader, promoted);

        final LogScan after = second.store.scan(streamId);
        assertSamePositions(after, first.store.scan(streamId));
        assertThat(after.nextOffset()).isEqualTo(11L * RECORDS);
        assertThat(second.digest(after.recordingId(), 0, after.endPosition()))
            .isEqualTo(first.digest(leaderScan.recordingId(), 0, promoted.position()));
    }

    private ReplicaNode node(final int id)
    {
        final ReplicaNode node = ReplicaNode.launch(dir, id);
        nodes.add(node);
        return node;
    }

    private PartitionLog openLeader(final ReplicaNode node, final int epoch)
    {
        return node.store.openAsLeader(TOPIC_ID, 0, "t", streamId, false, 0, epoch);
    }

    // Batches of one producer, sequences from `first`, alternately small and longer than the MTU.
    private static void appendBatches(final PartitionLog log, final int first, final int count)
    {
        for (int i = first; i < first + count; i++)
        {
            append(log, PRODUCER_ID, i * RECORDS, RECORDS, 0 == i % 2 ? SMALL : LARGE);
        }
    }

    private static void awaitCopied(final ReplicaNode follower, final PartitionReplicator replicator,
        final PartitionLog leaderLog)
    {
        awaitRecorded(leaderLog);
        final long target = leaderLog.position();
        follower.await("copy to reach " + target + " (" + replicator + ")",
            () -> replicator.recordedPosition() >= target || replicator.isEnded());
        assertThat(replicator.hasFailed()).as(String.valueOf(replicator.failure())).isFalse();
        assertThat(replicator.recordedPosition()).isEqualTo(target);
    }

    private static void assertSamePositions(final LogScan copy, final LogScan original)
    {
        assertThat(copy.startPosition()).isEqualTo(original.startPosition());
        assertThat(copy.endPosition()).isEqualTo(original.endPosition());
        assertThat(copy.nextOffset()).isEqualTo(original.nextOffset());
        assertThat(copy.history().toString()).isEqualTo(original.history().toString());
        assertThat(copy.initialTermId()).isEqualTo(original.initialTermId());
        assertThat(copy.termLength()).isEqualTo(original.termLength());
        assertThat(copy.mtuLength()).isEqualTo(original.mtuLength());
    }
}
