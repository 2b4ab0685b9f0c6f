package io.aerolog.cli;

import io.aerolog.client.partition.Murmur2;
import io.aerolog.node.PortBases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drives the command line as a user does: a broker in a process of its own, and topics, produce and consume as
 * separate processes talking to it; the broker is killed with SIGKILL and restarted, and nothing acknowledged is lost.
 */
class CliProcessTest
{
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 3;

    // Under target/ rather than a temp dir: the broker's logs stay there for a look when the test fails.
    private final File dir = new File("target/cli-process-test/" + System.nanoTime());

    private Process broker;
    private int brokerStarts;
    private String aeronDir;
    private File config;

    @AfterEach
    void stopBroker() throws InterruptedException
    {
        if (null != broker && broker.isAlive())
        {
            broker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (null != aeronDir)
        {
            org.agrona.IoUtil.delete(new File(aeronDir), true);
        }
    }

    @Test
    @Timeout(180)
    void shouldProduceAndConsumeThroughTheCliAcrossAKilledBroker() throws Exception
    {
        writeConfig();
        startBroker();
        assertThat(cli(null, "topics", "create", "--topic", TOPIC, "--partitions", String.valueOf(PARTITIONS))
            .exitCode).isZero();
        assertThat(cli(null, "topics", "list").stdout).containsExactly(TOPIC);

        final Result produced = cli(lines(0, 100), "produce", "--topic", TOPIC, "--key-separator", ":", "--acks", "all");
        assertThat(produced.exitCode).as(produced.stderr).isZero();
        assertConsumedExactly(100);

        // A consumer group reads everything once, commits on exit, and then has nothing left to read.
        final Result grouped = cli(null, "consume", "--topic", TOPIC, "--group", "cli-group", "--from-beginning",
            "--max-messages", "100", "--timeout-ms", "10000");
        assertThat(grouped.exitCode).as(grouped.stderr).isZero();
        assertThat(grouped.stdout).hasSize(100);
        assertThat(cli(null, "consume", "--topic", TOPIC, "--group", "cli-group", "--timeout-ms", "2000").stdout)
            .isEmpty();
        assertThat(cli(null, "groups", "list").stdout).anyMatch((line) -> line.startsWith("cli-group\t"));

        broker.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // kill -9: every acknowledged record must survive
        startBroker();
        assertConsumedExactly(100);

        // Committed offsets survive the kill; a reset to the earliest makes the group read everything again.
        final Result described = cli(null, "groups", "describe", "--group", "cli-group");
        assertThat(described.exitCode).as(described.stderr).isZero();
        assertThat(described.stdout).filteredOn((line) -> line.startsWith(TOPIC + "\t")).hasSize(PARTITIONS)
            .allSatisfy((line) -> assertThat(line.split("\t")[5]).as("lag of " + line).isEqualTo("0"));
        final Result reset = cli(null, "groups", "reset-offsets", "--group", "cli-group", "--topic", TOPIC,
            "--to-earliest");
        assertThat(reset.exitCode).as(reset.stderr).isZero();
        assertThat(cli(null, "consume", "--topic", TOPIC, "--group", "cli-group", "--max-messages", "100",
            "--timeout-ms", "10000").stdout).hasSize(100);
        assertThat(cli(null, "groups", "delete", "--group", "cli-group").exitCode).isZero();
        final Result gone = cli(null, "groups", "describe", "--group", "cli-group");
        assertThat(gone.exitCode).isEqualTo(1);
        assertThat(gone.stderr).contains("UNKNOWN_GROUP");

        assertThat(cli(lines(100, 120), "produce", "--topic", TOPIC, "--key-separator", ":").exitCode).isZero();
        assertConsumedExactly(120); // offsets continue after the restart: dense, no reuse

        final Result describe = cli(null, "topics", "describe", "--topic", TOPIC);
        assertThat(String.join("\n", describe.stdout)).contains("logEndOffset=").contains("partition=2");
        assertThat(describe.stdout).filteredOn((line) -> line.startsWith("partition=")).hasSize(PARTITIONS)
            .allSatisfy((line) -> assertThat(line).contains("leader=0 ", "replicas=0 isr=0 "));
        final Result brokers = cli(null, "brokers", "list");
        assertThat(brokers.exitCode).as(brokers.stderr).isZero();
        assertThat(brokers.stdout).singleElement().satisfies((line) ->
            assertThat(line).startsWith("broker=0 address=localhost:").endsWith(" status=ALIVE partitionsLed=3"));
        final Result tooMany = cli(null, "topics", "create", "--topic", "replicated", "--partitions", "1",
            "--replication-factor", "2");
        assertThat(tooMany.exitCode).isEqualTo(1);
        assertThat(tooMany.stderr).contains("INVALID_REPLICATION_FACTOR");

        final Result unknown = cli(lines(0, 1), "produce", "--topic", "no-such-topic");
        assertThat(unknown.exitCode).isEqualTo(1);
        assertThat(unknown.stderr).contains("error:");

        broker.destroy(); // SIGTERM: a clean stop
        assertThat(broker.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    private void assertConsumedExactly(final int expected) throws Exception
    {
        final Result consumed = cli(null, "consume", "--topic", TOPIC, "--from-beginning",
            "--max-messages", String.valueOf(expected), "--timeout-ms", "10000",
            "--print-partition", "--print-offset", "--print-key");
        assertThat(consumed.exitCode).as(consumed.stderr).isZero();
        assertThat(consumed.stdout).hasSize(expected);

        final Map<Integer, Long> nextOffset = new HashMap<>();
        final List<String> keys = new ArrayList<>();
        for (final String line : consumed.stdout)
        {
            final String[] fields = line.split("\t");
            final int partition = Integer.parseInt(fields[0]);
            final long offset = Long.parseLong(fields[1]);
            final String key = fields[2];
            assertThat(fields[3]).isEqualTo("value-" + key.substring("key-".length()));
            assertThat(offset).as("dense offsets in order").isEqualTo(nextOffset.getOrDefault(partition, 0L));
            nextOffset.put(partition, offset + 1);
            final byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
            assertThat(partition).as("Kafka's key partitioning")
                .isEqualTo(Murmur2.toPositive(Murmur2.hash(keyBytes)) % PARTITIONS);
            keys.add(key);
        }
        assertThat(keys).doesNotHaveDuplicates().hasSize(expected);
    }

    private static String lines(final int from, final int to)
    {
        final StringBuilder builder = new StringBuilder();
        for (int i = from; i < to; i++)
        {
            builder.append("key-").append(i).append(":value-").append(i).append('\n');
        }
        return builder.toString();
    }

    @Test
    @Tag("slow")
    @Timeout(180)
    void shouldStopWithAnErrorWhenPausedPastTheAeronClientLiveness() throws Exception
    {
        writeConfig();
        startBroker();

        // Past Aeron's 10 s client liveness: its clients close themselves, and the broker cannot go on without them.
        signal("STOP", broker.pid());
        assertThat(broker.waitFor(12, TimeUnit.SECONDS)).as("a stopped broker does not exit").isFalse();
        signal("CONT", broker.pid());

        assertThat(broker.waitFor(60, TimeUnit.SECONDS)).as("the broker stopped by itself").isTrue();
        final String output = Files.readString(new File(dir, "broker-1.log").toPath());
        assertThat(broker.exitValue()).as(output).isEqualTo(1);
        assertThat(output).contains("its Aeron client was closed", "Start it again");
    }

    private void writeConfig() throws IOException
    {
        assertThat(dir.mkdirs()).isTrue();
        // Aeron's log buffers belong in memory (/dev/shm), as in production; on a busy disk they stall the driver.
        aeronDir = (new File("/dev/shm").isDirectory() ? "/dev/shm" : dir.getAbsolutePath()) +
            "/aerolog-cli-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        config = new File(dir, "broker.properties");
        Files.writeString(config.toPath(),
            "port.base=" + PortBases.find("localhost") + "\naeron.dir=" + aeronDir + "\n");
    }

    private static void signal(final String name, final long pid) throws IOException, InterruptedException
    {
        assertThat(new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor()).isZero();
    }

    private void startBroker() throws IOException, InterruptedException
    {
        // Output to a file: nothing can block the broker on a full pipe, and the log is there when a test fails.
        final File log = new File(dir, "broker-" + (++brokerStarts) + ".log");
        broker = javaProcess("broker", "--dir", new File(dir, "data").getAbsolutePath(),
            "--config", config.getAbsolutePath()).redirectErrorStream(true).redirectOutput(log).start();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!log.exists() || !Files.readString(log.toPath()).contains(" ready in "))
        {
            if (!broker.isAlive() || System.nanoTime() > deadlineNs)
            {
                throw new AssertionError("broker did not become ready: " +
                    (log.exists() ? Files.readString(log.toPath()) : "no output"));
            }
            broker.waitFor(50, TimeUnit.MILLISECONDS);
        }
    }

    private Result cli(final String stdin, final String... args) throws Exception
    {
        final List<String> withConnection = new ArrayList<>(List.of(args));
        if (!"broker".equals(args[0]))
        {
            withConnection.add("--aeron-dir");
            withConnection.add(aeronDir);
        }
        final Process process = javaProcess(withConnection.toArray(new String[0])).start();
        final CompletableFuture<List<String>> stdout = CompletableFuture.supplyAsync(
            () -> readLines(process.getInputStream()));
        final CompletableFuture<List<String>> stderr = CompletableFuture.supplyAsync(
            () -> readLines(process.getErrorStream()));
        try (OutputStream in = process.getOutputStream())
        {
            if (null != stdin)
            {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("aerolog " + String.join(" ", args) + " did not finish");
        }
        if (0 != process.exitValue())
        {
            dumpBrokerThreads();
        }
        return new Result(process.exitValue(), stdout.get(), String.join("\n", stderr.get()));
    }

    private void dumpBrokerThreads() throws IOException, InterruptedException
    {
        if (null != broker && broker.isAlive())
        {
            final File dump = new File(dir, "broker-threads-" + System.nanoTime() + ".txt");
            new ProcessBuilder(new File(System.getProperty("java.home"), "bin/jstack").getAbsolutePath(),
                String.valueOf(broker.pid())).redirectErrorStream(true).redirectOutput(dump).start()
                .waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> readLines(final java.io.InputStream stream)
    {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8)))
        {
            final List<String> lines = new ArrayList<>();
            String line;
            while (null != (line = reader.readLine()))
            {
                lines.add(line);
            }
            return lines;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static ProcessBuilder javaProcess(final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(
            new File(System.getProperty("java.home"), "bin/java").getAbsolutePath(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "-Xmx512m",
            "-cp", System.getProperty("java.class.path"),
            AerologCli.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    private record Result(int exitCode, List<String> stdout, String stderr)
    {
    }
}
