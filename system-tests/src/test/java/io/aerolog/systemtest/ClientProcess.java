package io.aerolog.systemtest;

import io.aerolog.client.ClientContext;
import io.aerolog.client.Consumer;
import io.aerolog.client.Producer;
import io.aerolog.client.ProducerRecord;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.testsupport.ChildProcess;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A producer or consumer in a JVM of its own, over IPC to a test broker, so a test can kill it mid-stream. Args:
 * {@code produce|consume}, the broker's Aeron directory, the topic. Prints {@link #BUSY} once records flow, then
 * goes on until killed.
 */
public final class ClientProcess
{
    /** Printed once the first record has been acknowledged (producer) or received (consumer). */
    static final String BUSY = "BUSY";

    private ClientProcess()
    {
    }

    static ChildProcess start(final File dir, final String mode, final String aeronDirectoryName, final String topic)
    {
        final ChildProcess child = ChildProcess.java(ClientProcess.class)
            .args(mode, aeronDirectoryName, topic)
            .outputFile(new File(dir, mode + "-" + System.nanoTime() + ".log"))
            .killOnClose()
            .start();
        try
        {
            child.awaitLine(BUSY, Duration.ofSeconds(30));
            return child;
        }
        catch (final RuntimeException | Error ex)
        {
            child.destroy();
            throw ex;
        }
    }

    /**
     * @param args mode, Aeron directory, topic.
     * @throws Exception if the broker fails us.
     */
    public static void main(final String[] args) throws Exception
    {
        final ClientContext ctx = new ClientContext().aeronDirectoryName(args[1]).clientName("doomed-" + args[0]);
        final String topic = args[2];
        if ("produce".equals(args[0]))
        {
            try (Producer producer = Producer.connect(ctx, new Producer.Config().acks(Acks.LEADER)))
            {
                for (long i = 0; ; i++)
                {
                    final byte[] value = ("doomed-" + i).getBytes(StandardCharsets.UTF_8);
                    producer.send(new ProducerRecord(topic, 0, -1, null, value, List.of())).get();
                    if (0 == i)
                    {
                        System.out.println(BUSY);
                    }
                }
            }
        }
        else
        {
            try (Consumer consumer = Consumer.connect(ctx,
                new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST).fragmentLimit(1)))
            {
                consumer.assignAll(topic);
                boolean busy = false;
                while (true)
                {
                    if (!consumer.poll(Duration.ofMillis(10)).isEmpty() && !busy)
                    {
                        busy = true;
                        System.out.println(BUSY);
                    }
                }
            }
        }
    }
}
