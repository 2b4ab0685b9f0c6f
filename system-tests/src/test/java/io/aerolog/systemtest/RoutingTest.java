package io.aerolog.systemtest;

import io.aerolog.client.Admin;
import io.aerolog.client.AerologException;
import io.aerolog.client.BrokerInfo;
import io.aerolog.client.ClientContext;
import io.aerolog.client.Consumer;
import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.Producer;
import io.aerolog.client.RecordMetadata;
import io.aerolog.client.TopicInfo;
import io.aerolog.client.TopicPartition;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.FetchStartEncoder;
import io.aerolog.codecs.wire.FetchStartResponseDecoder;
import io.aerolog.codecs.wire.ListOffsetsEncoder;
import io.aerolog.codecs.wire.ListOffsetsResponseDecoder;
import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import io.aerolog.codecs.wire.OffsetSpec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Three brokers, one of them the controller: clients bootstrapped from one broker find the others and each
 * partition's leader, produce to and consume from every partition of a topic spread over the three, and follow a
 * leader that moves.
 */
@Timeout(180)
class RoutingTest
{
    private static final String SECRET = "routing-test-secret";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    File dir;

    private final List<TestBroker> brokers = new ArrayList<>();

    @BeforeEach
    void startCluster()
    {
        final int[] portBases = {Ports.nextPortBase(), Ports.nextPortBase(), Ports.nextPortBase()};
        final String members = "0@localhost:" + portBases[0];
        for (int id = 0; id < 3; id++)
        {
            final int brokerId = id;
            final File nodeDir = new File(dir, "broker" + id);
            assertThat(nodeDir.mkdirs()).isTrue();
            brokers.add(TestBroker.launch(nodeDir, portBases[id], (ctx) -> ctx.brokerId(brokerId)
                .processRoles(0 == brokerId ? "broker,controller" : "broker").controllerMembers(members)
                .secret(SECRET).brokerSessionTimeoutMs(3_000)));
        }
        try (Admin admin = Admin.connect(brokers.get(0).ipc()))
        {
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() ->
                admin.listBrokers().stream().filter(BrokerInfo::alive).count() == 3);
        }
    }

    @AfterEach
    void stopCluster()
    {
        for (int i = brokers.size() - 1; i >= 0; i--)
        {
            brokers.get(i).close();
        }
    }

    @Test
    void shouldDescribeLeadersReplicasAndBrokersAndRefuseAFactorAboveTheLiveBrokers()
    {
        try (Admin admin = Admin.connect(brokers.get(1).udp()))
        {
            admin.createTopic("spread", 6, 1, 1);
            admin.createTopic("replicated", 3, 3, 2);
            assertThatThrownBy(() -> admin.createTopic("too-many", 1, 4, 1))
                .isInstanceOf(AerologException.class)
                .satisfies((ex) -> assertThat(((AerologException)ex).code())
                    .isEqualTo(ErrorCode.INVALID_REPLICATION_FACTOR));

            final List<BrokerInfo> listed = admin.listBrokers();
            assertThat(listed).extracting(BrokerInfo::brokerId).containsExactly(0, 1, 2);
            for (final BrokerInfo broker : listed)
            {
                assertThat(broker.alive()).isTrue();
                assertThat(broker.port()).isEqualTo(brokers.get(broker.brokerId()).portBase());
            }
            // 6 partitions of RF 1 and 3 of RF 3, led round the brokers.
            assertThat(listed.stream().mapToInt(BrokerInfo::partitionsLed).sum()).isEqualTo(9);

            final TopicInfo spread = admin.describeTopic("spread");
            final Set<Integer> leaders = new HashSet<>();
            for (final TopicInfo.PartitionInfo p : spread.partitions())
            {
                leaders.add(p.leader());
                assertThat(p.replicas()).containsExactly(p.leader());
                assertThat(p.isr()).containsExactly(p.leader());
                assertThat(p.leaderEpoch()).isGreaterThanOrEqualTo(0);
                assertThat(p.logEndOffset()).as("the leader's own offsets").isEqualTo(0);
            }
            assertThat(leaders).containsExactlyInAnyOrder(0, 1, 2);

            final TopicInfo replicated = admin.describeTopic("replicated");
            for (final TopicInfo.PartitionInfo p : replicated.partitions())
            {
                assertThat(p.replicas()).hasSize(3).containsExactlyInAnyOrder(0, 1, 2);
                assertThat(p.replicas().get(0)).as("preferred leader first").isEqualTo(p.leader());
                assertThat(p.isr()).containsExactlyInAnyOrder(0, 1, 2);
            }
        }
    }

    @Test
    void shouldProduceToAndConsumeFromEveryLeaderBootstrappedFromOneBroker()
    {
        final String topic = "routed";
        final int partitions = 6;
        final int perPartition = 50;
        try (Admin admin = Admin.connect(brokers.get(0).ipc()))
        {
            admin.createTopic(topic, partitions, 1, 1);
        }
        // UDP from a client-side driver to broker 2 only; and IPC to broker 0 with UDP to the others.
        for (final ClientContext ctx : List.of(brokers.get(2).udp(), brokers.get(0).ipc()))
        {
            final String prefix = null == ctx.bootstrap() ? "ipc-" : "udp-";
            try (Producer producer = Producer.connect(ctx, new Producer.Config().acks(Acks.ALL)))
            {
                for (int p = 0; p < partitions; p++)
                {
                    final List<RecordMetadata> sent = Records.produce(producer, topic, p, prefix, perPartition);
                    final long first = sent.get(0).offset();
                    for (int i = 0; i < perPartition; i++)
                    {
                        assertThat(sent.get(i).offset()).as("dense offsets on partition %d", p).isEqualTo(first + i);
                    }
                }
            }
        }
        try (Consumer consumer = Consumer.connect(brokers.get(1).udp(), new Consumer.Config()))
        {
            final List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < partitions; p++)
            {
                all.add(new TopicPartition(topic, p));
            }
            consumer.assign(all);
            consumer.seekToBeginning(all);
            final List<ConsumerRecord> records = Records.consumeExactly(consumer, 2 * partitions * perPartition);
            Records.assertDense(records, 0);
            for (int p = 0; p < partitions; p++)
            {
                final int partition = p;
                final List<String> values = records.stream().filter((r) -> r.partition() == partition)
                    .map((r) -> Records.text(r.value())).toList();
                final List<String> expected = new ArrayList<>();
                for (final String prefix : List.of("udp-", "ipc-"))
                {
                    for (int i = 0; i < perPartition; i++)
                    {
                        expected.add(prefix + i);
                    }
                }
                assertThat(values).as("partition %d in order", p).isEqualTo(expected);
            }
        }
        try (Admin admin = Admin.connect(brokers.get(1).udp()))
        {
            for (final TopicInfo.PartitionInfo p : admin.describeTopic(topic).partitions())
            {
                assertThat(p.logEndOffset()).as("partition %d on its leader", p.partition())
                    .isEqualTo(2L * perPartition);
                assertThat(p.highWatermark()).isEqualTo(2L * perPartition);
            }
        }
        for (final TestBroker broker : brokers)
        {
            broker.assertNoErrors();
        }
    }

    @Test
    void shouldRefuseFetchAndListOffsetsForAPartitionLedElsewhere()
    {
        final String topic = "refused";
        try (Admin admin = Admin.connect(brokers.get(0).ipc()))
        {
            admin.createTopic(topic, 3, 1, 1);
        }
        try (Admin admin = Admin.connect(brokers.get(0).ipc());
            RawClient raw = RawClient.ipc(brokers.get(0).broker().context().aeronDirectoryName()))
        {
            final long sessionId = raw.connect();
            final TopicInfo info = admin.describeTopic(topic);
            final TopicInfo.PartitionInfo elsewhere = info.partitions().stream()
                .filter((p) -> p.leader() != 0).findFirst().orElseThrow();
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
            final MessageHeaderEncoder header = new MessageHeaderEncoder();

            final long listId = raw.nextCorrelationId();
            final ListOffsetsEncoder list = new ListOffsetsEncoder().wrapAndApplyHeader(buffer, 0, header)
                .correlationId(listId).clientSessionId(sessionId).topicId(info.topicId())
                .partition(elsewhere.partition()).spec(OffsetSpec.LATEST).timestamp(0);
            raw.sendControl(copy(buffer, MessageHeaderEncoder.ENCODED_LENGTH + list.encodedLength()));
            final ListOffsetsResponseDecoder listed = new ListOffsetsResponseDecoder().wrapAndApplyHeader(
                raw.await(ListOffsetsResponseDecoder.TEMPLATE_ID, listId), 0, new MessageHeaderDecoder());
            assertThat(listed.code()).isEqualTo(ErrorCode.NOT_LEADER_OR_FOLLOWER);
            assertThat(listed.message()).contains("leader=" + elsewhere.leader());

            final long fetchId = raw.nextCorrelationId();
            final FetchStartEncoder fetch = new FetchStartEncoder().wrapAndApplyHeader(buffer, 0, header)
                .correlationId(fetchId).clientSessionId(sessionId).topicId(info.topicId())
                .partition(elsewhere.partition()).fetchOffset(0);
            raw.sendControl(copy(buffer, MessageHeaderEncoder.ENCODED_LENGTH + fetch.encodedLength()));
            final FetchStartResponseDecoder started = new FetchStartResponseDecoder().wrapAndApplyHeader(
                raw.await(FetchStartResponseDecoder.TEMPLATE_ID, fetchId), 0, new MessageHeaderDecoder());
            assertThat(started.code()).isEqualTo(ErrorCode.NOT_LEADER_OR_FOLLOWER);
        }
    }

    private static byte[] copy(final UnsafeBuffer buffer, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    @Test
    void shouldConsumeOnFromTheNewLeaderWhenTheLeaderStopsCleanly()
    {
        final String topic = "moving-read";
        try (Admin admin = Admin.connect(brokers.get(0).ipc()))
        {
            admin.createTopic(topic, 3, 3, 2);
        }
        try (Admin admin = Admin.connect(brokers.get(0).ipc());
            Producer producer = Producer.connect(brokers.get(0).ipc(), new Producer.Config().acks(Acks.ALL));
            Consumer consumer = Consumer.connect(brokers.get(0).ipc(), new Consumer.Config()))
        {
            final TopicInfo.PartitionInfo moving = admin.describeTopic(topic).partitions().stream()
                .filter((p) -> p.leader() != 0).findFirst().orElseThrow();
            final int oldLeader = moving.leader();
            final TopicPartition tp = new TopicPartition(topic, moving.partition());
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            Records.produce(producer, topic, moving.partition(), "before-", 20);
            Records.assertDense(Records.consume(consumer, 20), 0);

            brokers.get(oldLeader).stop();
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() ->
            {
                final int leader = admin.describeTopic(topic).partitions().get(moving.partition()).leader();
                return leader != oldLeader && leader >= 0;
            });
            assertThat(Records.produce(producer, topic, moving.partition(), "after-", 20).get(0).offset())
                .as("offsets go on at the new leader").isEqualTo(20);
            // The stream from the stopped broker ended: the consumer finds the new leader, goes on from offset 20.
            final List<ConsumerRecord> after = Records.consumeExactly(consumer, 20);
            assertThat(after.get(0).offset()).isEqualTo(20);
            Records.assertDense(after, 20);
            assertThat(after).extracting((r) -> Records.text(r.value())).first().isEqualTo("after-0");
        }
    }

    @Test
    void shouldFollowALeaderThatMovesWhenItsBrokerStopsCleanly()
    {
        final String topic = "moving";
        try (Admin admin = Admin.connect(brokers.get(0).ipc()))
        {
            admin.createTopic(topic, 3, 3, 1);
        }
        try (Admin admin = Admin.connect(brokers.get(0).ipc());
            Producer producer = Producer.connect(brokers.get(0).ipc(), new Producer.Config().acks(Acks.LEADER)))
        {
            // A partition led by a broker that is not the controller, which can stop.
            final TopicInfo.PartitionInfo moving = admin.describeTopic(topic).partitions().stream()
                .filter((p) -> p.leader() != 0).findFirst().orElseThrow();
            final int oldLeader = moving.leader();
            assertThat(Records.produce(producer, topic, moving.partition(), "before-", 20)).hasSize(20);

            brokers.get(oldLeader).stop();
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() ->
            {
                final int leader = admin.describeTopic(topic).partitions().get(moving.partition()).leader();
                return leader != oldLeader && leader >= 0;
            });

            // The producer meets the lost broker, asks for the new leader and sends there.
            final List<RecordMetadata> after = Records.produce(producer, topic, moving.partition(), "after-", 20);
            assertThat(after).hasSize(20);
            for (int i = 1; i < after.size(); i++)
            {
                assertThat(after.get(i).offset()).isEqualTo(after.get(0).offset() + i);
            }
        }
    }
}
