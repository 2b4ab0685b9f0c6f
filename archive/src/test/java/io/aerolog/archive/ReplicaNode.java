package io.aerolog.archive;

import io.aerolog.cluster.ControllerNode;
import io.aerolog.node.ArchivingDriver;
import io.aerolog.node.NodeSecret;
import io.aerolog.node.PortBases;
import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.archive.client.AeronArchive;
import io.aeron.exceptions.AeronException;
import org.agrona.CloseHelper;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One node as a broker runs it (media driver and archive from {@link ControllerNode#launchArchivingDriver}, with
 * the node secret), on loopback with its own Aeron directory and port base, plus the broker-side clients: an
 * archive client, a {@link PartitionLogStore} and the client's {@link ReplicationSignals}.
 */
final class ReplicaNode implements AutoCloseable
{
    static final NodeSecret SECRET = NodeSecret.of("replication-test-secret-of-every-node");
    static final int TERM_LENGTH = 64 * 1024;
    static final long TIMEOUT_MS = 10_000;
    private static final int DIGEST_STREAM_ID = 997;

    final ControllerNode.Context ctx;
    final ArchivingDriver driver;
    final Aeron aeron;
    final AeronArchive archive;
    final PartitionLogStore store;
    final ReplicationSignals signals;
    private boolean isClosed;

    private ReplicaNode(final Path dir, final int id)
    {
        ctx = new ControllerNode.Context()
            .baseDir(dir.resolve("node-" + id).toFile())
            .aeronDirectoryName(dir.resolve("aeron-" + id).toString())
            .memberId(id)
            .portBase(PortBases.find(ControllerNode.Context.HOST_DEFAULT))
            .secret(SECRET)
            // A dead peer's images go within 3 s rather than Aeron's 10.
            .driverCustomiser((driverCtx) -> driverCtx.imageLivenessTimeoutNs(TimeUnit.SECONDS.toNanos(3)));
        ArchivingDriver launched = null;
        Aeron client = null;
        try
        {
            launched = ControllerNode.launchArchivingDriver(ctx);
            client = Aeron.connect(new Aeron.Context().aeronDirectoryName(ctx.aeronDirectoryName()));
            archive = AeronArchive.connect(ControllerNode.localArchiveContext(ctx, launched.archive().context())
                .aeron(client)
                .ownsAeronClient(false)
                .controlResponseStreamId(PartitionLogStore.ARCHIVE_CONTROL_RESPONSE_STREAM_ID));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(client, launched);
            throw ex;
        }
        driver = launched;
        aeron = client;
        store = new PartitionLogStore(aeron, archive, TERM_LENGTH, 4096);
        signals = new ReplicationSignals(archive);
    }

    static ReplicaNode launch(final Path dir, final int id)
    {
        return new ReplicaNode(dir, id);
    }

    /** Starts a continuous copy of a partition from a leader's archive, with the node secret. */
    PartitionReplicator replicateFrom(final ReplicaNode leader, final long localRecordingId, final long leaderRecordingId)
    {
        return PartitionReplicator.start(signals, aeron.countersReader(), localRecordingId, leaderRecordingId,
            leader.driver.archive().context().controlStreamId(), leader.ctx.archiveControlChannel(), SECRET.bytes());
    }

    /** Polls this node's replication signals until the condition holds. */
    void await(final String what, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new AssertionError("timed out: " + what);
            }
            if (0 == signals.poll())
            {
                sleep();
            }
        }
    }

    /**
     * Digest of a stretch of a recording: every frame's position and payload, as a replay delivers them.
     */
    String digest(final long recordingId, final long fromPosition, final long toPosition)
    {
        final MessageDigest digest;
        try
        {
            digest = MessageDigest.getInstance("SHA-256");
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
        if (toPosition <= fromPosition)
        {
            return "empty";
        }
        final long sessionId = archive.startReplay(
            recordingId, fromPosition, toPosition - fromPosition, "aeron:ipc", DIGEST_STREAM_ID);
        final byte[] bytes = new byte[TERM_LENGTH];
        final ByteBuffer positions = ByteBuffer.allocate(Long.BYTES);
        try (Subscription subscription = aeron.addSubscription(
            ChannelUri.addSessionId("aeron:ipc", (int)sessionId), DIGEST_STREAM_ID))
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
            Image image = null;
            while (null == image || image.position() < toPosition)
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new AssertionError("replay of recording " + recordingId + " did not finish");
                }
                if (null == image)
                {
                    image = subscription.imageBySessionId((int)sessionId);
                    sleep();
                    continue;
                }
                final int fragments = image.poll((buffer, offset, length, header) ->
                {
                    buffer.getBytes(offset, bytes, 0, length);
                    digest.update(bytes, 0, length);
                    digest.update(header.flags());
                    positions.clear();
                    digest.update(positions.putLong(0, header.position()).array());
                }, 16);
                if (0 == fragments)
                {
                    sleep();
                }
            }
        }
        return java.util.HexFormat.of().formatHex(digest.digest());
    }

    /** Appends a batch, retrying while the publication is back pressured. */
    static long append(
        final PartitionLog log, final long producerId, final int baseSequence, final int recordCount, final int length)
    {
        final MutableDirectBuffer scratch = new UnsafeBuffer(new byte[512]);
        final byte[] records = new byte[length];
        for (int i = 0; i < length; i++)
        {
            records[i] = (byte)(baseSequence + i);
        }
        final UnsafeBuffer recordsBuffer = new UnsafeBuffer(records);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        long position;
        while ((position = log.append(scratch, producerId, (short)0, baseSequence, recordCount, 1000L + baseSequence,
            System.currentTimeMillis(), recordsBuffer, 0, length)) < 0)
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new AssertionError("append refused: " + position);
            }
            sleep();
        }
        return position;
    }

    /** Waits until the archive has recorded everything the log appended. */
    static void awaitRecorded(final PartitionLog log)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (log.recordedPosition() < log.position())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new AssertionError("log not recorded: " + log.recordedPosition() + " < " + log.position());
            }
            sleep();
        }
    }

    static void sleep()
    {
        try
        {
            Thread.sleep(1);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AeronException(ex);
        }
    }

    @Override
    public void close()
    {
        if (!isClosed)
        {
            isClosed = true;
            CloseHelper.closeAll(archive, aeron, driver);
        }
    }
}
