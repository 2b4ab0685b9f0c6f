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
            "value prints as null. Runs until --max-messages, --timeout-ms without a record, or Ctrl-C."
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
        if (null == partition)
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
