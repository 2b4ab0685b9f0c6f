package io.aerolog.perf.latency;

import io.aerolog.transport.CpuAffinity;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A broker in a child JVM ({@link BrokerMain}) on the classpath of this one, for runs over UDP. Its output is kept
 * (the last lines) for error messages. Closing stops it with SIGTERM, and kills it if it does not stop in time.
 */
final class BrokerProcess implements AutoCloseable
{
    private static final String[] JVM_FLAGS = {
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "-Xmx1g",
        "-Daeron.term.buffer.sparse.file=true"
    };
    private static final int KEPT_LINES = 40;
    private static final long STOP_TIMEOUT_MS = 20_000;

    private final Process process;
    private final ArrayDeque<String> lastLines = new ArrayDeque<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch outputEnded = new CountDownLatch(1);
    private volatile boolean sawReady;

    private BrokerProcess(final Process process)
    {
        this.process = process;
        final Thread reader = new Thread(this::readOutput, "aerolog-perf-broker-output");
        reader.setDaemon(true);
        reader.start();
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
        command.add(new File(System.getProperty("java.home"), "bin/java").getAbsolutePath());
        command.addAll(List.of(JVM_FLAGS));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BrokerMain.class.getName());
        command.add(dataDir.getAbsolutePath());
        command.add(aeronDir.getAbsolutePath());
        command.add(host);
        command.add(String.valueOf(portBase));
        command.add(profile);

        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start the broker process", ex);
        }

        final BrokerProcess broker = new BrokerProcess(process);
        final boolean isReady;
        try
        {
            isReady = broker.ready.await(timeoutMs, TimeUnit.MILLISECONDS) && broker.sawReady;
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
        synchronized (lastLines)
        {
            return String.join(System.lineSeparator(), lastLines);
        }
    }

    /**
     * Stops the broker: SIGTERM, then SIGKILL if it has not stopped in time.
     */
    public void close()
    {
        try
        {
            if (process.isAlive())
            {
                process.destroy();
                if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
                {
                    process.destroyForcibly().waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                }
            }
            outputEnded.await(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void readOutput()
    {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                synchronized (lastLines)
                {
                    if (lastLines.size() == KEPT_LINES)
                    {
                        lastLines.removeFirst();
                    }
                    lastLines.addLast(line);
                }
                if (line.contains(BrokerMain.READY))
                {
                    sawReady = true;
                    ready.countDown();
                }
            }
        }
        catch (final IOException ignore)
        {
            // the process is gone
        }
        finally
        {
            outputEnded.countDown();
            // Wakes start() if the process died before it was ready; start() then sees it is not alive.
            ready.countDown();
        }
    }
}
