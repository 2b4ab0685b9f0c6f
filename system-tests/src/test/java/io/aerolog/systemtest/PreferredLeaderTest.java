package io.aerolog.systemtest;

import io.aerolog.client.Admin;
import io.aerolog.client.AerologException;
import io.aerolog.client.Consumer;
import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.Producer;
import io.aerolog.client.TopicInfo;
import io.aerolog.client.TopicPartition;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.codecs.wire.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Preferred leaders on three broker processes: after the preferred leader of a partition (its first replica) is
 * killed, comes back and is in sync again, leadership stays with its successor until a preferred election
 * ({@code ElectLeaders}, {@link Admin#electPreferredLeader}) moves it back, or until automatic leader balancing
 * ({@code leader.imbalance.check.interval.ms}) does so on its own; records go on being produced and consumed.
 */
class PreferredLeaderTest
{
    private static final String TOPIC = "preferred";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int RECORDS = 20;

    @TempDir
    File dir;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void shouldMoveLeadershipBackToTheInSyncPreferredLeaderOnAPreferredElection() throws Exception
    {
        final Properties settings = new Properties();
        settings.setProperty("auto.leader.rebalance.enable", "false");
        try (ReplicatedCluster cluster = ReplicatedCluster.start(dir, 3, settings))
        {
            final int preferred = replaceThePreferredLeader(cluster);
            final TopicInfo.PartitionInfo before = cluster.describe(TOPIC).partitions().get(0);
            assertThat(before.leader()).as("balancing is off: the successor keeps leading").isNotEqualTo(preferred);

            try (Admin admin = Admin.connect(cluster.clientContext()))
            {
                assertThatThrownBy(() -> admin.electPreferredLeaders("missing"))
                    .isInstanceOfSatisfying(AerologException.class, (ex) ->
                        assertThat(ex.code()).isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
                assertThatThrownBy(() -> admin.electPreferredLeader(TOPIC, 1))
                    .isInstanceOfSatisfying(AerologException.class, (ex) ->
                        assertThat(ex.code()).isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
                assertThat(admin.electPreferredLeader(TOPIC, 0)).isEqualTo(1);
                assertThat(admin.electPreferredLeaders(TOPIC)).as("nothing left to move").isZero();
                assertThat(admin.electPreferredLeaders(null)).isZero();
            }
            awaitLeader(cluster, preferred);
            assertThat(cluster.describe(TOPIC).partitions().get(0).leaderEpoch()).isGreaterThan(before.leaderEpoch());
            produceAndConsumeEverything(cluster);
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void shouldMoveLeadershipBackToTheInSyncPreferredLeaderOnItsOwn() throws Exception
    {
        final Properties settings = new Properties();
        settings.setProperty("leader.imbalance.check.interval.ms", "1000");
        try (ReplicatedCluster cluster = ReplicatedCluster.start(dir, 3, settings))
        {
            final int preferred = replaceThePreferredLeader(cluster);
            awaitLeader(cluster, preferred);
            produceAndConsumeEverything(cluster);
        }
    }

    /**
     * Creates the topic (one partition on all three), produces the first records, kills its preferred leader, waits
     * for a successor, restarts the preferred leader and waits until it is in sync again.
     *
     * @return the preferred leader's broker id.
     */
    private static int replaceThePreferredLeader(final ReplicatedCluster cluster) throws InterruptedException
    {
        cluster.createTopic(TOPIC, 1, 3, 2);
        final TopicInfo.PartitionInfo created = cluster.describe(TOPIC).partitions().get(0);
        final int preferred = created.replicas().get(0);
        assertThat(created.leader()).isEqualTo(preferred);
        produce(cluster, "before-");

        cluster.kill9(preferred);
        cluster.awaitNewLeader(TOPIC, 0, preferred, TIMEOUT);
        cluster.restart(preferred);
        cluster.awaitFullyInSync(TOPIC, 0, TIMEOUT);
        return preferred;
    }

    private static void awaitLeader(final ReplicatedCluster cluster, final int leader)
    {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
            .until(() -> cluster.leaderOf(TOPIC, 0) == leader);
    }

    private static void produce(final ReplicatedCluster cluster, final String prefix)
    {
        try (Producer producer = Producer.connect(cluster.clientContext(),
            new Producer.Config().acks(Acks.ALL).deliveryTimeoutMs(TIMEOUT.toMillis())))
        {
            Records.produce(producer, TOPIC, 0, prefix, RECORDS);
        }
    }

    // Through the leader that is back: every record of both rounds, once each, in order, at dense offsets.
    private static void produceAndConsumeEverything(final ReplicatedCluster cluster)
    {
        produce(cluster, "after-");
        try (Consumer consumer = Consumer.connect(cluster.clientContext(), new Consumer.Config()))
        {
            final List<TopicPartition> partition = List.of(new TopicPartition(TOPIC, 0));
            consumer.assign(partition);
            consumer.seekToBeginning(partition);
            final List<ConsumerRecord> records = Records.consumeExactly(consumer, 2 * RECORDS);
            Records.assertDense(records, 0);
            final List<String> expected = new ArrayList<>();
            for (final String prefix : List.of("before-", "after-"))
            {
                for (int i = 0; i < RECORDS; i++)
                {
                    expected.add(prefix + i);
                }
            }
            assertThat(records.stream().map((r) -> Records.text(r.value())).toList()).isEqualTo(expected);
        }
    }
}
