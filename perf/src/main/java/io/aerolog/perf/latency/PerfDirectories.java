package io.aerolog.perf.latency;

import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Fresh directories of the broker a latency run measures: its data in a new temp dir, and its own Aeron dir (in
 * /dev/shm when it has room, else the temp dir) named {@code aerolog-perf-<pid>-<random>}. Closing deletes both.
 */
final class PerfDirectories implements AutoCloseable
{
    private static final long MIN_SHM_FREE_BYTES = 1024L * 1024 * 1024;

    private final File dataDir;
    private final File aeronDir;

    private PerfDirectories(final File dataDir, final File aeronDir)
    {
        this.dataDir = dataDir;
        this.aeronDir = aeronDir;
    }

    /**
     * Creates the data dir and chooses the Aeron dir (which the media driver creates).
     *
     * @return the directories.
     */
    static PerfDirectories create()
    {
        final String suffix = ProcessHandle.current().pid() + "-" +
            Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0x100000));
        try
        {
            final File dataDir = Files.createTempDirectory("aerolog-perf-" + suffix + "-").toFile();
            final File shm = new File("/dev/shm");
            final File aeronBase = shm.isDirectory() && shm.getUsableSpace() > MIN_SHM_FREE_BYTES ?
                shm : new File(System.getProperty("java.io.tmpdir"));
            return new PerfDirectories(dataDir, new File(aeronBase, "aerolog-perf-" + suffix));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a temp dir for the broker", ex);
        }
    }

    /**
     * @return where the broker keeps its data.
     */
    File dataDir()
    {
        return dataDir;
    }

    /**
     * @return the broker's own Aeron directory.
     */
    File aeronDir()
    {
        return aeronDir;
    }

    /**
     * Deletes both directories.
     */
    public void close()
    {
        IoUtil.delete(dataDir, true);
        IoUtil.delete(aeronDir, true);
    }
}
