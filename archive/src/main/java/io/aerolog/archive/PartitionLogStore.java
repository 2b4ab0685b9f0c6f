package io.aerolog.archive;

import io.aerolog.codecs.log.LogBatchDecoder;
import io.aerolog.sequencer.OffsetIndex;
import io.aerolog.sequencer.PartitionSequencer;
import io.aerolog.transport.AerologCounters;
import io.aeron.Aeron;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.CommonContext;
import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.archive.client.AeronArchive;
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
     * Opens (creating or recovering) the log of a partition.
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
        final RecordingDescriptor existing = findRecording(streamId);
        final String name = topicName + "-" + partition;
        final ExclusivePublication publication;
        final long recordingId;
        final OffsetIndex index;
        final PartitionSequencer sequencer = new PartitionSequencer(logStartOffset);
        final long startPosition;
        long endPosition;

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
            final String channel = new ChannelUriStringBuilder().media(CommonContext.IPC_MEDIA)
                .termLength(existing.termLength).mtu(existing.mtuLength).alias("log-" + name)
                .initialPosition(existing.stopPosition, existing.initialTermId, existing.termLength).build();
            index = new OffsetIndex(indexIntervalBytes, existing.termLength);
            index.clear(logStartOffset);
            recover(existing, index, sequencer);
            publication = aeron.addExclusivePublication(channel, streamId);
            archive.extendRecording(existing.recordingId, "aeron:ipc", streamId, SourceLocation.LOCAL);
            awaitRecordingCounter(publication);
            recordingId = existing.recordingId;
            startPosition = existing.startPosition;
            endPosition = existing.stopPosition;
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
            recordingCounterId, counters, index, sequencer, logEnd, hw, hwPosition, logStart, startPosition);
    }

    private void recover(final RecordingDescriptor recording, final OffsetIndex index, final PartitionSequencer sequencer)
    {
        scanner.scan(recording.recordingId, recording.startPosition, recording.stopPosition, recording.mtuLength,
            (batch, startPosition, endPosition) ->
            {
                final long baseOffset = batch.baseOffset();
                final int count = batch.recordCount();
                sequencer.recover(baseOffset, count, batch.producerId(), batch.producerEpoch(), batch.baseSequence());
                index.onBatch(baseOffset, count, startPosition, endPosition, batch.maxTimestamp());
                return true;
            },
            SCAN_TIMEOUT_MS);
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

    private RecordingDescriptor findRecording(final int streamId)
    {
        final RecordingDescriptor[] found = new RecordingDescriptor[1];
        archive.listRecordingsForUri(0, Integer.MAX_VALUE, "aeron:ipc", streamId,
            (controlSessionId, correlationId, recordingId, startTimestamp, stopTimestamp, startPosition,
            stopPosition, initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, recStreamId,
            strippedChannel, originalChannel, sourceIdentity) ->
            {
                if (recStreamId == streamId)
                {
                    found[0] = new RecordingDescriptor(recordingId, startPosition, stopPosition, initialTermId,
                        termBufferLength, mtuLength);
                }
            });
        return found[0];
    }

    private record RecordingDescriptor(
        long recordingId, long startPosition, long stopPosition, int initialTermId, int termLength, int mtuLength)
    {
    }
}
