package io.aerolog.node;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.status.SystemCounterDescriptor;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.function.Supplier;

/**
 * A media driver and an archive launched together, as {@link io.aeron.archive.ArchivingMediaDriver} does, except
 * that an archive in {@link ArchiveThreadingMode#INVOKER} mode (with the driver, when that is an invoker too) gets a
 * {@link DataPathThread} to run on, which the broker may add its data-path agents to, and that an archive a crash
 * left unable to start is repaired first ({@link CrashedRecordingRepair}).
 */
public final class ArchivingDriver implements AutoCloseable
{
    private final MediaDriver driver;
    private final Archive archive;
    private final DataPathThread dataPathThread;

    private ArchivingDriver(final MediaDriver driver, final Archive archive, final DataPathThread dataPathThread)
    {
        this.driver = driver;
        this.archive = archive;
        this.dataPathThread = dataPathThread;
    }

    /**
     * Launches the driver, then the archive, then (when either runs as an invoker) the data-path thread.
     *
     * @param driverCtx                   of the media driver.
     * @param archiveCtx                  of the archive.
     * @param archiveIdleStrategySupplier idle strategy of the data-path thread.
     * @return the running parts; closing stops them in reverse order.
     */
    public static ArchivingDriver launch(
        final MediaDriver.Context driverCtx,
        final Archive.Context archiveCtx,
        final Supplier<IdleStrategy> archiveIdleStrategySupplier)
    {
        MediaDriver driver = null;
        Archive archive = null;
        DataPathThread dataPathThread = null;
        try
        {
            driver = MediaDriver.launch(driverCtx);
            final AtomicCounter errorCounter = null != archiveCtx.errorCounter() ? archiveCtx.errorCounter() :
                new AtomicCounter(driverCtx.countersValuesBuffer(), SystemCounterDescriptor.ERRORS.id());
            final ErrorHandler errorHandler = null != archiveCtx.errorHandler() ?
                archiveCtx.errorHandler() : driverCtx.errorHandler();
            archive = CrashedRecordingRepair.launch(archiveCtx
                .mediaDriverAgentInvoker(driver.sharedAgentInvoker())
                .aeronDirectoryName(driver.aeronDirectoryName())
                .errorHandler(errorHandler)
                .errorCounter(errorCounter), System.err);
            if (ArchiveThreadingMode.INVOKER == archiveCtx.threadingMode())
            {
                dataPathThread = DataPathThread.start(
                    archive.invoker(), archiveIdleStrategySupplier.get(), errorHandler, errorCounter);
            }

            return new ArchivingDriver(driver, archive, dataPathThread);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(dataPathThread, archive, driver);
            throw ex;
        }
    }

    /**
     * The media driver.
     *
     * @return the media driver.
     */
    public MediaDriver mediaDriver()
    {
        return driver;
    }

    /**
     * The archive.
     *
     * @return the archive.
     */
    public Archive archive()
    {
        return archive;
    }

    /**
     * The thread running the archive (and the driver, when it is an invoker) in {@link ArchiveThreadingMode#INVOKER}
     * mode.
     *
     * @return the data-path thread, or null when the archive runs threads of its own.
     */
    public DataPathThread dataPathThread()
    {
        return dataPathThread;
    }

    /**
     * Stops the data-path thread, then closes the archive and the driver.
     */
    @Override
    public void close()
    {
        CloseHelper.closeAll(dataPathThread, archive, driver);
    }
}
