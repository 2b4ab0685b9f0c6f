package io.aerolog.archive;

import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.ArchiveException;
import io.aeron.archive.client.RecordingSignalConsumer;
import io.aeron.archive.codecs.RecordingSignal;
import io.aeron.exceptions.AeronException;
import org.agrona.ErrorHandler;
import org.agrona.LangUtil;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;

/**
 * Routes what an archive client's control session hears about replications to the {@link PartitionReplicator} that
 * started each one: recording signals ({@code REPLICATE}, {@code EXTEND}, {@code STOP}, {@code REPLICATE_END}...) and
 * the asynchronous errors the archive reports for a replication (its leader gone, a refused source), all keyed by
 * the replication id. One per {@link AeronArchive}: it installs itself as the client's recording signal consumer and
 * error handler (both are read on every dispatch, so it may be installed after connecting).
 * <p>
 * Signals and errors arrive whenever the client reads its control responses, during {@link #poll()} or during any
 * other call on the client, so every replicator of the client sees its own. Errors for anything else go to the
 * client's previous error handler, or are thrown as the client would have thrown them.
 * <p>
 * Single threaded: the thread that owns the archive client (the broker's log worker).
 */
public final class ReplicationSignals implements RecordingSignalConsumer, ErrorHandler
{
    private final AeronArchive archive;
    private final RecordingSignalConsumer previousConsumer;
    private final ErrorHandler previousErrorHandler;
    private final Long2ObjectHashMap<PartitionReplicator> byReplicationId = new Long2ObjectHashMap<>();
    // Replications that have ended: a late word about one is dropped rather than thrown into an unrelated call.
    private final LongHashSet ended = new LongHashSet();
    private long pollFailures;
    private String lastPollFailure;

    /**
     * @param archive client whose signals and errors to route; this installs itself on its context.
     */
    public ReplicationSignals(final AeronArchive archive)
    {
        this.archive = archive;
        final AeronArchive.Context ctx = archive.context();
        this.previousConsumer = ctx.recordingSignalConsumer();
        this.previousErrorHandler = ctx.errorHandler();
        ctx.recordingSignalConsumer(this);
        ctx.errorHandler(this);
    }

    /** @return the archive client. */
    public AeronArchive archive()
    {
        return archive;
    }

    /**
     * Reads the client's pending control responses once, dispatching signals and errors. Never throws: a client that
     * cannot be polled (closed, disconnected from its archive) is counted in {@link #pollFailures()}.
     *
     * @return the number of signals read (0 or 1).
     */
    public int poll()
    {
        try
        {
            return archive.pollForRecordingSignals();
        }
        catch (final AeronException ex)
        {
            pollFailures++;
            lastPollFailure = ex.getMessage();
            return 0;
        }
    }

    /** @return polls that failed since start: the archive client could not read its responses. */
    public long pollFailures()
    {
        return pollFailures;
    }

    /** @return message of the last failed poll, or null. */
    public String lastPollFailure()
    {
        return lastPollFailure;
    }

    void register(final long replicationId, final PartitionReplicator replicator)
    {
        byReplicationId.put(replicationId, replicator);
    }

    void unregister(final long replicationId)
    {
        if (null != byReplicationId.remove(replicationId))
        {
            ended.add(replicationId);
        }
    }

    /** {@inheritDoc} */
    @Override
    public void onSignal(
        final long controlSessionId,
        final long correlationId,
        final long recordingId,
        final long subscriptionId,
        final long position,
        final RecordingSignal signal)
    {
        final PartitionReplicator replicator = byReplicationId.get(correlationId);
        if (null != replicator)
        {
            replicator.onSignal(recordingId, position, signal);
        }
        else if (!ended.contains(correlationId))
        {
            previousConsumer.onSignal(controlSessionId, correlationId, recordingId, subscriptionId, position, signal);
        }
    }

    /** {@inheritDoc} */
    @Override
    public void onError(final Throwable throwable)
    {
        if (throwable instanceof ArchiveException)
        {
            final long correlationId = ((ArchiveException)throwable).correlationId();
            final PartitionReplicator replicator = byReplicationId.get(correlationId);
            if (null != replicator)
            {
                replicator.onError(throwable.getMessage());
                return;
            }
            if (ended.contains(correlationId))
            {
                return;
            }
        }
        if (null != previousErrorHandler)
        {
            previousErrorHandler.onError(throwable);
        }
        else
        {
            LangUtil.rethrowUnchecked(throwable);
        }
    }
}
