package io.aerolog.systemtest;

import io.aerolog.client.Admin;
import io.aerolog.client.AerologException;
import io.aerolog.client.Consumer;
import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.Producer;
import io.aerolog.client.ProducerRecord;
import io.aerolog.client.RecordMetadata;
import io.aerolog.client.TopicPartition;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.codecs.wire.ConsumerGroupHeartbeatEncoder;
import io.aerolog.codecs.wire.CreateTopicEncoder;
import io.aerolog.codecs.wire.ElectLeadersEncoder;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.HeartbeatEncoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import io.aerolog.codecs.wire.ProduceRequestEncoder;
import io.aerolog.codecs.wire.RecordSetEncoder;
import io.aerolog.codecs.wire.TimestampType;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.aerolog.systemtest.Records.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Bad requests get clear errors; malformed frames are counted and answered, never crash an agent; the broker goes
 * on serving everyone else. Topic deletion and re-creation.
 */
class BadInputTest
{
    @TempDir
    static File dir;
    static TestBroker broker;
    static int topicId;

    @BeforeAll
    static void launch()
    {
        broker = TestBroker.launch(dir);
        broker.createTopic("good", 2);
        try (Admin admin = Admin.connect(broker.ipc()))
        {
            topicId = admin.describeTopic("good").topicId();
        }
    }

    @AfterAll
    static void close()
    {
        broker.close();
    }

    @AfterEach
    void noErrors()
    {
        broker.assertNoErrors();
    }

    private static void assertCode(final ErrorCode code, final ThrowingCallable call)
    {
        assertThatThrownBy(call).isInstanceOfSatisfying(AerologException.class,
            (ex) -> assertThat(ex.code()).as(ex.getMessage()).isEqualTo(code));
    }

    @Test
    void shouldAnswerRequestsForUnknownTopicsAndPartitions() throws Exception
    {
        try (Admin admin = Admin.connect(broker.ipc()))
        {
            assertCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, () -> admin.describeTopic("missing"));
            assertCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, () -> admin.deleteTopic("missing"));
            assertCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, () -> admin.listOffset("missing", 0, Admin.EARLIEST));
            assertCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, () -> admin.listOffset("good", 7, Admin.LATEST));
            assertCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, () -> admin.electPreferredLeaders("missing"));
            assertCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, () -> admin.electPreferredLeader("good", 7));
            assertThat(admin.electPreferredLeader("good", 1)).isZero();
        }
        try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config()))
        {
            assertCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, () -> producer.send("missing", null, bytes("v")));
            assertCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                () -> producer.send(new ProducerRecord("good", 2, -1, null, bytes("v"), List.of())));
            assertThat(producer.send("good", null, bytes("still fine")).get().offset()).isNotNegative();
        }
        try (Consumer consumer = Consumer.connect(broker.ipc(), new Consumer.Config()))
        {
            assertCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                () -> consumer.assign(List.of(new TopicPartition("missing", 0))));
            assertCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                () -> consumer.assign(List.of(new TopicPartition("good", 2))));
            assertCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, () -> consumer.assignAll("missing"));
        }
    }

    @Test
    void shouldRefuseBadTopicDefinitions()
    {
        try (Admin admin = Admin.connect(broker.ipc()))
        {
            assertCode(ErrorCode.INVALID_PARTITIONS, () -> admin.createTopic("zero", 0));
            assertCode(ErrorCode.INVALID_PARTITIONS, () -> admin.createTopic("negative", -3));
            assertCode(ErrorCode.TOPIC_ALREADY_EXISTS, () -> admin.createTopic("good", 2));
            assertCode(ErrorCode.TOPIC_ALREADY_EXISTS, () -> admin.createTopic("good", 5));
            for (final String name : List.of("", "bad/name", "spa ce", "..", ".", "x".repeat(250), "ümlaut"))
            {
                assertCode(ErrorCode.INVALID_TOPIC, () -> admin.createTopic(name, 1));
            }
            assertCode(ErrorCode.INVALID_CONFIG, () -> admin.createTopic("bad-retention", 1, -5, -1, false));
            assertThat(admin.listTopics()).contains("good").doesNotContain("zero", "negative", "bad-retention", "");
            assertThat(admin.describeTopic("good").partitions()).hasSize(2);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldCountAndAnswerMalformedFramesAndKeepServing(final Transport transport) throws Exception
    {
        try (RawClient raw = rawClient(transport))
        {
            raw.connect();
            final long clientSessionId = raw.clientSessionId();

            // control stream
            expectRejected(raw, false, new byte[0], ErrorCode.CORRUPT_MESSAGE);
            expectRejected(raw, false, new byte[] { 1, 2, 3 }, ErrorCode.CORRUPT_MESSAGE);
            expectRejected(raw, false, header(8, HeartbeatEncoder.TEMPLATE_ID, 999, 1, 8), ErrorCode.CORRUPT_MESSAGE);
            expectRejected(raw, false, header(8, HeartbeatEncoder.TEMPLATE_ID,
                MessageHeaderEncoder.SCHEMA_ID, 99, 8), ErrorCode.UNSUPPORTED_VERSION);
            expectRejected(raw, false, header(8, HeartbeatEncoder.TEMPLATE_ID,
                MessageHeaderEncoder.SCHEMA_ID, 0, 8), ErrorCode.UNSUPPORTED_VERSION);
            expectRejected(raw, false, header(CreateTopicEncoder.BLOCK_LENGTH, CreateTopicEncoder.TEMPLATE_ID,
                MessageHeaderEncoder.SCHEMA_ID, MessageHeaderEncoder.SCHEMA_VERSION, 4), ErrorCode.CORRUPT_MESSAGE);
            expectRejected(raw, false, header(8, 999, MessageHeaderEncoder.SCHEMA_ID,
                MessageHeaderEncoder.SCHEMA_VERSION, 16), ErrorCode.INVALID_REQUEST);
            expectRejected(raw, false, createTopicWithNameLength(clientSessionId, 1_000_000),
                ErrorCode.CORRUPT_MESSAGE);
            expectRejected(raw, false, createTopicWithNameLength(clientSessionId, -1), ErrorCode.CORRUPT_MESSAGE);
            expectRejected(raw, false, Arrays.copyOf(createTopicWithNameLength(clientSessionId, 10), 52),
                ErrorCode.CORRUPT_MESSAGE);
            expectRejected(raw, false, header(ElectLeadersEncoder.BLOCK_LENGTH, ElectLeadersEncoder.TEMPLATE_ID,
                MessageHeaderEncoder.SCHEMA_ID, MessageHeaderEncoder.SCHEMA_VERSION,
                MessageHeaderEncoder.ENCODED_LENGTH + ElectLeadersEncoder.BLOCK_LENGTH + 1), ErrorCode.CORRUPT_MESSAGE);
            expectRejected(raw, false, header(ElectLeadersEncoder.BLOCK_LENGTH - 4, ElectLeadersEncoder.TEMPLATE_ID,
                MessageHeaderEncoder.SCHEMA_ID, MessageHeaderEncoder.SCHEMA_VERSION,
                MessageHeaderEncoder.ENCODED_LENGTH + ElectLeadersEncoder.BLOCK_LENGTH), ErrorCode.CORRUPT_MESSAGE);
            expectRejected(raw, false, header(8, ConsumerGroupHeartbeatEncoder.TEMPLATE_ID,
                MessageHeaderEncoder.SCHEMA_ID, MessageHeaderEncoder.SCHEMA_VERSION, 16), ErrorCode.CORRUPT_MESSAGE);

            // a group request whose body is cut short: refused at the broker, answered with its correlation id
            final byte[] truncatedJoin = header(ConsumerGroupHeartbeatEncoder.BLOCK_LENGTH,
                ConsumerGroupHeartbeatEncoder.TEMPLATE_ID, MessageHeaderEncoder.SCHEMA_ID,
                MessageHeaderEncoder.SCHEMA_VERSION, MessageHeaderEncoder.ENCODED_LENGTH +
                ConsumerGroupHeartbeatEncoder.BLOCK_LENGTH + 2);
            final UnsafeBuffer join = new UnsafeBuffer(truncatedJoin);
            join.putLong(MessageHeaderEncoder.ENCODED_LENGTH, 77, ByteOrder.LITTLE_ENDIAN);
            join.putLong(MessageHeaderEncoder.ENCODED_LENGTH + 8, clientSessionId, ByteOrder.LITTLE_ENDIAN);
            raw.sendControl(truncatedJoin);
            final RawClient.ErrorResponse joinAnswer = raw.awaitErrorResponse();
            assertThat(joinAnswer.correlationId()).isEqualTo(77);
            assertThat(joinAnswer.code()).as(joinAnswer.message()).isEqualTo(ErrorCode.CORRUPT_MESSAGE);

            // produce stream
            expectRejected(raw, true, new byte[] { 9 }, ErrorCode.CORRUPT_MESSAGE);
            expectRejected(raw, true, header(ProduceRequestEncoder.BLOCK_LENGTH, ProduceRequestEncoder.TEMPLATE_ID,
                4242, 1, ProduceRequestEncoder.BLOCK_LENGTH + 4), ErrorCode.CORRUPT_MESSAGE);
            expectRejected(raw, true, header(ProduceRequestEncoder.BLOCK_LENGTH, ProduceRequestEncoder.TEMPLATE_ID,
                MessageHeaderEncoder.SCHEMA_ID, MessageHeaderEncoder.SCHEMA_VERSION + 1,
                ProduceRequestEncoder.BLOCK_LENGTH + 4), ErrorCode.UNSUPPORTED_VERSION);
            expectRejected(raw, true, header(8, HeartbeatEncoder.TEMPLATE_ID, MessageHeaderEncoder.SCHEMA_ID,
                MessageHeaderEncoder.SCHEMA_VERSION, 16), ErrorCode.CORRUPT_MESSAGE);
            final byte[] valid = raw.produceRequest(50, topicId, 0, -1, 0, Acks.LEADER, "a", "b");
            expectRejectedProduce(raw, truncate(valid, valid.length - 3), ErrorCode.CORRUPT_MESSAGE);
            expectRejectedProduce(raw, withRecordsLength(valid, 1_000_000), ErrorCode.CORRUPT_MESSAGE);
            expectRejectedProduce(raw, withRecordsLength(valid, -5), ErrorCode.CORRUPT_MESSAGE);
            expectRejectedProduce(raw, withRecordCount(valid, 3), ErrorCode.CORRUPT_MESSAGE);
            expectRejectedProduce(raw, withRecordCount(valid, 0), ErrorCode.CORRUPT_MESSAGE);
            expectRejectedProduce(raw, withAcks(valid, (byte)7), ErrorCode.CORRUPT_MESSAGE);
            expectRejectedProduce(raw, garbleRecords(valid), ErrorCode.CORRUPT_MESSAGE);
            final byte[] withHeader = raw.produceRequest(51, topicId, 0, -1, 0, Acks.LEADER, "c");
            expectRejectedProduce(raw, withFirstKeyLength(withHeader, -1), ErrorCode.CORRUPT_MESSAGE);
            expectRejectedProduce(raw, withFirstKeyLength(withHeader, -4), ErrorCode.CORRUPT_MESSAGE);
            expectRejectedProduce(raw, withFirstKeyLength(withHeader, 1 << 30), ErrorCode.CORRUPT_MESSAGE);
            expectRejectedProduce(raw, withFirstHeaderCount(withHeader, 3), ErrorCode.CORRUPT_MESSAGE);

            // well-formed but wrong: answered, not counted as malformed
            final long rejected = broker.broker().rejectedFrames();
            raw.sendProduce(raw.produceRequest(60, 99_999, 0, -1, 0, Acks.LEADER, "x"));
            assertThat(raw.awaitProduceResponse(60).code()).isEqualTo(ErrorCode.NOT_LEADER_OR_FOLLOWER);
            raw.sendProduce(raw.produceRequest(61, topicId, 0, -1, 0, Acks.LEADER,
                new String(new char[broker.broker().context().maxBatchBytes()]).replace('\0', 'z')));
            assertThat(raw.awaitProduceResponse(61).code()).isEqualTo(ErrorCode.RECORD_TOO_LARGE);
            assertThat(broker.broker().rejectedFrames()).isEqualTo(rejected);
            // Far too long to reassemble: dropped as it arrives, counted, and still answered from its first
            // fragment, so the producer fails the batch at once instead of waiting out its delivery timeout.
            raw.sendProduce(raw.produceRequest(62, topicId, 0, -1, 0, Acks.LEADER,
                new String(new char[broker.broker().context().maxBatchBytes() + 64 * 1024]).replace('\0', 'z')));
            assertThat(raw.awaitProduceResponse(62).code()).isEqualTo(ErrorCode.RECORD_TOO_LARGE);
            assertThat(broker.broker().rejectedFrames()).isEqualTo(rejected + 1);

            // the raw session itself still works
            raw.sendProduce(valid);
            assertThat(raw.awaitProduceResponse(50).code()).isEqualTo(ErrorCode.NONE);
        }

        // frames from a client that never opened a session are counted and dropped
        try (RawClient stranger = rawClient(transport))
        {
            final long before = broker.broker().rejectedFrames();
            stranger.sendProduce(stranger.produceRequest(1, topicId, 0, -1, 0, Acks.LEADER, "sneaky"));
            stranger.sendControl(new byte[] { 1, 2, 3 });
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.broker().rejectedFrames() >= before + 2);
        }

        assertNormalClientsWork(transport);
    }

    private static RawClient rawClient(final Transport transport)
    {
        return Transport.IPC == transport ?
            RawClient.ipc(broker.broker().context().aeronDirectoryName()) :
            RawClient.udp(broker.broker().context().host(), broker.portBase());
    }

    private static void expectRejected(
        final RawClient raw, final boolean produceStream, final byte[] frame, final ErrorCode expected)
    {
        final long before = broker.broker().rejectedFrames();
        if (produceStream)
        {
            raw.sendProduce(frame);
        }
        else
        {
            raw.sendControl(frame);
        }
        final RawClient.ErrorResponse answer = raw.awaitErrorResponse();
        assertThat(answer.code()).as(answer.message()).isEqualTo(expected);
        assertThat(broker.broker().rejectedFrames()).isEqualTo(before + 1);
    }

    private static void expectRejectedProduce(final RawClient raw, final byte[] frame, final ErrorCode expected)
    {
        final long before = broker.broker().rejectedFrames();
        raw.sendProduce(frame);
        final long correlationId = new UnsafeBuffer(frame).getLong(MessageHeaderEncoder.ENCODED_LENGTH,
            ByteOrder.LITTLE_ENDIAN);
        final RawClient.ProduceResponse answer = raw.awaitProduceResponse(correlationId);
        assertThat(answer.code()).isEqualTo(expected);
        assertThat(broker.broker().rejectedFrames()).isEqualTo(before + 1);
    }

    private static byte[] header(
        final int blockLength, final int templateId, final int schemaId, final int version, final int frameLength)
    {
        final byte[] frame = new byte[frameLength];
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        if (frameLength >= MessageHeaderEncoder.ENCODED_LENGTH)
        {
            new MessageHeaderEncoder().wrap(buffer, 0).blockLength(blockLength).templateId(templateId)
                .schemaId(schemaId).version(version);
        }
        return frame;
    }

    private static byte[] createTopicWithNameLength(final long clientSessionId, final int nameLength)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        final CreateTopicEncoder e = new CreateTopicEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(77).clientSessionId(clientSessionId).partitions(1).retentionMs(-1).retentionBytes(-1)
            .timestampType(TimestampType.CREATE_TIME).topicName("abcdefghij");
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength();
        buffer.putInt(MessageHeaderEncoder.ENCODED_LENGTH + CreateTopicEncoder.BLOCK_LENGTH, nameLength,
            ByteOrder.LITTLE_ENDIAN);
        final byte[] frame = new byte[length];
        buffer.getBytes(0, frame);
        return frame;
    }

    private static byte[] truncate(final byte[] frame, final int length)
    {
        return Arrays.copyOf(frame, length);
    }

    private static int recordsLengthOffset()
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + ProduceRequestEncoder.BLOCK_LENGTH;
    }

    private static byte[] withRecordsLength(final byte[] frame, final int recordsLength)
    {
        final byte[] copy = frame.clone();
        new UnsafeBuffer(copy).putInt(recordsLengthOffset(), recordsLength, ByteOrder.LITTLE_ENDIAN);
        return copy;
    }

    private static byte[] withRecordCount(final byte[] frame, final int recordCount)
    {
        final byte[] copy = frame.clone();
        final int offset = MessageHeaderEncoder.ENCODED_LENGTH + ProduceRequestEncoder.recordCountEncodingOffset();
        new UnsafeBuffer(copy).putInt(offset, recordCount, ByteOrder.LITTLE_ENDIAN);
        return copy;
    }

    private static byte[] withAcks(final byte[] frame, final byte acks)
    {
        final byte[] copy = frame.clone();
        copy[MessageHeaderEncoder.ENCODED_LENGTH + ProduceRequestEncoder.acksEncodingOffset()] = acks;
        return copy;
    }

    private static int firstRecordOffset()
    {
        return recordsLengthOffset() + 4 + MessageHeaderEncoder.ENCODED_LENGTH + RecordSetEncoder.BLOCK_LENGTH + 4;
    }

    private static byte[] withFirstHeaderCount(final byte[] frame, final int headerCount)
    {
        final byte[] copy = frame.clone();
        new UnsafeBuffer(copy).putShort(firstRecordOffset() + RecordSetEncoder.RecordsEncoder.sbeBlockLength() + 2,
            (short)headerCount, ByteOrder.LITTLE_ENDIAN);
        return copy;
    }

    private static byte[] withFirstKeyLength(final byte[] frame, final int keyLength)
    {
        final byte[] copy = frame.clone();
        // first record (no headers): block, headers group header, then the key's length
        new UnsafeBuffer(copy).putInt(firstRecordOffset() + RecordSetEncoder.RecordsEncoder.sbeBlockLength() + 4,
            keyLength, ByteOrder.LITTLE_ENDIAN);
        return copy;
    }

    private static byte[] garbleRecords(final byte[] frame)
    {
        final byte[] copy = frame.clone();
        // the record set's own header and group header say nonsense from here on
        Arrays.fill(copy, recordsLengthOffset() + 4, recordsLengthOffset() + 20, (byte)0x7F);
        return copy;
    }

    private static void assertNormalClientsWork(final Transport transport) throws Exception
    {
        final String topic = "after-garbage-" + transport;
        broker.createTopic(topic, 1);
        try (Producer producer = Producer.connect(transport.context(broker), new Producer.Config()))
        {
            assertThat(producer.send(topic, null, bytes("fine")).get().offset()).isZero();
        }
        try (Consumer consumer = Consumer.connect(transport.context(broker),
            new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            consumer.assignAll(topic);
            assertThat(Records.consumeExactly(consumer, 1)).extracting((r) -> Records.text(r.value()))
                .containsExactly("fine");
        }
    }

    @Test
    void shouldDeleteTopicAndRecreateItFromOffsetZero() throws Exception
    {
        final String topic = "doomed";
        broker.createTopic(topic, 2);
        final Producer staleProducer = Producer.connect(broker.ipc(), new Producer.Config());
        try (Consumer reader = Consumer.connect(broker.ipc(),
            new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            Records.produce(staleProducer, topic, 0, "old-", 30);
            Records.produce(staleProducer, topic, 1, "old-", 20);
            reader.assignAll(topic);
            Records.consume(reader, 10); // streaming while the topic is deleted

            try (Admin admin = Admin.connect(broker.ipc()))
            {
                admin.deleteTopic(topic);
                assertCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, () -> admin.describeTopic(topic));
                assertThat(admin.listTopics()).doesNotContain(topic);
            }

            // the reader is told its partitions are gone
            assertThatThrownBy(() ->
            {
                final long deadlineNs = System.nanoTime() + Records.CONSUME_TIMEOUT.toNanos();
                while (System.nanoTime() < deadlineNs)
                {
                    reader.poll(Duration.ofMillis(50));
                }
            }).isInstanceOfSatisfying(AerologException.class,
                (ex) -> assertThat(ex.code()).isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
        }

        try (Admin admin = Admin.connect(broker.ipc()))
        {
            admin.createTopic(topic, 1);
            assertThat(admin.describeTopic(topic).partitions()).singleElement()
                .satisfies((p) -> assertThat(p.highWatermark()).isZero());
        }
        try
        {
            // a producer that still has the deleted topic's id is refused, not written into the new topic
            final CompletableFuture<RecordMetadata> stale = staleProducer.send(
                new ProducerRecord(topic, 0, -1, null, bytes("stale"), List.of()));
            staleProducer.flush();
            assertThatThrownBy(stale::join).hasCauseInstanceOf(AerologException.class)
                .cause().satisfies((ex) ->
                    assertThat(((AerologException)ex).code()).isEqualTo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
        }
        finally
        {
            staleProducer.close();
        }
        try (Producer producer = Producer.connect(broker.ipc(), new Producer.Config()))
        {
            assertThat(Records.produce(producer, topic, 0, "new-", 3)).extracting(RecordMetadata::offset)
                .containsExactly(0L, 1L, 2L);
        }
        try (Consumer consumer = Consumer.connect(broker.ipc(),
            new Consumer.Config().autoOffsetReset(Consumer.OffsetReset.EARLIEST)))
        {
            consumer.assignAll(topic);
            final List<ConsumerRecord> records = Records.consumeExactly(consumer, 3);
            assertThat(records).extracting((r) -> Records.text(r.value())).containsExactly("new-0", "new-1", "new-2");
            Records.assertDense(records, 0);
        }
    }
}
