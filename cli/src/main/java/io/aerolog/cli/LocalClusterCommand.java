package io.aerolog.cli;

import io.aerolog.node.NodeSecret;
import io.aerolog.testsupport.BrokerProcess;
import io.aerolog.testsupport.ChildProcess;
import io.aerolog.transport.Wire;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * {@code aerolog local-cluster}: a cluster of N broker+controller nodes on this host, each a JVM of its own, in the
 * foreground until Ctrl-C or SIGTERM, which stops them all cleanly. For trying a cluster out: node {@code i} has
 * {@code broker.id=i}, {@code port.base} = the base + 10 i, its data in {@code DIR/node-i} and its output in
 * {@code DIR/node-i.log}; the nodes share a secret generated into {@code DIR/node.secret}.
 */
@Command(
    name = "local-cluster",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Runs a local cluster of broker+controller nodes (one JVM each) in the foreground until Ctrl-C.")
final class LocalClusterCommand extends CliCommand
{
    /** Ports between two nodes' bases: a node uses its base and the next six. */
    static final int PORT_STRIDE = 10;

    /** The line printed once every node serves. */
    static final String READY_PREFIX = "local cluster ready: ";

    private static final String HOST = "localhost";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    @Option(names = "--brokers", paramLabel = "N", description = "Nodes (default: 3).", defaultValue = "3")
    int brokers;

    @Option(
        names = "--port-base",
        paramLabel = "PORT",
        description = "Port base of node 0; node i gets PORT + 10 i (default: 9090).",
        defaultValue = "9090")
    int portBase;

    @Option(
        names = "--data-dir",
        paramLabel = "DIR",
        description = "Holds each node's data, output and the shared secret (default: ./aerolog-local-cluster).",
        defaultValue = "aerolog-local-cluster")
    File dataDir;

    @Option(
        names = "--heap",
        paramLabel = "SIZE",
        description = "Heap limit of each node's JVM (default: 512m).",
        defaultValue = "512m")
    String heap;

    int execute()
    {
        if (brokers < 1 || portBase < 1 || portBase + PORT_STRIDE * brokers > 65_535)
        {
            return error("--brokers must be at least 1 and every node's ports within 1-65535: --brokers " + brokers +
                " --port-base " + portBase);
        }
        final File dir = dataDir.getAbsoluteFile();
        if (!dir.isDirectory() && !dir.mkdirs())
        {
            return error("cannot create --data-dir " + dir);
        }
        NodeSecret.loadOrGenerate(dir); // one secret for every node, 0600, reused by later runs
        final PrintWriter out = out();
        final List<ChildProcess.Builder> children = new ArrayList<>();
        final StringBuilder members = new StringBuilder();
        final StringBuilder bootstrap = new StringBuilder();
        for (int id = 0; id < brokers; id++)
        {
            members.append(0 == id ? "" : ",").append(id).append('@').append(HOST).append(':').append(nodePort(id));
            bootstrap.append(0 == id ? "" : ",").append(HOST).append(':').append(nodePort(id));
        }
        for (int id = 0; id < brokers; id++)
        {
            children.add(BrokerProcess.child(settings(dir, id, members.toString()))
                .name("node-" + id)
                .jvmArgs(ChildProcess.aeronJvmArgs(heap))
                .outputFile(new File(dir, "node-" + id + ".log"))
                .stopOnExit());
        }

        out.println("starting " + brokers + " nodes (broker,controller) with data in " + dir);
        out.flush();
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier())
        {
            final List<ChildProcess> nodes;
            try
            {
                nodes = BrokerProcess.startAll(children, START_TIMEOUT);
            }
            catch (final RuntimeException ex)
            {
                return error("the local cluster did not start: " + Errors.describe(ex));
            }
            try
            {
                for (int id = 0; id < brokers; id++)
                {
                    out.println("broker " + id + ": " + HOST + ":" + nodePort(id) + " (pid " + nodes.get(id).pid() +
                        ", output " + nodes.get(id).outputFile() + ")");
                }
                out.println(READY_PREFIX + brokers + " brokers, --bootstrap " + bootstrap + " (Ctrl-C to stop)");
                out.flush();
                barrier.await();
                out.println("stopping " + brokers + " nodes");
                out.flush();
            }
            finally
            {
                stopAll(nodes);
            }
            out.println("stopped");
            out.flush();
        }
        return 0;
    }

    private int nodePort(final int id)
    {
        return portBase + PORT_STRIDE * id;
    }

    private Properties settings(final File dir, final int id, final String members)
    {
        final Properties settings = new Properties();
        settings.setProperty("broker.id", Integer.toString(id));
        settings.setProperty("host", HOST);
        settings.setProperty("port.base", Integer.toString(nodePort(id)));
        settings.setProperty("data.dir", new File(dir, "node-" + id).getAbsolutePath());
        settings.setProperty("aeron.dir", Wire.defaultAeronDirectoryName() + "-node-" + id);
        settings.setProperty("process.roles", "broker,controller");
        settings.setProperty("controller.members", members);
        settings.setProperty("cluster.secret.file", new File(dir, NodeSecret.GENERATED_FILE_NAME).getAbsolutePath());
        return settings;
    }

    // In parallel: the last member of a controller cluster would otherwise wait alone for a quorum.
    private static void stopAll(final List<ChildProcess> nodes)
    {
        final List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (final ChildProcess node : nodes)
        {
            stops.add(CompletableFuture.runAsync(node::close));
        }
        stops.forEach(CompletableFuture::join);
    }
}
