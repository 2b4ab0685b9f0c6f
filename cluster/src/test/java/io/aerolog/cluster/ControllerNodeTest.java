package io.aerolog.cluster;

import io.aerolog.cluster.security.AclBinding;
import io.aerolog.cluster.security.AclOperation;
import io.aerolog.cluster.security.AclPermission;
import io.aerolog.cluster.security.AclResourceType;
import io.aerolog.cluster.security.PasswordHasher;
import io.aerolog.cluster.security.UserCredential;
import io.aerolog.codecs.cluster.CreateTopicCommandEncoder;
import io.aerolog.codecs.cluster.SecurityEventType;
import io.aerolog.codecs.cluster.MessageHeaderEncoder;
import io.aerolog.codecs.cluster.TopicEventType;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.node.NodeSecret;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ControllerNodeTest
{
    private static final long TIMEOUT_MS = 15_000;
    private static final String EGRESS_CHANNEL = "aeron:udp?endpoint=localhost:0";

    @TempDir
    Path tempDir;

    private int portBase;
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
    void shouldCreateTopicAndBroadcastCreatedEventToEveryBroker()
    {
        launchAndConnect();
        final Listener otherListener = new Listener();
        try (ControllerClient other = ControllerClient.connect(
            aeron, node.context().ingressEndpoints(), EGRESS_CHANNEL, node.context().secret(), otherListener))
        {
            final long correlationId = createTopic("orders", 3, 60_000, -1, 1);
            final Result result = awaitResult(correlationId);
            assertThat(result.code).isEqualTo(ErrorCode.NONE.value());
            assertThat(result.topicId).isEqualTo(1);
            assertThat(result.value).isEqualTo(ControllerState.FIRST_STREAM_ID);

            final TopicMetadata expected = new TopicMetadata(1, "orders", 3, 60_000, -1, 1, 1000, new long[3]);
            awaitUntil(() -> !listener.events.isEmpty());
            assertThat(listener.events.get(0).type).isEqualTo(TopicEventType.CREATED);
            assertThat(listener.events.get(0).topic).isEqualTo(expected);

            awaitUntil(() -> other.poll() >= 0 && !otherListener.events.isEmpty());
            assertThat(otherListener.events.get(0).type).isEqualTo(TopicEventType.CREATED);
            assertThat(otherListener.events.get(0).topic).isEqualTo(expected);
            assertThat(otherListener.results).isEmpty();
        }
    }

    @Test
    void shouldRejectDuplicateAndInvalidTopicsAndDeleteAndUpdate()
    {
        launchAndConnect();
        assertThat(awaitResult(createTopic("t", 2, -1, -1, 0)).code).isEqualTo(ErrorCode.NONE.value());

        final Result duplicate = awaitResult(createTopic("t", 2, -1, -1, 0));
        assertThat(duplicate.code).isEqualTo(ErrorCode.TOPIC_ALREADY_EXISTS.value());
        assertThat(duplicate.message).contains("t");

        assertThat(awaitResult(createTopic("bad name", 1, -1, -1, 0)).code)
            .isEqualTo(ErrorCode.INVALID_TOPIC.value());
        assertThat(awaitResult(createTopic("u", 0, -1, -1, 0)).code)
            .isEqualTo(ErrorCode.INVALID_PARTITIONS.value());
        assertThat(awaitResult(createTopic("u", 1, -1, -1, 7)).code)
            .isEqualTo(ErrorCode.INVALID_CONFIG.value());

        final Result updated = awaitResult(updateLogStartOffset(1, 1, 500));
        assertThat(updated.code).isEqualTo(ErrorCode.NONE.value());
        assertThat(updated.value).isEqualTo(500);
        awaitUntil(() -> listener.lastEvent(TopicEventType.UPDATED) != null);
        assertThat(listener.lastEvent(TopicEventType.UPDATED).topic.logStartOffset(1)).isEqualTo(500);

        final long delete = nextCorrelationId++;
        awaitUntil(() -> client.deleteTopic(delete, "t"));
        assertThat(awaitResult(delete).code).isEqualTo(ErrorCode.NONE.value());
        awaitUntil(() -> listener.lastEvent(TopicEventType.DELETED) != null);
        assertThat(listener.lastEvent(TopicEventType.DELETED).topic.name()).isEqualTo("t");

        final long deleteAgain = nextCorrelationId++;
        awaitUntil(() -> client.deleteTopic(deleteAgain, "t"));
        assertThat(awaitResult(deleteAgain).code).isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.value());
    }

    @Test
    void shouldAnswerMetadataAndAllocateIncreasingProducerIds()
    {
        launchAndConnect();
        awaitResult(createTopic("a", 1, -1, -1, 0));
        awaitResult(createTopic("big", ControllerState.MAX_PARTITIONS, -1, -1, 0)); // spans many MTUs
        awaitResult(createTopic("c", 2, -1, -1, 0));

        final long first = allocateProducerId();
        final long second = allocateProducerId();
        assertThat(first).isEqualTo(1);
        assertThat(second).isEqualTo(2);

        final List<TopicMetadata> topics = requestMetadata();
        assertThat(topics).extracting(TopicMetadata::name).containsExactly("a", "big", "c");
        assertThat(topics.get(1).partitions()).isEqualTo(ControllerState.MAX_PARTITIONS);
        assertThat(topics.get(2).firstStreamId()).isEqualTo(1000 + 1 + ControllerState.MAX_PARTITIONS);
    }

    @Test
    void shouldRejectMalformedCommandsAndKeepServing()
    {
        launchAndConnect();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);

        final byte[] random = new byte[64];
        ThreadLocalRandom.current().nextBytes(random);
        random[4] = 0; // keep the schema id away from 103 by chance
        buffer.putBytes(0, random);
        assertCorrupt(buffer, random.length, 1);

        assertCorrupt(buffer, 3, 2); // shorter than a message header

        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final CreateTopicCommandEncoder create = new CreateTopicCommandEncoder();
        create.wrapAndApplyHeader(buffer, 0, header).correlationId(7).partitions(1).retentionMs(-1)
            .retentionBytes(-1).timestampType((short)0).topicName("truncated");
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + create.encodedLength();
        assertCorrupt(buffer, length - 3, 3); // var data cut short

        header.schemaId(42);
        assertCorrupt(buffer, length, 4); // wrong schema id

        header.schemaId(CreateTopicCommandEncoder.SCHEMA_ID).version(CreateTopicCommandEncoder.SCHEMA_VERSION + 1);
        assertCorrupt(buffer, length, 5); // from the future

        header.version(CreateTopicCommandEncoder.SCHEMA_VERSION).templateId(99);
        assertCorrupt(buffer, length, 6); // unknown template

        header.templateId(CreateTopicCommandEncoder.TEMPLATE_ID).blockLength(4);
        assertCorrupt(buffer, length, 7); // block too short

        header.blockLength(CreateTopicCommandEncoder.BLOCK_LENGTH);
        buffer.putInt(MessageHeaderEncoder.ENCODED_LENGTH + CreateTopicCommandEncoder.BLOCK_LENGTH, -1);
        assertCorrupt(buffer, length, 8); // var data length of 4 GiB

        assertThat(awaitResult(createTopic("after", 1, -1, -1, 0)).code).isEqualTo(ErrorCode.NONE.value());
        assertThat(node.service().rejectedCommands()).isEqualTo(8);
        assertThat(node.service().appliedCommands()).isEqualTo(1);
    }

    @Test
    void shouldKeepStateAcrossRestartsWithAndWithoutSnapshot()
    {
        launchAndConnect();
        awaitResult(createTopic("a", 2, -1, -1, 0));
        awaitResult(createTopic("b", ControllerState.MAX_PARTITIONS, -1, -1, 0)); // snapshot record spans many MTUs
        assertThat(allocateProducerId()).isEqualTo(1);
        assertThat(allocateProducerId()).isEqualTo(2);

        restart(); // log replay only
        assertThat(requestMetadata()).extracting(TopicMetadata::name).containsExactly("a", "b");
        assertThat(allocateProducerId()).isEqualTo(3);
        assertThat(awaitResult(updateLogStartOffset(2, ControllerState.MAX_PARTITIONS - 1, 77)).code)
            .isEqualTo(ErrorCode.NONE.value());

        assertThat(node.takeSnapshot(TIMEOUT_MS)).isTrue();
        awaitResult(createTopic("c", 4, -1, -1, 0)); // after the snapshot: replayed from the log
        assertThat(allocateProducerId()).isEqualTo(4);
        awaitResult(updateLogStartOffset(1, 1, 5));

        restart(); // snapshot plus log replay
        final List<TopicMetadata> topics = requestMetadata();
        assertThat(topics).extracting(TopicMetadata::name).containsExactly("a", "b", "c");
        assertThat(topics.get(0).logStartOffsets()).containsExactly(0, 5);
        assertThat(topics.get(1).logStartOffset(ControllerState.MAX_PARTITIONS - 1)).isEqualTo(77);
        assertThat(topics.get(2).firstStreamId()).isEqualTo(1000 + 2 + ControllerState.MAX_PARTITIONS);
        assertThat(allocateProducerId()).isEqualTo(5);

        assertThat(node.takeSnapshot(TIMEOUT_MS)).isTrue();
        restart(); // snapshot only
        assertThat(requestMetadata()).isEqualTo(topics);
        assertThat(allocateProducerId()).isEqualTo(6);
        assertThat(awaitResult(createTopic("d", 1, -1, -1, 0)).topicId).isEqualTo(4);
    }

    @Test
    void shouldKeepUsersAndAclsAcrossRestartsAndTellBrokersOfEachChange()
    {
        launchAndConnect();
        final UserCredential alice = PasswordHasher.newCredential("alice", "secret".toCharArray(), 1000);
        final UserCredential bob = PasswordHasher.newCredential("bob", "hunter2".toCharArray(), 1000);
        final AclBinding aliceReads = new AclBinding(
            "User:alice", AclResourceType.TOPIC, "orders", AclOperation.READ, AclPermission.ALLOW);
        final AclBinding bobDenied = new AclBinding(
            "User:bob", AclResourceType.GROUP, "*", AclOperation.ALL, AclPermission.DENY);

        assertThat(awaitResult(send((id) -> client.upsertUser(id, alice))).code).isEqualTo(ErrorCode.NONE.value());
        assertThat(awaitResult(send((id) -> client.upsertUser(id, bob))).code).isEqualTo(ErrorCode.NONE.value());
        assertThat(awaitResult(send((id) -> client.changeAcl(id, aliceReads, true))).code)
            .isEqualTo(ErrorCode.NONE.value());
        assertThat(listener.users).containsEntry("alice", alice).containsEntry("bob", bob);
        assertThat(listener.acls).containsExactly(aliceReads);

        // Refused deterministically: an unknown user, an invalid binding, a credential with too few iterations.
        assertThat(awaitResult(send((id) -> client.deleteUser(id, "carol"))).code)
            .isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(awaitResult(send((id) -> client.changeAcl(id, new AclBinding(
            "nobody", AclResourceType.TOPIC, "t", AclOperation.READ, AclPermission.ALLOW), true))).code)
            .isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(awaitResult(send((id) -> client.upsertUser(id, new UserCredential(
            "weak", 1, alice.salt(), alice.hash())))).code).isEqualTo(ErrorCode.INVALID_REQUEST.value());

        restart(); // log replay only
        assertThat(securityMetadata()).containsExactlyInAnyOrder("user alice", "user bob", aliceReads.toString());

        assertThat(node.takeSnapshot(TIMEOUT_MS)).isTrue();
        awaitResult(send((id) -> client.deleteUser(id, "alice")));
        awaitResult(send((id) -> client.changeAcl(id, bobDenied, true)));
        assertThat(listener.users).doesNotContainKey("alice");

        restart(); // snapshot plus log replay
        assertThat(securityMetadata()).containsExactlyInAnyOrder("user bob", aliceReads.toString(), bobDenied.toString());
        assertThat(node.takeSnapshot(TIMEOUT_MS)).isTrue();

        restart(); // snapshot only
        assertThat(securityMetadata()).containsExactlyInAnyOrder("user bob", aliceReads.toString(), bobDenied.toString());
        assertThat(PasswordHasher.verify(listener.users.get("bob"), "hunter2".toCharArray())).isTrue();
    }

    private long send(final java.util.function.LongPredicate command)
    {
        final long correlationId = nextCorrelationId++;
        awaitUntil(() -> command.test(correlationId));
        return correlationId;
    }

    private List<String> securityMetadata()
    {
        final long correlationId = nextCorrelationId++;
        awaitUntil(() -> client.requestMetadata(correlationId));
        awaitUntil(() -> client.poll() >= 0 && listener.metadataEnds.containsKey(correlationId));
        return listener.snapshotRecords.getOrDefault(correlationId, List.of());
    }

    @Test
    void shouldRecoverAfterProcessWasKilled() throws Exception
    {
        final File baseDir = tempDir.resolve("node").toFile();
        final String nodeAeronDir = tempDir.resolve("node-aeron").toString();
        final File output = tempDir.resolve("child.log").toFile();
        final String javaBin = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        final Process child = new ProcessBuilder(
            javaBin,
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "-Daeron.term.buffer.sparse.file=true",
            "-cp", System.getProperty("java.class.path"),
            ControllerNodeProcess.class.getName(),
            baseDir.getPath(), Integer.toString(portBase), nodeAeronDir)
            .redirectErrorStream(true)
            .redirectOutput(output)
            .start();

        try (MediaDriver clientDriver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(tempDir.resolve("client-aeron").toString())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)))
        {
            try
            {
                aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(clientDriver.aeronDirectoryName()));
                final String ingressEndpoints = new ControllerNode.Context().portBase(portBase).ingressEndpoints();
                awaitUntil(
                    () -> output.exists() && Files.readString(output.toPath()).contains("leader=true"),
                    () -> childOutput(output, child));
                client = ControllerClient.connect(aeron, ingressEndpoints, EGRESS_CHANNEL,
                    NodeSecret.fromFile(new File(baseDir, NodeSecret.GENERATED_FILE_NAME)), listener);

                awaitResult(createTopic("survivor", 3, -1, -1, 0));
                assertThat(allocateProducerId()).isEqualTo(1);

                child.destroyForcibly();
                assertThat(child.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS)).isTrue();
                CloseHelper.closeAll(client, aeron);
                client = null;
                aeron = null;

                // Restart at once, inside the 10 s mark file liveness window the killed process left behind.
                node = ControllerNode.launch(nodeContext(baseDir).aeronDirectoryName(nodeAeronDir));
                assertThat(node.awaitLeader(TIMEOUT_MS)).isTrue();
                connect();

                assertThat(requestMetadata()).extracting(TopicMetadata::name).containsExactly("survivor");
                assertThat(allocateProducerId()).isEqualTo(2);
            }
            finally
            {
                // Before the client driver closes, even on failure: an Aeron client outliving its driver exits the JVM.
                CloseHelper.closeAll(client, aeron);
                client = null;
                aeron = null;
            }
        }
        finally
        {
            child.destroyForcibly();
            CloseHelper.closeAll(client, aeron);
            client = null;
            aeron = null;
        }
    }

    private static String childOutput(final File output, final Process child)
    {
        try
        {
            return "child alive=" + child.isAlive() + " output:\n" +
                (output.exists() ? Files.readString(output.toPath(), StandardCharsets.UTF_8) : "");
        }
        catch (final Exception ex)
        {
            return ex.toString();
        }
    }

    private ControllerNode.Context nodeContext(final File baseDir)
    {
        return new ControllerNode.Context()
            .baseDir(baseDir)
            .portBase(portBase)
            .aeronDirectoryName(tempDir.resolve("aeron").toString());
    }

    private void launchAndConnect()
    {
        node = ControllerNode.launch(nodeContext(tempDir.resolve("node").toFile()));
        assertThat(node.awaitLeader(TIMEOUT_MS)).isTrue();
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(node.aeronDirectoryName()));
        connect();
    }

    private void connect()
    {
        if (null == aeron)
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(node.aeronDirectoryName()));
        }
        client = ControllerClient.connect(
            aeron, node.context().ingressEndpoints(), EGRESS_CHANNEL, node.context().secret(), listener);
    }

    private void restart()
    {
        final File baseDir = node.context().baseDir();
        CloseHelper.closeAll(client, aeron, node);
        client = null;
        aeron = null;
        node = null;
        listener.clear();

        launchAndConnect();
        assertThat(baseDir).isEqualTo(node.context().baseDir());
    }

    private long createTopic(
        final String name, final int partitions, final long retentionMs, final long retentionBytes, final int tsType)
    {
        final long correlationId = nextCorrelationId++;
        awaitUntil(() -> client.createTopic(correlationId, name, partitions, retentionMs, retentionBytes, tsType));
        return correlationId;
    }

    private long updateLogStartOffset(final int topicId, final int partition, final long logStartOffset)
    {
        final long correlationId = nextCorrelationId++;
        awaitUntil(() -> client.updateLogStartOffset(
            correlationId, topicId, partition, logStartOffset, logStartOffset + 1_000));
        return correlationId;
    }

    private long allocateProducerId()
    {
        final long correlationId = nextCorrelationId++;
        awaitUntil(() -> client.allocateProducerId(correlationId));
        final Result result = awaitResult(correlationId);
        assertThat(result.code).isEqualTo(ErrorCode.NONE.value());
        return result.value;
    }

    private List<TopicMetadata> requestMetadata()
    {
        final long correlationId = nextCorrelationId++;
        awaitUntil(() -> client.requestMetadata(correlationId));
        awaitUntil(() -> client.poll() >= 0 && listener.metadataEnds.containsKey(correlationId));

        final List<TopicMetadata> topics = new ArrayList<>();
        for (final Event event : listener.events)
        {
            if (event.correlationId == correlationId)
            {
                assertThat(event.type).isEqualTo(TopicEventType.SNAPSHOT);
                topics.add(event.topic);
            }
        }
        assertThat(listener.metadataEnds.get(correlationId)).isEqualTo(topics.size());

        return topics;
    }

    private void assertCorrupt(final UnsafeBuffer buffer, final int length, final int expectedRejected)
    {
        final int resultsBefore = listener.corruptResults;
        final ExpandableArrayBuffer copy = new ExpandableArrayBuffer(length);
        copy.putBytes(0, buffer, 0, length);
        awaitUntil(() -> client.offer(copy, 0, length));
        awaitUntil(() -> client.poll() >= 0 && listener.corruptResults > resultsBefore);
        assertThat(node.service().rejectedCommands()).isEqualTo(expectedRejected);
    }

    private Result awaitResult(final long correlationId)
    {
        awaitUntil(() -> client.poll() >= 0 && listener.results.containsKey(correlationId));
        return listener.results.get(correlationId);
    }

    private void awaitUntil(final Callable<Boolean> condition)
    {
        awaitCondition().until(() -> null != client && client.poll() >= 0 && condition.call());
    }

    private void awaitUntil(final Callable<Boolean> condition, final Supplier<String> diagnostics)
    {
        try
        {
            awaitCondition().until(condition);
        }
        catch (final ConditionTimeoutException ex)
        {
            throw new AssertionError(diagnostics.get(), ex);
        }
    }

    private static ConditionFactory awaitCondition()
    {
        return await()
            .atMost(Duration.ofMillis(TIMEOUT_MS))
            .pollInSameThread()
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(1));
    }

    private static final class Result
    {
        final int code;
        final int topicId;
        final long value;
        final String message;

        Result(final int code, final int topicId, final long value, final String message)
        {
            this.code = code;
            this.topicId = topicId;
            this.value = value;
            this.message = message;
        }
    }

    private static final class Event
    {
        final long correlationId;
        final TopicEventType type;
        final TopicMetadata topic;

        Event(final long correlationId, final TopicEventType type, final TopicMetadata topic)
        {
            this.correlationId = correlationId;
            this.type = type;
            this.topic = topic;
        }
    }

    private static final class Listener implements ControllerListener
    {
        final Map<Long, Result> results = new HashMap<>();
        final List<Event> events = new ArrayList<>();
        final Map<Long, Integer> metadataEnds = new HashMap<>();
        final Map<String, UserCredential> users = new HashMap<>();
        final List<AclBinding> acls = new ArrayList<>();
        final Map<Long, List<String>> snapshotRecords = new HashMap<>();
        int corruptResults;

        public void onUserEvent(final long correlationId, final SecurityEventType type, final UserCredential user)
        {
            switch (type)
            {
                case ADDED -> users.put(user.name(), user);
                case REMOVED -> users.remove(user.name());
                default ->
                {
                    users.put(user.name(), user);
                    snapshotRecords.computeIfAbsent(correlationId, (k) -> new ArrayList<>()).add("user " + user.name());
                }
            }
        }

        public void onAclEvent(final long correlationId, final SecurityEventType type, final AclBinding acl)
        {
            switch (type)
            {
                case ADDED -> acls.add(acl);
                case REMOVED -> acls.remove(acl);
                default -> snapshotRecords.computeIfAbsent(correlationId, (k) -> new ArrayList<>()).add(acl.toString());
            }
        }

        public void onCommandResult(
            final long correlationId, final int code, final int topicId, final long value, final String message)
        {
            if (ControllerService.UNKNOWN_CORRELATION_ID == correlationId)
            {
                assertThat(code).as(message).isEqualTo(ErrorCode.CORRUPT_MESSAGE.value());
                corruptResults++;
            }
            else
            {
                results.put(correlationId, new Result(code, topicId, value, message));
            }
        }

        public void onTopicEvent(final long correlationId, final TopicEventType type, final TopicMetadata topic)
        {
            events.add(new Event(correlationId, type, topic));
        }

        public void onMetadataEnd(final long correlationId, final int topicCount)
        {
            metadataEnds.put(correlationId, topicCount);
        }

        Event lastEvent(final TopicEventType type)
        {
            for (int i = events.size() - 1; i >= 0; i--)
            {
                if (events.get(i).type == type)
                {
                    return events.get(i);
                }
            }
            return null;
        }

        void clear()
        {
            results.clear();
            events.clear();
            metadataEnds.clear();
            users.clear();
            acls.clear();
            snapshotRecords.clear();
            corruptResults = 0;
        }
    }
}
