package io.aerolog.perf.compare;

import io.aerolog.node.PortBases;
import io.aerolog.testsupport.ChildProcess;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * An Apache Kafka broker (KRaft, combined broker and controller) in a child JVM, for {@code perf compare}, or a
 * cluster of such nodes whose controllers form one quorum, for {@code perf replicated}: storage formatted in a fresh
 * temp dir, listeners on free loopback ports; closing (or this JVM exiting) stops every node and deletes the temp
 * dir. JVM settings are those of Kafka's own start script (1 GiB heap per node, G1 with 20 ms pause target).
 */
final class KafkaBroker implements AutoCloseable
{
    private static final String HOST = "127.0.0.1";
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final int FAILURE_LINES = 40;
    private static final long START_TIMEOUT_MS = 120_000;
    private static final List<String> JVM_ARGS = List.of(
        "-Xmx1g", "-Xms1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
        "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true");

    private final File dir;
    private final List<ChildProcess> processes;
    private final String bootstrap;
    private final Thread shutdownHook = new Thread(this::stop, "aerolog-perf-kafka-stop");

    private KafkaBroker(final File dir, final List<ChildProcess> processes, final String bootstrap)
    {
        this.dir = dir;
        this.processes = processes;
        this.bootstrap = bootstrap;
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Formats the storage, starts the broker and waits until its client port accepts connections.
     *
     * @param classpath the Kafka jars.
     * @return the running broker.
     * @throws IllegalStateException if it does not start.
     * @throws InterruptedException  if interrupted.
     */
    static KafkaBroker start(final String classpath) throws InterruptedException
    {
        return start(classpath, 1);
    }

    /**
     * Formats the storage of each node, starts them together and waits until every client port accepts
     * connections. Each node is a combined broker and controller; the nodes' controllers form one KRaft quorum of
     * static voters ({@code controller.quorum.voters}), the internal topics are replicated on up to three of them.
     *
     * @param classpath the Kafka jars.
     * @param nodes     how many, at least 1.
     * @return the running cluster (one object for all its nodes).
     * @throws IllegalStateException if it does not start.
     * @throws InterruptedException  if interrupted.
     */
    static KafkaBroker start(final String classpath, final int nodes) throws InterruptedException
    {
        final File dir;
        try
        {
            dir = Files.createTempDirectory("aerolog-perf-kafka-").toFile();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a temp dir for Kafka", ex);
        }
        final List<ChildProcess> processes = new ArrayList<>();
        try
        {
            final int[] brokerPorts = new int[nodes];
            final int[] controllerPorts = new int[nodes];
            final StringBuilder voters = new StringBuilder();
            final StringBuilder bootstrap = new StringBuilder();
            for (int i = 0; i < nodes; i++)
            {
                brokerPorts[i] = PortBases.freeTcpPort(HOST);
                controllerPorts[i] = PortBases.freeTcpPort(HOST);
                voters.append(0 == i ? "" : ",").append(i + 1).append('@').append(HOST).append(':')
                    .append(controllerPorts[i]);
                bootstrap.append(0 == i ? "" : ",").append(HOST).append(':').append(brokerPorts[i]);
            }
            final String clusterId = clusterId();
            final List<File> configs = new ArrayList<>();
            for (int i = 0; i < nodes; i++)
            {
                final File config = new File(dir, "server-" + (i + 1) + ".properties");
                Files.writeString(config.toPath(), serverProperties(i + 1, nodes, voters.toString(),
                    new File(dir, "data-" + (i + 1)).getAbsolutePath(), brokerPorts[i], controllerPorts[i]),
                    StandardCharsets.UTF_8);
                configs.add(config);
                try (ChildProcess format = kafkaJvm(classpath, "kafka.tools.StorageTool")
                    .args("format", "-t", clusterId, "-c", config.getAbsolutePath())
                    .start())
                {
                    final int exitCode = format.waitFor(FORMAT_TIMEOUT);
                    if (0 != exitCode)
                    {
                        throw new IllegalStateException("formatting Kafka's storage failed (exit code " + exitCode +
                            "):" + System.lineSeparator() + format.tail(FAILURE_LINES));
                    }
                }
            }

            for (final File config : configs)
            {
                processes.add(kafkaJvm(classpath, "kafka.Kafka").args(config.getAbsolutePath()).start());
            }
            final KafkaBroker broker = new KafkaBroker(dir, processes, bootstrap.toString());
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
            for (int i = 0; i < nodes; i++)
            {
                final ChildProcess process = processes.get(i);
                while (!isListening(brokerPorts[i]))
                {
                    if (!process.isAlive() || System.nanoTime() > deadlineNs)
                    {
                        final String output = process.tail(FAILURE_LINES);
                        broker.close();
                        throw new IllegalStateException("the Kafka broker " + (i + 1) + " did not start" +
                            (process.isAlive() ? " in time" : "") + "; its output:" + System.lineSeparator() +
                            output);
                    }
                    Thread.sleep(50);
                }
            }
            return broker;
        }
        catch (final IOException ex)
        {
            processes.forEach(ChildProcess::close);
            IoUtil.delete(dir, true);
            throw new UncheckedIOException("cannot write Kafka's config", ex);
        }
        catch (final RuntimeException | InterruptedException ex)
        {
            processes.forEach(ChildProcess::close);
            IoUtil.delete(dir, true);
            throw ex;
        }
    }

    /**
     * @return host:port of every node, comma-separated, for Kafka clients.
     */
    String bootstrap()
    {
        return bootstrap;
    }

    /**
     * @return null while it runs, else its last output.
     */
    String failure()
    {
        for (final ChildProcess process : processes)
        {
            if (!process.isAlive())
            {
                return "a Kafka broker exited; its output:" + System.lineSeparator() + process.tail(FAILURE_LINES);
            }
        }
        return null;
    }

    /**
     * Stops the broker and deletes its directory.
     */
    public void close()
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException ignore)
        {
            // this JVM is shutting down: the hook stops the broker
        }
        stop();
    }

    private void stop()
    {
        try
        {
            // In parallel: a controller quorum that lost a voter makes the others wait.
            final List<Thread> stops = new ArrayList<>();
            for (final ChildProcess process : processes)
            {
                final Thread stop = new Thread(process::close, "aerolog-perf-kafka-stop-" + process.pid());
                stop.start();
                stops.add(stop);
            }
            for (final Thread stop : stops)
            {
                stop.join();
            }
        }
        catch (final InterruptedException ex)
        {
            processes.forEach(ChildProcess::destroy);
            Thread.currentThread().interrupt();
        }
        finally
        {
            IoUtil.delete(dir, true);
        }
    }

    private static ChildProcess.Builder kafkaJvm(final String classpath, final String mainClass)
    {
        return ChildProcess.java(mainClass).name("kafka").jvmArgs(JVM_ARGS).classpath(classpath).stopOnExit()
            .stopTimeout(STOP_TIMEOUT);
    }

    private static String serverProperties(
        final int nodeId,
        final int nodes,
        final String voters,
        final String logDir,
        final int brokerPort,
        final int controllerPort)
    {
        final int internalReplicas = Math.min(3, nodes);
        final int internalMinIsr = Math.max(1, internalReplicas - 1);
        return String.join(System.lineSeparator(),
            "process.roles=broker,controller",
            "node.id=" + nodeId,
            "controller.quorum.voters=" + voters,
            "listeners=PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort,
            "advertised.listeners=PLAINTEXT://" + HOST + ":" + brokerPort,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs=" + logDir,
            "num.partitions=1",
            "offsets.topic.replication.factor=" + internalReplicas,
            "transaction.state.log.replication.factor=" + internalReplicas,
            "transaction.state.log.min.isr=" + internalMinIsr,
            "share.coordinator.state.topic.replication.factor=" + internalReplicas,
            "share.coordinator.state.topic.min.isr=" + internalMinIsr,
            "group.initial.rebalance.delay.ms=0",
            "");
    }

    /** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (as Kafka's Uuid prints). */
    private static String clusterId()
    {
        final UUID uuid = UUID.randomUUID();
        final ByteBuffer bytes = ByteBuffer.allocate(16);
        bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    private static boolean isListening(final int port)
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(HOST, port), 200);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
