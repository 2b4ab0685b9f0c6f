package io.aerolog.systemtest;

import io.aerolog.client.Admin;
import io.aerolog.kafka.KafkaListener;
import io.aerolog.kafka.ListenerCounters;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Crc32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What no well-behaved Kafka client sends, sent to the Kafka listener: each gets Kafka's error code where the
 * protocol has one, its connection closed where it has not, a count on the listener, and every other client goes
 * on being served (each test ends by checking that a fresh connection is answered).
 */
class KafkaListenerBadInputTest
{
    private static final short PRODUCE_VERSION = 9;
    private static final short METADATA_VERSION = 12;

    @TempDir
    static File dir;
    private static TestBroker broker;
    private static String bootstrap;

    @BeforeAll
    static void startBroker()
    {
        broker = TestBroker.launch(dir, (ctx) -> ctx.kafkaListener(new KafkaListener.Config().port(0)
            .maxFrameBytes(1024 * 1024).maxConnections(3000)));
        bootstrap = broker.broker().kafkaListenerAddress();
        broker.createTopic("bad-input", 1);
    }

    @AfterAll
    static void stopBroker()
    {
        if (null != broker)
        {
            broker.close();
        }
    }

    @AfterEach
    void listenerStillServes() throws IOException
    {
        try (KafkaWire wire = new KafkaWire(bootstrap))
        {
            assertThat(metadata(wire, 77).topics().find("bad-input").errorCode()).isEqualTo(Errors.NONE.code());
        }
    }

    @Test
    void oversizedAndNegativeFrameSizesCloseTheConnection() throws IOException
    {
        for (final int size : new int[]{Integer.MAX_VALUE, 1024 * 1024 + 1, -1, 0, 7})
        {
            final long closedBefore = counters().connectionsClosedForBadInput();
            try (KafkaWire wire = new KafkaWire(bootstrap))
            {
                wire.write(ByteBuffer.allocate(4).putInt(size).array());
                assertThat(wire.closedByPeer()).withFailMessage("size " + size).isTrue();
            }
            assertThat(counters().connectionsClosedForBadInput()).isEqualTo(closedBefore + 1);
        }
    }

    @Test
    void unknownApiKeysAndUnservedVersionsCloseTheConnection() throws IOException
    {
        final long closedBefore = counters().connectionsClosedForBadInput();
        try (KafkaWire wire = new KafkaWire(bootstrap))
        {
            wire.write(ByteBuffer.allocate(12).putInt(8).putShort((short)999).putShort((short)0).putInt(1).array());
            assertThat(wire.closedByPeer()).isTrue();
        }
        try (KafkaWire wire = new KafkaWire(bootstrap))
        {
            // JoinGroup is a real API the listener does not serve (yet): closed, as Kafka closes for unknown ones.
            wire.write(ByteBuffer.allocate(12).putInt(8).putShort(ApiKeys.JOIN_GROUP.id).putShort((short)5)
                .putInt(1).array());
            assertThat(wire.closedByPeer()).isTrue();
        }
        try (KafkaWire wire = new KafkaWire(bootstrap))
        {
            wire.write(ByteBuffer.allocate(12).putInt(8).putShort(ApiKeys.METADATA.id).putShort((short)99)
                .putInt(1).array());
            assertThat(wire.closedByPeer()).isTrue();
        }
        assertThat(counters().connectionsClosedForBadInput()).isEqualTo(closedBefore + 3);
    }

    @Test
    void aTooNewApiVersionsRequestIsAnsweredAtVersionZeroWithTheServedRanges() throws IOException
    {
        try (KafkaWire wire = new KafkaWire(bootstrap))
        {
            wire.write(ByteBuffer.allocate(14).putInt(10).putShort(ApiKeys.API_VERSIONS.id).putShort((short)99)
                .putInt(5).putShort((short)-1).array());
            final ApiVersionsResponseData response = new ApiVersionsResponseData(
                new ByteBufferAccessor(wire.receive(ApiKeys.API_VERSIONS, (short)0)), (short)0);
            assertThat(wire.lastCorrelationId()).isEqualTo(5);
            assertThat(response.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            assertThat(response.apiKeys().find(ApiKeys.PRODUCE.id).minVersion()).isZero();
            assertThat(response.apiKeys().find(ApiKeys.FETCH.id)).isNotNull();
        }
    }

    @Test
    void garbageAfterAValidHandshakeClosesTheConnection() throws IOException
    {
        final long closedBefore = counters().connectionsClosedForBadInput();
        try (KafkaWire wire = new KafkaWire(bootstrap))
        {
            wire.send(ApiKeys.API_VERSIONS, (short)3, 1, new ApiVersionsRequestData()
                .setClientSoftwareName("raw").setClientSoftwareVersion("1"));
            wire.receive(ApiKeys.API_VERSIONS, (short)3);
            final byte[] garbage = new byte[64];
            new java.util.Random(42).nextBytes(garbage);
            final ByteBuffer frame = ByteBuffer.allocate(4 + 8 + garbage.length).putInt(8 + garbage.length)
                .putShort(ApiKeys.PRODUCE.id).putShort(PRODUCE_VERSION).putInt(2).put(garbage);
            wire.write(frame.array());
            assertThat(wire.closedByPeer()).isTrue();
        }
        assertThat(counters().connectionsClosedForBadInput()).isEqualTo(closedBefore + 1);
    }

    @Test
    void aTruncatedFrameFromAClientThatGoesAwayLeavesNothingBehind() throws IOException
    {
        try (KafkaWire wire = new KafkaWire(bootstrap))
        {
            wire.write(ByteBuffer.allocate(14).putInt(1000).putShort(ApiKeys.METADATA.id).putShort((short)12)
                .putInt(3).putShort((short)0).array());
        }
    }

    @Test
    void aBatchWithABadCrcOrAWrongCountIsRefusedAndNothingIsWritten() throws IOException
    {
        final long before = latestOffset();
        final MemoryRecords badCrc = records("a", "b", "c");
        badCrc.buffer().put(badCrc.buffer().limit() - 1, (byte)'z');
        assertThat(produce(badCrc, 1)).isEqualTo(Errors.CORRUPT_MESSAGE);

        final MemoryRecords wrongCount = records("a", "b", "c");
        final ByteBuffer buffer = wrongCount.buffer();
        buffer.putInt(DefaultRecordBatch.RECORDS_COUNT_OFFSET, 5);
        final long crc = Crc32C.compute(buffer, DefaultRecordBatch.CRC_OFFSET + 4,
            buffer.limit() - DefaultRecordBatch.CRC_OFFSET - 4);
        buffer.putInt(DefaultRecordBatch.CRC_OFFSET, (int)crc);
        assertThat(produce(wrongCount, 2)).isEqualTo(Errors.CORRUPT_MESSAGE);

        assertThat(latestOffset()).isEqualTo(before);
        assertThat(counters().corruptBatches()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aRetriedIdempotentBatchIsWrittenOnceAndASequenceGapIsRefused() throws IOException
    {
        final long before = latestOffset();
        final long producerId = 4242;
        final MemoryRecords first = MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short)0, 0,
            new SimpleRecord("once-1".getBytes(StandardCharsets.UTF_8)),
            new SimpleRecord("once-2".getBytes(StandardCharsets.UTF_8)));
        final ProduceResponseData.PartitionProduceResponse original = produceResponse(MemoryRecords.readableRecords(first.buffer().duplicate()), 10);
        final ProduceResponseData.PartitionProduceResponse retried = produceResponse(MemoryRecords.readableRecords(first.buffer().duplicate()), 11);
        assertThat(original.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(retried.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(retried.baseOffset()).isEqualTo(original.baseOffset()).isEqualTo(before);

        final MemoryRecords gap = MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short)0, 7,
            new SimpleRecord("gap".getBytes(StandardCharsets.UTF_8)));
        assertThat(produceResponse(gap, 12).errorCode()).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code());
        final MemoryRecords next = MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short)0, 2,
            new SimpleRecord("once-3".getBytes(StandardCharsets.UTF_8)));
        assertThat(produceResponse(next, 13).baseOffset()).isEqualTo(before + 2);
        assertThat(latestOffset()).isEqualTo(before + 3);
    }

    @Test
    void anAcksZeroProduceGetsNoAnswerAndTheNextRequestIsAnsweredInOrder() throws IOException
    {
        final long before = latestOffset();
        try (KafkaWire wire = new KafkaWire(bootstrap))
        {
            wire.send(ApiKeys.PRODUCE, PRODUCE_VERSION, 20, KafkaWire.produce("bad-input", (short)0, records("z")));
            metadata(wire, 21); // asserts the correlation id: the first answer on the connection is this one's
        }
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (latestOffset() == before && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        assertThat(latestOffset()).isEqualTo(before + 1);
    }

    @Test
    void thousandsOfIdleConnectionsAndAClientThatNeverReadsDoNotStopOthers() throws IOException
    {
        final List<KafkaWire> idle = new ArrayList<>();
        try
        {
            for (int i = 0; i < 2000; i++)
            {
                idle.add(new KafkaWire(bootstrap));
            }
            try (KafkaWire deaf = new KafkaWire(bootstrap); KafkaWire other = new KafkaWire(bootstrap))
            {
                final byte[] request = KafkaWire.frame(ApiKeys.METADATA, METADATA_VERSION, 1,
                    new MetadataRequestData().setTopics(null));
                // Its answers fill the socket buffers; the listener stops reading from it and serves the others.
                final Thread writer = new Thread(() ->
                {
                    try
                    {
                        for (int i = 0; i < 20_000; i++)
                        {
                            deaf.write(request);
                        }
                    }
                    catch (final IOException ignore)
                    {
                        // blocked and then closed at the end of the test
                    }
                });
                writer.setDaemon(true);
                writer.start();
                for (int i = 0; i < 20; i++)
                {
                    metadata(other, 100 + i);
                }
            }
        }
        finally
        {
            for (final KafkaWire wire : idle)
            {
                wire.close();
            }
        }
        assertThat(counters().connectionsAccepted()).isGreaterThanOrEqualTo(2002);
    }

    private static MetadataResponseData metadata(final KafkaWire wire, final int correlationId) throws IOException
    {
        final MetadataRequestData request = new MetadataRequestData();
        request.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("bad-input"));
        wire.send(ApiKeys.METADATA, METADATA_VERSION, correlationId, request);
        final MetadataResponseData response = new MetadataResponseData(
            new ByteBufferAccessor(wire.receive(ApiKeys.METADATA, METADATA_VERSION)), METADATA_VERSION);
        assertThat(wire.lastCorrelationId()).isEqualTo(correlationId);
        return response;
    }

    private static Errors produce(final MemoryRecords records, final int correlationId) throws IOException
    {
        return Errors.forCode(produceResponse(records, correlationId).errorCode());
    }

    private static ProduceResponseData.PartitionProduceResponse produceResponse(
        final MemoryRecords records, final int correlationId) throws IOException
    {
        try (KafkaWire wire = new KafkaWire(bootstrap))
        {
            wire.send(ApiKeys.PRODUCE, PRODUCE_VERSION, correlationId,
                KafkaWire.produce("bad-input", (short)-1, records));
            final ProduceResponseData response = new ProduceResponseData(
                new ByteBufferAccessor(wire.receive(ApiKeys.PRODUCE, PRODUCE_VERSION)), PRODUCE_VERSION);
            assertThat(wire.lastCorrelationId()).isEqualTo(correlationId);
            return response.responses().iterator().next().partitionResponses().get(0);
        }
    }

    private static MemoryRecords records(final String... values)
    {
        final SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++)
        {
            records[i] = new SimpleRecord(values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    private static long latestOffset()
    {
        try (Admin admin = Admin.connect(broker.ipc()))
        {
            return admin.listOffset("bad-input", 0, Admin.LATEST);
        }
    }

    private static ListenerCounters counters()
    {
        return broker.broker().kafkaListenerCounters();
    }
}
