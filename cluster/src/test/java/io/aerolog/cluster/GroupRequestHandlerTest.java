package io.aerolog.cluster;

import io.aerolog.cluster.group.Assignors;
import io.aerolog.cluster.group.GroupCoordinator;
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

    private Object handle(final int length)
    {
        final int answerLength = handler.handle(buffer, 0, length, 1_000);
        return GroupWire.decode(handler.answerBuffer(), 0, answerLength);
    }
}
