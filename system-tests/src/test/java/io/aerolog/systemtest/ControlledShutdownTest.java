package io.aerolog.systemtest;

import io.aerolog.client.Producer;
import io.aerolog.client.ProducerRecord;
import io.aerolog.client.RecordMetadata;
import io.aerolog.client.TopicInfo;
import io.aerolog.codecs.wire.Acks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A clean stop (SIGTERM) of a broker that leads a replicated partition moves the leadership away before its process
 * exits: its last words name each partition it led with the new leader and epoch, which the controller's metadata
 * shows the moment the process is gone, although the broker session timeout (far longer) has not passed, so no
 * timer fenced it; it left every in-sync set; and acks=all writes go on at once through the new leaders.
 */
class ControlledShutdownTest
{
    private static final String TOPIC = "moved";
    private static final int PARTITIONS = 3;
    private static final Duration IN_SYNC_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    File dir;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void shouldMoveEveryLeadershipAwayBeforeTheStoppedBrokerExits() throws Exception
    {
        final Properties settings = new Properties();
        // Longer than the whole check below: only the controlled shutdown can have moved the leaders.
        settings.setProperty("broker.session.timeout.ms", "60000");
        try (ReplicatedCluster cluster = ReplicatedCluster.start(dir, 3, settings))
        {
            cluster.createTopic(TOPIC, PARTITIONS, 3, 2);
            for (int p = 0; p < PARTITIONS; p++)
            {
                cluster.awaitFullyInSync(TOPIC, p, IN_SYNC_TIMEOUT);
            }
            final Producer.Config config = new Producer.Config().acks(Acks.ALL).idempotent(true)
                .deliveryTimeoutMs(30_000);
            // Connected before the stop, as a running application's producer is (it needs no controller after).
            try (Producer producer = Producer.connect(cluster.clientContext(), config))
            {
                produceToEveryPartition(cluster, producer, "before");
                final int stopped = cluster.leaderOf(TOPIC, 0);
                final TopicInfo before = cluster.describe(TOPIC);
                cluster.stop(stopped);
                assertThat(cluster.process(stopped).isAlive()).isFalse();
                checkMoved(stopped, before, cluster.describe(TOPIC), cluster.process(stopped).lines());
                produceToEveryPartition(cluster, producer, "after");
            }
        }
    }

    private static void checkMoved(
        final int stopped, final TopicInfo before, final TopicInfo after, final List<String> lines)
    {
        final String prefix = "aerolog broker " + stopped + ": controlled shutdown of broker " + stopped +
            " complete";
        final String report = lines.stream().filter((line) -> line.startsWith(prefix)).findFirst()
            .orElseThrow(() -> new AssertionError("no controlled shutdown report in " + lines));
        assertThat(report).doesNotContain("offline");
        for (int p = 0; p < PARTITIONS; p++)
        {
            final TopicInfo.PartitionInfo was = before.partitions().get(p);
            final TopicInfo.PartitionInfo now = after.partitions().get(p);
            assertThat(now.isr()).as("partition %d left the in-sync set: %s", p, now).doesNotContain(stopped);
            if (was.leader() == stopped)
            {
                assertThat(now.leader()).as("partition %d: %s", p, now).isNotIn(stopped, -1);
                assertThat(now.leaderEpoch()).isGreaterThan(was.leaderEpoch());
                // Seen by the stopping broker itself, before it closed anything.
                assertThat(report).contains(TOPIC + "-" + p + " led by " + now.leader() + " at epoch " +
                    now.leaderEpoch());
            }
            else
            {
                assertThat(now.leader()).as("partition %d kept its leader", p).isEqualTo(was.leader());
            }
        }
    }

    private static void produceToEveryPartition(
        final ReplicatedCluster cluster, final Producer producer, final String value) throws InterruptedException
    {
        final List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++)
        {
            sends.add(producer.send(new ProducerRecord(TOPIC, p, -1, null,
                (value + "-" + p).getBytes(StandardCharsets.UTF_8), List.of())));
        }
        for (int p = 0; p < PARTITIONS; p++)
        {
            try
            {
                assertThat(sends.get(p).get(30, TimeUnit.SECONDS).partition()).isEqualTo(p);
            }
            catch (final TimeoutException | ExecutionException ex)
            {
                throw new AssertionError("acks=all send " + value + " to partition " + p + " failed: " + ex +
                    "; " + cluster.describe(TOPIC), ex);
            }
        }
    }
}
