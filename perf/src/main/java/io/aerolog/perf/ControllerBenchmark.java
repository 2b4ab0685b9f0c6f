package io.aerolog.perf;

import io.aerolog.cluster.GroupRequestHandler;
import io.aerolog.cluster.group.Assignors;
import io.aerolog.cluster.group.GroupCoordinator;
import io.aerolog.cluster.group.HeartbeatResult;
import io.aerolog.cluster.group.TopicPartition;
import io.aerolog.cluster.group.TopicPartitionCounts;
import io.aerolog.codecs.wire.ConsumerGroupHeartbeatEncoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import io.aerolog.codecs.wire.OffsetCommitEncoder;
import org.agrona.ExpandableArrayBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Per-message cost of the controller's consumer-group state machine, without Aeron: a steady heartbeat of one
 * member, an offset commit, and the full decode, apply and encode of a forwarded heartbeat and commit request
 * ({@link GroupRequestHandler}), with {@code groups} groups of {@link #MEMBERS_PER_GROUP} members each owning
 * partitions of a {@link #PARTITIONS}-partition topic, every partition committed. At 1000 groups that is 5000 members
 * and 20000 committed partitions; the time per operation should not depend on the number of groups.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"})
public class ControllerBenchmark
{
    /**
     * Members in each group.
     */
    public static final int MEMBERS_PER_GROUP = 5;

    /**
     * Partitions of the topic every group subscribes to.
     */
    public static final int PARTITIONS = 20;

    private static final String TOPIC = "events";
    private static final int SESSION_TIMEOUT_MS = 300_000;
    private static final int REBALANCE_TIMEOUT_MS = 60_000;

    /**
     * Number of groups.
     */
    @Param({ "10", "1000" })
    public int groups;

    private final TopicPartitionCounts counts = (topic) ->
        TOPIC.equals(topic) ? PARTITIONS : TopicPartitionCounts.UNKNOWN_TOPIC;
    private final ExpandableArrayBuffer heartbeatRequest = new ExpandableArrayBuffer(512);
    private final ExpandableArrayBuffer commitRequest = new ExpandableArrayBuffer(512);
    private final OffsetCommitEncoder commitEncoder = new OffsetCommitEncoder();
    private OffsetCommitEncoder.OffsetsEncoder commitEntry;
    private GroupCoordinator coordinator;
    private GroupRequestHandler handler;
    private String groupId;
    private String memberId;
    private int memberEpoch;
    private TopicPartition partition;
    private int heartbeatRequestLength;
    private int commitRequestLength;
    private long nowMs;
    private long offset;

    /**
     * Builds {@code groups} converged groups with every partition committed, and picks a member in the middle group.
     */
    @Setup
    public void setup()
    {
        coordinator = new GroupCoordinator(counts, Assignors.DEFAULT, (g, m, r, n) -> {});
        handler = new GroupRequestHandler(coordinator, counts, GroupRequestHandler.HEARTBEAT_INTERVAL_MS_DEFAULT);
        nowMs = 1_000;
        final List<String> topics = List.of(TOPIC);
        for (int g = 0; g < groups; g++)
        {
            final String id = "group-" + g;
            final String[] memberIds = new String[MEMBERS_PER_GROUP];
            final List<List<TopicPartition>> owned = new ArrayList<>();
            for (int m = 0; m < MEMBERS_PER_GROUP; m++)
            {
                final HeartbeatResult joined = coordinator.heartbeat(
                    id, null, null, topics, null, REBALANCE_TIMEOUT_MS, SESSION_TIMEOUT_MS, nowMs);
                memberIds[m] = joined.memberId();
                owned.add(joined.assigned());
            }

            boolean isSettled = false;
            HeartbeatResult last = null;
            while (!isSettled)
            {
                isSettled = true;
                for (int m = 0; m < MEMBERS_PER_GROUP; m++)
                {
                    last = coordinator.heartbeat(
                        id, memberIds[m], null, null, owned.get(m), REBALANCE_TIMEOUT_MS, SESSION_TIMEOUT_MS, nowMs);
                    owned.set(m, last.assigned());
                    isSettled &= last.revoke().isEmpty() && last.pending().isEmpty();
                }
            }

            for (int m = 0; m < MEMBERS_PER_GROUP; m++)
            {
                final HeartbeatResult current = coordinator.heartbeat(
                    id, memberIds[m], null, null, owned.get(m), REBALANCE_TIMEOUT_MS, SESSION_TIMEOUT_MS, nowMs);
                for (final TopicPartition tp : current.assigned())
                {
                    coordinator.commitOffset(
                        id, memberIds[m], current.memberEpoch(), tp.topic(), tp.partition(), 1, "");
                }
            }

            if (g == groups / 2)
            {
                groupId = id;
                memberId = memberIds[0];
                memberEpoch = last.memberEpoch();
                final HeartbeatResult mine = coordinator.heartbeat(
                    id, memberId, null, null, owned.get(0), REBALANCE_TIMEOUT_MS, SESSION_TIMEOUT_MS, nowMs);
                memberEpoch = mine.memberEpoch();
                partition = mine.assigned().get(0);
                encodeRequests(mine.assigned());
            }
        }
        offset = 2;
    }

    /**
     * A steady heartbeat (nothing changed) of one member, straight to the coordinator.
     *
     * @return the answer.
     */
    @Benchmark
    public HeartbeatResult heartbeat()
    {
        return coordinator.heartbeat(
            groupId, memberId, null, null, null, REBALANCE_TIMEOUT_MS, SESSION_TIMEOUT_MS, ++nowMs);
    }

    /**
     * An offset commit of one partition, moving forward, straight to the coordinator.
     *
     * @return the result code.
     */
    @Benchmark
    public int commitOffset()
    {
        return coordinator.commitOffset(
            groupId, memberId, memberEpoch, partition.topic(), partition.partition(), ++offset, "");
    }

    /**
     * A forwarded heartbeat request (owned partitions included, as a client sends it): decode, apply, encode.
     *
     * @return length of the answer.
     */
    @Benchmark
    public int forwardedHeartbeat()
    {
        return handler.handle(heartbeatRequest, 0, heartbeatRequestLength, ++nowMs);
    }

    /**
     * A forwarded commit of one partition, moving forward: decode, apply, encode.
     *
     * @return length of the answer.
     */
    @Benchmark
    public int forwardedCommit()
    {
        commitEntry.committedOffset(++offset);
        return handler.handle(commitRequest, 0, commitRequestLength, nowMs);
    }

    private void encodeRequests(final List<TopicPartition> owned)
    {
        final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        final ConsumerGroupHeartbeatEncoder heartbeat = new ConsumerGroupHeartbeatEncoder()
            .wrapAndApplyHeader(heartbeatRequest, 0, headerEncoder)
            .correlationId(1)
            .clientSessionId(1)
            .rebalanceTimeoutMs(REBALANCE_TIMEOUT_MS)
            .sessionTimeoutMs(SESSION_TIMEOUT_MS)
            .subscriptionIncluded((short)0)
            .ownedIncluded((short)1);
        heartbeat.subscribedTopicsCount(0);
        final ConsumerGroupHeartbeatEncoder.OwnedPartitionsEncoder ownedEncoder =
            heartbeat.ownedPartitionsCount(owned.size());
        for (final TopicPartition tp : owned)
        {
            ownedEncoder.next().partition(tp.partition()).topicName(tp.topic());
        }
        heartbeat.groupId(groupId).memberId(memberId).instanceId("").assignor("");
        heartbeatRequestLength = MessageHeaderEncoder.ENCODED_LENGTH + heartbeat.encodedLength();

        commitEncoder.wrapAndApplyHeader(commitRequest, 0, headerEncoder)
            .correlationId(2)
            .clientSessionId(1)
            .memberEpoch(memberEpoch);
        commitEntry = commitEncoder.offsetsCount(1).next()
            .partition(partition.partition())
            .committedOffset(offset)
            .topicName(partition.topic())
            .metadata("");
        commitEncoder.groupId(groupId).memberId(memberId);
        commitRequestLength = MessageHeaderEncoder.ENCODED_LENGTH + commitEncoder.encodedLength();
    }
}
