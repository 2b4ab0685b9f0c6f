package io.aerolog.broker;

import io.aerolog.client.Admin;
import io.aerolog.client.ClientContext;
import io.aerolog.client.Consumer;
import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.Producer;
import io.aerolog.client.RecordMetadata;
import io.aerolog.client.TopicPartition;
import io.aerolog.codecs.wire.Acks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrokerSmokeTest
{
    @TempDir
    File dir;

    @Test
    void shouldRefuseASecondBrokerOnTheSameAeronDirectoryAndKeepServing()
    {
        final Broker.Context ctx = new Broker.Context().dataDir(new File(dir, "first")).portBase(31100)
            .aeronDirectoryName(dir.getAbsolutePath() + "/shared-aeron").logTermLength(64 * 1024)
            .segmentLength(256 * 1024);
        try (Broker broker = Broker.launch(ctx))
        {
            final Broker.Context second = new Broker.Context().dataDir(new File(dir, "second")).portBase(31200)
                .aeronDirectoryName(ctx.aeronDirectoryName());
            assertThatThrownBy(() -> Broker.launch(second))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already running");

            try (Admin admin = Admin.connect(broker.clientContext().requestTimeoutMs(5000)))
            {
                admin.createTopic("still-serving", 1);
                assertThat(admin.listTopics()).containsExactly("still-serving");
            }
        }
    }

    @Test
    void shouldProduceAndConsume() throws Exception
    {
        final Broker.Context ctx = new Broker.Context().dataDir(dir).portBase(31000)
            .aeronDirectoryName(dir.getAbsolutePath() + "/aeron").logTermLength(64 * 1024).segmentLength(256 * 1024);
        try (Broker broker = Broker.launch(ctx))
        {
            final ClientContext clientCtx = broker.clientContext().requestTimeoutMs(5000);
            try (Admin admin = Admin.connect(clientCtx))
            {
                admin.createTopic("t", 2);
                assertThat(admin.listTopics()).containsExactly("t");
            }
            try (Producer producer = Producer.connect(clientCtx, new Producer.Config().acks(Acks.LEADER)))
            {
                final RecordMetadata md = producer.send("t", "k".getBytes(), "v".getBytes()).get();
                System.out.println("sent " + md);
                for (int i = 0; i < 100; i++)
                {
                    producer.send(new io.aerolog.client.ProducerRecord("t", 0, -1, null,
                        ("value-" + i).getBytes(StandardCharsets.UTF_8), List.of()));
                }
                producer.flush();
            }
            try (Consumer consumer = Consumer.connect(clientCtx,
                new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
            {
                consumer.assign(List.of(new TopicPartition("t", 0), new TopicPartition("t", 1)));
                final List<ConsumerRecord> all = new ArrayList<>();
                final long deadline = System.currentTimeMillis() + 10_000;
                while (all.size() < 101 && System.currentTimeMillis() < deadline)
                {
                    all.addAll(consumer.poll(Duration.ofMillis(100)));
                }
                System.out.println("consumed " + all.size());
                assertThat(all).hasSize(101);
            }
        }
    }
}
