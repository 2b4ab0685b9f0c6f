package io.aerolog.cluster;

import io.aerolog.cluster.replication.PartitionReplicas;
import io.aerolog.codecs.cluster.TopicEventType;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.sequencer.PartitionElection;
import io.aeron.Aeron;
import org.agrona.CloseHelper;
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
 * Automatic leader balancing and preferred elections in a real single-member controller cluster: the balance timer
 * moves leadership back only to preferred replicas that are live and in sync, only for brokers above
 * {@code leader.imbalance.per.broker.percentage}, goes on after a restart from a snapshot, and replays alike;
 * {@code ElectLeaders} of one partition moves that one alone.
 */
class ControllerLeaderBalancingTest
{
    private static final long TIMEOUT_MS = 15_000;
    private static final long BALANCE_INTERVAL_MS = 200;
    private static final String EGRESS_CHANNEL = "aeron:udp?endpoint=localhost:0";
    private static final int NONE = ErrorCode.NONE.value();

    @TempDir
    Path tempDir;

    private int portBase;
    private int imbalancePercentage = ControllerService.LEADER_IMBALANCE_PER_BROKER_PERCENTAGE_DEFAULT;
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
    void shouldBalanceAfterARestartFromASnapshotAndReplayAlike() throws InterruptedException
    {
        launchAndConnect();
        final long epoch1 = register(1);
        final long epoch2 = register(2);
        final int topicId = createTopic("snap", 2);
        final PartitionElection.State created = listener.latest(topicId, 0);
        final int preferred = created.replicas()[0];
        final int other = created.replicas()[1];
        final long preferredEpoch = 1 == preferred ? epoch1 : epoch2;
        final long otherEpoch = 1 == other ? epoch1 : epoch2;

        // The preferred leader stops cleanly and registers again: out of sync, its partition stays with the other.
        assertThat(awaitResult(send((c) -> client.controlledShutdown(c, preferred, preferredEpoch))).code)
            .isEqualTo(NONE);
        awaitUntil(() -> listener.latest(topicId, 0).leader() == other);
        final long returnedEpoch = register(preferred);
        final PartitionElection.State p0 = listener.latest(topicId, 0);

        assertThat(node.takeSnapshot(TIMEOUT_MS)).isTrue();
        restart(); // from the snapshot alone
        assertThat(node.service().balancedLeaders()).isZero();

        // The balance timer runs on after the snapshot load, and still leaves an out-of-sync preferred replica out.
        awaitBalanceChecks(2);
        assertThat(leaderIn(metadata(), topicId, 0)).isEqualTo(other);
        assertThat(node.service().balancedLeaders()).isZero();

        // Back in sync: the next run moves the leadership, with a new leader epoch.
        assertThat(awaitResult(send((c) -> client.alterPartition(c, other, otherEpoch, topicId, 0, p0.leaderEpoch(),
            p0.partitionEpoch(), new int[]{ other, preferred }, new long[]{ otherEpoch, returnedEpoch }))).code)
            .isEqualTo(NONE);
        awaitUntil(() -> listener.latest(topicId, 0).leader() == preferred);
        assertThat(listener.latest(topicId, 0).leaderEpoch()).isEqualTo(p0.leaderEpoch() + 1);
        assertThat(node.service().balancedLeaders()).isEqualTo(1);

        // Snapshot and log replayed: the same partition states.
        final List<String> before = metadata();
        restart();
        assertThat(metadata()).isEqualTo(before);
        assertThat(leaderIn(before, topicId, 0)).isEqualTo(preferred);
        assertThat(node.service().failedCommands()).isZero();
    }

    @Test
    void shouldBalanceOnlyBrokersAboveTheImbalancePercentageAndElectOnePartitionOnRequest()
        throws InterruptedException
    {
        imbalancePercentage = 50;
        launchAndConnect();
        final long[] epochs = { 0, register(1), register(2) };
        final int topicId = createTopic("half", 4);
        // The partitions broker 1 is the preferred leader of (two of the four, as placement stripes them).
        final List<Integer> preferredBy1 = new ArrayList<>();
        for (int p = 0; p < 4; p++)
        {
            if (1 == listener.latest(topicId, p).replicas()[0])
            {
                preferredBy1.add(p);
            }
        }
        assertThat(preferredBy1).hasSize(2);
        final int first = preferredBy1.get(0);
        final int second = preferredBy1.get(1);

        assertThat(awaitResult(send((c) -> client.controlledShutdown(c, 1, epochs[1]))).code).isEqualTo(NONE);
        awaitUntil(() -> listener.latest(topicId, first).leader() == 2 && listener.latest(topicId, second).leader() == 2);
        epochs[1] = register(1);

        // 2 of 2 led elsewhere (100 % > 50 %): the one partition back in sync moves back.
        rejoin(topicId, first, epochs);
        awaitUntil(() -> listener.latest(topicId, first).leader() == 1);
        assertThat(node.service().balancedLeaders()).isEqualTo(1);

        // 1 of 2 led elsewhere (50 %, not above it): balancing leaves the other one where it is, in sync or not.
        rejoin(topicId, second, epochs);
        awaitBalanceChecks(2);
        assertThat(listener.latest(topicId, second).leader()).isEqualTo(2);
        assertThat(node.service().balancedLeaders()).isEqualTo(1);

        // A preferred election of that one partition moves it, and only it.
        final int changesBefore = listener.changes.size();
        final Result elected = awaitResult(send((c) -> client.electLeaders(c, topicId, second)));
        assertThat(elected.code).as(elected.message).isEqualTo(NONE);
        assertThat(elected.value).isEqualTo(1);
        awaitUntil(() -> listener.latest(topicId, second).leader() == 1);
        assertThat(listener.changes.subList(changesBefore, listener.changes.size()))
            .extracting(PartitionReplicas.PartitionRecord::partition).containsExactly(second);

        // Unknown partitions, and a partition without a topic, are refused.
        assertThat(awaitResult(send((c) -> client.electLeaders(c, topicId, 4))).code)
            .isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.value());
        assertThat(awaitResult(send((c) -> client.electLeaders(c, topicId, -2))).code)
            .isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.value());
        assertThat(awaitResult(send((c) -> client.electLeaders(c, -1, 0))).code)
            .isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.value());
        assertThat(awaitResult(send((c) -> client.electLeaders(c, -1, -1))).value).isZero();

        final List<String> before = metadata();
        restart(); // the log replayed: the timer's elections and the requested one land alike
        assertThat(metadata()).isEqualTo(before);
    }

    // The partition's leader adds the returned broker 1 back to the in-sync set.
    private void rejoin(final int topicId, final int partition, final long[] epochs)
    {
        final PartitionElection.State state = listener.latest(topicId, partition);
        final Result result = awaitResult(send((c) -> client.alterPartition(c, 2, epochs[2], topicId, partition,
            state.leaderEpoch(), state.partitionEpoch(), new int[]{ 2, 1 }, new long[]{ epochs[2], epochs[1] })));
        assertThat(result.code).as(result.message).isEqualTo(NONE);
    }

    private long register(final int brokerId)
    {
        final Result result = awaitResult(send((c) -> client.registerBroker(c, brokerId, "host", 9000 + 10 * brokerId)));
        assertThat(result.code).as(result.message).isEqualTo(NONE);
        return result.value;
    }

    private int createTopic(final String name, final int partitions)
    {
        final Result created = awaitResult(send((c) -> client.createTopic(c, name, partitions, -1, -1, 0, 2, 1)));
        assertThat(created.code).as(created.message).isEqualTo(NONE);
        awaitUntil(() -> null != listener.latest(created.topicId, partitions - 1));
        return created.topicId;
    }

    private static int leaderIn(final List<String> metadata, final int topicId, final int partition)
    {
        final String prefix = "partition " + topicId + "-" + partition + " ";
        for (final String line : metadata)
        {
            if (line.startsWith(prefix))
            {
                return Integer.parseInt(line.substring(prefix.length()).split(" ")[0]);
            }
        }
        throw new AssertionError("no partition " + topicId + "-" + partition + " in " + metadata);
    }

    /** Each partition of a metadata answer as {@code partition T-P LEADER STATE}, in the controller's order. */
    private List<String> metadata()
    {
        final long correlationId = send((id) -> client.requestMetadata(id));
        awaitUntil(() -> listener.metadataEnds.contains(correlationId));
        return listener.answers.getOrDefault(correlationId, List.of());
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

    // Runs of the balancing timer after now: what they left alone, they chose to leave.
    private void awaitBalanceChecks(final int runs)
    {
        final long checks = node.service().balanceChecks();
        awaitUntil(() -> node.service().balanceChecks() >= checks + runs);
    }

    private void awaitUntil(final Callable<Boolean> condition)
    {
        await()
            .atMost(Duration.ofMillis(TIMEOUT_MS))
            .pollInSameThread()
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(1))
            .until(() -> null != client && client.poll() >= 0 && condition.call());
    }

    private void restart()
    {
        CloseHelper.closeAll(client, aeron, node);
        client = null;
        aeron = null;
        node = null;
        listener.clear();
        launchAndConnect();
    }

    private void launchAndConnect()
    {
        node = ControllerNode.launch(new ControllerNode.Context()
            .baseDir(tempDir.resolve("node").toFile())
            .portBase(portBase)
            .aeronDirectoryName(tempDir.resolve("aeron").toString())
            .brokerSessionTimeoutMs(60_000)
            .leaderImbalanceCheckIntervalMs(BALANCE_INTERVAL_MS)
            .leaderImbalancePerBrokerPercentage(imbalancePercentage));
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
        final Map<Long, List<String>> answers = new HashMap<>();
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
            if (correlationId < 0)
            {
                changes.add(new PartitionReplicas.PartitionRecord(topicId, partition, minInsyncReplicas, state));
            }
            else
            {
                answers.computeIfAbsent(correlationId, (k) -> new ArrayList<>())
                    .add("partition " + topicId + "-" + partition + " " + state.leader() + " " + state);
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
            answers.clear();
            metadataEnds.clear();
        }
    }
}
