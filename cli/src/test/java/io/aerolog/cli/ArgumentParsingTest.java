package io.aerolog.cli;

import io.aerolog.codecs.wire.Acks;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArgumentParsingTest
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CommandLine commandLine()
    {
        return new CommandLine(new AerologCli()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    }

    @SuppressWarnings("unchecked")
    private <T> T parse(final String... args)
    {
        ParseResult result = commandLine().parseArgs(args);
        while (result.hasSubcommand())
        {
            result = result.subcommand();
        }
        return (T)result.commandSpec().userObject();
    }

    @Test
    void produceFlags()
    {
        final ProduceCommand produce = parse("produce", "--topic", "t", "--key-separator", ":", "--acks", "1",
            "--partition", "2", "--linger-ms", "5", "--bootstrap", "host1:9090");

        assertThat(produce.topic).isEqualTo("t");
        assertThat(produce.keySeparator).isEqualTo(":");
        assertThat(produce.acks).isEqualTo(Acks.LEADER);
        assertThat(produce.partition).isEqualTo(2);
        assertThat(produce.lingerMs).isEqualTo(5);
        assertThat(produce.connection.bootstrap).isEqualTo("host1:9090");
        assertThat(produce.connection.clientContext("x").bootstrap()).isEqualTo("host1:9090");
    }

    @Test
    void produceDefaults()
    {
        final ProduceCommand produce = parse("produce", "--topic", "t");

        assertThat(produce.keySeparator).isNull();
        assertThat(produce.acks).isEqualTo(Acks.ALL);
        assertThat(produce.partition).isEqualTo(-1);
        assertThat(produce.lingerMs).isZero();
        assertThat(produce.connection.clientContext("x").bootstrap()).isNull();
    }

    @Test
    void consumeFlags()
    {
        final ConsumeCommand consume = parse("consume", "--topic", "t", "--partition", "1", "--offset", "42",
            "--max-messages", "10", "--timeout-ms", "500", "--print-partition", "--print-offset", "--print-key",
            "--aeron-dir", "/tmp/x");

        assertThat(consume.topic).isEqualTo("t");
        assertThat(consume.fromBeginning).isFalse();
        assertThat(consume.partition).isEqualTo(1);
        assertThat(consume.offset).isEqualTo(42L);
        assertThat(consume.maxMessages).isEqualTo(10L);
        assertThat(consume.timeoutMs).isEqualTo(500L);
        assertThat(consume.printPartition).isTrue();
        assertThat(consume.printOffset).isTrue();
        assertThat(consume.printKey).isTrue();
        assertThat(consume.connection.clientContext("x").aeronDirectoryName()).isEqualTo("/tmp/x");
    }

    @Test
    void consumeDefaultsWaitForEver()
    {
        final ConsumeCommand consume = parse("consume", "--topic", "t", "--from-beginning");

        assertThat(consume.fromBeginning).isTrue();
        assertThat(consume.partition).isNull();
        assertThat(consume.offset).isNull();
        assertThat(consume.maxMessages).isNull();
        assertThat(consume.timeoutMs).isNull();
    }

    @Test
    void topicsSubcommands()
    {
        final CreateTopicCommand create = parse("topics", "create", "--topic", "t", "--partitions", "3",
            "--retention-ms", "1000", "--retention-bytes", "2000", "--log-append-time");
        assertThat(create.topic).isEqualTo("t");
        assertThat(create.partitions).isEqualTo(3);
        assertThat(create.retentionMs).isEqualTo(1000);
        assertThat(create.retentionBytes).isEqualTo(2000);
        assertThat(create.logAppendTime).isTrue();

        final CreateTopicCommand defaults = parse("topics", "create", "--topic", "t", "--partitions", "1");
        assertThat(defaults.retentionMs).isEqualTo(-1);
        assertThat(defaults.retentionBytes).isEqualTo(-1);
        assertThat(defaults.logAppendTime).isFalse();

        final Object list = parse("topics", "list");
        assertThat(list).isInstanceOf(ListTopicsCommand.class);
        assertThat(((DescribeTopicCommand)parse("topics", "describe", "--topic", "d")).topic).isEqualTo("d");
        assertThat(((DeleteTopicCommand)parse("topics", "delete", "--topic", "x")).topic).isEqualTo("x");
    }

    @Test
    void brokerAndDemoFlags()
    {
        final BrokerCommand broker = parse("broker", "--dir", "d", "--config", "c.properties");
        assertThat(broker.dir).isEqualTo(new File("d"));
        assertThat(broker.config).isEqualTo(new File("c.properties"));

        final DemoCommand demo = parse("demo");
        assertThat(demo.records).isEqualTo(50_000);
        assertThat(demo.size).isEqualTo(100);
        assertThat(demo.partitions).isEqualTo(3);
        assertThat(demo.rate).isEqualTo(10_000);

        final DemoCommand custom = parse("demo", "--records", "5", "--size", "8", "--partitions", "1", "--rate", "10");
        assertThat(custom.records).isEqualTo(5);
        assertThat(custom.size).isEqualTo(8);
        assertThat(custom.partitions).isEqualTo(1);
        assertThat(custom.rate).isEqualTo(10);
    }

    @Test
    void badFlagsAreUsageErrors()
    {
        assertThat(commandLine().execute("produce", "--topic", "t", "--acks", "2")).isEqualTo(2);
        assertThat(err.toString()).contains("acks must be 0, 1 or all").contains("Usage: aerolog produce");
        assertThat(commandLine().execute("consume")).isEqualTo(2);
        assertThat(commandLine().execute("consume", "--topic", "t", "--no-such-flag")).isEqualTo(2);
        assertThat(commandLine().execute("topics", "create", "--topic", "t", "--partitions", "x")).isEqualTo(2);
        assertThat(commandLine().execute("no-such-command")).isEqualTo(2);
    }

    @Test
    void validationErrorsAreUsageErrors()
    {
        assertThat(commandLine().execute("consume", "--topic", "t", "--offset", "3")).isEqualTo(2);
        assertThat(err.toString()).contains("--offset needs --partition");
        assertThat(commandLine().execute("topics", "create", "--topic", "t", "--partitions", "0")).isEqualTo(2);
        assertThat(commandLine().execute("produce", "--topic", "t", "--key-separator", "")).isEqualTo(2);
        assertThat(commandLine().execute("demo", "--size", "7")).isEqualTo(2);
        assertThat(commandLine().execute("demo", "--records", "0")).isEqualTo(2);
    }

    @Test
    void groupOptionsAreChecked()
    {
        assertThat(commandLine().execute("consume", "--topic", "t", "--group", "g", "--partition", "1")).isEqualTo(2);
        assertThat(err.toString()).contains("no --partition or --offset");
        assertThat(commandLine().execute("consume", "--topic", "t", "--group-instance-id", "i")).isEqualTo(2);
        assertThat(commandLine().execute("consume", "--topic", "t", "--group", "g", "--commit", "never")).isEqualTo(2);
        assertThat(commandLine().execute("groups")).isEqualTo(2);
        assertThat(commandLine().execute("groups", "describe")).isEqualTo(2);
        assertThat(commandLine().execute("groups", "reset-offsets", "--group", "g", "--topic", "t")).isEqualTo(2);
        assertThat(commandLine().execute("groups", "reset-offsets", "--group", "g", "--topic", "t",
            "--to-earliest", "--to-latest")).isEqualTo(2);
        assertThat(commandLine().execute("groups", "reset-offsets", "--group", "g", "--topic", "t",
            "--to-datetime", "yesterday")).isEqualTo(2);
        assertThat(err.toString()).contains("--to-datetime is not a time");
    }

    @Test
    void groupConsumeFlags()
    {
        final ConsumeCommand consume = parse("consume", "--topic", "t", "--group", "g", "--group-instance-id", "i",
            "--assignor", "range", "--commit", "sync", "--session-timeout-ms", "3000");

        assertThat(consume.group).isEqualTo("g");
        assertThat(consume.groupInstanceId).isEqualTo("i");
        assertThat(consume.assignor).isEqualTo("range");
        assertThat(consume.commit).isEqualTo("sync");
        assertThat(consume.sessionTimeoutMs).isEqualTo(3000);
    }

    @Test
    void topicsElectLeaders()
    {
        final ElectLeadersCommand all = parse("topics", "elect-leaders", "--bootstrap", "h:9090,h:9100");
        assertThat(all.topic).isNull();
        assertThat(all.partition).isNull();
        assertThat(all.connection.clientContext("x").bootstrap()).isEqualTo("h:9090,h:9100");

        final ElectLeadersCommand one = parse("topics", "elect-leaders", "--topic", "orders", "--partition", "2");
        assertThat(one.topic).isEqualTo("orders");
        assertThat(one.partition).isEqualTo(2);

        // Refused before anything is sent.
        assertThat(commandLine().execute("topics", "elect-leaders", "--partition", "1")).isEqualTo(2);
        assertThat(err.toString()).contains("--partition needs --topic");
        assertThat(commandLine().execute("topics", "elect-leaders", "--topic", "t", "--partition", "-1"))
            .isEqualTo(2);
        assertThat(err.toString()).contains("--partition must be >= 0");
        assertThat(commandLine().execute("topics", "elect-leaders", "--partition", "x")).isEqualTo(2);
    }

    @Test
    void missingSubcommandIsAUsageError()
    {
        assertThat(commandLine().execute()).isEqualTo(2);
        assertThat(commandLine().execute("topics")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required subcommand");
    }

    @Test
    void helpAndVersion()
    {
        assertThat(commandLine().execute("--help")).isZero();
        assertThat(out.toString()).contains("broker", "topics", "produce", "consume", "demo");
        assertThat(commandLine().execute("consume", "--help")).isZero();
        assertThat(out.toString()).contains("--from-beginning", "--bootstrap", "--aeron-dir");
        assertThat(commandLine().execute("topics", "create", "--help")).isZero();
        assertThat(commandLine().execute("--version")).isZero();
        assertThat(out.toString()).contains("aerolog " + VersionProvider.version());
    }

    @Test
    void bootstrapMustBeHostAndPort()
    {
        ConnectionOptions.checkHostPort("localhost:9090");
        ConnectionOptions.checkHostPort("10.0.0.1:1");
        for (final String bad : new String[]{ "localhost", ":9090", "host:", "host:port", "host:0", "a:b:1" })
        {
            assertThatThrownBy(() -> ConnectionOptions.checkHostPort(bad)).as(bad)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HOST:PORT");
        }
    }

    @Test
    void clientCommandWithoutABrokerPrintsAnErrorAndExitsWithOne()
    {
        final String aeronDir = new File(System.getProperty("java.io.tmpdir"), "aerolog-no-broker-here").getPath();

        assertThat(commandLine().execute("topics", "list", "--aeron-dir", aeronDir)).isEqualTo(1);
        assertThat(err.toString()).startsWith("error: ").contains("BROKER_NOT_AVAILABLE", aeronDir);

        assertThat(commandLine().execute("topics", "list", "--bootstrap", "nohostport")).isEqualTo(1);
        assertThat(err.toString()).contains("error: --bootstrap must be HOST:PORT");
        assertThat(commandLine().execute("topics", "list", "--bootstrap", "localhost:9090,nohostport")).isEqualTo(1);
        assertThat(err.toString()).contains("must be HOST:PORT[,HOST:PORT...], got: 'nohostport'");
        assertThat(commandLine().execute("topics", "create", "--topic", "t", "--partitions", "1",
            "--replication-factor", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--replication-factor must be at least 1");
        assertThat(commandLine().execute("topics", "create", "--topic", "t", "--partitions", "1",
            "--replication-factor", "2", "--min-insync-replicas", "3")).isEqualTo(2);
        assertThat(err.toString()).contains("--min-insync-replicas must be from 1 to the replication factor");
    }
}
