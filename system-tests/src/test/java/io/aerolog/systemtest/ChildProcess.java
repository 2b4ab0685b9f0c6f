package io.aerolog.systemtest;

import org.awaitility.core.ConditionTimeoutException;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * A main class of the test classpath run in a JVM of its own, with the flags Aeron needs. Its output goes to a file
 * (a pipe loses what a dying process wrote last) so a test can wait for a line and show the output on failure.
 */
final class ChildProcess implements AutoCloseable
{
    private static final String DEFAULT_JVM_FLAGS = "--add-opens java.base/jdk.internal.misc=ALL-UNNAMED " +
        "--add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED";

    private final Process process;
    private final File outputFile;

    private ChildProcess(final Process process, final File outputFile)
    {
        this.process = process;
        this.outputFile = outputFile;
    }

    /**
     * Starts a main class.
     *
     * @param outputFile receives the child's stdout and stderr.
     * @param mainClass  to run.
     * @param args       for it.
     * @return the running child.
     */
    static ChildProcess start(final File outputFile, final Class<?> mainClass, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        for (final String flag : System.getProperty("aerolog.test.jvm.flags", DEFAULT_JVM_FLAGS).trim().split("\\s+"))
        {
            command.add(flag);
        }
        command.add("-Xmx512m");
        command.add("-Daeron.term.buffer.sparse.file=true");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        try
        {
            final Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(outputFile))
                .start();
            return new ChildProcess(process, outputFile);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("could not start " + command, ex);
        }
    }

    /** Waits until the child prints a line, failing with its output if it exits first or takes too long. */
    void awaitLine(final String line, final Duration timeout)
    {
        try
        {
            await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() ->
            {
                final boolean alive = process.isAlive();
                if (lines().contains(line))
                {
                    return true;
                }
                if (!alive)
                {
                    fail("child exited with " + process.exitValue() + " before printing " + line + "; output:\n" +
                        output());
                }
                return false;
            });
        }
        catch (final ConditionTimeoutException ex)
        {
            fail("child did not print " + line + " within " + timeout + "; output:\n" + output());
        }
    }

    private List<String> lines()
    {
        try
        {
            return Files.readAllLines(outputFile.toPath(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return List.of();
        }
    }

    /**
     * @param prefix of a line.
     * @return the last line printed that starts with it, or null.
     */
    String lastLine(final String prefix)
    {
        String last = null;
        for (final String line : lines())
        {
            if (line.startsWith(prefix))
            {
                last = line;
            }
        }
        return last;
    }

    /** @return true while the child runs. */
    boolean isAlive()
    {
        return process.isAlive();
    }

    String output()
    {
        return String.join("\n", lines());
    }

    /**
     * Waits for the child to exit by itself.
     *
     * @param timeout how long to wait.
     * @return its exit code.
     */
    int awaitExit(final Duration timeout) throws InterruptedException
    {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        {
            fail("child did not exit within " + timeout + "; output:\n" + output());
        }
        return process.exitValue();
    }

    /** kill -9 without waiting. */
    void destroy()
    {
        process.destroyForcibly();
    }

    /** kill -9, and wait until the process is gone. */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * A polite stop (SIGTERM), waiting for the process to finish.
     *
     * @return its exit code: 143 (128 + SIGTERM) after a JVM ran its shutdown hooks.
     */
    int stop() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            kill();
        }
    }
}
