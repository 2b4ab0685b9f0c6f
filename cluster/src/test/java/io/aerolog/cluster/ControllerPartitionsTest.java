package io.aerolog.cluster;

import io.aerolog.cluster.replication.PartitionReplicas;
import io.aerolog.codecs.cluster.AlterPartitionCommandEncoder;
import io.aerolog.codecs.cluster.MessageHeaderEncoder;
import io.aerolog.codecs.cluster.TopicEventType;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.sequencer.PartitionElection;
import io.aeron.Aeron;
import org.agrona.CloseHelper;
import org.agrona.ExpandableArrayBuffer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Partition replication state in a real single-member controller cluster: placement over the registered brokers,
 * elections when a broker stops cleanly or misses its heartbeats, AlterPartition, and all of it across log replay
 * and snapshots.
 */
class ControllerPartitionsTest
{
    private static final long TIMEOUT_MS = 15_000;
    private static final long SESSION_TIMEOUT_MS = 2_000;
    private static final long HEARTBEAT_INTERVAL_MS = 250;
    private static final String EGRESS_CHANNEL = "aeron:udp?endpoint=localhost:0";
    private static final int NONE = ErrorCode.NONE.value();

    @TempDir
    Path tempDir;

    private int portBase;
    private ControllerNode node;
    private Aeron aeron;
    private ControllerClient client;
    private final Listener listener = new Listener();
    private long nextCorrelationId = 100;

    @BeforeEach
    void setUp()
    {
        portBase = 20_000 + 10 * ThreadLocalRandom.current().nextInt(1000);
    }

    @AfterEach
    void tearDown()
    {
        CloseHelper.closeAll(client, aeron, node);
    }

    @Test
    void shouldPlaceElectAndAlterPartitionsAndKeepThemAcrossReplayAndSnapshot() throws InterruptedException
    {
        launchAndConnect();
        for (int brokerId = 1; brokerId <= 3; brokerId++)
        {
            final int id = brokerId;
            final Result registered = awaitResult(send((c) -> client.registerBroker(c, id, "host", 9000 + 10 * id)));
            assertThat(registered.value).isEqualTo(brokerId);
        }

        // Refused: more replicas than live brokers, a min ISR above the factor.
        final Result tooMany = awaitResult(send((c) -> client.createTopic(c, "t", 3, -1, -1, 0, 4, 2)));
        assertThat(tooMany.code).isEqualTo(ErrorCode.INVALID_REPLICATION_FACTOR.value());
        assertThat(tooMany.message).contains("3 live brokers");
        assertThat(awaitResult(send((c) -> client.createTopic(c, "t", 3, -1, -1, 0, 3, 4))).code)
            .isEqualTo(ErrorCode.INVALID_CONFIG.value());

        final Result created = awaitResult(send((c) -> client.createTopic(c, "t", 3, -1, -1, 0, 3, 2)));
        assertThat(created.code).as(created.message).isEqualTo(NONE);
        final int topicId = created.topicId;
        awaitUntil(() -> listener.changes.size() == 3);
        assertThat(listener.latest(topicId, 0).replicas()).containsExactly(2, 3, 1);
        assertThat(listener.latest(topicId, 1).replicas()).containsExactly(3, 1, 2);
        assertThat(listener.latest(topicId, 2).replicas()).containsExactly(1, 2, 3);
        assertThat(metadata()).hasSize(3);
        heartbeatFor(HEARTBEAT_INTERVAL_MS, 1, 1, 2, 2, 3, 3);

        // Broker 2 stops cleanly: partition 0 it led goes to 3 with a new leader epoch; it leaves every ISR.
        assertThat(awaitResult(send((c) -> client.controlledShutdown(c, 2, 2))).code).isEqualTo(NONE);
        awaitUntil(() -> listener.latest(topicId, 0).leader() == 3);
        PartitionElection.State p0 = listener.latest(topicId, 0);
        assertThat(p0.leaderEpoch()).isEqualTo(1);
        assertThat(p0.isr()).containsExactly(3, 1);
        assertThat(listener.latest(topicId, 1).isr()).containsExactly(3, 1);
        assertThat(listener.latest(topicId, 1).leaderEpoch()).isZero();

        // Broker 1 goes silent: fenced by the timer, partition 2 it led goes to 3, the ISRs shrink to {3}.
        awaitUntilFencedWhileHeartbeating(1, 3, 3);
        awaitUntil(() -> listener.latest(topicId, 2).leader() == 3);
        final PartitionElection.State p2 = listener.latest(topicId, 2);
        assertThat(p2.leaderEpoch()).isEqualTo(1);
        assertThat(p2.isr()).containsExactly(3);
        assertThat(p2.elr()).as("a crash is no clean stop").isEmpty();
        assertThat(listener.latest(topicId, 0).isr()).containsExactly(3);

        // Broker 2 registers again (epoch 4); the leader of partition 2 adds it back to the ISR.
        assertThat(awaitResult(send((c) -> client.registerBroker(c, 2, "host", 9020))).value).isEqualTo(4);
        final int changesBefore = listener.changes.size();
        final Result altered = awaitResult(send((c) -> client.alterPartition(c, 3, 3, topicId, 2,
            p2.leaderEpoch(), p2.partitionEpoch(), new int[]{ 3, 2 }, new long[]{ 3, 4 })));
        assertThat(altered.code).as(altered.message).isEqualTo(NONE);
        assertThat(altered.value).isEqualTo(p2.partitionEpoch() + 1);
        awaitUntil(() -> listener.changes.size() == changesBefore + 1);
        assertThat(listener.latest(topicId, 2).isr()).containsExactly(3, 2);

        // Refused: the same proposal again (stale partition epoch), a deposed leader, a stale broker epoch, a
        // fenced replica added, an unknown partition.
        final Result stale = awaitResult(send((c) -> client.alterPartition(c, 3, 3, topicId, 2,
            p2.leaderEpoch(), p2.partitionEpoch(), new int[]{ 3, 2 }, new long[]{ 3, 4 })));
        assertThat(stale.code).isEqualTo(ErrorCode.FENCED_LEADER_EPOCH.value());
        assertThat(stale.message).contains("partition epoch");
        assertThat(awaitResult(send((c) -> client.alterPartition(c, 1, 1, topicId, 2, 0, 0,
            new int[]{ 1 }, new long[]{ 1 }))).code).isEqualTo(ErrorCode.STALE_BROKER_EPOCH.value());
        assertThat(awaitResult(send((c) -> client.alterPartition(c, 2, 4, topicId, 2, 1, 3,
            new int[]{ 2 }, new long[]{ 4 }))).code).isEqualTo(ErrorCode.NOT_LEADER_OR_FOLLOWER.value());
        final PartitionElection.State p1 = listener.latest(topicId, 1);
        assertThat(awaitResult(send((c) -> client.alterPartition(c, 3, 3, topicId, 1, p1.leaderEpoch(),
            p1.partitionEpoch(), new int[]{ 3, 1 }, new long[]{ 3, 1 }))).code)
            .isEqualTo(ErrorCode.INELIGIBLE_REPLICA.value());
        assertThat(awaitResult(send((c) -> client.alterPartition(c, 3, 3, topicId, 9, 0, 0,
            new int[]{ 3 }, new long[]{ 3 }))).code).isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.value());
        assertThat(node.service().refusedPartitionAlters()).isEqualTo(5);
        assertThat(listener.changes).hasSize(changesBefore + 1);

        // Broker 3 restarts within its session (epoch 5): its old incarnation leaves the ISR of partition 2, which
        // the other in-sync replica, 2, now leads; partition 0, in sync on 3 alone, is led by the new incarnation.
        assertThat(awaitResult(send((c) -> client.registerBroker(c, 3, "host", 9030))).value).isEqualTo(5);
        awaitUntil(() -> listener.latest(topicId, 2).leader() == 2);
        assertThat(listener.latest(topicId, 2).isr()).containsExactly(2);
        assertThat(listener.latest(topicId, 2).leaderEpoch()).isEqualTo(2);
        awaitUntil(() -> listener.latest(topicId, 0).leaderEpoch() == 3);
        assertThat(listener.latest(topicId, 0).leader()).isEqualTo(3);
        assertThat(listener.latest(topicId, 0).isr()).containsExactly(3);
        heartbeatFor(HEARTBEAT_INTERVAL_MS, 2, 4, 3, 5);

        final List<String> before = metadata();
        assertThat(before).hasSize(3);

        restartAfterOutage(); // log replay only
        assertThat(metadata()).isEqualTo(before);
        heartbeatFor(HEARTBEAT_INTERVAL_MS, 2, 4, 3, 5);

        assertThat(node.takeSnapshot(TIMEOUT_MS)).isTrue();
        restartAfterOutage(); // snapshot only
        assertThat(metadata()).isEqualTo(before);
        heartbeatFor(HEARTBEAT_INTERVAL_MS, 2, 4, 3, 5);

        // Broker 2 back in the ISR of partition 0, then a preferred election gives it back the leadership.
        final PartitionElection.State p0Now = listener.latestOrSnapshot(topicId, 0);
        assertThat(p0Now.leader()).isEqualTo(3);
        assertThat(awaitResult(send((c) -> client.alterPartition(c, 3, 5, topicId, 0, p0Now.leaderEpoch(),
            p0Now.partitionEpoch(), new int[]{ 3, 2 }, new long[]{ 5, 4 }))).code).isEqualTo(NONE);
        final Result elected = awaitResult(send((c) -> client.electLeaders(c, -1)));
        assertThat(elected.code).as(elected.message).isEqualTo(NONE);
        assertThat(elected.value).as("only partition 0 has a live, in-sync preferred leader elsewhere").isEqualTo(1);
        awaitUntil(() -> listener.latest(topicId, 0).leader() == 2);
        assertThat(listener.latest(topicId, 0).leaderEpoch()).isEqualTo(p0Now.leaderEpoch() + 1);
        assertThat(awaitResult(send((c) -> client.electLeaders(c, topicId))).value).isZero();
        assertThat(awaitResult(send((c) -> client.electLeaders(c, 99))).code)
            .isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.value());

        // Deleted with the topic.
        assertThat(awaitResult(send((c) -> client.deleteTopic(c, "t"))).code).isEqualTo(NONE);
        assertThat(metadata()).isEmpty();
        assertThat(node.service().failedCommands()).isZero();
    }

    @Test
    void shouldKeepACleanlyStoppedReplicaEligibleAndNeverElectUncleanly()
    {
        launchAndConnect();
        assertThat(awaitResult(send((c) -> client.registerBroker(c, 1, "host", 9010))).value).isEqualTo(1);
        assertThat(awaitResult(send((c) -> client.registerBroker(c, 2, "host", 9020))).value).isEqualTo(2);
        final Result created = awaitResult(send((c) -> client.createTopic(c, "e", 1, -1, -1, 0, 2, 2)));
        assertThat(created.code).as(created.message).isEqualTo(NONE);
        final int topicId = created.topicId;
        awaitUntil(() -> null != listener.latest(topicId, 0));
        assertThat(listener.latest(topicId, 0).replicas()).containsExactly(2, 1);

        // The follower stops cleanly below min ISR: out of the ISR, into the eligible set.
        assertThat(awaitResult(send((c) -> client.controlledShutdown(c, 1, 1))).code).isEqualTo(NONE);
        awaitUntil(() -> listener.latest(topicId, 0).elr().length == 1);
        assertThat(listener.latest(topicId, 0).isr()).containsExactly(2);
        assertThat(listener.latest(topicId, 0).elr()).containsExactly(1);
        assertThat(listener.latest(topicId, 0).leader()).isEqualTo(2);

        // The leader crashes: nobody live is in sync or eligible, so the partition is offline, not led uncleanly.
        awaitUntilFencedWhileHeartbeating(2);
        awaitUntil(() -> listener.latest(topicId, 0).leader() == PartitionElection.NO_LEADER);
        assertThat(listener.latest(topicId, 0).isr()).as("the last in-sync member stays").containsExactly(2);
        assertThat(metadata()).hasSize(1).first().asString().contains("leader=-1");

        // The cleanly stopped replica is back: the only eligible live one, it leads, alone in the ISR.
        assertThat(awaitResult(send((c) -> client.registerBroker(c, 1, "host", 9010))).value).isEqualTo(3);
        awaitUntil(() -> listener.latest(topicId, 0).leader() == 1);
        final PartitionElection.State state = listener.latest(topicId, 0);
        assertThat(state.isr()).containsExactly(1);
        assertThat(state.elr()).isEmpty();
        assertThat(state.leaderEpoch()).isEqualTo(2);
        assertThat(node.service().failedCommands()).isZero();
    }

    @Test
    void shouldPlaceOnBrokerZeroWhenNoBrokerIsRegisteredAndRejectMalformedProposals()
    {
        launchAndConnect();
        final Result created = awaitResult(send((c) -> client.createTopic(c, "solo", 2, -1, -1, 0)));
        assertThat(created.code).as(created.message).isEqualTo(NONE);
        awaitUntil(() -> listener.changes.size() == 2);
        assertThat(listener.latest(created.topicId, 1).replicas()).containsExactly(0);
        assertThat(listener.latest(created.topicId, 1).leader()).isZero();
        assertThat(awaitResult(send((c) -> client.createTopic(c, "pair", 1, -1, -1, 0, 2, 1))).code)
            .isEqualTo(ErrorCode.INVALID_REPLICATION_FACTOR.value());
        assertThat(awaitResult(send((c) -> client.createTopic(c, "zero", 1, -1, -1, 0, 0, 1))).code)
            .isEqualTo(ErrorCode.INVALID_REPLICATION_FACTOR.value());

        // Without registered brokers no proposal is from a live leader.
        assertThat(awaitResult(send((c) -> client.alterPartition(c, 0, 0, created.topicId, 0, 0, 0,
            new int[]{ 0 }, new long[]{ 0 }))).code).isEqualTo(ErrorCode.STALE_BROKER_EPOCH.value());

        // Malformed: an in-sync set whose members run past the frame.
        final ExpandableArrayBuffer raw = new ExpandableArrayBuffer(128);
        final AlterPartitionCommandEncoder alter = new AlterPartitionCommandEncoder()
            .wrapAndApplyHeader(raw, 0, new MessageHeaderEncoder()).correlationId(7).brokerId(0).brokerEpoch(1)
            .topicId(created.topicId).partition(0).leaderEpoch(0).partitionEpoch(0);
        alter.isrCount(3).next().brokerId(0).brokerEpoch(1).next().brokerId(1).brokerEpoch(1).next().brokerId(2)
            .brokerEpoch(1);
        final int cut = MessageHeaderEncoder.ENCODED_LENGTH + alter.encodedLength() - 12;
        awaitUntil(() -> client.offer(raw, 0, cut));
        final Result corrupt = awaitResult(ControllerService.UNKNOWN_CORRELATION_ID);
        assertThat(corrupt.code).as(corrupt.message).isEqualTo(ErrorCode.CORRUPT_MESSAGE.value());
        assertThat(node.service().rejectedCommands()).isEqualTo(1);
        assertThat(node.service().refusedPartitionAlters()).isEqualTo(1);
        assertThat(node.service().failedCommands()).isZero();
        assertThat(metadata()).containsExactly(
            created.topicId + "-0 minIsr=1 " + listener.latest(created.topicId, 0),
            created.topicId + "-1 minIsr=1 " + listener.latest(created.topicId, 1));
    }

    private void awaitUntilFencedWhileHeartbeating(final int silentBrokerId, final long... others)
    {
        final long fencedBefore = node.service().fencedBrokers();
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        while (node.service().fencedBrokers() == fencedBefore)
        {
            assertThat(System.nanoTime()).as("broker " + silentBrokerId + " fenced").isLessThan(deadlineNs);
            heartbeatFor(HEARTBEAT_INTERVAL_MS, others);
        }
    }

    /** Every given (brokerId, epoch) pair heartbeats every {@link #HEARTBEAT_INTERVAL_MS} for the duration. */
    private void heartbeatFor(final long durationMs, final long... brokerIdsAndEpochs)
    {
        final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(durationMs);
        final List<Long> sent = new ArrayList<>();
        long nextHeartbeatNs = 0;
        while (System.nanoTime() < endNs)
        {
            client.poll();
            if (System.nanoTime() >= nextHeartbeatNs)
            {
                for (int i = 0; i < brokerIdsAndEpochs.length; i += 2)
                {
                    final int brokerId = (int)brokerIdsAndEpochs[i];
                    final long epoch = brokerIdsAndEpochs[i + 1];
                    sent.add(send((id) -> client.brokerHeartbeat(id, brokerId, epoch)));
                }
                nextHeartbeatNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_INTERVAL_MS / 2);
            }
            Thread.onSpinWait();
        }
        for (final long correlationId : sent)
        {
            final Result result = awaitResult(correlationId);
            assertThat(result.code).as(result.message).isEqualTo(NONE);
        }
    }

    private void restartAfterOutage() throws InterruptedException
    {
        CloseHelper.closeAll(client, aeron, node);
        client = null;
        aeron = null;
        node = null;
        listener.clear();
        launchAndConnect();
    }

    /** Every partition of a metadata answer, as text, in the order the controller sent them. */
    private List<String> metadata()
    {
        final long correlationId = send((id) -> client.requestMetadata(id));
        awaitUntil(() -> listener.metadataEnds.contains(correlationId));
        final List<String> partitions = new ArrayList<>();
        for (final PartitionReplicas.PartitionRecord record : listener.snapshots.getOrDefault(correlationId, List.of()))
        {
            partitions.add(record.topicId() + "-" + record.partition() + " minIsr=" + record.minInsyncReplicas() +
                " " + record.state());
        }
        return partitions;
    }

    private void launchAndConnect()
    {
        node = ControllerNode.launch(new ControllerNode.Context()
            .baseDir(tempDir.resolve("node").toFile())
            .portBase(portBase)
            .aeronDirectoryName(tempDir.resolve("aeron").toString())
            .brokerSessionTimeoutMs(SESSION_TIMEOUT_MS));
        assertThat(node.awaitLeader(TIMEOUT_MS)).isTrue();
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(node.aeronDirectoryName()));
        client = ControllerClient.connect(
            aeron, node.context().ingressEndpoints(), EGRESS_CHANNEL, node.context().secret(), listener);
    }

    private long send(final LongPredicate command)
    {
        final long correlationId = nextCorrelationId++;
        awaitUntil(() -> command.test(correlationId));
        return correlationId;
    }

    private Result awaitResult(final long correlationId)
    {
        awaitUntil(() -> listener.results.containsKey(correlationId));
        return listener.results.get(correlationId);
    }

    private void awaitUntil(final Callable<Boolean> condition)
    {
        awaitCondition().until(() -> null != client && client.poll() >= 0 && condition.call());
    }

    private static ConditionFactory awaitCondition()
    {
        return await()
            .atMost(Duration.ofMillis(TIMEOUT_MS))
            .pollInSameThread()
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(1));
    }

    private record Result(int code, int topicId, long value, String message)
    {
    }

    private static final class Listener implements ControllerListener
    {
        final Map<Long, Result> results = new HashMap<>();
        final List<PartitionReplicas.PartitionRecord> changes = new ArrayList<>();
        final Map<Long, List<PartitionReplicas.PartitionRecord>> snapshots = new HashMap<>();
        final List<Long> metadataEnds = new ArrayList<>();

        public void onCommandResult(
            final long correlationId, final int code, final int topicId, final long value, final String message)
        {
            results.put(correlationId, new Result(code, topicId, value, message));
        }

        public void onTopicEvent(final long correlationId, final TopicEventType type, final TopicMetadata topic)
        {
        }

        public void onMetadataEnd(final long correlationId, final int topicCount)
        {
            metadataEnds.add(correlationId);
        }

        public void onPartitionChange(
            final long correlationId,
            final int topicId,
            final int partition,
            final int minInsyncReplicas,
            final PartitionElection.State state)
        {
            final PartitionReplicas.PartitionRecord record =
                new PartitionReplicas.PartitionRecord(topicId, partition, minInsyncReplicas, state);
            if (correlationId < 0)
            {
                changes.add(record);
            }
            else
            {
                snapshots.computeIfAbsent(correlationId, (k) -> new ArrayList<>()).add(record);
            }
        }

        /** The latest change of the partition, else its state in the last metadata answer. */
        PartitionElection.State latestOrSnapshot(final int topicId, final int partition)
        {
            final PartitionElection.State latest = latest(topicId, partition);
            if (null != latest)
            {
                return latest;
            }
            PartitionElection.State found = null;
            for (final long correlationId : metadataEnds)
            {
                for (final PartitionReplicas.PartitionRecord record : snapshots.getOrDefault(correlationId, List.of()))
                {
                    if (record.topicId() == topicId && record.partition() == partition)
                    {
                        found = record.state();
                    }
                }
            }
            return found;
        }

        PartitionElection.State latest(final int topicId, final int partition)
        {
            for (int i = changes.size() - 1; i >= 0; i--)
            {
                final PartitionReplicas.PartitionRecord record = changes.get(i);
                if (record.topicId() == topicId && record.partition() == partition)
                {
                    return record.state();
                }
            }
            return null;
        }

        void clear()
        {
            results.clear();
            changes.clear();
            snapshots.clear();
            metadataEnds.clear();
        }
    }
}
