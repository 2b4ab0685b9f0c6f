package io.aerolog.cli;

import io.aerolog.client.Consumer;
import io.aerolog.client.TopicPartition;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code aerolog consume}: prints the records of a topic (or one partition), one a line.
 */
@Command(
    name = "consume",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Prints the records of a topic, one a line.",
        "Fields asked for come in the order partition, offset, key, value, separated by a TAB; a missing key or " +
            "value prints as null. Runs until --max-messages, --timeout-ms without a record, or Ctrl-C.",
        "With --group it joins that consumer group and reads only the partitions the group gives it, from the " +
            "group's committed offsets; it commits what it has printed (every 5 s and on exit, or after every " +
            "batch with --commit sync)."
    })
final class ConsumeCommand extends CliCommand
{
    private static final int MAX_RECORDS_PER_POLL = 512;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic to read.")
    String topic;

    @Option(
        names = "--from-beginning",
        description = "Start from the earliest retained record (default: only records written from now on).")
    boolean fromBeginning;

    @Option(names = "--partition", paramLabel = "P", description = "Read only this partition (default: all).")
    Integer partition;

    @Option(names = "--offset", paramLabel = "O", description = "With --partition: start at this offset.")
    Long offset;

    @Option(names = "--max-messages", paramLabel = "N", description = "Exit after this many records.")
    Long maxMessages;

    @Option(
        names = "--timeout-ms",
        paramLabel = "MS",
        description = "Exit when no record arrives for this long (default: wait for ever).")
    Long timeoutMs;

    @Option(names = "--group", paramLabel = "GROUP", description = "Join this consumer group.")
    String group;

    @Option(
        names = "--group-instance-id",
        paramLabel = "ID",
        description = "With --group: a static member id; a restart within the session timeout keeps the partitions.")
    String groupInstanceId;

    @Option(
        names = "--assignor",
        paramLabel = "NAME",
        description = "With --group: sticky (default for a new group), range or roundrobin.")
    String assignor;

    @Option(
        names = "--session-timeout-ms",
        paramLabel = "MS",
        defaultValue = "10000",
        description = "With --group: removed from the group after this long without heartbeats (default: 10000).")
    int sessionTimeoutMs;

    @Option(
        names = "--commit",
        paramLabel = "auto|sync",
        defaultValue = "auto",
        description = "With --group: auto commits every 5 s and on exit; sync commits after every printed batch.")
    String commit;

    @Option(names = "--print-partition", description = "Print each record's partition.")
    boolean printPartition;

    @Option(names = "--print-offset", description = "Print each record's offset.")
    boolean printOffset;

    @Option(names = "--print-key", description = "Print each record's key.")
    boolean printKey;

    int execute()
    {
        validate();
        final Consumer.Config config = new Consumer.Config()
            .autoOffsetReset(fromBeginning ? Consumer.OffsetReset.EARLIEST : Consumer.OffsetReset.LATEST);
        if (null != group)
        {
            config.groupId(group).groupInstanceId(groupInstanceId).assignor(assignor)
                .sessionTimeoutMs(sessionTimeoutMs).enableAutoCommit(true);
        }
        final PrintWriter out = out();
        final RecordPrinter printer = new RecordPrinter(
            new RecordLineFormatter(printPartition, printOffset, printKey), out);
        // The flag is closed last: on a signal the JVM halts once it is, so everything is printed by then.
        try (ShutdownFlag shutdown = new ShutdownFlag())
        {
            try (Consumer consumer = Consumer.connect(connection.clientContext("aerolog-consume"), config))
            {
                assign(consumer);
                consume(consumer, printer, shutdown);
            }
            finally
            {
                out.flush();
            }
            err().println("processed a total of " + printer.count() + " records");
            err().flush();
        }
        return 0;
    }

    private void assign(final Consumer consumer)
    {
        if (null != group)
        {
            consumer.subscribe(List.of(topic));
        }
        else if (null == partition)
        {
            consumer.assignAll(topic);
        }
        else
        {
            final TopicPartition tp = new TopicPartition(topic, partition);
            consumer.assign(List.of(tp));
            if (null != offset)
            {
                consumer.seek(tp, offset);
            }
        }
    }

    private void validate()
    {
        if (null != group && (null != partition || null != offset))
        {
            throw new ParameterException(spec.commandLine(),
                "--group reads the partitions the group assigns: no --partition or --offset with it");
        }
        if (null == group && (null != groupInstanceId || null != assignor || !"auto".equals(commit)))
        {
            throw new ParameterException(spec.commandLine(),
                "--group-instance-id, --assignor and --commit need --group");
        }
        if (!"auto".equals(commit) && !"sync".equals(commit))
        {
            throw new ParameterException(spec.commandLine(), "--commit must be auto or sync: " + commit);
        }
        if (sessionTimeoutMs <= 0)
        {
            throw new ParameterException(spec.commandLine(), "--session-timeout-ms must be > 0: " + sessionTimeoutMs);
        }
        if (null != offset && null == partition)
        {
            throw new ParameterException(spec.commandLine(), "--offset needs --partition");
        }
        if (null != partition && partition < 0)
        {
            throw new ParameterException(spec.commandLine(), "--partition must be >= 0: " + partition);
        }
        if (null != offset && offset < 0)
        {
            throw new ParameterException(spec.commandLine(), "--offset must be >= 0: " + offset);
        }
        if (null != maxMessages && maxMessages < 1)
        {
            throw new ParameterException(spec.commandLine(), "--max-messages must be >= 1: " + maxMessages);
        }
        if (null != timeoutMs && timeoutMs < 0)
        {
            throw new ParameterException(spec.commandLine(), "--timeout-ms must be >= 0: " + timeoutMs);
        }
    }

    private void consume(final Consumer consumer, final RecordPrinter printer, final ShutdownFlag shutdown)
    {
        final IdleStrategy idleStrategy = new BackoffIdleStrategy(
            100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
        final long limit = null == maxMessages ? Long.MAX_VALUE : maxMessages;
        final long timeoutNs = null == timeoutMs ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final PrintWriter out = out();
        long lastRecordNs = System.nanoTime();
        boolean flushed = true;
        while (!shutdown.isStopRequested() && printer.count() < limit)
        {
            final long before = printer.count();
            final int work = consumer.poll(printer, (int)Math.min(MAX_RECORDS_PER_POLL, limit - before));
            final long nowNs = System.nanoTime();
            if (printer.count() > before)
            {
                lastRecordNs = nowNs;
                flushed = false;
                if ("sync".equals(commit))
                {
                    // Commit only what is printed: flush first, so a crash never commits an unprinted record.
                    out.flush();
                    flushed = true;
                    consumer.commitSync();
                }
            }
            else
            {
                if (!flushed)
                {
                    out.flush();
                    flushed = true;
                }
                if (nowNs - lastRecordNs >= timeoutNs)
                {
                    break;
                }
            }
            idleStrategy.idle(work);
        }
    }
}
