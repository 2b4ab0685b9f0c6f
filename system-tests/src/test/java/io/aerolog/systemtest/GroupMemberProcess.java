package io.aerolog.systemtest;

import io.aerolog.client.ClientContext;
import io.aerolog.client.Consumer;
import io.aerolog.client.ConsumerRebalanceListener;
import io.aerolog.client.OffsetAndMetadata;
import io.aerolog.client.TopicPartition;
import io.aerolog.testsupport.ChildProcess;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.File;
import java.io.PrintStream;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A consumer-group member in a JVM of its own, so a test can kill it mid-batch. It processes a record by printing
 * {@code R <partition> <offset>}, and commits by hand after processing (after every poll and when partitions are
 * revoked), printing {@code C <partition> <offset>} once a commit succeeded. A record is "confirmed" by a member
 * when the member printed it and later a commit past it: the test checks that every record is confirmed exactly
 * once across the group. It leaves the group (committing) and exits when its stop file appears. Args: Aeron
 * directory, topic, group, session timeout ms, stop file.
 */
public final class GroupMemberProcess
{
    /** Printed once the member owns at least one partition. */
    static final String ASSIGNED = "ASSIGNED";

    private GroupMemberProcess()
    {
    }

    static ChildProcess start(
        final File dir, final String name, final String aeronDirectoryName, final String topic, final String group,
        final int sessionTimeoutMs)
    {
        return ChildProcess.java(GroupMemberProcess.class)
            .args(aeronDirectoryName, topic, group, Integer.toString(sessionTimeoutMs), stopFile(dir, name).getPath())
            .outputFile(new File(dir, name + "-" + System.nanoTime() + ".log"))
            .killOnClose()
            .start();
    }

    /** @return the file whose creation asks the member called {@code name} to leave and exit. */
    static File stopFile(final File dir, final String name)
    {
        return new File(dir, name + ".stop");
    }

    /**
     * @param args Aeron directory, topic, group, session timeout ms, stop file.
     */
    public static void main(final String[] args)
    {
        final PrintStream out = System.out;
        final ClientContext ctx = new ClientContext().aeronDirectoryName(args[0]).clientName("member")
            .requestTimeoutMs(10_000);
        final Consumer.Config config = new Consumer.Config()
            .groupId(args[2])
            .autoOffsetReset(Consumer.OffsetReset.EARLIEST)
            .enableAutoCommit(false)
            .sessionTimeoutMs(Integer.parseInt(args[3]))
            .fragmentLimit(4);
        final Map<TopicPartition, Long> processed = new HashMap<>();
        try (Consumer consumer = Consumer.connect(ctx, config))
        {
            consumer.subscribe(List.of(args[1]), new ConsumerRebalanceListener()
            {
                public void onPartitionsRevoked(final Collection<TopicPartition> partitions)
                {
                    commit(consumer, processed, partitions, out);
                    partitions.forEach(processed::remove);
                }

                public void onPartitionsAssigned(final Collection<TopicPartition> partitions)
                {
                    out.println(ASSIGNED + " " + partitions);
                    out.flush();
                }

                public void onPartitionsLost(final Collection<TopicPartition> partitions)
                {
                    partitions.forEach(processed::remove);
                }
            });
            final File stopFile = new File(args[4]);
            final IdleStrategy idle = new BackoffIdleStrategy(
                10, 10, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1));
            long polls = 0;
            while (0 != (++polls & 127) || !stopFile.exists())
            {
                final int[] count = {0};
                consumer.poll((r) ->
                {
                    out.println("R " + r.partition() + " " + r.offset());
                    processed.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                    count[0]++;
                }, 50);
                if (count[0] > 0)
                {
                    out.flush(); // processed (printed) before committed
                    commit(consumer, processed, processed.keySet(), out);
                }
                idle.idle(count[0]);
            }
            out.println("LEAVING");
        }
        out.println("LEFT");
        out.flush();
    }

    private static void commit(
        final Consumer consumer,
        final Map<TopicPartition, Long> processed,
        final Collection<TopicPartition> partitions,
        final PrintStream out)
    {
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (final TopicPartition tp : partitions)
        {
            final Long next = processed.get(tp);
            if (null != next)
            {
                offsets.put(tp, new OffsetAndMetadata(next));
            }
        }
        if (offsets.isEmpty())
        {
            return;
        }
        consumer.commitSync(offsets);
        offsets.forEach((tp, offset) -> out.println("C " + tp.partition() + " " + offset.offset()));
        out.flush();
    }
}
