package io.aerolog.perf.compare;

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
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A single-node Apache Kafka broker (KRaft, combined broker and controller) in a child JVM, for
 * {@code perf compare}: its storage is formatted in a fresh temp dir, it listens on free loopback ports, and closing
 * (or this JVM exiting) stops it and deletes the temp dir. JVM settings are those of Kafka's own start script (1 GiB heap, G1 with
 * 20 ms pause target).
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
    private final ChildProcess process;
    private final String bootstrap;
    private final Thread shutdownHook = new Thread(this::stop, "aerolog-perf-kafka-stop");

    private KafkaBroker(final File dir, final ChildProcess process, final String bootstrap)
    {
        this.dir = dir;
        this.process = process;
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
        final File dir;
        try
        {
            dir = Files.createTempDirectory("aerolog-perf-kafka-").toFile();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a temp dir for Kafka", ex);
        }
        try
        {
            final int brokerPort = freeTcpPort();
            final int controllerPort = freeTcpPort();
            final File config = new File(dir, "server.properties");
            Files.writeString(config.toPath(), serverProperties(
                new File(dir, "data").getAbsolutePath(), brokerPort, controllerPort), StandardCharsets.UTF_8);

            try (ChildProcess format = kafkaJvm(classpath, "kafka.tools.StorageTool")
                .args("format", "-t", clusterId(), "-c", config.getAbsolutePath())
                .start())
            {
                final int exitCode = format.waitFor(FORMAT_TIMEOUT);
                if (0 != exitCode)
                {
                    throw new IllegalStateException("formatting Kafka's storage failed (exit code " + exitCode +
                        "):" + System.lineSeparator() + format.tail(FAILURE_LINES));
                }
            }

            final ChildProcess process = kafkaJvm(classpath, "kafka.Kafka").args(config.getAbsolutePath()).start();
            final KafkaBroker broker = new KafkaBroker(dir, process, HOST + ":" + brokerPort);
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
            while (!isListening(brokerPort))
            {
                if (!process.isAlive() || System.nanoTime() > deadlineNs)
                {
                    final String output = process.tail(FAILURE_LINES);
                    broker.close();
                    throw new IllegalStateException("the Kafka broker did not start" +
                        (process.isAlive() ? " in time" : "") + "; its output:" + System.lineSeparator() + output);
                }
                Thread.sleep(50);
            }
            return broker;
        }
        catch (final IOException ex)
        {
            IoUtil.delete(dir, true);
            throw new UncheckedIOException("cannot write Kafka's config", ex);
        }
        catch (final RuntimeException | InterruptedException ex)
        {
            IoUtil.delete(dir, true);
            throw ex;
        }
    }

    /**
     * @return host:port for Kafka clients.
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
        return process.isAlive() ? null : "the Kafka broker exited; its output:" + System.lineSeparator() +
            process.tail(FAILURE_LINES);
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
            process.close();
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

    private static String serverProperties(final String logDir, final int brokerPort, final int controllerPort)
    {
        return String.join(System.lineSeparator(),
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@" + HOST + ":" + controllerPort,
            "listeners=PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort,
            "advertised.listeners=PLAINTEXT://" + HOST + ":" + brokerPort,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs=" + logDir,
            "num.partitions=1",
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
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

    private static int freeTcpPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket())
        {
            socket.bind(new InetSocketAddress(HOST, 0));
            return socket.getLocalPort();
        }
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
