package io.aerolog.systemtest;

import io.aerolog.client.Admin;
import io.aerolog.client.AerologException;
import io.aerolog.client.Consumer;
import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.GroupInfo;
import io.aerolog.client.Producer;
import io.aerolog.client.TopicPartition;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.testsupport.ChildProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A controller cluster of three members, each a controller-only node in a JVM of its own, and a broker that is not
 * a member: the cluster leader is killed with {@code kill -9} while a rebalance is in progress, a new leader is
 * elected, and the group goes on with its members and committed offsets intact.
 */
class ControllerFailoverTest
{
    /** The secret every node of the test cluster shares. */
    static final String CLUSTER_SECRET = "controller-failover-test-secret";

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    File dir;

    private final List<ChildProcess> controllers = new ArrayList<>();
    private TestBroker broker;

    @AfterEach
    void close() throws InterruptedException
    {
        if (null != broker)
        {
            broker.close();
        }
        for (final ChildProcess controller : controllers)
        {
            controller.kill();
        }
    }

    @Test
    void shouldKeepMembersAndCommittedOffsetsWhenTheClusterLeaderIsKilledDuringARebalance() throws Exception
    {
        final int[] portBases = {Ports.nextPortBase(), Ports.nextPortBase(), Ports.nextPortBase()};
        final String members = "0@localhost:" + portBases[0] + ",1@localhost:" + portBases[1] + ",2@localhost:" +
            portBases[2];
        for (int id = 0; id < 3; id++)
        {
            final File nodeDir = new File(dir, "node" + id);
            assertThat(nodeDir.mkdirs()).isTrue();
            controllers.add(ControllerProcess.start(nodeDir, id, portBases[id], members));
        }
        final File brokerDir = new File(dir, "broker");
        assertThat(brokerDir.mkdirs()).isTrue();
        broker = TestBroker.launch(brokerDir, (ctx) -> ctx.brokerId(7).processRoles("broker").controllerMembers(members)
            .secret(CLUSTER_SECRET));

        final String topic = "failover";
        final String group = "g-failover";
        broker.createTopic(topic, 6);
        try (Admin admin = Admin.connect(broker.ipc());
            Producer producer = Producer.connect(broker.ipc(), new Producer.Config().acks(Acks.ALL));
            Consumer a = Consumer.connect(broker.ipc(), member(group));
            Consumer b = Consumer.connect(broker.ipc(), member(group)))
        {
            // A stable group first: records read during the first rebalance could be read twice (no commit on revoke).
            a.subscribe(List.of(topic));
            b.subscribe(List.of(topic));
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() ->
            {
                a.poll(Duration.ofMillis(5));
                b.poll(Duration.ofMillis(5));
                return 3 == a.assignment().size() && 3 == b.assignment().size();
            });
            for (int p = 0; p < 6; p++)
            {
                Records.produce(producer, topic, p, "before-", 100);
            }
            final List<ConsumerRecord> first = consumeAndCommit(List.of(a, b), 600);
            assertThat(keys(first)).hasSize(600);
            final Map<TopicPartition, Long> committedBefore = committed(admin, group);
            assertThat(committedBefore).hasSize(6).allSatisfy((tp, offset) -> assertThat(offset).isEqualTo(100L));

            // A third member joins (a rebalance starts) and the leader dies at once.
            try (Consumer c = Consumer.connect(broker.ipc(), member(group)))
            {
                c.subscribe(List.of(topic));
                final ChildProcess leader = leader();
                leader.kill();
                await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() ->
                    controllers.stream().anyMatch((n) -> n != leader && n.isAlive() &&
                        ControllerProcess.LEADER.equals(n.lastLine("ROLE "))));

                // The group goes on: three members share the partitions, nothing committed was lost.
                await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() ->
                {
                    for (final Consumer consumer : List.of(a, b, c))
                    {
                        consumer.poll(Duration.ofMillis(5));
                    }
                    return 2 == a.assignment().size() && 2 == b.assignment().size() && 2 == c.assignment().size();
                });
                final GroupInfo info = admin.describeGroup(group);
                assertThat(info.members()).hasSize(3);
                assertThat(committed(admin, group)).isEqualTo(committedBefore);

                for (int p = 0; p < 6; p++)
                {
                    Records.produce(producer, topic, p, "after-", 50);
                }
                final List<ConsumerRecord> after = consumeAndCommit(List.of(a, b, c), 300);
                assertThat(keys(after)).hasSize(300).allSatisfy((k) -> assertThat(k).endsWith("after"));
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(committed(admin, group))
                    .hasSize(6).allSatisfy((tp, offset) -> assertThat(offset).isEqualTo(150L)));
            }
        }
        broker.assertNoErrors();
    }

    private ChildProcess leader()
    {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() ->
            controllers.stream().anyMatch((n) -> ControllerProcess.LEADER.equals(n.lastLine("ROLE "))));
        return controllers.stream().filter((n) -> ControllerProcess.LEADER.equals(n.lastLine("ROLE ")))
            .findFirst().orElseThrow();
    }

    private static Consumer.Config member(final String group)
    {
        return new Consumer.Config().groupId(group).autoOffsetReset(Consumer.OffsetReset.EARLIEST)
            .enableAutoCommit(false).sessionTimeoutMs(30_000);
    }

    private static Map<TopicPartition, Long> committed(final Admin admin, final String group)
    {
        return admin.listGroupOffsets(group).entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, (e) -> e.getValue().offset()));
    }

    // Polls every consumer until `count` records arrived between them, committing after each poll.
    private static List<ConsumerRecord> consumeAndCommit(final List<Consumer> consumers, final int count)
    {
        final List<ConsumerRecord> records = new ArrayList<>();
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(1)).until(() ->
        {
            for (final Consumer consumer : consumers)
            {
                final List<ConsumerRecord> polled = consumer.poll(Duration.ofMillis(5));
                if (!polled.isEmpty())
                {
                    records.addAll(polled);
                    commitQuietly(consumer);
                }
            }
            return records.size() >= count;
        });
        return records;
    }

    // A commit racing a rebalance may name a partition that has just moved on: as with Kafka, the caller learns it
    // (PARTITION_NOT_OWNED) and the records are committed by their next owner or the next commit.
    private static void commitQuietly(final Consumer consumer)
    {
        try
        {
            consumer.commitSync();
        }
        catch (final AerologException ex)
        {
            assertThat(ex.code()).isIn(ErrorCode.PARTITION_NOT_OWNED, ErrorCode.STALE_MEMBER_EPOCH,
                ErrorCode.REQUEST_TIMED_OUT, ErrorCode.NOT_READY);
        }
    }

    private static Set<String> keys(final List<ConsumerRecord> records)
    {
        final Set<String> keys = new HashSet<>();
        for (final ConsumerRecord r : records)
        {
            final String value = Records.text(r.value());
            assertThat(keys.add(r.partition() + "@" + r.offset() + "-" + (value.startsWith("after") ? "after" :
                "before"))).as("duplicate %s-%d@%d", r.topic(), r.partition(), r.offset()).isTrue();
        }
        return keys;
    }
}
