package io.aerolog.perf.latency;

import io.aerolog.broker.Broker;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The broker of a UDP latency run, in a JVM of its own:
 * {@code java ... io.aerolog.perf.latency.BrokerMain DATA_DIR AERON_DIR HOST PORT_BASE [PROFILE]}. Prints a line
 * containing {@value #READY} once it serves, and runs until SIGTERM or until its stdin closes (so it ends with the
 * process that started it).
 */
public final class BrokerMain
{
    /** Printed, followed by the start time, once the broker serves. */
    public static final String READY = " ready in ";

    private static final long CLOSE_WAIT_MS = 30_000;

    private BrokerMain()
    {
    }

    /**
     * Runs the broker.
     *
     * @param args data dir, Aeron dir, host, port base, and optionally a threading profile name or file.
     */
    public static void main(final String[] args)
    {
        if (4 != args.length && 5 != args.length)
        {
            System.err.println("usage: BrokerMain DATA_DIR AERON_DIR HOST PORT_BASE [PROFILE]");
            System.exit(2);
        }
        final Broker.Context ctx = new Broker.Context()
            .dataDir(new File(args[0]))
            .aeronDirectoryName(args[1])
            .host(args[2])
            .portBase(Integer.parseInt(args[3]))
            .profile(5 == args.length ? args[4] : null);

        final CountDownLatch stop = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(
            () ->
            {
                stop.countDown();
                await(closed, CLOSE_WAIT_MS);
            },
            "aerolog-perf-broker-shutdown"));

        final long startNs = System.nanoTime();
        try (Broker broker = Broker.launch(ctx))
        {
            System.out.println("aerolog perf broker on " + ctx.host() + ":" + ctx.portBase() + READY +
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms");
            System.out.flush();
            final Thread stdinWatcher = new Thread(() -> awaitEndOfInput(System.in, stop), "aerolog-perf-stdin");
            stdinWatcher.setDaemon(true);
            stdinWatcher.start();
            await(stop, Long.MAX_VALUE);
            System.out.println("stopping broker: " + broker.errorCount() + " errors");
            System.out.flush();
        }
        catch (final RuntimeException ex)
        {
            System.out.println("broker failed: " + ex);
            System.out.flush();
            ex.printStackTrace();
            closed.countDown();
            System.exit(1);
        }
        finally
        {
            closed.countDown();
        }
    }

    private static void awaitEndOfInput(final InputStream in, final CountDownLatch stop)
    {
        try
        {
            final byte[] buffer = new byte[256];
            while (in.read(buffer) >= 0)
            {
                Thread.onSpinWait();
            }
        }
        catch (final IOException ignore)
        {
            // the parent is gone either way
        }
        stop.countDown();
    }

    private static void await(final CountDownLatch latch, final long timeoutMs)
    {
        try
        {
            latch.await(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
