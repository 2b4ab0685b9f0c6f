package io.aerolog.perf.compare;

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
import java.util.function.Consumer;

/**
 * A child JVM whose output (stdout and stderr together) is read on a thread of its own: each line goes to a
 * listener and the last lines are kept for error messages. Closing stops it with SIGTERM, then SIGKILL; so does a
 * shutdown hook if this JVM exits first (Ctrl-C), so no child outlives the tool.
 */
final class ChildProcess implements AutoCloseable
{
    private static final int KEPT_LINES = 40;
    private static final long STOP_TIMEOUT_MS = 20_000;

    private final Process process;
    private final ArrayDeque<String> lastLines = new ArrayDeque<>();
    private final CountDownLatch outputEnded = new CountDownLatch(1);
    private final Consumer<String> listener;
    private final Thread shutdownHook = new Thread(this::stop, "aerolog-perf-child-stop");

    private ChildProcess(final Process process, final Consumer<String> listener)
    {
        this.process = process;
        this.listener = listener;
        final Thread reader = new Thread(this::readOutput, "aerolog-perf-child-output");
        reader.setDaemon(true);
        reader.start();
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * @param jvmArgs   flags for the JVM.
     * @param classpath of the JVM.
     * @param mainClass to run.
     * @param args      of the main class.
     * @param listener  gets every line the process prints.
     * @return the running process.
     */
    static ChildProcess start(
        final List<String> jvmArgs,
        final String classpath,
        final String mainClass,
        final List<String> args,
        final Consumer<String> listener)
    {
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getAbsolutePath());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        try
        {
            return new ChildProcess(new ProcessBuilder(command).redirectErrorStream(true).start(), listener);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + mainClass, ex);
        }
    }

    /**
     * @return true while it runs.
     */
    boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * Waits for the process to exit and for its output to be read.
     *
     * @param timeoutMs most to wait.
     * @return its exit code, or -1 if it did not exit in time (it is then killed).
     * @throws InterruptedException if interrupted.
     */
    int waitFor(final long timeoutMs) throws InterruptedException
    {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
        {
            close();
            return -1;
        }
        outputEnded.await(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        return process.exitValue();
    }

    /**
     * @return the last lines it printed.
     */
    String output()
    {
        synchronized (lastLines)
        {
            return String.join(System.lineSeparator(), lastLines);
        }
    }

    /**
     * Stops it: SIGTERM, then SIGKILL if it has not stopped in time.
     */
    public void close()
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException ignore)
        {
            // this JVM is shutting down: the hook stops the process
        }
        stop();
    }

    private void stop()
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
                listener.accept(line);
            }
        }
        catch (final IOException ignore)
        {
            // the process is gone
        }
        finally
        {
            outputEnded.countDown();
        }
    }
}
