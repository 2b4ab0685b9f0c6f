package io.aerolog.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Tells a command's loop that the user asked it to stop (Ctrl-C, SIGTERM), and holds the JVM's shutdown until the
 * loop has cleaned up and {@link #close()}d the flag, or a grace period has passed.
 */
final class ShutdownFlag implements AutoCloseable
{
    private static final long GRACE_PERIOD_MS = 10_000;

    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread hook = new Thread(this::onShutdown, "aerolog-shutdown");
    private volatile boolean stopRequested;

    ShutdownFlag()
    {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * @return true once the user asked to stop.
     */
    boolean isStopRequested()
    {
        return stopRequested;
    }

    /**
     * Asks the loop to stop, as a signal would.
     */
    void requestStop()
    {
        stopRequested = true;
    }

    private void onShutdown()
    {
        stopRequested = true;
        try
        {
            closed.await(GRACE_PERIOD_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The loop has cleaned up: shutdown may go on, and the hook is removed if the JVM is not shutting down.
     */
    public void close()
    {
        closed.countDown();
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ignore)
        {
            // shutdown in progress: the hook is running and now returns
        }
    }
}
