package io.aerolog.cluster;

import io.aerolog.cluster.group.Assignors;
import io.aerolog.cluster.group.GroupCoordinator;
import io.aerolog.cluster.group.GroupErrors;
import io.aerolog.cluster.group.TopicPartitionCounts;
import io.aerolog.codecs.wire.ErrorCode;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class GroupRequestHandlerTest
{
    private final TopicPartitionCounts counts = (topic) -> "t".equals(topic) ? 4 : TopicPartitionCounts.UNKNOWN_TOPIC;
    private final GroupCoordinator coordinator = new GroupCoordinator(counts, Assignors.DEFAULT, (g, m, r, n) -> {});
    private final GroupRequestHandler handler = new GroupRequestHandler(coordinator, counts, 100);
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);

    @Test
    void shouldJoinCommitAndFetchWithoutAeron()
    {
        final GroupWire.Heartbeat joined = (GroupWire.Heartbeat)handle(
            GroupWire.heartbeat(buffer, 5, "g", "", "", List.of("t"), null, 1000, 10_000, ""));
        assertThat(joined.correlationId()).isEqualTo(5);
        assertThat(joined.code()).isEqualTo(ErrorCode.NONE.value());
        assertThat(joined.assigned()).hasSize(4);
        assertThat(joined.heartbeatIntervalMs()).isEqualTo(100);

        final GroupWire.Commit commit = (GroupWire.Commit)handle(GroupWire.commit(
            buffer, 6, "g", joined.memberId(), joined.memberEpoch(), Map.of(ControllerGroupsTest.tp("t", 1), 3L)));
        assertThat(commit.code()).isEqualTo(ErrorCode.NONE.value());

        final GroupWire.Fetch fetch = (GroupWire.Fetch)handle(GroupWire.fetch(buffer, 7, "g", List.of()));
        assertThat(fetch.offsets()).isEqualTo(Map.of(ControllerGroupsTest.tp("t", 1), 3L));
        assertThat(handler.malformedRequests()).isZero();
        assertThat(handler.internalErrors()).isZero();
    }

    @Test
    void shouldGiveStaticMemberItsPartitionsBackAfterTemporaryLeave()
    {
        final GroupWire.Heartbeat joined = (GroupWire.Heartbeat)handle(
            GroupWire.heartbeat(buffer, 1, "g", "", "instance-a", List.of("t"), null, 1000, 10_000, "roundrobin"));
        assertThat(joined.assigned()).hasSize(4);

        final GroupWire.Admin left = (GroupWire.Admin)handle(GroupWire.leave(buffer, 2, "g", joined.memberId(), true));
        assertThat(left.code()).isEqualTo(ErrorCode.NONE.value());

        final GroupWire.Heartbeat back = (GroupWire.Heartbeat)handle(
            GroupWire.heartbeat(buffer, 3, "g", "", "instance-a", List.of("t"), null, 1000, 10_000, ""));
        assertThat(back.code()).isEqualTo(ErrorCode.NONE.value());
        assertThat(back.memberId()).isNotEqualTo(joined.memberId());
        assertThat(back.assigned()).isEqualTo(joined.assigned());
        assertThat(back.memberEpoch()).isEqualTo(joined.memberEpoch());

        // The old member id is gone; the instance id is held.
        assertThat(((GroupWire.Heartbeat)handle(GroupWire.heartbeat(
            buffer, 4, "g", joined.memberId(), "", null, null, 1000, 10_000, ""))).code())
            .isEqualTo(GroupErrors.UNKNOWN_MEMBER_ID);
        assertThat(((GroupWire.Heartbeat)handle(GroupWire.heartbeat(
            buffer, 5, "g", "", "instance-a", List.of("t"), null, 1000, 10_000, ""))).code())
            .isEqualTo(GroupErrors.UNRELEASED_INSTANCE_ID);
        assertThat(((GroupWire.Heartbeat)handle(GroupWire.heartbeat(
            buffer, 6, "g", back.memberId(), "instance-b", null, null, 1000, 10_000, ""))).code())
            .isEqualTo(GroupErrors.FENCED_INSTANCE_ID);
    }

    @Test
    void shouldRejectBadTimeoutsAndIdsWithoutChangingState()
    {
        final int invalid = ErrorCode.INVALID_REQUEST.value();
        assertThat(((GroupWire.Heartbeat)handle(GroupWire.heartbeat(
            buffer, 1, "g", "", "", List.of("t"), null, 1000, 999, ""))).code()).isEqualTo(invalid);
        assertThat(((GroupWire.Heartbeat)handle(GroupWire.heartbeat(
            buffer, 2, "g", "", "", List.of("t"), null, 1000, 300_001, ""))).code()).isEqualTo(invalid);
        assertThat(((GroupWire.Heartbeat)handle(GroupWire.heartbeat(
            buffer, 3, "g", "", "", List.of("t"), null, 0, 10_000, ""))).message()).contains("rebalanceTimeoutMs");
        assertThat(((GroupWire.Heartbeat)handle(GroupWire.heartbeat(
            buffer, 4, "x".repeat(256), "", "", List.of("t"), null, 1000, 10_000, ""))).code()).isEqualTo(invalid);
        assertThat(((GroupWire.Heartbeat)handle(GroupWire.heartbeat(
            buffer, 5, "", "", "", List.of("t"), null, 1000, 10_000, ""))).code()).isEqualTo(invalid);
        assertThat(((GroupWire.Heartbeat)handle(GroupWire.heartbeat(
            buffer, 6, "g", "", "", List.of(), null, 1000, 10_000, ""))).code()).isEqualTo(invalid);
        assertThat(((GroupWire.Admin)handle(GroupWire.reset(buffer, 7, "g", Map.of()))).code()).isEqualTo(invalid);

        assertThat(coordinator.listGroups()).isEmpty();
        assertThat(handler.malformedRequests()).isZero();
        assertThat(handler.handledRequests()).isEqualTo(7);
    }

    private Object handle(final int length)
    {
        final int answerLength = handler.handle(buffer, 0, length, 1_000);
        return GroupWire.decode(handler.answerBuffer(), 0, answerLength);
    }
}
