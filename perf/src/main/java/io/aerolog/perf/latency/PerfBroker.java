package io.aerolog.perf.latency;

import io.aerolog.node.PortBases;
import io.aerolog.node.BrokerDirectories;
import io.aerolog.broker.Broker;
import io.aerolog.client.AerologException;
import io.aerolog.client.ClientContext;
import io.aerolog.kafka.KafkaListener;
import io.aerolog.testsupport.BrokerProcess;
import io.aerolog.testsupport.ChildProcess;
import io.aerolog.transport.CpuAffinity;
import io.aerolog.transport.ThreadingProfile;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A fresh, throw-away broker for one perf run, on the transport the run measures: {@code ipc} starts it in this
 * process and its clients talk IPC through its media driver; {@code udp} starts it in a JVM of its own
 * ({@link BrokerProcess}) and its clients, each with a media driver of its own, talk UDP over loopback. Closing
 * stops the broker and deletes its directories.
 */
public final class PerfBroker implements AutoCloseable, LatencyTarget
{
    /** Transport names the perf tools accept for a broker run. */
    public static final String IPC = "ipc";

    /** UDP over loopback, the broker in a child JVM. */
    public static final String UDP = "udp";

    private static final String HOST = "localhost";
    private static final Duration BROKER_START_TIMEOUT = Duration.ofSeconds(90);
    private static final int FAILURE_LINES = 40;

    private final BrokerDirectories dirs;
    private final Broker embedded;
    private final ChildProcess process;
    private final ClientContext clientContext;
    private String kafkaBootstrap;

    private PerfBroker(
        final BrokerDirectories dirs, final Broker embedded, final ChildProcess process, final ClientContext ctx)
    {
        this.dirs = dirs;
        this.embedded = embedded;
        this.process = process;
        this.clientContext = ctx;
    }

    /**
     * Starts a broker with the default threading profile and prints a line saying where and how fast.
     *
     * @param transport {@link #IPC} or {@link #UDP}.
     * @param prefix    of the broker's temp directories.
     * @param out       for the start line.
     * @return the running broker.
     * @throws IllegalStateException if it does not start.
     */
    public static PerfBroker start(final String transport, final String prefix, final PrintWriter out)
    {
        return start(transport, prefix, out, ThreadingProfile.DEFAULT, ThreadingProfile.load(ThreadingProfile.DEFAULT),
            new int[0]);
    }

    /**
     * One run of a perf command on a fresh broker, reporting what it measured.
     */
    @FunctionalInterface
    public interface Run
    {
        /**
         * @param broker to run against.
         * @return null on success, else why it failed.
         * @throws InterruptedException if interrupted.
         */
        String run(PerfBroker broker) throws InterruptedException;
    }

    /**
     * Starts a broker, does the run on it, then prints the broker's error note if it has one, and stops it. A
     * failed run, or one that throws, is reported as an error of the command.
     *
     * @param spec        of the command, for its error stream.
     * @param transport   ipc or udp.
     * @param out         for the broker's line and the note.
     * @param profileName threading profile name or file, passed to a child broker.
     * @param profile     loaded from the name.
     * @param pinTo       CPUs to pin the broker to; empty for none.
     * @param run         to do.
     * @return the exit code: 0 on success, else {@link Failures#EXIT_FAILED}.
     * @throws InterruptedException if interrupted.
     */
    public static int run(
        final CommandSpec spec,
        final String transport,
        final PrintWriter out,
        final String profileName,
        final ThreadingProfile profile,
        final int[] pinTo,
        final Run run) throws InterruptedException
    {
        try (PerfBroker broker = start(transport, "aerolog-perf", out, profileName, profile, pinTo))
        {
            final String failure = run.run(broker);
            if (null != broker.errorNote())
            {
                out.println("note: " + broker.errorNote());
            }
            out.flush();
            return null == failure ? 0 : Failures.fail(spec, failure);
        }
        catch (final AerologException | IllegalArgumentException | IllegalStateException ex)
        {
            return Failures.fail(spec, "run failed: " + Failures.describe(ex));
        }
    }

    /**
     * Starts a broker and prints a line saying where and how fast. The broker and its clients run with the
     * threading profile; clients idle with its client idle strategy.
     *
     * @param transport   {@link #IPC} or {@link #UDP}.
     * @param prefix      of the broker's temp directories.
     * @param out         for the start line.
     * @param profileName the threading profile's name or file, as given (passed on to a child JVM).
     * @param profile     the threading profile, loaded from {@code profileName}.
     * @param pinTo       CPUs to pin the broker to with taskset (ipc: this whole process), checked usable; empty for
     *                    none.
     * @return the running broker.
     * @throws IllegalStateException if it does not start.
     */
    public static PerfBroker start(
        final String transport,
        final String prefix,
        final PrintWriter out,
        final String profileName,
        final ThreadingProfile profile,
        final int[] pinTo)
    {
        return start(transport, prefix, out, profileName, profile, pinTo, false);
    }

    /**
     * Starts a broker as {@link #start(String, String, PrintWriter, String, ThreadingProfile, int[])} does, with its
     * Kafka-protocol listener on a free port if asked ({@link #kafkaBootstrap()}).
     *
     * @param transport     {@link #IPC} or {@link #UDP}.
     * @param prefix        of the broker's temp directories.
     * @param out           for the start line.
     * @param profileName   the threading profile's name or file, as given (passed on to a child JVM).
     * @param profile       the threading profile, loaded from {@code profileName}.
     * @param pinTo         CPUs to pin the broker to with taskset; empty for none.
     * @param kafkaListener whether to start the Kafka listener.
     * @return the running broker.
     * @throws IllegalStateException if it does not start.
     */
    public static PerfBroker start(
        final String transport,
        final String prefix,
        final PrintWriter out,
        final String profileName,
        final ThreadingProfile profile,
        final int[] pinTo,
        final boolean kafkaListener)
    {
        final BrokerDirectories dirs = BrokerDirectories.create(prefix);
        try
        {
            final int portBase = PortBases.find(HOST);
            final PerfBroker broker;
            if (IPC.equals(transport))
            {
                if (pinTo.length > 0)
                {
                    out.println(CpuAffinity.pinThisProcess(pinTo) + " (this process: broker and clients)");
                }
                final long startNs = System.nanoTime();
                final Broker embedded = Broker.launch(new Broker.Context()
                    .dataDir(dirs.dataDir())
                    .aeronDirectoryName(dirs.aeronDir().getAbsolutePath())
                    .host(HOST)
                    .portBase(portBase)
                    .threadingProfile(profile)
                    .kafkaListener(kafkaListener ? new KafkaListener.Config().host(HOST).port(0) : null));
                broker = new PerfBroker(dirs, embedded, null, embedded.clientContext().profile(profile));
                broker.kafkaBootstrap = embedded.kafkaListenerAddress();
                out.println("broker: embedded, IPC via " + dirs.aeronDir() + ", started in " +
                    millisSince(startNs) + " ms");
            }
            else
            {
                final long startNs = System.nanoTime();
                final int kafkaPort = kafkaListener ? PortBases.freeTcpPort(HOST) : -1;
                final ChildProcess process = startBrokerProcess(dirs, portBase, profileName, pinTo, kafkaPort);
                broker = new PerfBroker(dirs, null, process,
                    new ClientContext().bootstrap(HOST + ":" + portBase).clientHost(HOST).profile(profile));
                broker.kafkaBootstrap = kafkaListener ? HOST + ":" + kafkaPort : null;
                out.println("broker: child JVM, UDP via " + HOST + ":" + portBase + ", started in " +
                    millisSince(startNs) + " ms" + (pinTo.length > 0 ? ", pinned to CPUs " +
                    CpuAffinity.cpuList(pinTo) : ""));
            }
            out.flush();
            return broker;
        }
        catch (final RuntimeException ex)
        {
            dirs.close();
            throw ex;
        }
    }

    /**
     * Loads a {@code --profile} option's threading profile.
     *
     * @param spec        of the command, for the error.
     * @param nameOrPath  of the profile.
     * @return the profile.
     * @throws ParameterException for an unknown profile or a bad setting in it.
     */
    public static ThreadingProfile loadProfile(final CommandSpec spec, final String nameOrPath)
    {
        try
        {
            return ThreadingProfile.load(nameOrPath);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage());
        }
    }

    /**
     * @return how clients reach the broker; copy it before changing it.
     */
    public ClientContext clientContext()
    {
        return clientContext;
    }

    /**
     * @return null while the broker runs, else why it does not (a child JVM that exited, with its last output).
     */
    public String failure()
    {
        if (null != process && !process.isAlive())
        {
            return "the broker process exited; its output:" + System.lineSeparator() + process.tail(FAILURE_LINES);
        }
        return null;
    }

    /**
     * {@inheritDoc}
     */
    public long brokerCpuNanos()
    {
        return null == process ? -1 : BrokerCpuSampler.cpuNanosOf(process.pid());
    }

    /**
     * @return a note about errors an embedded broker counted, or null if none (a child JVM prints its own).
     */
    public String errorNote()
    {
        if (null != embedded && embedded.errorCount() > 0)
        {
            return "the broker counted " + embedded.errorCount() + " errors, the first: " + embedded.firstError();
        }
        return null;
    }

    /**
     * Stops the broker and deletes its directories.
     */
    public void close()
    {
        try
        {
            if (null != embedded)
            {
                embedded.close();
            }
            if (null != process)
            {
                process.close();
            }
        }
        finally
        {
            dirs.close();
        }
    }

    /** @return host:port of the broker's Kafka-protocol listener, or null when it was not asked for. */
    public String kafkaBootstrap()
    {
        return kafkaBootstrap;
    }

    private static ChildProcess startBrokerProcess(
        final BrokerDirectories dirs,
        final int portBase,
        final String profileName,
        final int[] pinTo,
        final int kafkaPort)
    {
        final Properties settings = new Properties();
        settings.setProperty("data.dir", dirs.dataDir().getAbsolutePath());
        settings.setProperty("aeron.dir", dirs.aeronDir().getAbsolutePath());
        settings.setProperty("host", HOST);
        settings.setProperty("port.base", Integer.toString(portBase));
        if (kafkaPort > 0)
        {
            settings.setProperty("kafka.listener.port", Integer.toString(kafkaPort));
        }
        if (null != profileName)
        {
            settings.setProperty("profile", profileName);
        }
        try
        {
            return BrokerProcess.start(BrokerProcess.child(settings)
                .jvmArgs(ChildProcess.aeronJvmArgs("1g"))
                .commandPrefix(pinTo.length > 0 ? CpuAffinity.commandPrefix(pinTo) : List.of()),
                BROKER_START_TIMEOUT);
        }
        catch (final IllegalStateException ex)
        {
            throw new IllegalStateException("the broker process did not start: " + ex.getMessage(), ex);
        }
    }

    private static long millisSince(final long startNs)
    {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
    }
}
