package io.aerolog.broker;

import io.aerolog.archive.LogScan;
import io.aerolog.archive.PartitionLogStore;
import io.aerolog.archive.PartitionReplicator;
import io.aerolog.archive.ReplicationSignals;
import io.aerolog.cluster.TopicMetadata;
import io.aerolog.sequencer.LeaderEpochHistory;
import io.aerolog.transport.StreamIds;
import io.aeron.Aeron;
import org.agrona.ErrorHandler;
import org.agrona.collections.IntHashSet;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.status.CountersReader;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The follower's copies of partitions it does not lead: each a continuous replication of the leader's recording into
 * this broker's own (cut back first to where it agrees with the agreed epoch history). Starts them without waiting
 * for them to record, tells the conductor when one records (its position counter exists), fails to start, or ends by
 * itself (its leader or the link to it went away). Runs on the {@link LogWorker}'s thread, which owns the archive
 * client; results go to the conductor as commands.
 */
final class PartitionCopies
{
    private static final long COPY_START_TIMEOUT_MS = 10_000;
    // How the leader's archive refuses to extend a copy from below where its recording now starts (Aeron's
    // ArchiveException.buildReplayBeforeStartErrorMsg).
    private static final String REPLAY_BEFORE_START = "is less than recording start position";

    /** Where a follower's copy stands, for the conductor. */
    interface FollowListener
    {
        /**
         * @param replicator the running copy, or null when it did not start.
         * @param failure    why it did not, or null.
         */
        void onFollowing(PartitionReplicator replicator, String failure);
    }

    /** Told when a copy ended without being asked to (its leader or the link to it went away). */
    interface CopyEndedListener
    {
        void onCopyEnded(PartitionReplicator replicator);
    }

    private record StartingCopy(
        PartitionReplicator replicator, FollowListener listener, long deadlineMs, String name, int streamId)
    {
    }

    private final ReplicationSignals signals;
    private final CountersReader counters;
    private final byte[] credentials;
    private final CopyEndedListener onEnded;
    private final PartitionLogStore store;
    private final EpochClock clock;
    private final ErrorHandler errorHandler;
    private final Consumer<Runnable> toConductor;
    private final List<PartitionReplicator> copies = new ArrayList<>();
    private final List<StartingCopy> starting = new ArrayList<>();
    // Streams whose local copy ends before the leader's log now starts (the leader purged what it would extend from).
    private final IntHashSet copiesBehindLeaderStart = new IntHashSet();

    /**
     * @param signals      routes the archive client's replication signals (made over the worker's archive client).
     * @param counters     of the broker's driver, to find a copy's position counter.
     * @param credentials  presented to a leader's archive (the node secret).
     * @param onEnded      told on the conductor's thread when a copy ends by itself.
     * @param store        the broker's partition logs.
     * @param clock        for start deadlines.
     * @param errorHandler for failures to stop a copy.
     * @param toConductor  runs a command on the conductor's thread.
     */
    PartitionCopies(
        final ReplicationSignals signals,
        final CountersReader counters,
        final byte[] credentials,
        final CopyEndedListener onEnded,
        final PartitionLogStore store,
        final EpochClock clock,
        final ErrorHandler errorHandler,
        final Consumer<Runnable> toConductor)
    {
        this.signals = signals;
        this.counters = counters;
        this.credentials = credentials;
        this.onEnded = onEnded;
        this.store = store;
        this.clock = clock;
        this.errorHandler = errorHandler;
        this.toConductor = toConductor;
    }

    /** Starts a copy; the listener hears once it records or fails. Worker thread. */
    void start(
        final TopicMetadata topic,
        final int partition,
        final LeaderEpochHistory leaderHistory,
        final long leaderRecordingId,
        final String leaderArchiveControlChannel,
        final FollowListener listener)
    {
        final String name = topic.name() + "-" + partition;
        PartitionReplicator replicator = null;
        try
        {
            final int streamId = topic.streamId(partition);
            final LogScan local = store.scan(streamId);
            long localRecordingId = Aeron.NULL_VALUE;
            final boolean behindLeaderStart = copiesBehindLeaderStart.remove(streamId);
            if (null != local && local.stopPosition() > local.startPosition() &&
                (behindLeaderStart || local.nextOffset() <= topic.logStartOffset(partition)))
            {
                // Retention on the leader passed the end of this copy while the broker was away, so nothing of it
                // can be extended (and the leader's archive would refuse, logging an error): empty it, and the copy
                // starts again where the leader's log starts.
                localRecordingId = local.recordingId();
                store.truncate(localRecordingId, local.startPosition());
            }
            else if (null != local)
            {
                localRecordingId = local.recordingId();
                final long agreeTo = LeaderEpochHistory.truncationPoint(
                    leaderHistory, Long.MAX_VALUE, local.history(), local.endPosition());
                if (agreeTo < local.stopPosition())
                {
                    store.truncate(localRecordingId, Math.max(agreeTo, local.startPosition()));
                }
            }
            replicator = PartitionReplicator.start(signals, counters, localRecordingId, leaderRecordingId,
                StreamIds.ARCHIVE_CONTROL, leaderArchiveControlChannel, credentials);
            starting.add(new StartingCopy(replicator, listener, clock.time() + COPY_START_TIMEOUT_MS, name, streamId));
        }
        catch (final RuntimeException ex)
        {
            if (null != replicator)
            {
                stopQuietly(replicator);
            }
            final String failure = name + ": " + ex.getMessage();
            toConductor.accept(() -> listener.onFollowing(null, failure));
        }
    }

    /** Stops a copy, then runs a command on the conductor's thread. Worker thread. */
    void stop(final PartitionReplicator replicator, final Runnable then)
    {
        copies.remove(replicator);
        stopQuietly(replicator);
        toConductor.accept(then);
    }

    /**
     * Polls the archive client's signals and tells the conductor of copies that started recording, failed to start
     * or ended by themselves. Worker thread.
     *
     * @return work done.
     */
    int poll()
    {
        int work = signals.poll();
        for (int i = starting.size() - 1; i >= 0; i--)
        {
            final StartingCopy start = starting.get(i);
            final PartitionReplicator replicator = start.replicator();
            final boolean recording = CountersReader.NULL_COUNTER_ID != replicator.recordingPositionCounterId();
            if (recording || replicator.isEnded() || clock.time() > start.deadlineMs())
            {
                starting.remove(i);
                work++;
                if (recording && !replicator.isEnded())
                {
                    copies.add(replicator);
                    toConductor.accept(() -> start.listener().onFollowing(replicator, null));
                }
                else
                {
                    if (null != replicator.failure() && replicator.failure().contains(REPLAY_BEFORE_START))
                    {
                        copiesBehindLeaderStart.add(start.streamId()); // emptied on the next try
                    }
                    final String failure = start.name() + ": " +
                        (replicator.isEnded() ? replicator.failure() : "the copy did not start recording in time");
                    stopQuietly(replicator);
                    toConductor.accept(() -> start.listener().onFollowing(null, failure));
                }
            }
        }
        for (int i = copies.size() - 1; i >= 0; i--)
        {
            final PartitionReplicator replicator = copies.get(i);
            if (replicator.isEnded())
            {
                copies.remove(i);
                toConductor.accept(() -> onEnded.onCopyEnded(replicator));
                work++;
            }
        }
        return work;
    }

    /**
     * Retention on a follower: purges each running copy up to where its leader's recording starts. Worker thread, on
     * the retention tick.
     *
     * @return work done.
     */
    int enforceRetention()
    {
        int work = 0;
        for (int i = 0, size = copies.size(); i < size; i++)
        {
            final PartitionReplicator copy = copies.get(i);
            try
            {
                work += store.purgeCopy(copy) > 0 ? 1 : 0;
            }
            catch (final RuntimeException ex)
            {
                if (!copy.isEnded())
                {
                    errorHandler.onError(ex);
                }
            }
        }
        return work;
    }

    private void stopQuietly(final PartitionReplicator replicator)
    {
        try
        {
            replicator.stop(PartitionReplicator.STOP_TIMEOUT_MS_DEFAULT);
        }
        catch (final RuntimeException ex)
        {
            if (!Thread.currentThread().isInterrupted()) // interrupted: the broker is stopping, the copy ends with it
            {
                errorHandler.onError(ex);
            }
        }
        finally
        {
            replicator.close();
        }
    }
}
