package io.aerolog.archive;

import io.aerolog.codecs.log.LogBatchDecoder;
import io.aerolog.sequencer.LeaderEpochHistory;
import io.aerolog.sequencer.OffsetIndex;
import io.aerolog.sequencer.PartitionSequencer;
import io.aerolog.transport.AerologCounters;
import io.aeron.Aeron;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.CommonContext;
import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.ArchiveException;
import io.aeron.archive.codecs.SourceLocation;
import io.aeron.archive.status.RecordingPos;
import io.aeron.exceptions.AeronException;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.CountersReader;

import java.util.concurrent.TimeUnit;

/**
 * Opens partition logs on a broker's archive: a new log gets a publication and a recording; an existing one is
 * extended at its stop position, so a partition stays one recording with monotonic positions across restarts, and
 * its index and producer state are rebuilt by reading it back. Also deletes logs and stops them cleanly. Blocking
 * archive calls: control path only (the broker conductor).
 */
public final class PartitionLogStore
{
    /**
     * Stream used to read recordings back during recovery and timestamp lookups. Below the partition stream ids
     * (from 1000): a partition's recording subscribes to every {@code aeron:ipc} image of its stream id, so no
     * other IPC stream of the broker's driver may ever use one of them.
     */
    public static final int SCAN_STREAM_ID = 998;
    /** Stream on which the archive answers the broker's control session; below the partition stream ids too. */
    public static final int ARCHIVE_CONTROL_RESPONSE_STREAM_ID = 999;
    /** MTU of partition log streams (IPC); fixed so recordings can always be extended. */
    public static final int LOG_MTU = 1408;

    private static final long AWAIT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long SCAN_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(10);

    private final Aeron aeron;
    private final AeronArchive archive;
    private final int termLength;
    private final int indexIntervalBytes;
    private final LogScanner scanner;

    /**
     * @param aeron              client of the broker's driver.
     * @param archive            client of the broker's archive.
     * @param termLength         term length of new partition logs (max batch is a little under an eighth of it).
     * @param indexIntervalBytes bytes of log between offset index entries.
     */
    public PartitionLogStore(
        final Aeron aeron, final AeronArchive archive, final int termLength, final int indexIntervalBytes)
    {
        this.aeron = aeron;
        this.archive = archive;
        this.termLength = termLength;
        this.indexIntervalBytes = indexIntervalBytes;
        this.scanner = new LogScanner(aeron, archive, SCAN_STREAM_ID);
    }

    /** @return the scanner, for timestamp lookups. */
    public LogScanner scanner()
    {
        return scanner;
    }

    /**
     * Opens (creating or recovering) the log of a partition in leader epoch 0: a broker whose partitions have one
     * replica. See {@link #openAsLeader}.
     *
     * @param topicId        of the topic.
     * @param partition      number.
     * @param topicName      for counter labels.
     * @param streamId       of the partition's log, unique and never reused.
     * @param logAppendTime  whether records are stamped with broker time.
     * @param logStartOffset the controller's record of the first retained offset: offsets never go below it.
     * @return the open log, ready for appends.
     */
    public PartitionLog open(
        final int topicId,
        final int partition,
        final String topicName,
        final int streamId,
        final boolean logAppendTime,
        final long logStartOffset)
    {
        return openAsLeader(topicId, partition, topicName, streamId, logAppendTime, logStartOffset, 0);
    }

    /**
     * Opens the log of a partition for appends as its leader in an epoch. Without a recording of the stream a new
     * one is started. Otherwise the newest recording of the stream (this broker's own log after a restart, or the
     * copy it replicated as a follower) is kept: it is read back to rebuild the offset index and the producer state,
     * a trailing partial batch (a copy can stop inside a batch longer than the MTU, and such a batch was never
     * acknowledged) is truncated away, and a publication at the end of the last complete batch, with the
     * recording's initial term id, term length and MTU, extends the recording, so positions and offsets go on from
     * there. The log is never truncated to a high watermark: batches the ISR may have acknowledged stay.
     * <p>
     * A promoted follower is read back in full here; a follower that keeps its state live as it copies comes later.
     * The recording must be stopped (stop its replication first).
     *
     * @param topicId        of the topic.
     * @param partition      number.
     * @param topicName      for counter labels.
     * @param streamId       of the partition's log, unique and never reused.
     * @param logAppendTime  whether records are stamped with broker time.
     * @param logStartOffset the controller's record of the first retained offset: offsets never go below it.
     * @param leaderEpoch    stamped on every batch appended; at least the epoch of every batch in the log.
     * @return the open log, ready for appends; its {@link PartitionLog#epochStartPosition()} is where the epoch starts.
     * @throws IllegalStateException when the recording is still active.
     */
    public PartitionLog openAsLeader(
        final int topicId,
        final int partition,
        final String topicName,
        final int streamId,
        final boolean logAppendTime,
        final long logStartOffset,
        final int leaderEpoch)
    {
        final RecordingDescriptor existing = findRecording(streamId);
        final String name = topicName + "-" + partition;
        final ExclusivePublication publication;
        final long recordingId;
        final OffsetIndex index;
        final PartitionSequencer sequencer = new PartitionSequencer(logStartOffset);
        final long startPosition;
        final long endPosition;

        if (null == existing)
        {
            final String channel = new ChannelUriStringBuilder().media(CommonContext.IPC_MEDIA)
                .termLength(termLength).mtu(LOG_MTU).alias("log-" + name).build();
            publication = aeron.addExclusivePublication(channel, streamId);
            archive.startRecording("aeron:ipc", streamId, SourceLocation.LOCAL);
            index = new OffsetIndex(indexIntervalBytes, termLength);
            index.clear(logStartOffset);
            recordingId = RecordingPos.getRecordingId(aeron.countersReader(), awaitRecordingCounter(publication));
            startPosition = 0;
            endPosition = 0;
        }
        else
        {
            if (AeronArchive.NULL_POSITION == existing.stopPosition)
            {
                throw new IllegalStateException("recording " + existing.recordingId + " of stream " + streamId +
                    " is still active: stop its recording or replication before opening it for appends");
            }
            index = new OffsetIndex(indexIntervalBytes, existing.termLength);
            index.clear(logStartOffset);
            final LogScan scan = scan(existing, index, sequencer);
            endPosition = scan.endPosition();
            if (scan.hasPartialBatch())
            {
                truncate(existing.recordingId, endPosition);
            }
            final String channel = new ChannelUriStringBuilder().media(CommonContext.IPC_MEDIA)
                .termLength(existing.termLength).mtu(existing.mtuLength).alias("log-" + name)
                .initialPosition(endPosition, existing.initialTermId, existing.termLength).build();
            publication = aeron.addExclusivePublication(channel, streamId);
            archive.extendRecording(existing.recordingId, "aeron:ipc", streamId, SourceLocation.LOCAL);
            awaitRecordingCounter(publication);
            recordingId = existing.recordingId;
            startPosition = existing.startPosition;
        }

        final CountersReader counters = aeron.countersReader();
        final int recordingCounterId = RecordingPos.findCounterIdBySession(
            counters, publication.sessionId(), archive.archiveId());
        // The sequencer started at the controller's log start offset, so offsets never go back below it even when
        // retention emptied the log.
        final long nextOffset = sequencer.nextOffset();
        final Counter logEnd = counter(AerologCounters.LOG_END_OFFSET_TYPE_ID, "log-end-offset", name, nextOffset);
        final Counter hw = counter(AerologCounters.HIGH_WATERMARK_TYPE_ID, "high-watermark", name, nextOffset);
        final Counter hwPosition = counter(
            AerologCounters.HIGH_WATERMARK_POSITION_TYPE_ID, "high-watermark-position", name, endPosition);
        final long startOffset = 0 == index.entryCount() ? nextOffset : index.logStartOffset();
        final Counter logStart = counter(AerologCounters.LOG_START_OFFSET_TYPE_ID, "log-start-offset", name, startOffset);
        return new PartitionLog(topicId, partition, topicName, streamId, logAppendTime, publication, recordingId,
            recordingCounterId, counters, index, sequencer, logEnd, hw, hwPosition, logStart, startPosition,
            leaderEpoch, endPosition);
    }

    /**
     * Reads the newest recording of a partition's stream back: where its last complete batch ends and which leader
     * epochs it holds, as a replica needs them to find where its log and the leader's part. Works on a stopped
     * recording or (up to its recorded position now) an active one.
     *
     * @param streamId of the partition's log.
     * @return what was found, or null when the archive holds no recording of the stream.
     */
    public LogScan scan(final int streamId)
    {
        final RecordingDescriptor recording = findRecording(streamId);
        return null == recording ? null : scan(recording, null, null);
    }

    /**
     * Cuts a stopped recording back to a position, as a replica does with a tail its new leader never had. Replays
     * of the recording (consumers, scans) are stopped first: the archive refuses to truncate under them.
     *
     * @param recordingId of a stopped recording.
     * @param position    a batch boundary between the recording's start and stop positions.
     * @throws io.aeron.archive.client.ArchiveException when the archive refuses (active, not a boundary, out of range).
     */
    public void truncate(final long recordingId, final long position)
    {
        archive.stopAllReplays(recordingId);
        final long deadlineNs = System.nanoTime() + AWAIT_TIMEOUT_NS;
        while (true)
        {
            try
            {
                archive.truncateRecording(recordingId, position);
                return;
            }
            catch (final ArchiveException ex)
            {
                // A stopped replay leaves the archive's replay list on its next duty cycle: retry briefly.
                if (System.nanoTime() > deadlineNs || !ex.getMessage().contains("active replay"))
                {
                    throw ex;
                }
                idle();
            }
        }
    }

    private LogScan scan(final RecordingDescriptor recording, final OffsetIndex index, final PartitionSequencer sequencer)
    {
        final boolean active = AeronArchive.NULL_POSITION == recording.stopPosition;
        final long stopPosition = active ? archive.getRecordingPosition(recording.recordingId) : recording.stopPosition;
        final LeaderEpochHistory history = new LeaderEpochHistory();
        final long[] end = { recording.startPosition, LogScan.NO_OFFSET };
        scanner.scan(recording.recordingId, recording.startPosition, stopPosition, recording.mtuLength,
            (batch, startPosition, endPosition) ->
            {
                final long baseOffset = batch.baseOffset();
                final int count = batch.recordCount();
                final int epoch = batch.leaderEpoch();
                // Epochs never go down along a log; a lower one could only be a corrupt frame: it starts nothing.
                if (epoch > history.lastEpoch())
                {
                    history.append(epoch, startPosition, baseOffset);
                }
                if (null != sequencer)
                {
                    sequencer.recover(
                        baseOffset, count, batch.producerId(), batch.producerEpoch(), batch.baseSequence());
                    index.onBatch(baseOffset, count, startPosition, endPosition, batch.maxTimestamp());
                }
                end[0] = endPosition;
                end[1] = baseOffset + count;
                return true;
            },
            SCAN_TIMEOUT_MS);
        return new LogScan(recording.recordingId, recording.startPosition, stopPosition, end[0], end[1], history,
            recording.initialTermId, recording.termLength, recording.mtuLength, active);
    }

    private static void idle()
    {
        try
        {
            Thread.sleep(1);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AeronException("interrupted", ex);
        }
    }

    /**
     * Stops a log cleanly (broker shutdown): its recording is stopped so it can be extended next time.
     *
     * @param log to stop.
     */
    public void stop(final PartitionLog log)
    {
        try
        {
            archive.tryStopRecordingByIdentity(log.recordingId());
        }
        catch (final AeronException ignore)
        {
            // the archive may already be gone during shutdown; the next start fixes the recording's stop position
            log.detach();
        }
        CloseHelper.quietClose(log);
    }

    /**
     * Deletes a log and its data (topic deletion). The produce agent must have detached it.
     *
     * @param log to delete.
     */
    public void delete(final PartitionLog log)
    {
        archive.stopAllReplays(log.recordingId());
        archive.tryStopRecordingByIdentity(log.recordingId());
        CloseHelper.quietClose(log);
        final long deadlineNs = System.nanoTime() + AWAIT_TIMEOUT_NS;
        while (true)
        {
            try
            {
                archive.purgeRecording(log.recordingId());
                return;
            }
            catch (final AeronException ex)
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw ex;
                }
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Deletes whole archive segments before a position (retention).
     *
     * @param log              to trim.
     * @param newStartPosition a segment boundary.
     * @return number of segment files deleted.
     */
    public long purgeSegments(final PartitionLog log, final long newStartPosition)
    {
        final long deleted = archive.purgeSegments(log.recordingId(), newStartPosition);
        log.onPurged(newStartPosition);
        return deleted;
    }

    /**
     * Retention on a follower: purges its copy of a partition up to where the leader's recording now starts, so that
     * every replica keeps the same segments (a copy has its leader's positions and segment length). A copy that lags
     * keeps its segment being written, and is purged further on a later call.
     *
     * @param copy a running copy whose leader said where it starts ({@link PartitionReplicator#leaderStartPosition()}).
     * @return number of segment files deleted.
     * @throws ArchiveException when the archive refuses.
     */
    public long purgeCopy(final PartitionReplicator copy)
    {
        final long target = copy.leaderStartPosition();
        final long recordingId = copy.recordingId();
        if (AeronArchive.NULL_POSITION == target || Aeron.NULL_VALUE == recordingId ||
            (AeronArchive.NULL_POSITION != copy.startPosition() && target <= copy.startPosition()))
        {
            return 0;
        }
        final RecordingDescriptor recording = describe(recordingId);
        if (null == recording)
        {
            return 0;
        }
        final long start = recording.startPosition;
        final long end = AeronArchive.NULL_POSITION == recording.stopPosition ?
            archive.getRecordingPosition(recordingId) : recording.stopPosition;
        final long purgeTo = AeronArchive.segmentFileBasePosition(
            start, Math.min(target, end), recording.termLength, recording.segmentLength);
        copy.startPosition(start);
        if (purgeTo < start + recording.segmentLength)
        {
            return 0; // the whole first segment is not yet behind the leader's start (or still being written)
        }
        final long deleted = archive.purgeSegments(recordingId, purgeTo);
        copy.startPosition(purgeTo);
        return deleted;
    }

    private RecordingDescriptor describe(final long recordingId)
    {
        final RecordingDescriptor[] found = new RecordingDescriptor[1];
        archive.listRecording(recordingId,
            (controlSessionId, correlationId, id, startTimestamp, stopTimestamp, startPosition,
            stopPosition, initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, streamId,
            strippedChannel, originalChannel, sourceIdentity) -> found[0] = new RecordingDescriptor(id,
                startPosition, stopPosition, initialTermId, termBufferLength, mtuLength, segmentFileLength));
        return found[0];
    }

    private Counter counter(final int typeId, final String what, final String name, final long initialValue)
    {
        final Counter counter = aeron.addCounter(typeId, "aerolog " + what + ": " + name);
        counter.setOrdered(initialValue);
        return counter;
    }

    private int awaitRecordingCounter(final ExclusivePublication publication)
    {
        final CountersReader counters = aeron.countersReader();
        final long deadlineNs = System.nanoTime() + AWAIT_TIMEOUT_NS;
        int counterId;
        while (CountersReader.NULL_COUNTER_ID ==
            (counterId = RecordingPos.findCounterIdBySession(counters, publication.sessionId(), archive.archiveId())))
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new IllegalStateException("archive did not start recording stream " + publication.streamId());
            }
            archive.checkForErrorResponse();
            Thread.onSpinWait();
        }
        return counterId;
    }

    // A follower's copy keeps its leader's channel, so match the stream id alone: partition stream ids are unique and
    // never reused. The newest recording of the stream is the partition's log.
    private RecordingDescriptor findRecording(final int streamId)
    {
        final RecordingDescriptor[] found = new RecordingDescriptor[1];
        archive.listRecordingsForUri(0, Integer.MAX_VALUE, "", streamId,
            (controlSessionId, correlationId, recordingId, startTimestamp, stopTimestamp, startPosition,
            stopPosition, initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, recStreamId,
            strippedChannel, originalChannel, sourceIdentity) ->
            {
                if (recStreamId == streamId && (null == found[0] || recordingId > found[0].recordingId))
                {
                    found[0] = new RecordingDescriptor(recordingId, startPosition, stopPosition, initialTermId,
                        termBufferLength, mtuLength, segmentFileLength);
                }
            });
        return found[0];
    }

    private record RecordingDescriptor(
        long recordingId,
        long startPosition,
        long stopPosition,
        int initialTermId,
        int termLength,
        int mtuLength,
        int segmentLength)
    {
    }
}
