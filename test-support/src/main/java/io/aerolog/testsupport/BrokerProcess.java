package io.aerolog.testsupport;

import io.aerolog.broker.Broker;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A broker in a JVM of its own, so a test can kill it or a tool can measure it over UDP. The parent side
 * ({@link #child(Properties)}, {@link #start(ChildProcess.Builder, Duration)}) runs this class's {@link #main} with
 * the broker's settings as {@code key=value} arguments (the keys of a broker config file, see
 * {@link Broker.Context#fromProperties(Properties)}). The child prints {@value #READY} once the broker serves, and
 * runs until SIGTERM (closing the broker cleanly), until its stdin closes (its parent is gone), or until killed.
 * A member of a controller cluster of several also prints {@value #ROLE_LEADER} or {@value #ROLE_FOLLOWER} whenever its controller role
 * changes, so that a test can tell which node leads the controller cluster.
 */
public final class BrokerProcess
{
    /** The line the child prints once the broker serves. */
    public static final String READY = "READY";

    /** The start of the line, before {@link #READY}, naming the Kafka listener's host:port when one runs. */
    public static final String KAFKA_LISTENER = "kafka listener on ";

    /** The line a controller member prints when it becomes the controller cluster's leader. */
    public static final String ROLE_LEADER = "ROLE LEADER";

    /** The line a controller member prints when it starts and whenever it stops leading. */
    public static final String ROLE_FOLLOWER = "ROLE FOLLOWER";

    /** The prefix of both role lines. */
    public static final String ROLE_PREFIX = "ROLE ";

    private static final long CLOSE_WAIT_MS = 30_000;
    private static final long ROLE_POLL_MS = 20;

    private BrokerProcess()
    {
    }

    /**
     * A child running a broker with these settings; set its JVM, output file and close behaviour on the builder.
     *
     * @param settings of the broker (broker config keys, e.g. {@code data.dir}, {@code aeron.dir}, {@code port.base}).
     * @return the builder of the child, named {@code broker}.
     */
    public static ChildProcess.Builder child(final Properties settings)
    {
        final List<String> args = new ArrayList<>();
        final Map<String, String> sorted = new TreeMap<>();
        settings.stringPropertyNames().forEach((key) -> sorted.put(key, settings.getProperty(key)));
        sorted.forEach((key, value) -> args.add(key + "=" + value));
        return ChildProcess.java(BrokerProcess.class).name("broker").args(args);
    }

    /**
     * Starts the child and waits until its broker serves.
     *
     * @param child   of {@link #child(Properties)}.
     * @param timeout most to wait for the broker to serve.
     * @return the running child.
     * @throws IllegalStateException quoting the child's output if it exits or does not serve in time (it is then
     *                               killed).
     */
    public static ChildProcess start(final ChildProcess.Builder child, final Duration timeout)
    {
        final ChildProcess process = child.start();
        try
        {
            process.awaitLine(READY, timeout);
            return process;
        }
        catch (final RuntimeException ex)
        {
            process.destroy();
            throw ex;
        }
    }

    /**
     * Starts several children at once and waits until each broker serves: the members of a controller cluster must
     * start together, since none is ready before a quorum elected a leader.
     *
     * @param children of {@link #child(Properties)}.
     * @param timeout  most to wait for all of them to serve.
     * @return the running children, in the order given.
     * @throws IllegalStateException quoting a child's output if it exits or does not serve in time (all are then
     *                               killed).
     */
    public static List<ChildProcess> startAll(final List<ChildProcess.Builder> children, final Duration timeout)
    {
        final List<ChildProcess> started = new ArrayList<>(children.size());
        try
        {
            for (final ChildProcess.Builder child : children)
            {
                started.add(child.start());
            }
            final long deadlineNs = System.nanoTime() + timeout.toNanos();
            for (final ChildProcess process : started)
            {
                process.awaitLine(READY, Duration.ofNanos(Math.max(0, deadlineNs - System.nanoTime())));
            }
            return started;
        }
        catch (final RuntimeException ex)
        {
            started.forEach(ChildProcess::destroy);
            throw ex;
        }
    }

    /**
     * Runs a broker.
     *
     * @param args its settings, each {@code key=value}.
     */
    public static void main(final String[] args)
    {
        final Properties settings = new Properties();
        for (final String arg : args)
        {
            final int equals = arg.indexOf('=');
            if (equals <= 0)
            {
                System.err.println("usage: BrokerProcess KEY=VALUE... (broker config keys), not: " + arg);
                System.exit(2);
            }
            settings.setProperty(arg.substring(0, equals), arg.substring(equals + 1));
        }
        final Broker.Context ctx = Broker.Context.fromProperties(settings);

        final CountDownLatch stop = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        // SIGTERM runs the hooks: the broker closes cleanly before this JVM goes.
        Runtime.getRuntime().addShutdownHook(new Thread(
            () ->
            {
                stop.countDown();
                await(closed, CLOSE_WAIT_MS);
            },
            "aerolog-broker-process-shutdown"));

        final long startNs = System.nanoTime();
        try (Broker broker = Broker.launch(ctx))
        {
            System.out.println("broker " + ctx.brokerId() + " on " + ctx.host() + ":" + ctx.portBase() +
                " started in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms");
            if (null != broker.kafkaListenerAddress())
            {
                System.out.println(KAFKA_LISTENER + broker.kafkaListenerAddress());
            }
            System.out.println(READY);
            System.out.flush();
            final Thread stdinWatcher = new Thread(() -> awaitEndOfInput(System.in, stop), "aerolog-broker-stdin");
            stdinWatcher.setDaemon(true);
            stdinWatcher.start();
            if (ctx.isController() && ctx.controllerMembers().members().size() > 1)
            {
                final Thread roles = new Thread(() -> printRoles(broker, stop), "aerolog-broker-roles");
                roles.setDaemon(true);
                roles.start();
            }
            await(stop, Long.MAX_VALUE);
            System.out.println("stopping broker: " + broker.errorCount() + " errors");
            System.out.flush();
        }
        catch (final RuntimeException ex)
        {
            System.out.println("broker failed: " + ex);
            ex.printStackTrace(System.out);
            System.out.flush();
            closed.countDown();
            System.exit(1);
        }
        finally
        {
            closed.countDown();
        }
    }

    private static void printRoles(final Broker broker, final CountDownLatch stop)
    {
        boolean wasLeader = false;
        System.out.println(ROLE_FOLLOWER);
        System.out.flush();
        while (stop.getCount() > 0)
        {
            final boolean isLeader = broker.isControllerLeader();
            if (isLeader != wasLeader)
            {
                wasLeader = isLeader;
                System.out.println(isLeader ? ROLE_LEADER : ROLE_FOLLOWER);
                System.out.flush();
            }
            await(stop, ROLE_POLL_MS);
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
