package io.aerolog.cluster;

import io.aerolog.node.NodePorts;
import io.aerolog.cluster.group.GroupErrors;
import io.aerolog.cluster.group.TopicPartition;
import io.aerolog.node.NodeSecret;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three controllers in one JVM: the leader is closed in the middle of a rebalance, after offsets were committed; a
 * new leader is elected, the client follows it, and membership and committed offsets are all there.
 */
@Timeout(300)
class ControllerGroupFailoverTest
{
    private static final NodeSecret SECRET = NodeSecret.of("controller-group-failover-test-secret");
    private static final String GROUP = "failover";
    private static final String TOPIC = "t";
    private static final int PARTITIONS = 6;
    private static final long RETRY_MS = 2_000;

    @TempDir
    Path tempDir;

    private final ControllerNode[] nodes = new ControllerNode[3];
    private MediaDriver clientDriver;
    private Aeron aeron;
    private GroupTestClient client;

    @AfterEach
    void tearDown()
    {
        CloseHelper.closeAll(client, aeron, clientDriver);
        CloseHelper.closeAll(nodes);
    }

    @Test
    void shouldKeepMembersAndOffsetsWhenLeaderIsLostDuringRebalance()
    {
        final String shmPrefix = "/dev/shm/aerolog-groups-failover-" + ThreadLocalRandom.current().nextInt(1_000_000);
        final int portBase = 30_000 + 100 * ThreadLocalRandom.current().nextInt(300);
        final StringBuilder members = new StringBuilder();
        for (int i = 0; i < nodes.length; i++)
        {
            members.append(0 == i ? "" : "|").append(NodePorts.clusterMember(i, "127.0.0.1", portBase + 10 * i));
        }
        for (int i = 0; i < nodes.length; i++)
        {
            nodes[i] = ControllerNode.launch(new ControllerNode.Context()
                .baseDir(tempDir.resolve("node-" + i).toFile())
                .memberId(i)
                .secret(SECRET)
                .clusterMembers(members.toString())
                .portBase(portBase + 10 * i)
                .aeronDirectoryName(shmPrefix + "-" + i));
        }
        final int firstLeader = awaitLeader(-1);

        clientDriver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(shmPrefix + "-client")
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(clientDriver.aeronDirectoryName()));
        client = new GroupTestClient(aeron, nodes[0].context().ingressEndpoints(), SECRET);
        client.createTopic(TOPIC, PARTITIONS);

        // Two members converge, then commit every partition.
        final Map<String, TreeSet<TopicPartition>> owned = new TreeMap<>();
        final Map<String, Integer> epochs = new HashMap<>();
        for (int i = 0; i < 2; i++)
        {
            final GroupWire.Heartbeat joined = client.join(GROUP, List.of(TOPIC));
            assertThat(joined.code()).isEqualTo(GroupErrors.NONE);
            owned.put(joined.memberId(), joined.assigned());
            epochs.put(joined.memberId(), joined.memberEpoch());
        }
        final Map<TopicPartition, Long> committed = new TreeMap<>();
        converge(owned, epochs, committed, 100);
        assertThat(committed).hasSize(PARTITIONS);

        // A third member starts a rebalance; one member is told to revoke, and the leader goes away.
        final GroupWire.Heartbeat third = client.join(GROUP, List.of(TOPIC));
        owned.put(third.memberId(), third.assigned());
        epochs.put(third.memberId(), third.memberEpoch());
        final String first = owned.keySet().iterator().next();
        final GroupWire.Heartbeat revoking = client.heartbeat(GROUP, first, owned.get(first));
        assertThat(revoking.revoke()).isNotEmpty();

        nodes[firstLeader].close();
        nodes[firstLeader] = null;
        final int secondLeader = awaitLeader(firstLeader);
        assertThat(secondLeader).isNotEqualTo(firstLeader);

        // The rebalance completes on the new leader; nothing committed is lost or moved backwards.
        final Map<TopicPartition, Long> before = new TreeMap<>(committed);
        converge(owned, epochs, committed, 200);
        assertThat(client.newLeaders()).isGreaterThanOrEqualTo(1);
        for (final TreeSet<TopicPartition> partitions : owned.values())
        {
            assertThat(partitions).hasSize(PARTITIONS / 3);
        }

        final GroupWire.Fetch fetched = client.request((b, c) -> GroupWire.fetch(b, c, GROUP, List.of()), RETRY_MS);
        assertThat(fetched.offsets()).isEqualTo(committed);
        for (final Map.Entry<TopicPartition, Long> entry : before.entrySet())
        {
            assertThat(fetched.offsets().get(entry.getKey())).isGreaterThanOrEqualTo(entry.getValue());
        }

        final GroupWire.Description description =
            client.request((b, c) -> GroupWire.describe(b, c, GROUP), RETRY_MS);
        assertThat(description.members()).extracting(GroupWire.Member::memberId)
            .containsExactlyInAnyOrderElementsOf(owned.keySet());
    }

    /**
     * Heartbeat every member until none has anything to revoke or pending; a member commits what it is told to
     * revoke (offset {@code base + partition}) before reporting it released, as a client must. Requests are retried
     * after {@link #RETRY_MS} without an answer, as across a leader change.
     */
    private void converge(
        final Map<String, TreeSet<TopicPartition>> owned,
        final Map<String, Integer> epochs,
        final Map<TopicPartition, Long> committed,
        final long base)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean isSettled = false;
        while (!isSettled)
        {
            assertThat(System.nanoTime() - deadlineNs).as("converged in time").isNegative();
            isSettled = true;
            for (final String memberId : new ArrayList<>(owned.keySet()))
            {
                final TreeSet<TopicPartition> mine = owned.get(memberId);
                final GroupWire.Heartbeat answer = client.request((b, c) -> GroupWire.heartbeat(
                    b, c, GROUP, memberId, "", null, mine, GroupWire.REBALANCE_TIMEOUT_MS,
                    GroupWire.SESSION_TIMEOUT_MS, ""), RETRY_MS);
                assertThat(answer.code()).as(answer.message()).isEqualTo(GroupErrors.NONE);
                epochs.put(memberId, answer.memberEpoch());

                final Map<TopicPartition, Long> offsets = new TreeMap<>();
                for (final TopicPartition tp : answer.revoke().isEmpty() ? answer.assigned() : answer.revoke())
                {
                    if (!answer.revoke().isEmpty() || !committed.containsKey(tp) || committed.get(tp) < base)
                    {
                        offsets.put(tp, base + tp.partition());
                    }
                }
                if (!offsets.isEmpty())
                {
                    final GroupWire.Commit commit = client.request((b, c) -> GroupWire.commit(
                        b, c, GROUP, memberId, answer.memberEpoch(), offsets), RETRY_MS);
                    assertThat(commit.code()).as(commit.message()).isEqualTo(GroupErrors.NONE);
                    committed.putAll(offsets);
                }

                owned.put(memberId, answer.assigned()); // released what it was told to revoke
                isSettled &= answer.revoke().isEmpty() && answer.pending().isEmpty() &&
                    answer.memberEpoch() == answer.groupEpoch();
            }
        }
    }

    private int awaitLeader(final int excluded)
    {
        final int[] leader = {-1};
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() ->
        {
            for (int i = 0; i < nodes.length; i++)
            {
                if (i != excluded && null != nodes[i] && nodes[i].isLeader())
                {
                    leader[0] = i;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }
}
