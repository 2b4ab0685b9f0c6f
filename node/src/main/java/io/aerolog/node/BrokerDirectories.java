package io.aerolog.node;

import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Fresh directories for a throw-away broker (the demo's, a latency run's): its data in a new temp dir, and its own
 * Aeron dir (in /dev/shm when it has room, else the temp dir) named {@code <prefix>-<pid>-<random>}. Closing deletes
 * both.
 */
public final class BrokerDirectories implements AutoCloseable
{
    private static final long MIN_SHM_FREE_BYTES = 1024L * 1024 * 1024;

    private final File dataDir;
    private final File aeronDir;

    private BrokerDirectories(final File dataDir, final File aeronDir)
    {
        this.dataDir = dataDir;
        this.aeronDir = aeronDir;
    }

    /**
     * Creates the data dir and chooses the Aeron dir (which the media driver creates).
     *
     * @return the directories.
     */
    public static BrokerDirectories create(final String prefix)
    {
        final String suffix = ProcessHandle.current().pid() + "-" +
            Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0x100000));
        try
        {
            final File dataDir = Files.createTempDirectory(prefix + "-" + suffix + "-").toFile();
            final File shm = new File("/dev/shm");
            final File aeronBase = shm.isDirectory() && shm.getUsableSpace() > MIN_SHM_FREE_BYTES ?
                shm : new File(System.getProperty("java.io.tmpdir"));
            return new BrokerDirectories(dataDir, new File(aeronBase, prefix + "-" + suffix));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a temp dir for the broker", ex);
        }
    }

    /**
     * @return where the broker keeps its data.
     */
    public File dataDir()
    {
        return dataDir;
    }

    /**
     * @return the broker's own Aeron directory.
     */
    public File aeronDir()
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
