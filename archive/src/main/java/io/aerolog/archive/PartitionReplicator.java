package io.aerolog.archive;

import io.aeron.Aeron;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.ArchiveException;
import io.aeron.archive.client.ReplicationParams;
import io.aeron.archive.codecs.RecordingSignal;
import io.aeron.archive.status.RecordingPos;
import io.aeron.exceptions.AeronException;
import org.agrona.concurrent.status.CountersReader;

import java.util.concurrent.TimeUnit;

/**
 * A follower's copy of one partition: a continuous {@code AeronArchive.replicate} of the leader's recording into a
 * local one (a new recording, or the follower's own stopped one extended from its stop position), so the copy holds
 * the leader's bytes at the leader's positions. It runs in the follower's archive until stopped, or until it fails:
 * the leader's archive goes away, the link breaks, the source is refused. Failure is reported by
 * {@link #hasFailed()} and {@link #failure()}, never thrown out of a poll.
 * <p>
 * The local recording id and its recording-position counter become known from the archive's signals, which reach
 * this through the client's {@link ReplicationSignals}: poll it on every duty cycle. Start and stop are blocking
 * archive calls, every wait bounded: they belong on the thread that owns the archive client (the broker's log
 * worker), never on a data path.
 */
public final class PartitionReplicator implements AutoCloseable
{
    /** Default bound on {@link #stop(long)}. */
    public static final long STOP_TIMEOUT_MS_DEFAULT = 10_000;

    private static final String ENDED_UNASKED =
        "replication ended before it was stopped (the leader's archive or the link to it is gone)";

    private final ReplicationSignals signals;
    private final AeronArchive archive;
    private final CountersReader counters;
    private final long leaderRecordingId;
    private final long replicationId;
    private long recordingId;
    private int recordingCounterId = CountersReader.NULL_COUNTER_ID;
    private long stopPosition = AeronArchive.NULL_POSITION;
    private boolean isStopRequested;
    private boolean isEnded;
    private boolean isClosed;
    private String failure;
    private volatile long leaderStartPosition = AeronArchive.NULL_POSITION;
    private long startPosition = AeronArchive.NULL_POSITION;

    private PartitionReplicator(
        final ReplicationSignals signals,
        final CountersReader counters,
        final long localRecordingId,
        final long leaderRecordingId,
        final long replicationId)
    {
        this.signals = signals;
        this.archive = signals.archive();
        this.counters = counters;
        this.recordingId = localRecordingId;
        this.leaderRecordingId = leaderRecordingId;
        this.replicationId = replicationId;
    }

    /**
     * Starts copying a leader's recording continuously.
     *
     * @param signals                     of the follower's archive client.
     * @param counters                    of the follower's media driver, to find the copy's position counter.
     * @param localRecordingId            the follower's stopped recording of the partition to extend (truncated to
     *                                    where it agrees with the leader), or {@link Aeron#NULL_VALUE} for a new copy.
     * @param leaderRecordingId           the partition's recording in the leader's archive.
     * @param leaderArchiveControlStreamId control stream id of the leader's archive.
     * @param leaderArchiveControlChannel control channel of the leader's archive, e.g.
     *                                    {@code aeron:udp?endpoint=host:port} (its port base + 1).
     * @param encodedCredentials          presented to the leader's archive (the node secret), or null for the
     *                                    follower archive's own replication credentials.
     * @return the running replication.
     * @throws ArchiveException when the follower's archive refuses it (e.g. the local recording is active or unknown).
     */
    public static PartitionReplicator start(
        final ReplicationSignals signals,
        final CountersReader counters,
        final long localRecordingId,
        final long leaderRecordingId,
        final int leaderArchiveControlStreamId,
        final String leaderArchiveControlChannel,
        final byte[] encodedCredentials)
    {
        final ReplicationParams params = new ReplicationParams()
            .dstRecordingId(localRecordingId)
            .stopPosition(AeronArchive.NULL_POSITION);
        if (null != encodedCredentials)
        {
            params.encodedCredentials(encodedCredentials);
        }
        final long replicationId = signals.archive().replicate(
            leaderRecordingId, leaderArchiveControlStreamId, leaderArchiveControlChannel, params);
        final PartitionReplicator replicator = new PartitionReplicator(
            signals, counters, localRecordingId, leaderRecordingId, replicationId);
        signals.register(replicationId, replicator);
        return replicator;
    }

    /** @return the replication id the follower's archive gave. */
    public long replicationId()
    {
        return replicationId;
    }

    /** @return the leader's recording being copied. */
    public long leaderRecordingId()
    {
        return leaderRecordingId;
    }

    /**
     * @return the local recording holding the copy, or {@link Aeron#NULL_VALUE} until the archive has created it.
     */
    public long recordingId()
    {
        return recordingId;
    }

    /**
     * The counter of the copy's recorded position, once the local recording is being written: what a follower
     * reports to its leader. Looked up again if the signal came before the counter could be found.
     *
     * @return the counter id, or {@link CountersReader#NULL_COUNTER_ID} while not recording.
     */
    public int recordingPositionCounterId()
    {
        if (CountersReader.NULL_COUNTER_ID == recordingCounterId && !isEnded && Aeron.NULL_VALUE != recordingId)
        {
            recordingCounterId = RecordingPos.findCounterIdByRecording(counters, recordingId, archive.archiveId());
        }
        return recordingCounterId;
    }

    /**
     * @return the copy's recorded position now, or {@link AeronArchive#NULL_POSITION} while not recording.
     */
    public long recordedPosition()
    {
        final int counterId = recordingPositionCounterId();
        if (CountersReader.NULL_COUNTER_ID == counterId)
        {
            return AeronArchive.NULL_POSITION;
        }
        final long position = counters.getCounterValue(counterId);
        // The counter may have been freed and reused since the recording stopped.
        return RecordingPos.getRecordingId(counters, counterId) == recordingId ? position : AeronArchive.NULL_POSITION;
    }

    /**
     * Where the leader's recording starts now (its retention purged the segments before it): the copy keeps no more.
     * Written by one thread (the one that hears the leader), read by the one that purges.
     *
     * @param position the first position the leader still holds; ignored unless beyond the last one given.
     */
    public void leaderStartPosition(final long position)
    {
        if (position > leaderStartPosition)
        {
            leaderStartPosition = position;
        }
    }

    /** @return the first position the leader still holds, as it last said, or {@link AeronArchive#NULL_POSITION}. */
    public long leaderStartPosition()
    {
        return leaderStartPosition;
    }

    /**
     * @return the first position of the local copy as last found or purged to, or {@link AeronArchive#NULL_POSITION}
     * before it was looked up. Thread that purges.
     */
    long startPosition()
    {
        return startPosition;
    }

    void startPosition(final long position)
    {
        startPosition = position;
    }

    /** @return whether the replication has ended, stopped or failed: the archive runs it no more. */
    public boolean isEnded()
    {
        return isEnded;
    }

    /** @return whether the replication failed or ended without being stopped. */
    public boolean hasFailed()
    {
        return null != failure;
    }

    /** @return why it failed, or null. */
    public String failure()
    {
        return failure;
    }

    /** @return the position the local recording stopped at, once it has stopped, else {@link AeronArchive#NULL_POSITION}. */
    public long stopPosition()
    {
        return stopPosition;
    }

    /**
     * Stops the replication and waits for the local recording to stop, polling the signals meanwhile.
     *
     * @param timeoutMs bound on the wait.
     * @return where the local recording stopped (possibly inside a batch), or {@link AeronArchive#NULL_POSITION}
     * when no local recording was ever created.
     * @throws AeronException when the recording has not stopped in time.
     */
    public long stop(final long timeoutMs)
    {
        isStopRequested = true;
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        if (!isEnded)
        {
            // False when the archive has already let it go: its end signal is on the way.
            archive.tryStopReplication(replicationId);
        }
        while (!isEnded)
        {
            if (0 == signals.poll())
            {
                await(deadlineNs, "replication " + replicationId + " did not end");
            }
        }
        if (Aeron.NULL_VALUE == recordingId)
        {
            close();
            return AeronArchive.NULL_POSITION;
        }
        long position;
        while (AeronArchive.NULL_POSITION == (position = archive.getStopPosition(recordingId)))
        {
            await(deadlineNs, "recording " + recordingId + " did not stop");
        }
        stopPosition = position;
        close();
        return position;
    }

    /** Forgets the replication in the signal router; does not stop it (see {@link #stop(long)}). Idempotent. */
    @Override
    public void close()
    {
        if (!isClosed)
        {
            isClosed = true;
            signals.unregister(replicationId);
        }
    }

    void onSignal(final long recordingId, final long position, final RecordingSignal signal)
    {
        switch (signal)
        {
            case REPLICATE:
                this.recordingId = recordingId;
                break;

            case START:
            case EXTEND:
                this.recordingId = recordingId;
                this.recordingCounterId = RecordingPos.findCounterIdByRecording(
                    counters, recordingId, archive.archiveId());
                break;

            case STOP:
                stopPosition = position;
                recordingCounterId = CountersReader.NULL_COUNTER_ID;
                break;

            case REPLICATE_END:
                isEnded = true;
                recordingCounterId = CountersReader.NULL_COUNTER_ID;
                if (!isStopRequested && null == failure)
                {
                    failure = ENDED_UNASKED;
                }
                break;

            default:
                break;
        }
    }

    void onError(final String message)
    {
        if (null == failure || ENDED_UNASKED.equals(failure))
        {
            failure = message;
        }
    }

    private static void await(final long deadlineNs, final String what)
    {
        if (System.nanoTime() > deadlineNs)
        {
            throw new AeronException(what + " in time");
        }
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

    @Override
    public String toString()
    {
        return "PartitionReplicator{replicationId=" + replicationId + ", leaderRecordingId=" + leaderRecordingId +
            ", recordingId=" + recordingId + ", ended=" + isEnded + ", failure=" + failure + "}";
    }
}
