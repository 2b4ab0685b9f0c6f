package io.aerolog.cli;

import io.aerolog.client.Producer;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.perf.latency.AcksConverter;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * {@code aerolog produce}: sends each line of stdin as a record and exits once every record is acknowledged.
 */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Sends each line of stdin as a record.",
        "Lines are UTF-8. With --key-separator, the text before its first occurrence is the key; lines without it " +
            "have no key. Exits once every record is acknowledged (with --acks 0, once sent)."
    })
final class ProduceCommand extends CliCommand
{
    private static final int MAX_SENDS_PER_POLL = 1024;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic to send to.")
    String topic;

    @Option(names = "--key-separator", paramLabel = "SEP", description = "Separates key from value in each line.")
    String keySeparator;

    @Option(
        names = "--acks",
        paramLabel = "0|1|all",
        defaultValue = "all",
        converter = AcksConverter.class,
        description = "Acknowledgement to wait for: 0 none, 1 leader, all (default).")
    Acks acks;

    @Option(
        names = "--partition",
        paramLabel = "P",
        defaultValue = "-1",
        description = "Partition to send to (default: by key, or sticky for keyless records).")
    int partition;

    @Option(
        names = "--linger-ms",
        paramLabel = "MS",
        defaultValue = "0",
        description = "How long a batch may wait for more records (default: ${DEFAULT-VALUE}).")
    long lingerMs;

    int execute()
    {
        if (null != keySeparator && keySeparator.isEmpty())
        {
            throw new ParameterException(spec.commandLine(), "--key-separator must not be empty");
        }
        if (partition < -1)
        {
            throw new ParameterException(spec.commandLine(), "--partition must be >= 0: " + partition);
        }
        if (lingerMs < 0)
        {
            throw new ParameterException(spec.commandLine(), "--linger-ms must be >= 0: " + lingerMs);
        }

        final SendTracker tracker = new SendTracker();
        // The flag is closed last: on a signal the JVM halts once it is, so everything is reported by then.
        try (ShutdownFlag shutdown = new ShutdownFlag())
        {
            final long sent;
            try (Producer producer = Producer.connect(
                connection.clientContext("aerolog-produce"), new Producer.Config().acks(acks).lingerMs(lingerMs)))
            {
                final int partitionCount = producer.partitionCount(topic);
                if (partition >= partitionCount)
                {
                    throw new IllegalArgumentException(
                        "topic " + topic + " has " + partitionCount + " partitions, no partition " + partition);
                }
                sent = sendLines(producer, StdinLines.start(System.in), tracker, shutdown);
                producer.flush();
            }

            if (tracker.failed() > 0)
            {
                return error(tracker.failed() + " of " + sent + " records failed, the first with: " +
                    tracker.firstError().getMessage());
            }
        }
        return 0;
    }

    private long sendLines(
        final Producer producer, final StdinLines lines, final SendTracker tracker, final ShutdownFlag shutdown)
    {
        final IdleStrategy idleStrategy = new BackoffIdleStrategy(
            100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
        final UnsafeBuffer keyBuffer = new UnsafeBuffer(new byte[0]);
        final UnsafeBuffer valueBuffer = new UnsafeBuffer(new byte[0]);
        long sent = 0;
        while (!shutdown.isStopRequested())
        {
            int sends = 0;
            String line;
            while (sends < MAX_SENDS_PER_POLL && null != (line = lines.poll()))
            {
                final KeyValueLine kv = KeyValueLine.parse(line, keySeparator);
                final byte[] value = kv.value().getBytes(StandardCharsets.UTF_8);
                valueBuffer.wrap(value);
                if (null == kv.key())
                {
                    producer.send(topic, partition, null, 0, 0, valueBuffer, 0, value.length, -1, tracker);
                }
                else
                {
                    final byte[] key = kv.key().getBytes(StandardCharsets.UTF_8);
                    keyBuffer.wrap(key);
                    producer.send(topic, partition, keyBuffer, 0, key.length, valueBuffer, 0, value.length, -1,
                        tracker);
                }
                sent++;
                sends++;
            }
            if (0 == sends)
            {
                if (lines.isFinished())
                {
                    break;
                }
                idleStrategy.idle(producer.poll());
            }
            else
            {
                idleStrategy.reset();
            }
        }
        return sent;
    }
}
