package io.aerolog.node;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.aeron.archive.ArchiveMarkFile;
import io.aeron.cluster.service.ClusterMarkFile;
import org.agrona.IoUtil;
import org.agrona.concurrent.SystemEpochClock;

import java.io.File;
import java.nio.MappedByteBuffer;

/**
 * Guards for a node's directories at start: never launch a driver over a live one, and release the mark files a
 * killed process left behind so a restart right after {@code kill -9} works.
 */
public final class NodeDirectories
{
    /**
     * A killed process leaves its cluster and archive mark files looking alive for 10 s, so an immediate restart
     * fails with "active Mark file detected". Mark them terminated when the process that wrote them is gone.
     *
     * @param archiveDir the node's archive directory.
     * @param clusterDir the node's cluster directory (absent on a node without a controller).
     */
    public static void releaseMarkFilesOfDeadProcesses(final File archiveDir, final File clusterDir)
    {
        final long ownPid = ProcessHandle.current().pid();
        final String[] clusterMarkFiles = { ClusterMarkFile.FILENAME, ClusterMarkFile.markFilenameForService(0) };
        for (final String filename : clusterMarkFiles)
        {
            if (new File(clusterDir, filename).exists())
            {
                try (ClusterMarkFile markFile = new ClusterMarkFile(
                    clusterDir, filename, SystemEpochClock.INSTANCE, 0, null))
                {
                    if (isDeadProcess(markFile.decoder().pid(), ownPid))
                    {
                        markFile.signalTerminated();
                    }
                }
                catch (final RuntimeException ignore)
                {
                    // Unreadable or half written: leave the decision to Aeron's own checks.
                }
            }
        }

        if (new File(archiveDir, ArchiveMarkFile.FILENAME).exists())
        {
            try (ArchiveMarkFile markFile = new ArchiveMarkFile(
                archiveDir, ArchiveMarkFile.FILENAME, SystemEpochClock.INSTANCE, 0, null))
            {
                if (isDeadProcess(markFile.decoder().pid(), ownPid))
                {
                    markFile.signalTerminated();
                }
            }
            catch (final RuntimeException ignore)
            {
                // Unreadable or half written: leave the decision to Aeron's own checks.
            }
        }
    }

    /**
     * Is a media driver alive in this Aeron directory? A driver killed a moment ago still has a fresh heartbeat, so it
     * counts as running only while the process named in its CnC file does.
     *
     * @param aeronDir to check.
     * @return true if a live driver uses it.
     */
    public static boolean isDriverRunning(final File aeronDir)
    {
        // Aeron's own bound: a live driver sharing its thread with the archive may miss heartbeats for seconds.
        if (!CommonContext.isDriverActive(aeronDir, CommonContext.DRIVER_TIMEOUT_MS, (s) -> {}))
        {
            return false;
        }
        MappedByteBuffer cnc = null;
        try
        {
            cnc = IoUtil.mapExistingFile(new File(aeronDir, CncFileDescriptor.CNC_FILE), "cnc");
            final long pid = CncFileDescriptor.pid(CncFileDescriptor.createMetaDataBuffer(cnc));
            return !isDeadProcess(pid, ProcessHandle.current().pid());
        }
        catch (final RuntimeException ex)
        {
            return true; // unreadable: assume a driver is there rather than delete its files
        }
        finally
        {
            IoUtil.unmap(cnc);
        }
    }

    private static boolean isDeadProcess(final long pid, final long ownPid)
    {
        return pid > 0 && pid != ownPid && ProcessHandle.of(pid).map((p) -> !p.isAlive()).orElse(true);
    }

    private NodeDirectories()
    {
    }
}
