package io.aerolog.cluster.group;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded random churn (joins, leaves, kills, static restarts, subscription changes) checking after every step that
 * no partition is owned by two members, and that the group converges to a balanced assignment once churn stops.
 */
class GroupChurnTest
{
    private static final String GROUP = "churn";
    private static final int REBALANCE_TIMEOUT_MS = 3_000;
    private static final int SESSION_TIMEOUT_MS = 5_000;
    private static final TopicPartitionCounts COUNTS = (topic) -> switch (topic)
    {
        case "t1" -> 6;
        case "t2" -> 5;
        default -> TopicPartitionCounts.UNKNOWN_TOPIC;
    };

    private final GroupCoordinator coordinator = new GroupCoordinator(COUNTS, new StickyAssignor(), (g, m, r, t) -> {});
    private final List<Client> clients = new ArrayList<>();
    private long nowMs;

    @Test
    void shouldNeverOwnPartitionTwiceAndConvergeUnderChurn()
    {
        for (final long seed : new long[]{ 1, 7, 42, 1234 })
        {
            runChurn(new Random(seed));
        }
    }

    private void runChurn(final Random random)
    {
        clients.clear();
        int instanceSeq = 0;
        for (int step = 0; step < 400; step++)
        {
            nowMs += 100 + random.nextInt(400);
            final int action = random.nextInt(20);
            if (action < 3 && clients.size() < 6)
            {
                final String instanceId = random.nextBoolean() ? "instance-" + instanceSeq++ : null;
                clients.add(new Client(instanceId, random.nextInt(4) == 0 ? List.of("t1", "t2") : List.of("t1")));
            }
            else if (action == 3 && !clients.isEmpty())
            {
                final Client client = clients.remove(random.nextInt(clients.size()));
                if (null != client.memberId)
                {
                    coordinator.leave(GROUP, client.memberId, false, nowMs);
                }
            }
            else if (action == 4 && !clients.isEmpty())
            {
                clients.remove(random.nextInt(clients.size()));
            }
            else if (action == 5 && !clients.isEmpty())
            {
                final Client client = clients.get(random.nextInt(clients.size()));
                if (null != client.instanceId && null != client.memberId)
                {
                    coordinator.leave(GROUP, client.memberId, true, nowMs);
                    clients.remove(client);
                    clients.add(new Client(client.instanceId, client.topics));
                }
            }
            else if (action == 6 && !clients.isEmpty())
            {
                final Client client = clients.get(random.nextInt(clients.size()));
                client.topics = client.topics.size() == 1 ? List.of("t1", "t2") : List.of("t1");
            }
            else if (action == 7)
            {
                snapshotRoundTrip();
            }

            coordinator.expireMembers(nowMs);
            if (!clients.isEmpty())
            {
                heartbeat(clients.get(random.nextInt(clients.size())));
            }
        }

        nowMs += SESSION_TIMEOUT_MS + REBALANCE_TIMEOUT_MS;
        for (int round = 0; round < 6; round++)
        {
            nowMs += 1_000;
            for (final Client client : clients)
            {
                heartbeat(client);
            }
            coordinator.expireMembers(nowMs);
        }

        final GroupDescription description = coordinator.describe(GROUP);
        assertThat(description.members()).hasSize(clients.size());
        for (final GroupDescription.MemberDescription member : description.members())
        {
            assertThat(member.owned()).isEqualTo(member.target());
            assertThat(member.memberEpoch()).isEqualTo(description.groupEpoch());
        }

        if (!clients.isEmpty())
        {
            final TreeSet<TopicPartition> covered = new TreeSet<>();
            clients.forEach((client) -> covered.addAll(client.owned));
            assertThat(covered).hasSize(clients.stream().anyMatch((c) -> c.topics.size() == 2) ? 11 : 6);
        }
    }

    private void heartbeat(final Client client)
    {
        final HeartbeatResult result = coordinator.heartbeat(
            GROUP,
            client.memberId,
            client.instanceId,
            client.topics,
            null == client.memberId ? null : new ArrayList<>(client.owned),
            REBALANCE_TIMEOUT_MS,
            SESSION_TIMEOUT_MS,
            nowMs);

        if (GroupErrors.UNKNOWN_MEMBER_ID == result.errorCode() ||
            GroupErrors.UNRELEASED_INSTANCE_ID == result.errorCode())
        {
            client.memberId = null;
            client.owned.clear();
            return;
        }

        assertThat(result.errorCode()).as(result.errorMessage()).isEqualTo(GroupErrors.NONE);
        client.memberId = result.memberId();
        client.lastHeartbeatMs = nowMs;
        if (result.revoke().isEmpty())
        {
            client.revokeDeadlineMs = Long.MAX_VALUE;
        }
        else if (Long.MAX_VALUE == client.revokeDeadlineMs)
        {
            client.revokeDeadlineMs = nowMs + REBALANCE_TIMEOUT_MS;
        }
        client.owned.clear();
        client.owned.addAll(result.assigned());
        assertNoPartitionOwnedTwice();
    }

    private void assertNoPartitionOwnedTwice()
    {
        final HashMap<TopicPartition, String> owners = new HashMap<>();
        for (final Client client : clients)
        {
            // A client whose session or revocation deadline passed has lost its partitions (Kafka's "lost"),
            // whatever it still believes: the coordinator may already have given them to others.
            if (nowMs >= client.lastHeartbeatMs + SESSION_TIMEOUT_MS || nowMs >= client.revokeDeadlineMs)
            {
                continue;
            }

            for (final TopicPartition tp : client.owned)
            {
                assertThat(owners.put(tp, client.memberId)).as("%s owned twice by clients", tp).isNull();
            }
        }

        final TreeSet<TopicPartition> seen = new TreeSet<>();
        for (final GroupDescription.MemberDescription member : coordinator.describe(GROUP).members())
        {
            for (final TopicPartition tp : member.owned())
            {
                assertThat(seen.add(tp)).as("%s owned twice in coordinator", tp).isTrue();
            }
        }
    }

    private void snapshotRoundTrip()
    {
        final BufferSnapshotSink sink = new BufferSnapshotSink();
        coordinator.snapshot(sink);
        final byte[] bytes = sink.toByteArray();
        coordinator.restore(new BufferSnapshotSource(new UnsafeBuffer(bytes), 0, bytes.length));

        final BufferSnapshotSink again = new BufferSnapshotSink();
        coordinator.snapshot(again);
        assertThat(again.toByteArray()).isEqualTo(bytes);
    }

    private static final class Client
    {
        final String instanceId;
        final TreeSet<TopicPartition> owned = new TreeSet<>();
        List<String> topics;
        String memberId;
        long lastHeartbeatMs;
        long revokeDeadlineMs = Long.MAX_VALUE;

        Client(final String instanceId, final List<String> topics)
        {
            this.instanceId = instanceId;
            this.topics = topics;
        }
    }
}
