package io.aerolog.perf;

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
 * A child process, usually a JVM, whose output (stdout and stderr together) is read on a thread of its own: each
 * line goes to a listener and the last lines are kept for error messages. Closing stops it with SIGTERM, then
 * SIGKILL; if asked to, so does a shutdown hook if this JVM exits first (Ctrl-C), so no child outlives the tool.
 */
public final class ChildProcess implements AutoCloseable
{
    private static final int KEPT_LINES = 40;
    private static final long STOP_TIMEOUT_MS = 20_000;

    private final Process process;
    private final ArrayDeque<String> lastLines = new ArrayDeque<>();
    private final CountDownLatch outputEnded = new CountDownLatch(1);
    private final Consumer<String> listener;
    private final Runnable onOutputEnd;
    private final Thread shutdownHook;

    private ChildProcess(
        final Process process,
        final String name,
        final Consumer<String> listener,
        final Runnable onOutputEnd,
        final boolean stopOnExit)
    {
        this.process = process;
        this.listener = listener;
        this.onOutputEnd = onOutputEnd;
        this.shutdownHook = stopOnExit ? new Thread(this::stop, "aerolog-perf-" + name + "-stop") : null;
        final Thread reader = new Thread(this::readOutput, "aerolog-perf-" + name + "-output");
        reader.setDaemon(true);
        reader.start();
        if (stopOnExit)
        {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /**
     * @param jvmArgs   flags for the JVM.
     * @param classpath of the JVM.
     * @param mainClass to run.
     * @param args      of the main class.
     * @param listener  gets every line the process prints.
     * @return the running process.
     */
    public static ChildProcess start(
        final List<String> jvmArgs,
        final String classpath,
        final String mainClass,
        final List<String> args,
        final Consumer<String> listener)
    {
        return start(javaCommand(jvmArgs, classpath, mainClass, args), mainClass, "child", listener, () -> { }, true);
    }

    /**
     * @param command       to run, program first.
     * @param description   of the process for the error message if it cannot start.
     * @param name          of the process in the names of the threads that read and stop it.
     * @param listener      gets every line the process prints.
     * @param onOutputEnd   runs on the reading thread once the output has ended (the process is gone).
     * @param stopOnExit    to stop the process by a shutdown hook should this JVM exit before it is closed.
     * @return the running process.
     */
    public static ChildProcess start(
        final List<String> command,
        final String description,
        final String name,
        final Consumer<String> listener,
        final Runnable onOutputEnd,
        final boolean stopOnExit)
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + description, ex);
        }
        return new ChildProcess(process, name, listener, onOutputEnd, stopOnExit);
    }

    /**
     * @param jvmArgs   flags for the JVM.
     * @param classpath of the JVM.
     * @param mainClass to run.
     * @param args      of the main class.
     * @return the command that runs the main class in a JVM of the same Java as this one.
     */
    public static List<String> javaCommand(
        final List<String> jvmArgs, final String classpath, final String mainClass, final List<String> args)
    {
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getAbsolutePath());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /**
     * @return true while it runs.
     */
    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * @return its exit code.
     * @throws IllegalThreadStateException if it has not exited.
     */
    public int exitValue()
    {
        return process.exitValue();
    }

    /**
     * Waits for the process to exit and for its output to be read.
     *
     * @param timeoutMs most to wait.
     * @return its exit code, or -1 if it did not exit in time (it is then killed).
     * @throws InterruptedException if interrupted.
     */
    public int waitFor(final long timeoutMs) throws InterruptedException
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
    public String output()
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
        if (null != shutdownHook)
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            }
            catch (final IllegalStateException ignore)
            {
                // this JVM is shutting down: the hook stops the process
            }
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
            onOutputEnd.run();
        }
    }
}
