package io.aerolog.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A main class run in a JVM of its own (by default on this JVM's classpath). Its stdout and stderr go to a file, not
 * a pipe: nothing the child wrote is lost when it dies, and a child that prints a lot never blocks on a full pipe.
 * A caller waits for a line, reads the output, gets the exit code, and ends the child politely (SIGTERM) or with
 * {@code kill -9}. Given a listener, a thread of its own follows the file and hands it every line as it comes.
 * Should this JVM exit first, a shutdown hook can stop the child ({@link Builder#stopOnExit()}); a child's stdin is a
 * pipe from this JVM, so a child can also end when it sees its input close.
 */
public final class ChildProcess implements AutoCloseable
{
    /** What {@link #waitFor(Duration)} returns when the child did not exit in time (exit codes are 0-255). */
    public static final int TIMED_OUT = -1;

    /** Lines of output quoted in the message of a failed wait. */
    public static final int QUOTED_LINES = 100;

    /** A system property that replaces {@link #DEFAULT_AERON_FLAGS} (the tests pass their own JVM's flags). */
    public static final String AERON_FLAGS_PROPERTY = "aerolog.test.jvm.flags";

    /** Agrona 2.x reaches jdk.internal.misc.Unsafe and the NIO internals: every JVM running Aeron needs these. */
    public static final String DEFAULT_AERON_FLAGS = "--add-opens java.base/jdk.internal.misc=ALL-UNNAMED " +
        "--add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED";

    private static final long POLL_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Process process;
    private final String name;
    private final File outputFile;
    private final boolean deleteOutput;
    private final boolean killOnClose;
    private final Duration stopTimeout;
    private final Thread follower;
    private final Thread shutdownHook;

    private ChildProcess(final Builder builder, final Process process, final File outputFile)
    {
        this.process = process;
        this.name = builder.name;
        this.outputFile = outputFile;
        this.deleteOutput = null == builder.outputFile;
        this.killOnClose = builder.killOnClose;
        this.stopTimeout = builder.stopTimeout;
        if (null != builder.listener)
        {
            final Consumer<String> listener = builder.listener;
            follower = new Thread(() -> follow(listener), "aerolog-" + name + "-output");
            follower.setDaemon(true);
            follower.start();
        }
        else
        {
            follower = null;
        }
        if (builder.stopOnExit)
        {
            shutdownHook = new Thread(this::stop, "aerolog-" + name + "-stop");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        else
        {
            shutdownHook = null;
        }
    }

    /**
     * @param mainClass to run in the child JVM.
     * @return a builder of the child.
     */
    public static Builder java(final Class<?> mainClass)
    {
        return java(mainClass.getName()).name(mainClass.getSimpleName());
    }

    /**
     * @param mainClassName to run in the child JVM (a class of the classpath given, not necessarily of this one).
     * @return a builder of the child.
     */
    public static Builder java(final String mainClassName)
    {
        return new Builder(mainClassName);
    }

    /**
     * The JVM flags a child running Aeron needs, then a heap limit and sparse term buffers.
     *
     * @param maxHeap for {@code -Xmx}, e.g. {@code "512m"}.
     * @return the flags.
     */
    public static List<String> aeronJvmArgs(final String maxHeap)
    {
        final List<String> args = new ArrayList<>();
        for (final String flag : System.getProperty(AERON_FLAGS_PROPERTY, DEFAULT_AERON_FLAGS).trim().split("\\s+"))
        {
            if (!flag.isEmpty())
            {
                args.add(flag);
            }
        }
        args.add("-Xmx" + maxHeap);
        args.add("-Daeron.term.buffer.sparse.file=true");
        return args;
    }

    /**
     * @return the name it was given (the main class's simple name unless set).
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the file holding its output.
     */
    public File outputFile()
    {
        return outputFile;
    }

    /**
     * @return its process id.
     */
    public long pid()
    {
        return process.pid();
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
     * Waits until it prints exactly this line (at any time since it started).
     *
     * @param line    to wait for.
     * @param timeout most to wait.
     * @throws IllegalStateException quoting its output if it exits first or the time passes.
     */
    public void awaitLine(final String line, final Duration timeout)
    {
        awaitLine(line::equals, "'" + line + "'", timeout);
    }

    /**
     * Waits until it prints a line that matches (at any time since it started).
     *
     * @param matcher     of the line.
     * @param description of the line, for the error.
     * @param timeout     most to wait.
     * @throws IllegalStateException quoting its output if it exits first or the time passes.
     */
    public void awaitLine(final Predicate<String> matcher, final String description, final Duration timeout)
    {
        final OutputLines lines = new OutputLines(outputFile);
        final boolean[] seen = {false};
        final Consumer<String> check = (l) -> seen[0] |= matcher.test(l);
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            final boolean alive = process.isAlive(); // before reading: once it is gone, one more read sees all
            lines.poll(check);
            if (seen[0])
            {
                return;
            }
            if (!alive)
            {
                lines.finish(check);
                if (seen[0])
                {
                    return;
                }
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before printing " +
                    description + "; its output:" + System.lineSeparator() + tail(QUOTED_LINES));
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException(name + " did not print " + description + " within " + timeout +
                    "; its output:" + System.lineSeparator() + tail(QUOTED_LINES));
            }
            LockSupport.parkNanos(POLL_INTERVAL_NS);
            if (Thread.interrupted())
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name + " to print " + description);
            }
        }
    }

    /**
     * @return every line it printed so far.
     */
    public List<String> lines()
    {
        final List<String> all = new ArrayList<>();
        new OutputLines(outputFile).finish(all::add);
        return all;
    }

    /**
     * @param prefix of a line.
     * @return the last line printed that starts with it, or null.
     */
    public String lastLine(final String prefix)
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

    /**
     * @return all it printed so far, one line per line.
     */
    public String output()
    {
        return String.join(System.lineSeparator(), lines());
    }

    /**
     * @param count of lines.
     * @return the last lines it printed, for an error message.
     */
    public String tail(final int count)
    {
        final ArrayDeque<String> last = new ArrayDeque<>(count);
        new OutputLines(outputFile).finish((line) ->
        {
            if (last.size() == count)
            {
                last.removeFirst();
            }
            last.addLast(line);
        });
        return String.join(System.lineSeparator(), last);
    }

    /**
     * Waits for it to exit by itself, and for the listener to have seen all it printed.
     *
     * @param timeout most to wait.
     * @return its exit code, or {@link #TIMED_OUT} if it did not exit in time (it is then stopped).
     * @throws InterruptedException if interrupted.
     */
    public int waitFor(final Duration timeout) throws InterruptedException
    {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        {
            stop();
            return TIMED_OUT;
        }
        awaitFollower();
        return process.exitValue();
    }

    /**
     * A polite stop: SIGTERM (a JVM runs its shutdown hooks), then SIGKILL if it has not exited within the stop
     * timeout. Waits until it is gone.
     *
     * @return its exit code: 143 (128 + SIGTERM) after a JVM ran its shutdown hooks, 137 after SIGKILL.
     */
    public int stop()
    {
        try
        {
            if (process.isAlive())
            {
                process.destroy();
                if (!process.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS))
                {
                    process.destroyForcibly().waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            awaitFollower();
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        return process.isAlive() ? TIMED_OUT : process.exitValue();
    }

    /**
     * {@code kill -9}, waiting until the process is gone.
     *
     * @throws InterruptedException if interrupted.
     */
    public void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
        awaitFollower();
    }

    /**
     * Freezes it ({@code kill -STOP}): every thread stops where it is, as in a long GC pause or a stalled host, and
     * nothing it has not yet read is read until {@link #resume()}.
     *
     * @throws InterruptedException if interrupted.
     */
    public void pause() throws InterruptedException
    {
        signal("STOP");
    }

    /**
     * Lets a {@link #pause() paused} child run on ({@code kill -CONT}).
     *
     * @throws InterruptedException if interrupted.
     */
    public void resume() throws InterruptedException
    {
        signal("CONT");
    }

    /**
     * {@code kill -9} without waiting.
     */
    public void destroy()
    {
        process.destroyForcibly();
    }

    /**
     * Ends it if it still runs ({@link #stop()}, or {@link #kill()} if so built) and deletes its output file if it
     * made one itself: read the output before closing.
     */
    @Override
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
                // this JVM is shutting down: the hook stops the child
            }
        }
        if (killOnClose)
        {
            try
            {
                kill();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        else
        {
            stop();
        }
        if (deleteOutput && !process.isAlive())
        {
            try
            {
                Files.deleteIfExists(outputFile.toPath());
            }
            catch (final IOException ignore)
            {
                // a temp file: the OS cleans up
            }
        }
    }

    @Override
    public String toString()
    {
        return name + " (pid " + process.pid() + ")";
    }

    private void signal(final String signal) throws InterruptedException
    {
        final Process kill;
        try
        {
            kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot send SIG" + signal + " to " + this, ex);
        }
        if (!kill.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS) || 0 != kill.exitValue())
        {
            kill.destroyForcibly();
            throw new IllegalStateException("could not send SIG" + signal + " to " + this);
        }
    }

    private void awaitFollower() throws InterruptedException
    {
        if (null != follower && Thread.currentThread() != follower)
        {
            follower.join(stopTimeout.toMillis());
        }
    }

    private void follow(final Consumer<String> listener)
    {
        final OutputLines lines = new OutputLines(outputFile);
        while (true)
        {
            final boolean alive = process.isAlive(); // before reading: once it is gone, one more read sees all
            if (0 == lines.poll(listener))
            {
                if (!alive)
                {
                    lines.finish(listener);
                    return;
                }
                LockSupport.parkNanos(POLL_INTERVAL_NS);
            }
        }
    }

    /**
     * How to run a child. Defaults: this JVM's Java and classpath, {@link #aeronJvmArgs(String) Aeron's flags} with a
     * 512 MiB heap, output to a temp file deleted on close, no listener, no shutdown hook, a polite close, 30 s to
     * stop.
     */
    public static final class Builder
    {
        private final String mainClassName;
        private String name;
        private final List<String> commandPrefix = new ArrayList<>();
        private List<String> jvmArgs = aeronJvmArgs("512m");
        private String classpath = System.getProperty("java.class.path");
        private final List<String> args = new ArrayList<>();
        private File outputFile;
        private Consumer<String> listener;
        private boolean stopOnExit;
        private boolean killOnClose;
        private Duration stopTimeout = Duration.ofSeconds(30);

        private Builder(final String mainClassName)
        {
            this.mainClassName = Objects.requireNonNull(mainClassName, "mainClassName");
            this.name = mainClassName;
        }

        /**
         * @param name of the child in messages and thread names.
         * @return this.
         */
        public Builder name(final String name)
        {
            this.name = name;
            return this;
        }

        /**
         * @param prefix a command the JVM runs under, e.g. {@code taskset -c 2,3}.
         * @return this.
         */
        public Builder commandPrefix(final List<String> prefix)
        {
            commandPrefix.clear();
            commandPrefix.addAll(prefix);
            return this;
        }

        /**
         * @param jvmArgs all flags of the JVM (replacing the default ones).
         * @return this.
         */
        public Builder jvmArgs(final List<String> jvmArgs)
        {
            this.jvmArgs = new ArrayList<>(jvmArgs);
            return this;
        }

        /**
         * @param classpath of the JVM.
         * @return this.
         */
        public Builder classpath(final String classpath)
        {
            this.classpath = classpath;
            return this;
        }

        /**
         * @param args of the main class.
         * @return this.
         */
        public Builder args(final List<String> args)
        {
            this.args.clear();
            this.args.addAll(args);
            return this;
        }

        /**
         * @param args of the main class.
         * @return this.
         */
        public Builder args(final String... args)
        {
            return args(List.of(args));
        }

        /**
         * @param outputFile receives stdout and stderr (truncated first), and stays after close.
         * @return this.
         */
        public Builder outputFile(final File outputFile)
        {
            this.outputFile = outputFile;
            return this;
        }

        /**
         * @param listener gets every line the child prints, on a thread of its own, soon after it is printed.
         * @return this.
         */
        public Builder listener(final Consumer<String> listener)
        {
            this.listener = listener;
            return this;
        }

        /**
         * Stops the child by a shutdown hook should this JVM exit before the child is closed (Ctrl-C on a tool).
         *
         * @return this.
         */
        public Builder stopOnExit()
        {
            this.stopOnExit = true;
            return this;
        }

        /**
         * Makes {@link ChildProcess#close()} a {@code kill -9} rather than a polite stop (a test's clean-up).
         *
         * @return this.
         */
        public Builder killOnClose()
        {
            this.killOnClose = true;
            return this;
        }

        /**
         * @param stopTimeout how long a stop waits after SIGTERM before SIGKILL, and then for the child to go.
         * @return this.
         */
        public Builder stopTimeout(final Duration stopTimeout)
        {
            this.stopTimeout = stopTimeout;
            return this;
        }

        /**
         * @return the command line that runs the child.
         */
        public List<String> command()
        {
            final List<String> command = new ArrayList<>(commandPrefix);
            command.add(new File(System.getProperty("java.home"), "bin" + File.separator + "java").getAbsolutePath());
            command.addAll(jvmArgs);
            command.add("-cp");
            command.add(classpath);
            command.add(mainClassName);
            command.addAll(args);
            return command;
        }

        /**
         * Starts the child.
         *
         * @return the running child.
         * @throws UncheckedIOException if it cannot start.
         */
        public ChildProcess start()
        {
            final List<String> command = command();
            File file = outputFile;
            try
            {
                if (null == file)
                {
                    file = File.createTempFile("aerolog-" + name.replaceAll("[^A-Za-z0-9_.-]", "_") + "-", ".log");
                }
                final Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(file))
                    .start();
                return new ChildProcess(this, process, file);
            }
            catch (final IOException ex)
            {
                if (null == outputFile && null != file)
                {
                    file.delete();
                }
                throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", command), ex);
            }
        }
    }
}
