package io.aerolog.cluster;

import io.aerolog.cluster.registry.RegisteredBroker;
import io.aerolog.cluster.replication.PartitionReplicas;
import io.aerolog.codecs.cluster.BrokerEventType;
import io.aerolog.codecs.cluster.TopicEventType;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.sequencer.PartitionElection;
import io.aeron.Aeron;
import org.agrona.CloseHelper;
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
import java.util.function.LongPredicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Leader-epoch starts in a real single-member controller cluster: a partition's leader registers where its epoch
 * starts, refusals are deterministic, every broker hears of each start, and the histories are in metadata answers
 * (after their partition) and survive log replay and snapshots.
 */
class ControllerLeaderEpochsTest
{
    private static final long TIMEOUT_MS = 15_000;
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
    private long balanceIntervalMs = 0;

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
    void shouldRegisterEpochStartsRefuseBadOnesAndKeepThemAcrossReplayAndSnapshot()
    {
        launchAndConnect();
        assertThat(awaitResult(send((c) -> client.registerBroker(c, 1, "host", 9010))).value).isEqualTo(1);
        assertThat(awaitResult(send((c) -> client.registerBroker(c, 2, "host", 9020))).value).isEqualTo(2);
        final Result created = awaitResult(send((c) -> client.createTopic(c, "t", 1, -1, -1, 0, 2, 1)));
        assertThat(created.code).as(created.message).isEqualTo(NONE);
        final int topicId = created.topicId;
        awaitUntil(() -> null != listener.latest(topicId, 0));
        final PartitionElection.State placed = listener.latest(topicId, 0);
        final int leader = placed.leader();
        final int follower = placed.replicas()[1];
        assertThat(leader).isEqualTo(2);

        // The first leader registers epoch 0 at 0; a retry of the same values is a no-op success.
        final Result first = awaitResult(send((c) -> client.leaderEpochStart(c, 2, 2, topicId, 0, 0, 0, 0, 7)));
        assertThat(first.code).as(first.message).isEqualTo(NONE);
        assertThat(first.value).isZero();
        assertThat(awaitResult(send((c) -> client.leaderEpochStart(c, 2, 2, topicId, 0, 0, 0, 0, 7))).code)
            .isEqualTo(NONE);
        awaitUntil(() -> listener.epochs.size() == 1);
        assertThat(node.service().epochStarts()).isEqualTo(1);
        assertThat(listener.epochs.get(0)).isEqualTo(new PartitionReplicas.EpochRecord(topicId, 0, 0, 0, 0, 7));

        // Refused: a follower, a stale broker epoch, a newer epoch, the epoch again at another start, an unknown
        // partition.
        assertThat(awaitResult(send((c) -> client.leaderEpochStart(c, follower, 1, topicId, 0, 0, 0, 0, 8))).code)
            .isEqualTo(ErrorCode.NOT_LEADER_OR_FOLLOWER.value());
        assertThat(awaitResult(send((c) -> client.leaderEpochStart(c, 2, 1, topicId, 0, 0, 0, 0, 7))).code)
            .isEqualTo(ErrorCode.STALE_BROKER_EPOCH.value());
        final Result newer = awaitResult(send((c) -> client.leaderEpochStart(c, 2, 2, topicId, 0, 1, 64, 1, 7)));
        assertThat(newer.code).isEqualTo(ErrorCode.NOT_LEADER_OR_FOLLOWER.value());
        assertThat(newer.message).contains("newer");
        final Result moved = awaitResult(send((c) -> client.leaderEpochStart(c, 2, 2, topicId, 0, 0, 64, 1, 7)));
        assertThat(moved.code).isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(moved.message).contains("already starts at 0/0");
        assertThat(awaitResult(send((c) -> client.leaderEpochStart(c, 2, 2, topicId, 5, 0, 0, 0, 7))).code)
            .isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.value());

        // The leader stops cleanly: broker 1 leads epoch 1 and registers it at its log end.
        assertThat(awaitResult(send((c) -> client.controlledShutdown(c, 2, 2))).code).isEqualTo(NONE);
        awaitUntil(() -> listener.latest(topicId, 0).leader() == 1);
        assertThat(listener.latest(topicId, 0).leaderEpoch()).isEqualTo(1);
        assertThat(awaitResult(send((c) -> client.leaderEpochStart(c, 2, 2, topicId, 0, 1, 640, 10, 7))).code)
            .as("a shut down broker").isEqualTo(ErrorCode.STALE_BROKER_EPOCH.value());
        assertThat(awaitResult(send((c) -> client.leaderEpochStart(c, 1, 1, topicId, 0, 0, 640, 10, 9))).code)
            .as("an older epoch").isEqualTo(ErrorCode.FENCED_LEADER_EPOCH.value());
        final Result below = awaitResult(send((c) -> client.leaderEpochStart(c, 1, 1, topicId, 0, 1, 640, -1, 9)));
        assertThat(below.code).isEqualTo(ErrorCode.INVALID_REQUEST.value());
        final Result second = awaitResult(send((c) -> client.leaderEpochStart(c, 1, 1, topicId, 0, 1, 640, 10, 9)));
        assertThat(second.code).as(second.message).isEqualTo(NONE);
        assertThat(second.value).isEqualTo(1);
        awaitUntil(() -> listener.epochs.size() == 2);
        assertThat(listener.epochs.get(1)).isEqualTo(new PartitionReplicas.EpochRecord(topicId, 0, 1, 640, 10, 9));
        assertThat(node.service().refusedEpochStarts()).isEqualTo(8);
        assertThat(node.service().epochStarts()).isEqualTo(2);

        // Broker 2 back; broker 1 stops cleanly, 2 leads epoch 2 and starts it below epoch 1's start: refused.
        assertThat(awaitResult(send((c) -> client.registerBroker(c, 2, "host", 9020))).value).isEqualTo(3);
        final PartitionElection.State p0 = listener.latest(topicId, 0);
        assertThat(awaitResult(send((c) -> client.alterPartition(c, 1, 1, topicId, 0, p0.leaderEpoch(),
            p0.partitionEpoch(), new int[]{ 1, 2 }, new long[]{ 1, 3 }))).code).isEqualTo(NONE);
        assertThat(awaitResult(send((c) -> client.controlledShutdown(c, 1, 1))).code).isEqualTo(NONE);
        awaitUntil(() -> listener.latest(topicId, 0).leader() == 2);
        final Result lower = awaitResult(send((c) -> client.leaderEpochStart(c, 2, 3, topicId, 0, 2, 320, 5, 11)));
        assertThat(lower.code).isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(lower.message).contains("below the last epoch's start");
        assertThat(awaitResult(send((c) -> client.leaderEpochStart(c, 2, 3, topicId, 0, 2, 640, 10, 11))).code)
            .as("an epoch whose predecessor wrote nothing replaces it").isEqualTo(NONE);

        final List<String> before = metadata();
        assertThat(before).contains(
            "epoch " + topicId + "-0 0 at 0/0 rec 7",
            "epoch " + topicId + "-0 2 at 640/10 rec 11");
        assertThat(before).doesNotContain("epoch " + topicId + "-0 1 at 640/10 rec 9");
        assertThat(before.indexOf("epoch " + topicId + "-0 0 at 0/0 rec 7"))
            .as("after its partition").isEqualTo(before.indexOf(partitionLine(topicId, 0, before)) + 1);

        restartAfterOutage(); // log replay only
        assertThat(metadata()).isEqualTo(before);

        assertThat(node.takeSnapshot(TIMEOUT_MS)).isTrue();
        restartAfterOutage(); // snapshot only
        assertThat(metadata()).isEqualTo(before);
        assertThat(node.service().failedCommands()).isZero();

        // Deleted with the topic.
        assertThat(awaitResult(send((c) -> client.deleteTopic(c, "t"))).code).isEqualTo(NONE);
        assertThat(metadata()).isEmpty();
    }

    @Test
    void shouldKeepEachBrokersInternalHostAcrossSnapshots()
    {
        launchAndConnect();
        assertThat(awaitResult(send((c) -> client.registerBroker(c, 1, "client.host", "10.0.0.1", 9010))).code)
            .isEqualTo(NONE);
        assertThat(awaitResult(send((c) -> client.registerBroker(c, 2, "other.host", "", 9020))).code)
            .as("empty: the client host").isEqualTo(NONE);
        final Result tooLong = awaitResult(send((c) -> client.registerBroker(c, 3, "h", "x".repeat(256), 9030)));
        assertThat(tooLong.code).isEqualTo(ErrorCode.INVALID_REQUEST.value());
        awaitUntil(() -> listener.brokerEvents.size() == 2);
        assertThat(listener.brokerEvents.get(0)).contains("client.host:9010 internal 10.0.0.1");
        assertThat(listener.brokerEvents.get(1)).contains("other.host:9020 internal other.host");

        assertThat(node.takeSnapshot(TIMEOUT_MS)).isTrue();
        restartAfterOutage();
        final List<String> brokers = metadataBrokers();
        assertThat(brokers).hasSize(2);
        assertThat(brokers.get(0)).contains("internal 10.0.0.1");
        assertThat(brokers.get(1)).contains("internal other.host");
    }

    @Test
    void shouldMoveLeadershipBackToAnInSyncPreferredReplicaOnTheBalanceTimer() throws InterruptedException
    {
        balanceIntervalMs = 200;
        launchAndConnect();
        assertThat(awaitResult(send((c) -> client.registerBroker(c, 1, "host", 9010))).value).isEqualTo(1);
        assertThat(awaitResult(send((c) -> client.registerBroker(c, 2, "host", 9020))).value).isEqualTo(2);
        final Result created = awaitResult(send((c) -> client.createTopic(c, "b", 2, -1, -1, 0, 2, 1)));
        assertThat(created.code).as(created.message).isEqualTo(NONE);
        final int topicId = created.topicId;
        awaitUntil(() -> null != listener.latest(topicId, 1));
        final int preferred = listener.latest(topicId, 0).replicas()[0];
        final int other = listener.latest(topicId, 0).replicas()[1];
        assertThat(listener.latest(topicId, 0).leader()).isEqualTo(preferred);

        // The preferred leader stops cleanly and comes back: not in sync, so balancing leaves the leadership.
        assertThat(awaitResult(send((c) -> client.controlledShutdown(c, preferred, preferred))).code).isEqualTo(NONE);
        awaitUntil(() -> listener.latest(topicId, 0).leader() == other);
        final long epoch = awaitResult(send((c) -> client.registerBroker(c, preferred, "host", 9000))).value;
        final long checks = node.service().balanceChecks();
        awaitUntil(() -> node.service().balanceChecks() >= checks + 2); // runs that chose to leave it
        assertThat(listener.latest(topicId, 0).leader()).isEqualTo(other);
        assertThat(node.service().balancedLeaders()).isZero();

        // Back in sync: the next balance run moves the leadership back, with a new leader epoch.
        final PartitionElection.State p0 = listener.latest(topicId, 0);
        assertThat(awaitResult(send((c) -> client.alterPartition(c, other, other, topicId, 0, p0.leaderEpoch(),
            p0.partitionEpoch(), new int[]{ other, preferred }, new long[]{ other, epoch }))).code).isEqualTo(NONE);
        awaitUntil(() -> listener.latest(topicId, 0).leader() == preferred);
        assertThat(listener.latest(topicId, 0).leaderEpoch()).isEqualTo(p0.leaderEpoch() + 1);
        assertThat(node.service().balancedLeaders()).isEqualTo(1);
        assertThat(node.service().failedCommands()).isZero();

        // Replayed alike: the same partition states after a restart from the log.
        final List<String> before = metadata();
        restartAfterOutage();
        assertThat(metadata()).isEqualTo(before);
    }

    private List<String> metadataBrokers()
    {
        final long correlationId = send((id) -> client.requestMetadata(id));
        awaitUntil(() -> listener.metadataEnds.contains(correlationId));
        return listener.brokerAnswers.getOrDefault(correlationId, List.of());
    }

    private static String partitionLine(final int topicId, final int partition, final List<String> lines)
    {
        for (final String line : lines)
        {
            if (line.startsWith("partition " + topicId + "-" + partition + " "))
            {
                return line;
            }
        }
        throw new AssertionError("no partition " + topicId + "-" + partition + " in " + lines);
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

    private void restartAfterOutage()
    {
        CloseHelper.closeAll(client, aeron, node);
        client = null;
        aeron = null;
        node = null;
        listener.clear();
        launchAndConnect();
    }

    /** Every partition and epoch entry of a metadata answer, as text, in the order the controller sent them. */
    private List<String> metadata()
    {
        final long correlationId = send((id) -> client.requestMetadata(id));
        awaitUntil(() -> listener.metadataEnds.contains(correlationId));
        return listener.answers.getOrDefault(correlationId, List.of());
    }

    private void launchAndConnect()
    {
        node = ControllerNode.launch(new ControllerNode.Context()
            .baseDir(tempDir.resolve("node").toFile())
            .portBase(portBase)
            .aeronDirectoryName(tempDir.resolve("aeron").toString())
            .brokerSessionTimeoutMs(60_000)
            .leaderImbalanceCheckIntervalMs(balanceIntervalMs));
        assertThat(node.awaitLeader(TIMEOUT_MS)).isTrue();
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(node.aeronDirectoryName()));
        client = ControllerClient.connect(
            aeron, node.context().ingressEndpoints(), EGRESS_CHANNEL, node.context().secret(), listener);
    }

    private record Result(int code, int topicId, long value, String message)
    {
    }

    private static final class Listener implements ControllerListener
    {
        final Map<Long, Result> results = new HashMap<>();
        final List<PartitionReplicas.PartitionRecord> changes = new ArrayList<>();
        final List<PartitionReplicas.EpochRecord> epochs = new ArrayList<>();
        final Map<Long, List<String>> answers = new HashMap<>();
        final List<Long> metadataEnds = new ArrayList<>();
        final List<String> brokerEvents = new ArrayList<>();
        final Map<Long, List<String>> brokerAnswers = new HashMap<>();

        public void onBrokerEvent(
            final long correlationId,
            final BrokerEventType type,
            final RegisteredBroker broker)
        {
            if (correlationId < 0)
            {
                brokerEvents.add(broker.toString());
            }
            else
            {
                brokerAnswers.computeIfAbsent(correlationId, (k) -> new ArrayList<>()).add(broker.toString());
            }
        }

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
            if (correlationId < 0)
            {
                changes.add(new PartitionReplicas.PartitionRecord(topicId, partition, minInsyncReplicas, state));
            }
            else
            {
                answers.computeIfAbsent(correlationId, (k) -> new ArrayList<>())
                    .add("partition " + topicId + "-" + partition + " " + state);
            }
        }

        public void onLeaderEpochStart(
            final long correlationId,
            final int topicId,
            final int partition,
            final int epoch,
            final long startPosition,
            final long startOffset,
            final long leaderRecordingId)
        {
            if (correlationId < 0)
            {
                epochs.add(new PartitionReplicas.EpochRecord(
                    topicId, partition, epoch, startPosition, startOffset, leaderRecordingId));
            }
            else
            {
                answers.computeIfAbsent(correlationId, (k) -> new ArrayList<>()).add("epoch " + topicId + "-" +
                    partition + " " + epoch + " at " + startPosition + "/" + startOffset + " rec " + leaderRecordingId);
            }
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
            epochs.clear();
            brokerEvents.clear();
            brokerAnswers.clear();
            answers.clear();
            metadataEnds.clear();
        }
    }
}
