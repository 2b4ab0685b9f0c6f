package io.aerolog.cluster.group;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GroupSnapshotTest
{
    private static final TopicPartitionCounts COUNTS = (topic) -> topic.startsWith("t") ? 4 : -1;
    private static final int REBALANCE_TIMEOUT_MS = 3_000;
    private static final int SESSION_TIMEOUT_MS = 6_000;

    private final List<String> expiredA = new ArrayList<>();
    private final List<String> expiredB = new ArrayList<>();
    private final GroupCoordinator original =
        new GroupCoordinator(COUNTS, new StickyAssignor(), (g, m, r, t) -> expiredA.add(g + "/" + m + ":" + r));
    private final GroupCoordinator restored =
        new GroupCoordinator(COUNTS, new StickyAssignor(), (g, m, r, t) -> expiredB.add(g + "/" + m + ":" + r));

    @Test
    void shouldRoundTripSnapshotAndBehaveIdenticallyAfterRestore()
    {
        final HeartbeatResult a = join(original, "g1", "static-a", List.of("t1", "t2"), 0);
        final HeartbeatResult b = join(original, "g1", null, List.of("t1"), 10);
        final HeartbeatResult c = join(original, "g2", "static-c", List.of("t2"), 20);
        final HeartbeatResult d = join(original, "g2", null, List.of("t2"), 30);
        original.commitOffset("g1", a.memberId(), a.memberEpoch(), "t1", 0, 17, "meta");
        original.commitOffset("g2", c.memberId(), c.memberEpoch(), "t2", 1, 5, null);
        original.leave("g2", c.memberId(), true, 40);
        original.resetOffset("g3", "t1", 2, 99);
        assertThat(b.pending()).isNotEmpty();

        final byte[] first = snapshot(original);
        restore(restored, first);
        assertThat(snapshot(restored)).isEqualTo(first);
        assertThat(restored.describe("g1")).isEqualTo(original.describe("g1"));
        assertThat(restored.listGroups()).containsExactly("g1", "g2", "g3");
        assertThat(restored.nextDeadlineMs()).isEqualTo(original.nextDeadlineMs());

        for (final GroupCoordinator coordinator : List.of(original, restored))
        {
            final HeartbeatResult aNext = heartbeat(coordinator, "g1", a, 1_000);
            assertThat(aNext.revoke()).as(coordinator == original ? "original" : "restored").isNotEmpty();
            heartbeat(coordinator, "g1", aNext, 1_100);
            assertThat(heartbeat(coordinator, "g1", b, 1_200).assigned()).isNotEmpty();
            join(coordinator, "g1", null, List.of("t2"), 1_300);
            assertThat(coordinator.expireMembers(6_040)).isEqualTo(2);
            assertThat(coordinator.commitOffset("g1", a.memberId(), a.memberEpoch(), "t1", 0, 3, null))
                .isEqualTo(GroupErrors.STALE_MEMBER_EPOCH);
        }

        assertThat(expiredB).isEqualTo(expiredA).hasSize(2);
        assertThat(snapshot(restored)).isEqualTo(snapshot(original));
        assertThat(restored.committedOffset("g1", "t1", 0)).isEqualTo(17);
        assertThat(restored.committed("g3", "t1", 2)).isEqualTo(new OffsetAndMetadata(99, ""));
    }

    @Test
    void shouldRejectUnknownSnapshotVersion()
    {
        final BufferSnapshotSink sink = new BufferSnapshotSink();
        sink.writeInt(42);
        sink.writeLong(1);
        sink.writeInt(0);

        assertThatThrownBy(() -> restore(restored, sink.toByteArray())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldRejectTruncatedSnapshot()
    {
        join(original, "g1", null, List.of("t1"), 0);
        final byte[] bytes = snapshot(original);
        final byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);

        assertThatThrownBy(() -> restore(restored, truncated)).isInstanceOf(IllegalStateException.class);
        assertThat(restored.listGroups()).isEmpty();
    }

    private static HeartbeatResult join(
        final GroupCoordinator coordinator,
        final String groupId,
        final String instanceId,
        final List<String> topics,
        final long nowMs)
    {
        final HeartbeatResult result = coordinator.heartbeat(
            groupId, null, instanceId, topics, null, REBALANCE_TIMEOUT_MS, SESSION_TIMEOUT_MS, nowMs);
        assertThat(result.errorCode()).isEqualTo(GroupErrors.NONE);

        return result;
    }

    private static HeartbeatResult heartbeat(
        final GroupCoordinator coordinator, final String groupId, final HeartbeatResult last, final long nowMs)
    {
        final HeartbeatResult result = coordinator.heartbeat(
            groupId, last.memberId(), null, null, last.assigned(), REBALANCE_TIMEOUT_MS, SESSION_TIMEOUT_MS, nowMs);
        assertThat(result.errorCode()).isEqualTo(GroupErrors.NONE);

        return result;
    }

    private static byte[] snapshot(final GroupCoordinator coordinator)
    {
        final BufferSnapshotSink sink = new BufferSnapshotSink();
        coordinator.snapshot(sink);

        return sink.toByteArray();
    }

    private static void restore(final GroupCoordinator coordinator, final byte[] bytes)
    {
        final BufferSnapshotSource source = new BufferSnapshotSource(new UnsafeBuffer(bytes), 0, bytes.length);
        coordinator.restore(source);
        assertThat(source.remaining()).isZero();
    }
}
