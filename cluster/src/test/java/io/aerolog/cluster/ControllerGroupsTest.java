package io.aerolog.cluster;

import io.aerolog.cluster.group.GroupErrors;
import io.aerolog.cluster.group.TopicPartition;
import io.aerolog.codecs.wire.DescribeGroupEncoder;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.LeaveGroupEncoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import io.aeron.Aeron;
import org.agrona.CloseHelper;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Consumer groups through a real one-member controller: requests forwarded as a broker does, answers decoded as a
 * client does.
 */
@Timeout(120)
class ControllerGroupsTest
{
    private static final String GROUP = "g1";
    private static final String TOPIC = "orders";
    private static final int NONE = ErrorCode.NONE.value();
    private static final int SESSION_TIMEOUT_MS = GroupWire.SESSION_TIMEOUT_MS;

    @TempDir
    Path tempDir;

    private int portBase;
    private ControllerNode node;
    private Aeron aeron;
    private GroupTestClient client;

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
    void shouldAssignPartitionsToTwoMembersRevokingBeforeAssigning()
    {
        launchAndConnect();
        client.createTopic(TOPIC, 4);

        final GroupWire.Heartbeat a1 = client.join(GROUP, List.of(TOPIC));
        assertThat(a1.code()).isEqualTo(NONE);
        assertThat(a1.memberId()).isNotEmpty();
        assertThat(a1.assigned()).containsExactlyElementsOf(partitions(TOPIC, 0, 1, 2, 3));
        assertThat(a1.heartbeatIntervalMs()).isEqualTo(GroupRequestHandler.HEARTBEAT_INTERVAL_MS_DEFAULT);
        final String a = a1.memberId();

        final GroupWire.Heartbeat b1 = client.join(GROUP, List.of(TOPIC));
        final String b = b1.memberId();
        assertThat(b).isNotEqualTo(a);
        assertThat(b1.assigned()).isEmpty();
        assertThat(b1.pending()).hasSize(2); // still owned by a
        assertThat(b1.groupEpoch()).isGreaterThan(a1.groupEpoch());

        final GroupWire.Heartbeat a2 = client.heartbeat(GROUP, a, a1.assigned());
        assertThat(a2.revoke()).containsExactlyElementsOf(b1.pending());
        assertThat(a2.assigned()).hasSize(2).doesNotContainAnyElementsOf(a2.revoke());
        assertThat(a2.memberEpoch()).isEqualTo(a1.memberEpoch()); // no new epoch until it has released

        // b gets nothing while a still owns the partitions.
        assertThat(client.heartbeat(GROUP, b, Set.of()).assigned()).isEmpty();

        // a commits what it must give up, with its current epoch, then reports it no longer owns it.
        final Map<TopicPartition, Long> revokedOffsets = new TreeMap<>();
        for (final TopicPartition tp : a2.revoke())
        {
            revokedOffsets.put(tp, 10L + tp.partition());
        }
        final GroupWire.Commit commit = client.commit(GROUP, a, a2.memberEpoch(), revokedOffsets);
        assertThat(commit.code()).isEqualTo(NONE);
        assertThat(commit.results().values()).containsOnly(NONE);

        final GroupWire.Heartbeat a3 = client.heartbeat(GROUP, a, a2.assigned());
        assertThat(a3.revoke()).isEmpty();
        assertThat(a3.memberEpoch()).isEqualTo(a3.groupEpoch());

        final GroupWire.Heartbeat b2 = client.heartbeat(GROUP, b, Set.of());
        assertThat(b2.assigned()).containsExactlyElementsOf(a2.revoke());
        assertThat(b2.pending()).isEmpty();
        assertThat(b2.memberEpoch()).isEqualTo(b2.groupEpoch());

        final GroupWire.Fetch fetched = client.fetch(GROUP, b2.assigned());
        assertThat(fetched.offsets()).isEqualTo(revokedOffsets);
        assertThat(node.service().groupRequests()).isGreaterThanOrEqualTo(8);
    }

    @Test
    void shouldCommitFetchDescribeListResetAndDeleteGroups()
    {
        launchAndConnect();
        client.createTopic(TOPIC, 3);
        client.createTopic("other", 1);

        final GroupWire.Heartbeat joined = client.join(GROUP, List.of(TOPIC));
        final String member = joined.memberId();
        final Map<TopicPartition, Long> offsets = Map.of(tp(TOPIC, 0), 5L, tp(TOPIC, 2), 9L);
        assertThat(client.commit(GROUP, member, joined.memberEpoch(), offsets).code()).isEqualTo(NONE);

        // A lower offset is accepted and ignored: committed offsets never move backwards through commits.
        final GroupWire.Commit lower = client.commit(GROUP, member, joined.memberEpoch(), Map.of(tp(TOPIC, 0), 3L));
        assertThat(lower.code()).isEqualTo(NONE);

        final GroupWire.Fetch all = client.fetch(GROUP, List.of());
        assertThat(all.offsets()).isEqualTo(new TreeMap<>(offsets));
        assertThat(all.metadata().get(tp(TOPIC, 2))).isEqualTo("m9");
        final GroupWire.Fetch some = client.fetch(GROUP, List.of(tp(TOPIC, 1), tp(TOPIC, 2), tp("other", 0)));
        assertThat(some.offsets()).containsEntry(tp(TOPIC, 1), -1L).containsEntry(tp(TOPIC, 2), 9L)
            .containsEntry(tp("other", 0), -1L);
        assertThat(client.fetch("nobody", List.of()).offsets()).isEmpty();

        final GroupWire.Description description = client.describe(GROUP);
        assertThat(description.code()).isEqualTo(NONE);
        assertThat(description.assignor()).isEqualTo("sticky");
        assertThat(description.members()).containsExactly(
            new GroupWire.Member(member, "", joined.memberEpoch()));
        assertThat(description.partitions()).containsExactly(
            new GroupWire.Partition(tp(TOPIC, 0), 5, -1, member),
            new GroupWire.Partition(tp(TOPIC, 1), -1, -1, member),
            new GroupWire.Partition(tp(TOPIC, 2), 9, -1, member));

        final GroupWire.GroupList list = client.request((b, c) -> GroupWire.listGroups(b, c));
        assertThat(list.groups()).containsExactly(new GroupWire.ListedGroup(GROUP, 1, description.groupEpoch()));

        // Reset and delete need a group without members.
        final GroupWire.Admin notEmpty =
            client.request((b, c) -> GroupWire.reset(b, c, GROUP, Map.of(tp(TOPIC, 0), 0L)));
        assertThat(notEmpty.code()).isEqualTo(GroupErrors.GROUP_NOT_EMPTY);
        assertThat(client.<GroupWire.Admin>request((b, c) -> GroupWire.delete(b, c, GROUP)).code())
            .isEqualTo(GroupErrors.GROUP_NOT_EMPTY);

        final GroupWire.Admin left = client.request((b, c) -> GroupWire.leave(b, c, GROUP, member, false));
        assertThat(left.code()).isEqualTo(NONE);

        // All or nothing: one bad partition and nothing changes.
        final Map<TopicPartition, Long> badReset = new TreeMap<>(Map.of(tp(TOPIC, 0), 0L, tp(TOPIC, 7), 0L));
        final GroupWire.Admin refused = client.request((b, c) -> GroupWire.reset(b, c, GROUP, badReset));
        assertThat(refused.code()).isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.value());
        assertThat(refused.message()).contains(TOPIC + "-7");
        assertThat(client.fetch(GROUP, List.of()).offsets()).isEqualTo(new TreeMap<>(offsets));

        final Map<TopicPartition, Long> reset = new TreeMap<>(Map.of(tp(TOPIC, 0), 1L, tp("other", 0), 4L));
        assertThat(client.<GroupWire.Admin>request((b, c) -> GroupWire.reset(b, c, GROUP, reset)).code())
            .isEqualTo(NONE);
        assertThat(client.fetch(GROUP, List.of()).offsets())
            .containsExactlyEntriesOf(new TreeMap<>(Map.of(tp(TOPIC, 0), 1L, tp(TOPIC, 2), 9L, tp("other", 0), 4L)));

        final GroupWire.Description empty = client.describe(GROUP);
        assertThat(empty.members()).isEmpty();
        assertThat(empty.partitions()).extracting(GroupWire.Partition::owner).containsOnly("");

        assertThat(client.<GroupWire.Admin>request((b, c) -> GroupWire.delete(b, c, GROUP)).code()).isEqualTo(NONE);
        assertThat(client.describe(GROUP).code()).isEqualTo(GroupErrors.UNKNOWN_GROUP);
        assertThat(client.<GroupWire.GroupList>request((b, c) -> GroupWire.listGroups(b, c)).groups()).isEmpty();
        assertThat(client.<GroupWire.Admin>request((b, c) -> GroupWire.delete(b, c, GROUP)).code())
            .isEqualTo(GroupErrors.UNKNOWN_GROUP);
    }

    @Test
    void shouldAnswerEveryBadRequestWithItsCodeAndKeepServing()
    {
        launchAndConnect();
        client.createTopic(TOPIC, 2);

        assertThat(client.join(GROUP, List.of("missing")).code())
            .isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.value());
        final GroupWire.Heartbeat joined = client.join(GROUP, List.of(TOPIC));
        final String member = joined.memberId();

        assertThat(client.heartbeat(GROUP, "member-999", Set.of()).code()).isEqualTo(GroupErrors.UNKNOWN_MEMBER_ID);
        assertThat(client.heartbeat(GROUP, member, "", List.of("missing"), null, GroupWire.SESSION_TIMEOUT_MS, "")
            .code()).isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.value());

        final GroupWire.Heartbeat shortSession =
            client.heartbeat(GROUP, member, "", null, null, 10, "");
        assertThat(shortSession.code()).isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(shortSession.message()).contains("sessionTimeoutMs");

        assertThat(client.heartbeat(GROUP, "", "", List.of(TOPIC), null, GroupWire.SESSION_TIMEOUT_MS, "fastest")
            .code()).isEqualTo(ErrorCode.INVALID_REQUEST.value());
        final GroupWire.Heartbeat inconsistent =
            client.heartbeat(GROUP, "", "", List.of(TOPIC), null, GroupWire.SESSION_TIMEOUT_MS, "range");
        assertThat(inconsistent.code()).isEqualTo(GroupErrors.INCONSISTENT_ASSIGNOR);
        assertThat(inconsistent.message()).contains("sticky");

        assertThat(client.commit("nobody", member, joined.memberEpoch(), Map.of(tp(TOPIC, 0), 1L)).code())
            .isEqualTo(GroupErrors.UNKNOWN_GROUP);
        assertThat(client.commit(GROUP, member, joined.memberEpoch() + 1, Map.of(tp(TOPIC, 0), 1L)).code())
            .isEqualTo(GroupErrors.STALE_MEMBER_EPOCH);
        final Map<TopicPartition, Long> partlyOwned = new TreeMap<>(Map.of(tp(TOPIC, 0), 1L, tp(TOPIC, 5), 1L));
        final GroupWire.Commit notOwned = client.commit(GROUP, member, joined.memberEpoch(), partlyOwned);
        assertThat(notOwned.code()).isEqualTo(GroupErrors.PARTITION_NOT_OWNED);
        assertThat(notOwned.results()).containsEntry(tp(TOPIC, 0), NONE)
            .containsEntry(tp(TOPIC, 5), GroupErrors.PARTITION_NOT_OWNED);
        assertThat(client.commit(GROUP, member, joined.memberEpoch(), Map.of(tp(TOPIC, 1), -5L)).code())
            .isEqualTo(ErrorCode.INVALID_REQUEST.value());

        final ExpandableArrayBuffer raw = new ExpandableArrayBuffer(256);
        final int length = GroupWire.commit(raw, 4242, GROUP, member, joined.memberEpoch(), Map.of(tp(TOPIC, 1), 8L));
        final Object truncated = client.requestRaw(raw, 0, length - 3);
        assertThat(truncated).isEqualTo(new GroupWire.Error(4242, ErrorCode.CORRUPT_MESSAGE.value(),
            ((GroupWire.Error)truncated).message()));
        assertThat(client.requestRaw(raw, 0, 5)).extracting(GroupTestClient::codeOf)
            .isEqualTo((int)ErrorCode.CORRUPT_MESSAGE.value());

        final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
        copy.putBytes(0, raw, 0, length);
        final MessageHeaderEncoder header = new MessageHeaderEncoder().wrap(copy, 0);
        header.schemaId(42);
        assertThat(GroupTestClient.codeOf(client.requestRaw(copy, 0, length)))
            .isEqualTo(ErrorCode.CORRUPT_MESSAGE.value());
        header.schemaId(MessageHeaderEncoder.SCHEMA_ID).version(MessageHeaderEncoder.SCHEMA_VERSION + 1);
        assertThat(GroupTestClient.codeOf(client.requestRaw(copy, 0, length)))
            .isEqualTo(ErrorCode.UNSUPPORTED_VERSION.value());
        header.version(MessageHeaderEncoder.SCHEMA_VERSION).templateId(30); // a produce request
        assertThat(GroupTestClient.codeOf(client.requestRaw(copy, 0, length)))
            .isEqualTo(ErrorCode.INVALID_REQUEST.value());
        header.templateId(53).blockLength(4);
        assertThat(GroupTestClient.codeOf(client.requestRaw(copy, 0, length)))
            .isEqualTo(ErrorCode.CORRUPT_MESSAGE.value());

        // Nothing malformed was applied, and the controller still serves.
        assertThat(client.fetch(GROUP, List.of()).offsets()).isEqualTo(Map.of(tp(TOPIC, 0), 1L));
        assertThat(node.service().malformedGroupRequests()).isEqualTo(6);
    }

    @Test
    void shouldExpireSilentMemberByTimerAndMoveItsPartitions()
    {
        launchAndConnect();
        client.createTopic(TOPIC, 4);

        final GroupWire.Heartbeat a1 = client.heartbeat(GROUP, "", "", List.of(TOPIC), null, 60_000, "");
        final GroupWire.Heartbeat b1 = client.heartbeat(GROUP, "", "", List.of(TOPIC), null, 1_000, "");
        GroupWire.Heartbeat a = client.heartbeat(GROUP, a1.memberId(), a1.assigned());
        a = client.heartbeat(GROUP, a1.memberId(), a.assigned());
        GroupWire.Heartbeat b = client.heartbeat(GROUP, b1.memberId(), "", null, Set.of(), 1_000, "");
        assertThat(b.assigned()).hasSize(2);

        // b goes silent; only the timer can notice.
        final String aId = a1.memberId();
        final GroupWire.Heartbeat[] latest = {a};
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() ->
        {
            latest[0] = client.heartbeat(GROUP, aId, latest[0].assigned());
            return 4 == latest[0].assigned().size();
        });

        assertThat(node.service().expiredMembers()).isEqualTo(1);
        assertThat(client.heartbeat(GROUP, b1.memberId(), b.assigned()).code())
            .isEqualTo(GroupErrors.UNKNOWN_MEMBER_ID);
        assertThat(client.describe(GROUP).members()).extracting(GroupWire.Member::memberId).containsExactly(aId);
    }

    @Test
    void shouldKeepGroupsAndOffsetsAcrossRestartFromLogAndFromSnapshot()
    {
        launchAndConnect();
        client.createTopic(TOPIC, 2);
        client.createTopic("gone", 1);

        final GroupWire.Heartbeat joined =
            client.heartbeat(GROUP, "", "static-1", List.of(TOPIC, "gone"), null, SESSION_TIMEOUT_MS, "range");
        final String member = joined.memberId();
        assertThat(client.commit(GROUP, member, joined.memberEpoch(), Map.of(tp(TOPIC, 0), 7L, tp("gone", 0), 3L))
            .code()).isEqualTo(NONE);
        assertThat(client.<GroupWire.Admin>request((b, c) -> GroupWire.reset(b, c, "idle", Map.of(tp(TOPIC, 1), 2L)))
            .code()).isEqualTo(NONE);

        // A deleted topic leaves the assignment (revoked on the next heartbeat); its committed offset stays.
        client.deleteTopic("gone");
        final GroupWire.Heartbeat afterDelete = client.heartbeat(GROUP, member, joined.assigned());
        assertThat(afterDelete.revoke()).containsExactly(tp("gone", 0));
        final GroupWire.Heartbeat settled = client.heartbeat(GROUP, member, afterDelete.assigned());
        assertThat(settled.assigned()).containsExactlyElementsOf(partitions(TOPIC, 0, 1));
        final GroupWire.Description before = client.describe(GROUP);

        restart(); // log replay only
        assertRestored(member, settled, before);

        assertThat(node.takeSnapshot(GroupTestClient.TIMEOUT_MS)).isTrue();
        assertThat(client.commit(GROUP, member, settled.memberEpoch(), Map.of(tp(TOPIC, 1), 11L)).code())
            .isEqualTo(NONE); // after the snapshot: replayed from the log

        restart(); // snapshot plus log
        assertThat(client.fetch(GROUP, List.of(tp(TOPIC, 1))).offsets()).containsEntry(tp(TOPIC, 1), 11L);
        assertThat(client.describe(GROUP).assignor()).isEqualTo("range");
        assertThat(client.heartbeat(GROUP, member, settled.assigned()).memberEpoch()).isEqualTo(settled.memberEpoch());

        assertThat(node.takeSnapshot(GroupTestClient.TIMEOUT_MS)).isTrue();
        restart(); // snapshot only
        assertThat(client.fetch(GROUP, List.of()).offsets())
            .containsExactlyEntriesOf(new TreeMap<>(Map.of(tp(TOPIC, 0), 7L, tp(TOPIC, 1), 11L, tp("gone", 0), 3L)));
        assertThat(client.fetch("idle", List.of()).offsets()).isEqualTo(Map.of(tp(TOPIC, 1), 2L));
        final GroupWire.Heartbeat rejoin = client.heartbeat(GROUP, "", "", List.of(TOPIC), null,
            GroupWire.SESSION_TIMEOUT_MS, "");
        assertThat(rejoin.code()).isEqualTo(NONE);
        assertThat(rejoin.memberId()).isNotEqualTo(member); // member ids are not reused after a restart
    }

    @Test
    void aPoisonedGroupRequestIsRefusedAndTheControllerStillRestartsFromItsLog()
    {
        launchAndConnect();
        client.createTopic(TOPIC, 2);
        final GroupWire.Heartbeat joined = client.join(GROUP, List.of(TOPIC));
        assertThat(client.commit(GROUP, joined.memberId(), joined.memberEpoch(), Map.of(tp(TOPIC, 0), 5L)).code())
            .isEqualTo(NONE);

        // A group id declared 2 GiB long: a generated decoder would allocate it before any bounds check, and the
        // command, kept in the log, would end the service again on every replay.
        final ExpandableArrayBuffer describe = new ExpandableArrayBuffer(256);
        final int describeLength = GroupWire.describe(describe, 61, GROUP);
        describe.putInt(MessageHeaderEncoder.ENCODED_LENGTH + DescribeGroupEncoder.BLOCK_LENGTH, 0x7fff_ffff);
        assertThat(GroupTestClient.codeOf(client.requestRaw(describe, 0, describeLength)))
            .isEqualTo(ErrorCode.CORRUPT_MESSAGE.value());
        final ExpandableArrayBuffer leave = new ExpandableArrayBuffer(256);
        final int leaveLength = GroupWire.leave(leave, 62, GROUP, joined.memberId(), false);
        leave.putInt(MessageHeaderEncoder.ENCODED_LENGTH + LeaveGroupEncoder.BLOCK_LENGTH, 0x7fff_ffff);
        assertThat(GroupTestClient.codeOf(client.requestRaw(leave, 0, leaveLength)))
            .isEqualTo(ErrorCode.CORRUPT_MESSAGE.value());

        // The node goes on, and after a restart from its log (where both requests are) it elects and serves.
        assertThat(client.describe(GROUP).members()).hasSize(1);
        restart();
        assertThat(client.fetch(GROUP, List.of()).offsets()).isEqualTo(Map.of(tp(TOPIC, 0), 5L));
        assertThat(client.describe(GROUP).members()).hasSize(1);
    }

    private void assertRestored(
        final String member, final GroupWire.Heartbeat settled, final GroupWire.Description before)
    {
        final GroupWire.Description after = client.describe(GROUP);
        assertThat(after).isEqualTo(withCorrelationId(before, after.correlationId()));
        assertThat(client.fetch(GROUP, List.of()).offsets())
            .containsExactlyEntriesOf(new TreeMap<>(Map.of(tp(TOPIC, 0), 7L, tp("gone", 0), 3L)));
        final GroupWire.Heartbeat again = client.heartbeat(GROUP, member, settled.assigned());
        assertThat(again.code()).isEqualTo(NONE);
        assertThat(again.assigned()).isEqualTo(settled.assigned());
        assertThat(again.memberEpoch()).isEqualTo(settled.memberEpoch());
    }

    private static GroupWire.Description withCorrelationId(final GroupWire.Description d, final long correlationId)
    {
        return new GroupWire.Description(correlationId, d.code(), d.groupEpoch(), d.members(), d.partitions(),
            d.groupId(), d.assignor(), d.message());
    }

    private void launchAndConnect()
    {
        node = ControllerNode.launch(new ControllerNode.Context()
            .baseDir(null != node ? node.context().baseDir() : tempDir.resolve("node").toFile())
            .portBase(portBase)
            .aeronDirectoryName(tempDir.resolve("aeron").toString()));
        assertThat(node.awaitLeader(GroupTestClient.TIMEOUT_MS)).isTrue();
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(node.aeronDirectoryName()));
        client = new GroupTestClient(aeron, node.context().ingressEndpoints(), node.context().secret());
    }

    private void restart()
    {
        final File baseDir = node.context().baseDir();
        CloseHelper.closeAll(client, aeron, node);
        client = null;
        aeron = null;
        launchAndConnect();
        assertThat(node.context().baseDir()).isEqualTo(baseDir);
    }

    static TopicPartition tp(final String topic, final int partition)
    {
        return new TopicPartition(topic, partition);
    }

    static TreeSet<TopicPartition> partitions(final String topic, final int... partitions)
    {
        final TreeSet<TopicPartition> set = new TreeSet<>();
        for (final int partition : partitions)
        {
            set.add(tp(topic, partition));
        }
        return set;
    }
}
