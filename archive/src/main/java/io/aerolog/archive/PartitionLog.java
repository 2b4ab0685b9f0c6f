package io.aerolog.archive;

import io.aerolog.codecs.log.LogBatchEncoder;
import io.aerolog.codecs.log.LogTimestampType;
import io.aerolog.codecs.log.MessageHeaderEncoder;
import io.aerolog.sequencer.OffsetIndex;
import io.aerolog.sequencer.PartitionSequencer;
import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.logbuffer.LogBufferDescriptor;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.status.CountersReader;

/**
 * One partition's log on its leader: the exclusive publication the leader appends batches to, the archive recording
 * of that stream, the sequencer that gives dense offsets, the offset/time index, and the counters that show its
 * state. {@link #append} and the acknowledgement bookkeeping run on the produce agent's thread only; the index and
 * counters may be read from any thread.
 */
public final class PartitionLog implements AutoCloseable
{
    private final int topicId;
    private final int partition;
    private final String topicName;
    private final int streamId;
    private final boolean logAppendTime;
    /** Room for a batch's log header (its fixed fields and the record set's length) within one message. */
    private static final int MAX_BATCH_HEADER_LENGTH = 256;

    private final ExclusivePublication publication;
    private final long recordingId;
    private final int recordingPositionCounterId;
    private final CountersReader counters;
    private final OffsetIndex index;
    private final PartitionSequencer sequencer;
    private final Counter logEndOffset;
    private final Counter highWatermark;
    private final Counter highWatermarkPosition;
    private final Counter logStartOffset;
    private final int termLength;
    private final int leaderEpoch;
    private final long epochStartPosition;
    private final LogBatchEncoder batchEncoder = new LogBatchEncoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final PendingBatches pending = new PendingBatches();
    private volatile long recordingStartPosition;
    private volatile boolean detached;
    private volatile long retentionMs;
    private volatile long retentionBytes;

    PartitionLog(
        final int topicId,
        final int partition,
        final String topicName,
        final int streamId,
        final boolean logAppendTime,
        final ExclusivePublication publication,
        final long recordingId,
        final int recordingPositionCounterId,
        final CountersReader counters,
        final OffsetIndex index,
        final PartitionSequencer sequencer,
        final Counter logEndOffset,
        final Counter highWatermark,
        final Counter highWatermarkPosition,
        final Counter logStartOffset,
        final long recordingStartPosition,
        final int leaderEpoch,
        final long epochStartPosition)
    {
        this.topicId = topicId;
        this.partition = partition;
        this.topicName = topicName;
        this.streamId = streamId;
        this.logAppendTime = logAppendTime;
        this.publication = publication;
        this.recordingId = recordingId;
        this.recordingPositionCounterId = recordingPositionCounterId;
        this.counters = counters;
        this.index = index;
        this.sequencer = sequencer;
        this.logEndOffset = logEndOffset;
        this.highWatermark = highWatermark;
        this.highWatermarkPosition = highWatermarkPosition;
        this.logStartOffset = logStartOffset;
        this.recordingStartPosition = recordingStartPosition;
        this.termLength = publication.termBufferLength();
        this.leaderEpoch = leaderEpoch;
        this.epochStartPosition = epochStartPosition;
    }

    /** @return key of a topic partition in maps: topic id in the high 32 bits, partition in the low. */
    public static long key(final int topicId, final int partition)
    {
        return ((long)topicId << 32) | (partition & 0xFFFF_FFFFL);
    }

    /**
     * Appends a batch: assigns its offsets and offers it to the log stream. Produce-agent thread only.
     *
     * @param scratch         buffer for the batch header (at least 128 bytes).
     * @param producerId      of the batch, or -1.
     * @param producerEpoch   of the producer.
     * @param baseSequence    of the batch.
     * @param recordCount     of the batch.
     * @param maxTimestamp    largest create time in the batch.
     * @param appendTime      the broker's time now, ms.
     * @param records         buffer holding the encoded record set.
     * @param recordsOffset   of the record set.
     * @param recordsLength   of the record set.
     * @return the new stream position, or a negative {@link io.aeron.Publication} result (nothing was written).
     */
    public long append(
        final MutableDirectBuffer scratch,
        final long producerId,
        final short producerEpoch,
        final int baseSequence,
        final int recordCount,
        final long maxTimestamp,
        final long appendTime,
        final DirectBuffer records,
        final int recordsOffset,
        final int recordsLength)
    {
        final long baseOffset = sequencer.nextOffset();
        batchEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder)
            .baseOffset(baseOffset)
            .recordCount(recordCount)
            .leaderEpoch(leaderEpoch)
            .producerId(producerId)
            .producerEpoch(producerEpoch)
            .baseSequence(baseSequence)
            .maxTimestamp(logAppendTime ? appendTime : maxTimestamp)
            .appendTime(appendTime)
            .timestampType(logAppendTime ? LogTimestampType.LOG_APPEND_TIME : LogTimestampType.CREATE_TIME)
            .topicId(topicId)
            .partition(partition);
        final int lengthFieldOffset = batchEncoder.limit();
        scratch.putInt(lengthFieldOffset, recordsLength, java.nio.ByteOrder.LITTLE_ENDIAN);
        final int headerLength = lengthFieldOffset + LogBatchEncoder.recordsHeaderLength();
        final long position = publication.offer(scratch, 0, headerLength, records, recordsOffset, recordsLength);
        if (position > 0)
        {
            sequencer.append(producerId, producerEpoch, baseSequence, recordCount);
            final long startPosition = position - LogBufferDescriptor.computeFragmentedFrameLength(
                headerLength + recordsLength, publication.maxPayloadLength());
            index.onBatch(baseOffset, recordCount, startPosition, position,
                logAppendTime ? appendTime : maxTimestamp);
            logEndOffset.setOrdered(baseOffset + recordCount);
        }
        return position;
    }

    /**
     * The longest record set one batch of this log can hold. A log keeps the term length it was created with, so
     * after a restart with a longer {@code log.term.length} this can be less than the broker's batch limit.
     *
     * @return bytes.
     */
    public int maxRecordSetLength()
    {
        return publication.maxMessageLength() - MAX_BATCH_HEADER_LENGTH;
    }

    /**
     * Position after the last batch appended. Produce-agent thread only.
     *
     * @return the stream position.
     */
    public long position()
    {
        return publication.position();
    }

    /**
     * Recorded position of the log in the archive: what is durable on this broker.
     *
     * @return the position.
     */
    public long recordedPosition()
    {
        return counters.getCounterValue(recordingPositionCounterId);
    }

    /**
     * Moves the high watermark: records below it are acknowledged and visible to consumers.
     *
     * @param offset   the high watermark offset.
     * @param position the stream position of the end of the batch ending just below it.
     */
    public void highWatermark(final long offset, final long position)
    {
        highWatermark.setOrdered(offset);
        highWatermarkPosition.setOrdered(position);
    }

    /** @return batches written and waiting for acknowledgement. Produce-agent thread only. */
    public PendingBatches pending()
    {
        return pending;
    }

    /** @return the sequencer (produce-agent thread only). */
    public PartitionSequencer sequencer()
    {
        return sequencer;
    }

    /** @return the offset/time index, readable from any thread. */
    public OffsetIndex index()
    {
        return index;
    }

    /** @return topic id. */
    public int topicId()
    {
        return topicId;
    }

    /** @return partition number. */
    public int partition()
    {
        return partition;
    }

    /** @return topic name. */
    public String topicName()
    {
        return topicName;
    }

    /** @return stream id of the log. */
    public int streamId()
    {
        return streamId;
    }

    /** @return whether records are stamped with the broker's time. */
    public boolean isLogAppendTime()
    {
        return logAppendTime;
    }

    /** @return archive recording id of the log. */
    public long recordingId()
    {
        return recordingId;
    }

    /** @return the leader epoch this log was opened in, stamped on every batch it appends. */
    public int leaderEpoch()
    {
        return leaderEpoch;
    }

    /**
     * Where this leader epoch starts: the stream position at which the log was opened for appends (the end of the
     * last complete batch before it), which the leader registers as its epoch start.
     *
     * @return the stream position.
     */
    public long epochStartPosition()
    {
        return epochStartPosition;
    }

    /** @return term length of the log stream. */
    public int termLength()
    {
        return termLength;
    }

    /** @return next offset to be written (readable from any thread). */
    public long logEndOffset()
    {
        return logEndOffset.get();
    }

    /** @return offset below which records are acknowledged and readable (any thread). */
    public long highWatermark()
    {
        return highWatermark.get();
    }

    /** @return stream position of the high watermark (any thread). */
    public long highWatermarkPosition()
    {
        return highWatermarkPosition.get();
    }

    /** @return id of the counter holding {@link #highWatermarkPosition()}: the bound of consumer replays. */
    public int highWatermarkPositionCounterId()
    {
        return highWatermarkPosition.id();
    }

    /** @return first offset retained (any thread). */
    public long logStartOffset()
    {
        return logStartOffset.get();
    }

    /**
     * Moves the first readable offset forward ahead of a purge that has to wait (a consumer still reads the segments
     * to go), so that no read starts below it meanwhile. Log worker thread (the one that purges).
     *
     * @param offset new log start offset; ignored unless beyond the current one.
     */
    public void advanceLogStartOffset(final long offset)
    {
        if (offset > logStartOffset.get())
        {
            logStartOffset.setOrdered(offset);
        }
    }

    /**
     * Records that retention removed the log before a position.
     *
     * @param newStartPosition first retained position.
     */
    public void onPurged(final long newStartPosition)
    {
        recordingStartPosition = newStartPosition;
        index.truncateBefore(newStartPosition);
        logStartOffset.setOrdered(index.logStartOffset());
    }

    /** @return first stream position still in the recording. */
    public long recordingStartPosition()
    {
        return recordingStartPosition;
    }

    /**
     * @param retentionMs    how long to keep records, -1 for ever.
     * @param retentionBytes how many bytes to keep, -1 without bound.
     */
    public void retention(final long retentionMs, final long retentionBytes)
    {
        this.retentionMs = retentionMs;
        this.retentionBytes = retentionBytes;
    }

    /** @return how long to keep records, -1 for ever. */
    public long retentionMs()
    {
        return retentionMs;
    }

    /** @return how many bytes to keep, -1 without bound. */
    public long retentionBytes()
    {
        return retentionBytes;
    }

    /** Marks the log as no longer used by the produce agent, so the conductor may close it. */
    public void detach()
    {
        detached = true;
    }

    /** @return whether the produce agent has let go of the log. */
    public boolean isDetached()
    {
        return detached;
    }

    /** @return the publication, for the owner's lifecycle management. */
    ExclusivePublication publication()
    {
        return publication;
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(publication, logEndOffset, highWatermark, highWatermarkPosition, logStartOffset);
    }

    @Override
    public String toString()
    {
        return topicName + "-" + partition;
    }
}
