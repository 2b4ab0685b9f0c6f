package io.aerolog.archive;

import io.aerolog.codecs.log.LogBatchDecoder;
import io.aerolog.codecs.log.MessageHeaderDecoder;
import io.aerolog.transport.Wire;
import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.archive.client.AeronArchive;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;

/**
 * Reads a stretch of a partition recording back through an archive replay, batch by batch: used to rebuild a log's
 * index and producer state at start-up and to find offsets by timestamp. Blocking; for the control path only.
 */
public final class LogScanner
{
    /** Receives each batch read. */
    @FunctionalInterface
    public interface BatchHandler
    {
        /**
         * One batch of the log.
         *
         * @param batch         decoder wrapped on the batch.
         * @param startPosition stream position where the batch's frame starts.
         * @param endPosition   stream position after the batch.
         * @return true to go on, false to stop scanning.
         */
        boolean onBatch(LogBatchDecoder batch, long startPosition, long endPosition);
    }

    private final Aeron aeron;
    private final AeronArchive archive;
    private final int streamId;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final LogBatchDecoder batchDecoder = new LogBatchDecoder();
    private final IdleStrategy idleStrategy = new BackoffIdleStrategy(
        10, 20, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
    private BatchHandler handler;
    private boolean stop;
    private int maxPayloadLength;
    private long malformed;

    /**
     * @param aeron    client to subscribe with.
     * @param archive  holding the recordings.
     * @param streamId private IPC stream to replay onto.
     */
    public LogScanner(final Aeron aeron, final AeronArchive archive, final int streamId)
    {
        this.aeron = aeron;
        this.archive = archive;
        this.streamId = streamId;
    }

    /**
     * Reads batches from {@code fromPosition} (a batch start) up to {@code toPosition}.
     *
     * @param recordingId  to read.
     * @param fromPosition first position, at the start of a batch.
     * @param toPosition   position to stop at.
     * @param mtuLength    of the recording, to find where each batch starts.
     * @param handler      receives the batches.
     * @param timeoutMs    bound on the whole scan.
     */
    public void scan(
        final long recordingId,
        final long fromPosition,
        final long toPosition,
        final int mtuLength,
        final BatchHandler handler,
        final long timeoutMs)
    {
        if (fromPosition >= toPosition)
        {
            return;
        }
        this.handler = handler;
        this.stop = false;
        this.maxPayloadLength = mtuLength - io.aeron.protocol.DataHeaderFlyweight.HEADER_LENGTH;
        final long replaySessionId = archive.startReplay(
            recordingId, fromPosition, toPosition - fromPosition, "aeron:ipc", streamId);
        final String channel = ChannelUri.addSessionId("aeron:ipc", (int)replaySessionId);
        final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        boolean completed = false;
        try (Subscription subscription = aeron.addSubscription(channel, streamId))
        {
            Image image = null;
            while (!stop)
            {
                if (null == image)
                {
                    image = subscription.imageBySessionId((int)replaySessionId);
                }
                final int work = null == image ? 0 : image.poll(assembler, 64);
                if (null != image && (image.position() >= toPosition || (0 == work && image.isEndOfStream())))
                {
                    completed = true;
                    break;
                }
                if (System.nanoTime() > deadlineNs)
                {
                    throw new IllegalStateException("scan of recording " + recordingId + " from " + fromPosition +
                        " to " + toPosition + " did not finish within " + timeoutMs + " ms");
                }
                idleStrategy.idle(work);
            }
        }
        finally
        {
            this.handler = null;
            if (!completed)
            {
                try
                {
                    archive.stopReplay(replaySessionId);
                }
                catch (final RuntimeException ignore)
                {
                    // the replay may already have ended on its own; nothing left to stop
                }
            }
        }
    }

    /** @return frames that were not record batches of a readable version. */
    public long malformedFrames()
    {
        return malformed;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (stop)
        {
            return;
        }
        if (null != Wire.checkHeaderLog(buffer, offset, length, headerDecoder) ||
            headerDecoder.templateId() != LogBatchDecoder.TEMPLATE_ID)
        {
            malformed++;
            return;
        }
        batchDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final long endPosition = header.position();
        final long startPosition = endPosition -
            io.aeron.logbuffer.LogBufferDescriptor.computeFragmentedFrameLength(length, maxPayloadLength);
        if (!handler.onBatch(batchDecoder, startPosition, endPosition))
        {
            stop = true;
        }
    }
}
