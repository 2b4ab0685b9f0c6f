package io.aerolog.perf.latency;

import io.aerolog.perf.ChildProcess;
import io.aerolog.transport.CpuAffinity;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A broker in a child JVM ({@link BrokerMain}) on the classpath of this one, for runs over UDP. Its output is kept
 * (the last lines) for error messages. Closing stops it with SIGTERM, and kills it if it does not stop in time.
 */
final class BrokerProcess implements AutoCloseable
{
    private static final List<String> JVM_FLAGS = List.of(
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "-Xmx1g",
        "-Daeron.term.buffer.sparse.file=true");

    private final ChildProcess process;

    private BrokerProcess(final ChildProcess process)
    {
        this.process = process;
    }

    /**
     * Starts the broker and waits until it serves.
     *
     * @param dataDir   of the broker.
     * @param aeronDir  of the broker's media driver.
     * @param host      the broker binds.
     * @param portBase  of the broker.
     * @param profile   threading profile name or file.
     * @param cpus      to pin the process to with taskset; empty for none (checked usable by the caller).
     * @param timeoutMs most to wait for it to serve.
     * @return the running broker.
     * @throws IllegalStateException if it exits or does not serve in time (it is then killed).
     */
    static BrokerProcess start(
        final File dataDir,
        final File aeronDir,
        final String host,
        final int portBase,
        final String profile,
        final int[] cpus,
        final long timeoutMs)
    {
        final List<String> command = new ArrayList<>();
        if (cpus.length > 0)
        {
            command.addAll(CpuAffinity.commandPrefix(cpus));
        }
        command.addAll(ChildProcess.javaCommand(JVM_FLAGS, System.getProperty("java.class.path"),
            BrokerMain.class.getName(), List.of(dataDir.getAbsolutePath(), aeronDir.getAbsolutePath(), host,
            String.valueOf(portBase), profile)));

        final CountDownLatch ready = new CountDownLatch(1);
        final AtomicBoolean sawReady = new AtomicBoolean();
        final ChildProcess process = ChildProcess.start(command, "the broker process", "broker", (line) ->
        {
            if (line.contains(BrokerMain.READY))
            {
                sawReady.set(true);
                ready.countDown();
            }
        },
            // Wakes start() if the process died before it was ready; start() then sees it is not alive.
            ready::countDown,
            false);
        final BrokerProcess broker = new BrokerProcess(process);
        final boolean isReady;
        try
        {
            isReady = ready.await(timeoutMs, TimeUnit.MILLISECONDS) && sawReady.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            broker.close();
            throw new IllegalStateException("interrupted while starting the broker process", ex);
        }
        if (!isReady || !process.isAlive())
        {
            final boolean timedOut = process.isAlive();
            broker.close();
            throw new IllegalStateException("the broker process did not start" +
                (timedOut ? " within " + timeoutMs + " ms" : " (exit code " + process.exitValue() + ")") +
                "; its output:" + System.lineSeparator() + broker.output());
        }
        return broker;
    }

    /**
     * @return true while the broker process runs.
     */
    boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * @return the last lines the broker printed.
     */
    String output()
    {
        return process.output();
    }

    /**
     * Stops the broker: SIGTERM, then SIGKILL if it has not stopped in time.
     */
    public void close()
    {
        process.close();
    }
}
