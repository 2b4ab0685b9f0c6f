package io.aerolog.cluster;

import io.aerolog.cluster.group.Assignors;
import io.aerolog.cluster.group.GroupCoordinator;
import io.aerolog.cluster.group.HeartbeatResult;
import io.aerolog.cluster.group.TopicPartitionCounts;
import io.aerolog.codecs.wire.ErrorCode;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ControllerStateTest
{
    private static final int NONE = ErrorCode.NONE.value();

    private final ControllerState state = new ControllerState();

    @Test
    void shouldRejectInvalidTopicNames()
    {
        final String tooLong = "a".repeat(250);
        for (final String name : new String[]{ "", ".", "..", "a b", "a/b", "ä", tooLong, null })
        {
            assertThat(state.createTopic(name, 1, -1, -1, 0)).as(name).isEqualTo(ErrorCode.INVALID_TOPIC.value());
            assertThat(state.lastErrorMessage()).isNotNull();
            assertThat(state.lastChanged()).isFalse();
        }

        assertThat(state.createTopic("a".repeat(249), 1, -1, -1, 0)).isEqualTo(NONE);
        assertThat(state.createTopic("Az09._-", 1, -1, -1, 0)).isEqualTo(NONE);
        assertThat(state.createTopic("...", 1, -1, -1, 0)).isEqualTo(NONE);
    }

    @Test
    void shouldValidatePartitionsAndConfig()
    {
        assertThat(state.createTopic("t", 0, -1, -1, 0)).isEqualTo(ErrorCode.INVALID_PARTITIONS.value());
        assertThat(state.createTopic("t", -3, -1, -1, 0)).isEqualTo(ErrorCode.INVALID_PARTITIONS.value());
        assertThat(state.createTopic("t", 10_001, -1, -1, 0)).isEqualTo(ErrorCode.INVALID_PARTITIONS.value());
        assertThat(state.createTopic("t", 1, -2, -1, 0)).isEqualTo(ErrorCode.INVALID_CONFIG.value());
        assertThat(state.createTopic("t", 1, -1, -2, 0)).isEqualTo(ErrorCode.INVALID_CONFIG.value());
        assertThat(state.createTopic("t", 1, -1, -1, 2)).isEqualTo(ErrorCode.INVALID_CONFIG.value());
        assertThat(state.createTopic("t", 1, -1, -1, -1)).isEqualTo(ErrorCode.INVALID_CONFIG.value());
        assertThat(state.topicCount()).isZero();
        assertThat(state.nextTopicId()).isEqualTo(ControllerState.FIRST_TOPIC_ID);
        assertThat(state.nextStreamId()).isEqualTo(ControllerState.FIRST_STREAM_ID);

        assertThat(state.createTopic("t", 10_000, 0, 0, 1)).isEqualTo(NONE);
        assertThat(state.createTopic("t", 1, -1, -1, 0)).isEqualTo(ErrorCode.TOPIC_ALREADY_EXISTS.value());
        assertThat(state.topicCount()).isEqualTo(1);
    }

    @Test
    void shouldAllocateTopicAndStreamIdsWithoutReuse()
    {
        assertThat(state.createTopic("a", 3, 1000, 2000, 1)).isEqualTo(NONE);
        final TopicMetadata a = state.lastTopic();
        assertThat(a.topicId()).isEqualTo(1);
        assertThat(a.firstStreamId()).isEqualTo(1000);
        assertThat(a.streamId(2)).isEqualTo(1002);
        assertThat(a.retentionMs()).isEqualTo(1000);
        assertThat(a.retentionBytes()).isEqualTo(2000);
        assertThat(a.timestampType()).isEqualTo(1);
        assertThat(a.logStartOffsets()).containsExactly(0, 0, 0);

        assertThat(state.createTopic("b", 2, -1, -1, 0)).isEqualTo(NONE);
        final TopicMetadata b = state.lastTopic();
        assertThat(b.topicId()).isEqualTo(2);
        assertThat(b.firstStreamId()).isEqualTo(1003);

        assertThat(state.deleteTopic("b")).isEqualTo(NONE);
        assertThat(state.lastTopic()).isEqualTo(b);
        assertThat(state.topic("b")).isNull();
        assertThat(state.topic(2)).isNull();

        assertThat(state.createTopic("b", 1, -1, -1, 0)).isEqualTo(NONE);
        assertThat(state.lastTopic().topicId()).isEqualTo(3);
        assertThat(state.lastTopic().firstStreamId()).isEqualTo(1005);
        assertThat(state.nextStreamId()).isEqualTo(1006);

        assertThat(state.topics()).extracting(TopicMetadata::name).containsExactly("a", "b");
    }

    @Test
    void shouldRejectDeleteOfUnknownTopic()
    {
        assertThat(state.deleteTopic("nope")).isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.value());
        assertThat(state.deleteTopic(null)).isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.value());
        state.createTopic("t", 1, -1, -1, 0);
        assertThat(state.deleteTopic("t")).isEqualTo(NONE);
        assertThat(state.deleteTopic("t")).isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.value());
    }

    @Test
    void shouldAllocateIncreasingProducerIds()
    {
        assertThat(state.allocateProducerId()).isEqualTo(1);
        assertThat(state.allocateProducerId()).isEqualTo(2);
        assertThat(state.allocateProducerId()).isEqualTo(3);
        assertThat(state.nextProducerId()).isEqualTo(4);
    }

    @Test
    void shouldOnlyMoveLogStartOffsetForwardAndNeverBeyondTheLogEnd()
    {
        state.createTopic("t", 2, -1, -1, 0);
        final int topicId = state.lastTopic().topicId();
        final int outOfRange = ErrorCode.OFFSET_OUT_OF_RANGE.value();

        assertThat(state.updateLogStartOffset(topicId, 1, 100, 100)).isEqualTo(NONE);
        assertThat(state.lastChanged()).isTrue();
        assertThat(state.topic("t").logStartOffset(1)).isEqualTo(100);
        assertThat(state.topic("t").logStartOffset(0)).isZero();

        assertThat(state.updateLogStartOffset(topicId, 1, 50, 200)).isEqualTo(outOfRange);
        assertThat(state.lastChanged()).isFalse();
        assertThat(state.lastErrorMessage()).contains("below");
        assertThat(state.updateLogStartOffset(topicId, 1, 100, 200)).isEqualTo(NONE); // a re-sent update
        assertThat(state.lastChanged()).isFalse();
        assertThat(state.topic(topicId).logStartOffset(1)).isEqualTo(100);

        assertThat(state.updateLogStartOffset(topicId, 1, 201, 200)).isEqualTo(outOfRange);
        assertThat(state.lastErrorMessage()).contains("beyond");
        assertThat(state.updateLogStartOffset(topicId, 1, Long.MAX_VALUE, Long.MIN_VALUE)).isEqualTo(outOfRange);
        assertThat(state.topic(topicId).logStartOffset(1)).isEqualTo(100);

        assertThat(state.updateLogStartOffset(topicId, 1, 101, 101)).isEqualTo(NONE);
        assertThat(state.topic(topicId).logStartOffset(1)).isEqualTo(101);

        final int unknown = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.value();
        assertThat(state.updateLogStartOffset(topicId, 2, 1, 1)).isEqualTo(unknown);
        assertThat(state.updateLogStartOffset(topicId, -1, 1, 1)).isEqualTo(unknown);
        assertThat(state.updateLogStartOffset(99, 0, 1, 1)).isEqualTo(unknown);
        assertThat(state.updateLogStartOffset(topicId, 0, -5, 1)).isEqualTo(ErrorCode.INVALID_REQUEST.value());
    }

    @Test
    void shouldRefuseTopicsBeyondTheirCaps()
    {
        final ControllerState capped = new ControllerState(new ControllerLimits(2, 8, 1, 1, 1));
        assertThat(capped.createTopic("a", 8, -1, -1, 0)).isEqualTo(NONE);
        assertThat(capped.createTopic("b", 9, -1, -1, 0)).isEqualTo(ErrorCode.INVALID_PARTITIONS.value());
        assertThat(capped.createTopic("b", 1, -1, -1, 0)).isEqualTo(NONE);
        assertThat(capped.createTopic("c", 1, -1, -1, 0)).isEqualTo(ErrorCode.LIMIT_REACHED.value());
        assertThat(capped.topicCount()).isEqualTo(2);
        assertThat(capped.deleteTopic("a")).isEqualTo(NONE);
        assertThat(capped.createTopic("c", 1, -1, -1, 0)).isEqualTo(NONE);
    }

    @Test
    void shouldSnapshotAndRestoreEverything()
    {
        state.createTopic("a", 3, 1000, -1, 0);
        state.createTopic("b", 2, -1, 4096, 1);
        state.createTopic("c", 1, -1, -1, 0);
        state.deleteTopic("b");
        state.createTopic("big", 5000, -1, -1, 0);
        state.updateLogStartOffset(state.topic("a").topicId(), 2, 42, 50);
        state.updateLogStartOffset(state.topic("big").topicId(), 4999, 7, 7);
        state.allocateProducerId();
        state.allocateProducerId();

        final TopicEventCodec codec = new TopicEventCodec();
        final List<DirectBuffer> messages = new ArrayList<>();
        new ControllerSnapshot.Writer(codec).write(state, (buffer, offset, length) ->
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            messages.add(new UnsafeBuffer(copy));
        });
        assertThat(messages).hasSize(2 + state.topicCount());

        final ControllerSnapshot.Loader loader = new ControllerSnapshot.Loader(new TopicEventCodec());
        for (final DirectBuffer message : messages)
        {
            assertThat(loader.isComplete()).isFalse();
            loader.onFragment(message, 0, message.capacity(), null);
        }
        assertThat(loader.isComplete()).isTrue();

        final ControllerState restored = new ControllerState();
        loader.restoreInto(restored);

        assertThat(restored.topics()).isEqualTo(state.topics());
        assertThat(restored.nextTopicId()).isEqualTo(state.nextTopicId());
        assertThat(restored.nextStreamId()).isEqualTo(state.nextStreamId());
        assertThat(restored.nextProducerId()).isEqualTo(state.nextProducerId());
        assertThat(restored.topic("a").logStartOffset(2)).isEqualTo(42);
        assertThat(restored.topic(state.topic("big").topicId()).logStartOffset(4999)).isEqualTo(7);

        // Allocation continues where it left off: no reuse after a restore.
        assertThat(restored.allocateProducerId()).isEqualTo(3);
        assertThat(restored.createTopic("b", 1, -1, -1, 0)).isEqualTo(NONE);
        assertThat(restored.lastTopic().topicId()).isEqualTo(5);
        assertThat(restored.lastTopic().firstStreamId()).isEqualTo(1000 + 3 + 2 + 1 + 5000);
    }

    @Test
    void shouldSnapshotAndRestoreGroupsInChunksIdentically()
    {
        state.createTopic("t", 8, -1, -1, 0);
        final TopicPartitionCounts counts = (name) ->
            null == state.topic(name) ? TopicPartitionCounts.UNKNOWN_TOPIC : state.topic(name).partitions();
        final GroupCoordinator groups = new GroupCoordinator(counts, Assignors.DEFAULT, (g, m, r, n) -> {});
        for (int i = 0; i < 2000; i++)
        {
            final String groupId = "group-" + i;
            final HeartbeatResult joined = groups.heartbeat(
                groupId, null, null, List.of("t"), null, 1000, 10_000, 0 == i % 2 ? "range" : "", i);
            assertThat(joined.isSuccess()).isTrue();
            assertThat(groups.commitOffset(groupId, joined.memberId(), joined.memberEpoch(), "t", i % 8, i, "x"))
                .isEqualTo(NONE);
        }

        final List<DirectBuffer> messages = snapshot(groups);
        assertThat(messages.size()).isGreaterThan(2 + 1 + 1); // the group state spans several chunks

        final ControllerSnapshot.Loader loader = new ControllerSnapshot.Loader(new TopicEventCodec());
        for (final DirectBuffer message : messages)
        {
            loader.onFragment(message, 0, message.capacity(), null);
        }
        final ControllerState restoredState = new ControllerState();
        final GroupCoordinator restored = new GroupCoordinator(
            (name) -> null == restoredState.topic(name) ?
                TopicPartitionCounts.UNKNOWN_TOPIC : restoredState.topic(name).partitions(),
            Assignors.DEFAULT,
            (g, m, r, n) -> {});
        loader.restoreInto(restoredState, restored);

        assertThat(restored.listGroups()).isEqualTo(groups.listGroups());
        assertThat(restored.describe("group-7")).isEqualTo(groups.describe("group-7"));
        assertThat(restored.assignorName("group-0")).isEqualTo("range");
        assertThat(restored.assignorName("group-1")).isEqualTo("sticky");
        assertThat(restored.committedOffset("group-1999", "t", 1999 % 8)).isEqualTo(1999);
        assertThat(restored.nextDeadlineMs()).isEqualTo(groups.nextDeadlineMs());

        // Identical on every member: the restored state snapshots to the same bytes.
        final List<DirectBuffer> again = snapshot(restored);
        assertThat(again).hasSameSizeAs(messages);
        for (int i = 0; i < messages.size(); i++)
        {
            assertThat(again.get(i).compareTo(messages.get(i))).as("message " + i).isZero();
        }
    }

    private List<DirectBuffer> snapshot(final GroupCoordinator groups)
    {
        final List<DirectBuffer> messages = new ArrayList<>();
        new ControllerSnapshot.Writer(new TopicEventCodec()).write(state, groups, (buffer, offset, length) ->
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            messages.add(new UnsafeBuffer(copy));
        });

        return messages;
    }

    @Test
    void shouldRejectIncompleteOrInconsistentSnapshot()
    {
        state.createTopic("a", 1, -1, -1, 0);
        final List<DirectBuffer> messages = new ArrayList<>();
        new ControllerSnapshot.Writer(new TopicEventCodec()).write(state, (buffer, offset, length) ->
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            messages.add(new UnsafeBuffer(copy));
        });

        final ControllerSnapshot.Loader noEnd = new ControllerSnapshot.Loader(new TopicEventCodec());
        noEnd.onFragment(messages.get(0), 0, messages.get(0).capacity(), null);
        noEnd.onFragment(messages.get(1), 0, messages.get(1).capacity(), null);
        assertThatThrownBy(() -> noEnd.restoreInto(new ControllerState())).isInstanceOf(IllegalStateException.class);

        final ControllerSnapshot.Loader noHeader = new ControllerSnapshot.Loader(new TopicEventCodec());
        assertThatThrownBy(() -> noHeader.onFragment(messages.get(1), 0, messages.get(1).capacity(), null))
            .isInstanceOf(IllegalStateException.class);

        final ControllerSnapshot.Loader truncated = new ControllerSnapshot.Loader(new TopicEventCodec());
        truncated.onFragment(messages.get(0), 0, messages.get(0).capacity(), null);
        assertThatThrownBy(() -> truncated.onFragment(messages.get(1), 0, messages.get(1).capacity() - 1, null))
            .isInstanceOf(IllegalArgumentException.class);

        assertThatThrownBy(() -> new ControllerState().restore(1, 1000, 1, state.topics()))
            .isInstanceOf(IllegalStateException.class);
    }
}
