package io.aerolog.cli;

import io.aerolog.broker.Broker;
import io.aerolog.transport.CpuAffinity;
import io.aerolog.transport.ThreadingProfile;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * {@code aerolog broker}: runs a broker in the foreground until Ctrl-C or SIGTERM.
 */
@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Runs a broker in the foreground until Ctrl-C or SIGTERM.")
final class BrokerCommand extends CliCommand
{
    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "Data directory; wins over data.dir of --config (default: ./aerolog-data).")
    File dir;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "Broker settings (.properties): broker.id, host, port.base, data.dir, aeron.dir, " +
            "log.term.length, log.segment.length, log.index.interval.bytes, retention.check.interval.ms, " +
            "session.timeout.ms, profile, process.roles (broker,controller | broker | controller), " +
            "controller.members (id@host:portBase,... for a controller cluster of several members), " +
            "internal.host (address of the archive and controller ports; default 127.0.0.1 on a single node), " +
            "cluster.secret or cluster.secret.file (the node secret those ports demand; default on a single node: " +
            "DIR/node.secret, generated on first start), kafka.listener.port (starts the Kafka-protocol listener), " +
            "kafka.listener.host, kafka.advertised.host, kafka.advertised.port, kafka.auto.create.topics.enable, " +
            "kafka.num.partitions, kafka.max.request.bytes, kafka.max.connections.")
    File config;

    @Option(
        names = "--profile",
        paramLabel = "NAME|FILE",
        description = "Threading profile: balanced (default), small-low-latency (one spinning data-path thread, " +
            "best for latency on 2 cores), one-thread, low-latency (many spinning threads, big machines), or a " +
            "properties file; wins over profile of --config.")
    String profile;

    @Option(
        names = "--pin",
        paramLabel = "CPUS",
        description = "Pin the broker to these CPUs with taskset, e.g. 1 or 0-1; wins over the profile's " +
            "cpu.affinity. Skipped, with a note, where the CPUs do not exist.")
    String pin;

    int execute()
    {
        final Broker.Context ctx = context(config, dir);
        if (null != profile)
        {
            ctx.profile(profile);
        }
        final PrintWriter out = out();
        final int[] cpus = null != pin ? ThreadingProfile.parseCpuList(pin) :
            (null == ctx.threadingProfile() ? new int[0] : ctx.threadingProfile().cpuAffinity());
        if (cpus.length > 0)
        {
            // Before the broker starts its threads, so that they inherit the affinity.
            out.println(CpuAffinity.pinThisProcess(cpus));
        }
        final String aeronDir = ctx.aeronDirectoryName();
        out.println("starting broker " + ctx.brokerId() + " with data in " + ctx.dataDir().getAbsolutePath() +
            ", threading profile " + (null == ctx.threadingProfile() ? ThreadingProfile.DEFAULT :
            ctx.threadingProfile().name()));
        out.flush();
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier())
        {
            ctx.terminationHook(barrier::signal);
            final long startNs = System.nanoTime();
            final Broker broker;
            try
            {
                broker = Broker.launch(ctx);
            }
            catch (final RuntimeException ex)
            {
                // Broker.launch refuses an Aeron directory a live broker uses (and not one a killed broker left).
                return error("could not start the broker: " + Errors.describe(ex));
            }

            try
            {
                if (ctx.isBroker())
                {
                    out.println("clients on this host: IPC via " + aeronDir + "; other hosts: --bootstrap " +
                        ctx.host() + ":" + ctx.portBase());
                }
                if (null != broker.kafkaListenerAddress())
                {
                    out.println("Kafka clients: --bootstrap-server " + broker.kafkaListenerAddress());
                }
                out.println("controller members: " + ctx.controllerMembers() + "; roles of this node: " +
                    ctx.processRoles());
                out.println("broker " + ctx.brokerId() + " ready in " +
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms (Ctrl-C to stop)");
                out.flush();
                barrier.await();
                out.println("stopping broker " + ctx.brokerId());
                out.flush();
            }
            finally
            {
                broker.close();
            }
            if (null != broker.fatalError())
            {
                return error("broker " + ctx.brokerId() + " stopped: its Aeron client was closed (" +
                    Errors.describe(broker.fatalError()) + "); the process was paused or stalled past the driver's " +
                    "client liveness timeout, or its media driver is gone. Start it again: it rejoins as a follower");
            }
            out.println("stopped");
            out.flush();
        }
        return 0;
    }

    /**
     * The broker's settings: defaults, overridden by a properties file, overridden by a data directory.
     *
     * @param config properties file, or null.
     * @param dir    data directory, or null.
     * @return the settings.
     */
    static Broker.Context context(final File config, final File dir)
    {
        final Properties properties = new Properties();
        if (null != config)
        {
            try (InputStream in = Files.newInputStream(config.toPath()))
            {
                properties.load(in);
            }
            catch (final IOException | IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("cannot read --config " + config + ": " + Errors.describe(ex));
            }
        }
        final Broker.Context ctx;
        try
        {
            ctx = Broker.Context.fromProperties(properties);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("a setting in --config " + config + " is not a number: " +
                ex.getMessage());
        }
        if (null != dir)
        {
            ctx.dataDir(dir);
        }
        return ctx;
    }
}
