package io.aerolog.broker;

import io.aerolog.archive.PartitionLog;
import io.aerolog.archive.PartitionLogStore;
import io.aerolog.archive.PartitionReplicator;
import io.aerolog.cluster.TopicMetadata;
import io.aerolog.codecs.log.LogBatchDecoder;
import io.aerolog.codecs.log.LogTimestampType;
import io.aerolog.sequencer.LeaderEpochHistory;
import io.aerolog.sequencer.OffsetIndex;
import io.aerolog.sequencer.RetentionPlanner;
import io.aerolog.transport.RecordSetReader;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.ArchiveException;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Does the broker's blocking archive work on a thread of its own, so that no slow archive call (opening or
 * recovering a log, starting a replay, a timestamp scan, a purge) holds up the conductor, which serves every
 * client's control requests. The conductor submits tasks; results come back to it as commands it runs on its own
 * thread. Retention runs here on its own slow tick. Until {@link #queueFromNow()} (while the broker loads its metadata,
 * before any agent thread runs) tasks run on the caller's thread.
 */
final class LogWorker implements Agent
{
    /** Tasks waiting at once; a request finding the queue full is refused, never queued without bound. */
    static final int MAX_QUEUED_TASKS = 4096;
    private static final long SCAN_TIMEOUT_MS = 30_000;

    private final AeronArchive archive;
    private final PartitionLogStore store;
    private final Consumer<Runnable> toConductor;
    private final ErrorHandler errorHandler;
    private final EpochClock clock;
    private final int segmentLength;
    private final long retentionCheckIntervalMs;
    private final ManyToOneConcurrentArrayQueue<Runnable> tasks =
        new ManyToOneConcurrentArrayQueue<>(MAX_QUEUED_TASKS);
    // Stops and deletions: never refused, and bounded by what the broker holds (its logs, its sessions' streams).
    private final ManyToOneConcurrentLinkedQueue<Runnable> bookkeeping = new ManyToOneConcurrentLinkedQueue<>();
    private final List<PartitionLog> logs = new ArrayList<>();
    private final List<PartitionLog> deleting = new ArrayList<>();
    private final List<PartitionLog> closing = new ArrayList<>();
    private PartitionCopies copies;
    private final java.util.IdentityHashMap<PartitionLog, Runnable> afterClosing = new java.util.IdentityHashMap<>();
    private final OffsetIndex.Entry indexEntry = new OffsetIndex.Entry();
    private final RecordSetReader recordSetReader = new RecordSetReader();
    private volatile boolean started;
    private long nextRetentionMs;

    /** What retention did to a log, for the conductor to tell the controller and the log's consumers. */
    interface RetentionListener
    {
        /**
         * @param log            whose start moved.
         * @param consumersStale true when consumers still read what goes: their streams must stop.
         */
        void onLogStartMoved(PartitionLog log, boolean consumersStale);
    }

    private RetentionListener retentionListener;

    LogWorker(
        final AeronArchive archive,
        final PartitionLogStore store,
        final Consumer<Runnable> toConductor,
        final ErrorHandler errorHandler,
        final EpochClock clock,
        final int segmentLength,
        final long retentionCheckIntervalMs)
    {
        this.archive = archive;
        this.store = store;
        this.toConductor = toConductor;
        this.errorHandler = errorHandler;
        this.clock = clock;
        this.segmentLength = segmentLength;
        this.retentionCheckIntervalMs = retentionCheckIntervalMs;
    }

    void retentionListener(final RetentionListener listener)
    {
        this.retentionListener = listener;
    }

    /** From now on tasks are queued for the worker's thread; call it before any agent thread starts. */
    void queueFromNow()
    {
        started = true;
    }

    @Override
    public String roleName()
    {
        return "aerolog-log-worker";
    }

    @Override
    public int doWork()
    {
        if (archive.context().aeron().isClosed())
        {
            // The driver went away (a paused process outlived its client's timeout): every archive call would fail,
            // so end the worker instead of logging the same failure every duty cycle.
            throw new AgentTerminationException("the broker's Aeron client is closed");
        }
        // Drain the archive's control responses (recording signals) so the archive never finds this client's
        // control session back-pressured and closes it.
        int work = (null == copies ? archive.pollForRecordingSignals() : copies.poll()) + runBookkeeping() +
            tasks.drain(this::runContained, 16) + finishDeletions() + finishClosures();
        final long nowMs = clock.time();
        if (nowMs >= nextRetentionMs)
        {
            nextRetentionMs = nowMs + retentionCheckIntervalMs;
            work += enforceRetention(nowMs) + (null == copies ? 0 : copies.enforceRetention());
        }
        return work;
    }

    /**
     * @param task to run on the worker's thread.
     * @return false when the queue is full (the caller refuses its request).
     */
    boolean submit(final Runnable task)
    {
        if (!started)
        {
            runContained(task);
            return true;
        }
        return tasks.offer(task);
    }

    private void runContained(final Runnable task)
    {
        try
        {
            task.run();
        }
        catch (final Throwable ex)
        {
            errorHandler.onError(ex);
        }
    }

    private void reply(final Runnable result)
    {
        toConductor.accept(result);
    }

    /** @return the store, for a clean stop of every log at shutdown (after the worker's thread has ended). */
    PartitionLogStore store()
    {
        return store;
    }

    /** Result of opening one partition's log. */
    interface OpenListener
    {
        /**
         * @param log     the open log, or null when it did not open.
         * @param failure what failed, or null.
         */
        void onOpened(PartitionLog log, String failure);
    }

    /**
     * Opens (creating or recovering) one partition's log for this broker to lead.
     *
     * @param topic     the partition's topic.
     * @param partition index.
     * @param listener  told on the conductor's thread.
     * @return false when the queue is full.
     */
    boolean open(final TopicMetadata topic, final int partition, final OpenListener listener)
    {
        return submit(() ->
        {
            PartitionLog opened = null;
            String failure = null;
            try
            {
                opened = store.open(topic.topicId(), partition, topic.name(), topic.streamId(partition),
                    TopicMetadata.LOG_APPEND_TIME == topic.timestampType(), topic.logStartOffset(partition));
                opened.retention(topic.retentionMs(), topic.retentionBytes());
                logs.add(opened);
            }
            catch (final RuntimeException ex)
            {
                failure = ex.getMessage();
                errorHandler.onError(new IllegalStateException(
                    "could not open " + topic.name() + "-" + partition, ex));
            }
            final PartitionLog log = opened;
            final String why = failure;
            reply(() -> listener.onOpened(log, why));
        });
    }

    /**
     * Closes a log this broker no longer leads, once the produce agent has let it go (or at once for one it never
     * had): its recording is stopped and kept, so it can be extended or copied into later.
     *
     * @param log to close.
     */
    void close(final PartitionLog log)
    {
        close(log, null);
    }

    /**
     * Closes a log as {@link #close(PartitionLog)} does, then runs a command on the conductor's thread.
     *
     * @param log  to close.
     * @param then run on the conductor once its recording has stopped, or null.
     */
    void close(final PartitionLog log, final Runnable then)
    {
        submitOrRun(() ->
        {
            logs.remove(log);
            closing.add(log);
            if (null != then)
            {
                afterClosing.put(log, then);
            }
        });
    }

    /** Deletes logs once the produce agent has let them go. */
    void delete(final List<PartitionLog> toDelete)
    {
        submitOrRun(() ->
        {
            logs.removeAll(toDelete);
            deleting.addAll(toDelete);
        });
    }

    private int finishDeletions()
    {
        int work = 0;
        for (final Iterator<PartitionLog> it = deleting.iterator(); it.hasNext(); )
        {
            final PartitionLog log = it.next();
            if (log.isDetached())
            {
                it.remove();
                try
                {
                    store.delete(log);
                }
                catch (final RuntimeException ex)
                {
                    errorHandler.onError(ex);
                }
                work++;
            }
        }
        return work;
    }

    private int finishClosures()
    {
        int work = 0;
        for (final Iterator<PartitionLog> it = closing.iterator(); it.hasNext(); )
        {
            final PartitionLog log = it.next();
            if (log.isDetached())
            {
                it.remove();
                try
                {
                    store.stop(log);
                }
                catch (final RuntimeException ex)
                {
                    errorHandler.onError(ex);
                }
                final Runnable then = afterClosing.remove(log);
                if (null != then)
                {
                    reply(then);
                }
                work++;
            }
        }
        return work;
    }

    // ---------------------------------------------------------------- replication

    /**
     * Lets the worker keep copies of partitions this broker follows.
     *
     * @param copies the follower's copies, run on this worker's thread.
     */
    void replication(final PartitionCopies copies)
    {
        this.copies = copies;
    }

    /**
     * Starts copying a partition from its leader (see {@link PartitionCopies}).
     *
     * @return false when the queue is full.
     */
    boolean follow(
        final TopicMetadata topic,
        final int partition,
        final LeaderEpochHistory leaderHistory,
        final long leaderRecordingId,
        final String leaderArchiveControlChannel,
        final PartitionCopies.FollowListener listener)
    {
        return submit(() -> copies.start(
            topic, partition, leaderHistory, leaderRecordingId, leaderArchiveControlChannel, listener));
    }

    /**
     * Stops a copy (never refused), then runs a command on the conductor's thread.
     *
     * @param replicator to stop.
     * @param then       run on the conductor once the copy's recording has stopped.
     */
    void stopFollowing(final PartitionReplicator replicator, final Runnable then)
    {
        submitOrRun(() -> copies.stop(replicator, then));
    }

    /**
     * Opens a partition's log for this broker to lead in an epoch, from whatever this broker holds of it (its own
     * log, or the copy it made as a follower).
     *
     * @param topic       the partition's topic.
     * @param partition   index.
     * @param leaderEpoch stamped on every batch it appends.
     * @param listener    told on the conductor's thread.
     * @return false when the queue is full.
     */
    boolean openAsLeader(
        final TopicMetadata topic, final int partition, final int leaderEpoch, final OpenListener listener)
    {
        return submit(() ->
        {
            PartitionLog opened = null;
            String failure = null;
            try
            {
                opened = store.openAsLeader(topic.topicId(), partition, topic.name(), topic.streamId(partition),
                    TopicMetadata.LOG_APPEND_TIME == topic.timestampType(), topic.logStartOffset(partition),
                    leaderEpoch);
                opened.retention(topic.retentionMs(), topic.retentionBytes());
                logs.add(opened);
            }
            catch (final RuntimeException ex)
            {
                failure = ex.getMessage();
                errorHandler.onError(new IllegalStateException(
                    "could not open " + topic.name() + "-" + partition + " to lead epoch " + leaderEpoch, ex));
            }
            final PartitionLog log = opened;
            final String why = failure;
            reply(() -> listener.onOpened(log, why));
        });
    }

    /** Result of starting a replay. */
    interface ReplayListener
    {
        /**
         * @param replaySessionId of the replay, or -1 when it did not start.
         * @param error           why it did not, or null.
         */
        void onReplay(long replaySessionId, RuntimeException error);
    }

    boolean startReplay(
        final long recordingId,
        final long position,
        final int limitCounterId,
        final String channel,
        final int streamId,
        final ReplayListener listener)
    {
        return submit(() ->
        {
            try
            {
                final long replaySessionId = archive.startBoundedReplay(
                    recordingId, position, AeronArchive.REPLAY_ALL_AND_FOLLOW, limitCounterId, channel, streamId);
                reply(() -> listener.onReplay(replaySessionId, null));
            }
            catch (final RuntimeException ex)
            {
                reply(() -> listener.onReplay(-1, ex));
            }
        });
    }

    void stopReplay(final long replaySessionId)
    {
        submitOrRun(() ->
        {
            try
            {
                archive.stopReplay(replaySessionId);
            }
            catch (final RuntimeException ignore)
            {
                // the replay ends by itself when its consumer goes away; a failed stop is expected then
            }
        });
    }

    /** Result of a timestamp lookup: the first offset at or after the timestamp, and its record's timestamp. */
    interface TimestampListener
    {
        void onFound(long offset, long timestamp);
    }

    boolean findOffsetForTimestamp(final PartitionLog log, final long timestamp, final TimestampListener listener)
    {
        return submit(() ->
        {
            final long[] result = {-1, -1};
            final long endPosition = log.highWatermarkPosition();
            final long highWatermark = log.highWatermark();
            if (log.index().scanStartForTimestamp(timestamp, indexEntry) && indexEntry.position() < endPosition)
            {
                store.scanner().scan(log.recordingId(), indexEntry.position(), endPosition, PartitionLogStore.LOG_MTU,
                    (batch, startPosition, batchEndPosition) -> !findInBatch(batch, timestamp, highWatermark, result),
                    SCAN_TIMEOUT_MS);
            }
            reply(() -> listener.onFound(result[0], result[1]));
        });
    }

    private boolean findInBatch(
        final LogBatchDecoder batch, final long timestamp, final long highWatermark, final long[] result)
    {
        if (batch.maxTimestamp() < timestamp)
        {
            return false;
        }
        final boolean logAppendTime = batch.timestampType() == LogTimestampType.LOG_APPEND_TIME;
        final long appendTime = batch.appendTime();
        final int recordsLength = batch.recordsLength();
        final int recordsOffset = batch.limit() + LogBatchDecoder.recordsHeaderLength();
        recordSetReader.wrap(batch.buffer(), recordsOffset, recordsLength);
        long offset = batch.baseOffset();
        while (recordSetReader.next() && offset < highWatermark)
        {
            final long recordTimestamp = logAppendTime ? appendTime : recordSetReader.timestamp();
            if (recordTimestamp >= timestamp)
            {
                result[0] = offset;
                result[1] = recordTimestamp;
                return true;
            }
            offset++;
        }
        return false;
    }

    // Work that must not be lost (stops, deletions) goes to a queue of its own, so the caller never waits for room.
    private void submitOrRun(final Runnable task)
    {
        if (!started)
        {
            runContained(task);
        }
        else
        {
            bookkeeping.offer(task);
        }
    }

    private int runBookkeeping()
    {
        int work = 0;
        Runnable task;
        while (work < 64 && null != (task = bookkeeping.poll()))
        {
            runContained(task);
            work++;
        }
        return work;
    }

    private int enforceRetention(final long nowMs)
    {
        int work = 0;
        for (final PartitionLog log : logs)
        {
            if (log.retentionMs() < 0 && log.retentionBytes() < 0)
            {
                continue;
            }
            final long start = log.recordingStartPosition();
            final long end = log.highWatermarkPosition();
            final int logSegmentLength = Math.max(segmentLength, log.termLength());
            final long bySize = RetentionPlanner.purgePositionForSize(
                start, end, log.retentionBytes(), log.termLength(), logSegmentLength);
            final long byTime = RetentionPlanner.purgePositionForTime(log.index(), indexEntry, start, end,
                nowMs, log.retentionMs(), log.termLength(), logSegmentLength);
            final long purgeTo = RetentionPlanner.purgePosition(bySize, byTime);
            if (purgeTo <= start)
            {
                continue;
            }
            try
            {
                store.purgeSegments(log, purgeTo);
                reply(() -> retentionListener.onLogStartMoved(log, false));
                work++;
            }
            catch (final ArchiveException ex)
            {
                if (!isReplayInProgress(ex))
                {
                    errorHandler.onError(ex);
                }
                else if (log.index().entryAtOrAfter(purgeTo, indexEntry))
                {
                    // A lagging consumer still reads the segments to go. As in Kafka, retention does not wait for
                    // it: the log start moves now, so its next fetch is out of range, its stream stops, and the
                    // purge is tried again next round.
                    log.advanceLogStartOffset(indexEntry.baseOffset());
                    reply(() -> retentionListener.onLogStartMoved(log, true));
                    work++;
                }
            }
            catch (final RuntimeException ex)
            {
                errorHandler.onError(ex);
            }
        }
        return work;
    }

    private static boolean isReplayInProgress(final ArchiveException ex)
    {
        return null != ex.getMessage() && ex.getMessage().contains("replay in progress");
    }
}
