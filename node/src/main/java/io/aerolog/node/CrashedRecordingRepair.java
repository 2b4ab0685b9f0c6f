package io.aerolog.node;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveTool;
import io.aeron.archive.client.ArchiveException;

import java.io.File;
import java.io.PrintStream;
import java.util.EnumSet;

/**
 * Launches an archive whose last run may have ended with {@code kill -9}, repairing what Aeron Archive refuses to
 * start with.
 * <p>
 * When a recording was active at the crash, the archive computes its stop position from the segment file on start.
 * If the last fragment straddles a page boundary and the page after it reads as zeros (as any record whose tail is
 * zero bytes does), the archive cannot tell a torn write from a complete one and refuses to start, asking for
 * {@code ArchiveTool verify}. A process crash does not tear writes (the page cache holds them; only a host crash
 * can), so the repair runs that verification for the recording with the fragment considered complete, then starts
 * the archive again. A host crash's torn fragment would be found by the verification's frame checks instead.
 */
public final class CrashedRecordingRepair
{
    private static final String STRADDLE_MESSAGE =
        "Found potentially incomplete last fragment straddling page boundary in file: ";

    private CrashedRecordingRepair()
    {
    }

    /**
     * Launches the archive; when it refuses to start over a straddling last fragment, repairs that recording and
     * launches again (once per recording at most).
     *
     * @param archiveCtx of the archive, not yet concluded.
     * @param log        where the repair says what it did.
     * @return the running archive.
     */
    public static Archive launch(final Archive.Context archiveCtx, final PrintStream log)
    {
        Archive.Context attempt = archiveCtx;
        long lastRepaired = Long.MIN_VALUE;
        while (true)
        {
            // A failed launch leaves its context concluded and closed: each attempt starts from an untouched copy.
            final Archive.Context untouched = attempt.clone();
            try
            {
                return Archive.launch(attempt);
            }
            catch (final ArchiveException ex)
            {
                final long recordingId = straddlingRecordingId(ex);
                if (Long.MIN_VALUE == recordingId || recordingId == lastRepaired)
                {
                    throw ex;
                }
                repair(null != attempt.archiveDir() ? attempt.archiveDir() : new File(attempt.archiveDirectoryName()),
                    recordingId, log);
                lastRepaired = recordingId;
                attempt = untouched;
            }
        }
    }

    /**
     * The recording an archive refused to start over, from its error.
     *
     * @param ex the archive's error.
     * @return the recording id, or {@link Long#MIN_VALUE} when the error is not about a straddling last fragment.
     */
    static long straddlingRecordingId(final ArchiveException ex)
    {
        final String message = ex.getMessage();
        final int start = null == message ? -1 : message.indexOf(STRADDLE_MESSAGE);
        if (start < 0)
        {
            return Long.MIN_VALUE;
        }
        final int pathStart = start + STRADDLE_MESSAGE.length();
        final int lineEnd = message.indexOf('\n', pathStart);
        final String fileName = new File(message.substring(pathStart, lineEnd < 0 ? message.length() : lineEnd))
            .getName();
        // Segment files are named <recordingId>-<segmentBasePosition>.rec
        final int dash = fileName.indexOf('-');
        try
        {
            return dash > 0 ? Long.parseLong(fileName.substring(0, dash)) : Long.MIN_VALUE;
        }
        catch (final NumberFormatException ignore)
        {
            return Long.MIN_VALUE;
        }
    }

    private static void repair(final File archiveDir, final long recordingId, final PrintStream log)
    {
        log.println("aerolog: recording " + recordingId + " in " + archiveDir + " ended in a crash with its last " +
            "fragment across a page boundary; verifying it with the fragment taken as complete");
        final boolean valid = ArchiveTool.verifyRecording(
            log, archiveDir, recordingId, EnumSet.noneOf(ArchiveTool.VerifyOption.class), null, (file) -> false);
        if (!valid)
        {
            log.println("aerolog: recording " + recordingId + " failed verification and is marked invalid");
        }
    }
}
