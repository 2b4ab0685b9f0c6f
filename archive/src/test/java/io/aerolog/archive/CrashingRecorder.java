package io.aerolog.archive;

import io.aeron.Publication;
import io.aeron.archive.codecs.SourceLocation;
import io.aeron.archive.status.RecordingPos;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * A node that records a stream and dies without closing anything, as {@code kill -9} leaves it: run in a JVM of its
 * own by {@link CrashedRecordingRepairTest}. The recorded frames end with one that straddles the first 4 KiB page
 * boundary and whose part past it is all zeros, which Aeron Archive refuses to start over.
 */
public final class CrashingRecorder
{
    static final int STREAM_ID = 1001;
    static final String CHANNEL = "aeron:ipc?term-length=64k";
    /** 64 B payloads make 96 B frames: the 43rd spans 4032 to 4128. */
    static final int PAYLOAD_LENGTH = 64;
    static final int MESSAGES = 43;
    static final long END_POSITION = MESSAGES * 96L;

    private CrashingRecorder()
    {
    }

    /**
     * Records {@link #MESSAGES} zero-filled messages, waits until the archive has them all, then halts.
     *
     * @param args the directory of the node.
     */
    public static void main(final String[] args)
    {
        final ReplicaNode node = ReplicaNode.launch(Path.of(args[0]), 1);
        node.archive.startRecording(CHANNEL, STREAM_ID, SourceLocation.LOCAL);
        final Publication publication = node.aeron.addExclusivePublication(CHANNEL, STREAM_ID);
        final UnsafeBuffer zeros = new UnsafeBuffer(new byte[PAYLOAD_LENGTH]);
        int sent = 0;
        while (sent < MESSAGES)
        {
            if (publication.offer(zeros) > 0)
            {
                sent++;
            }
            else
            {
                ReplicaNode.sleep();
            }
        }
        int counterId;
        while ((counterId = RecordingPos.findCounterIdBySession(
            node.aeron.countersReader(), publication.sessionId(), node.archive.archiveId())) < 0 ||
            node.aeron.countersReader().getCounterValue(counterId) < END_POSITION)
        {
            ReplicaNode.sleep();
        }
        System.out.println("recorded " + END_POSITION);
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
