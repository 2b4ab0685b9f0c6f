package io.aerolog.kafka;

import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.ProducerRecord;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaBatchesTest
{
    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCompressedBatchBecomesItsRecords()
    {
        final MemoryRecords records = MemoryRecords.withRecords(Compression.zstd().build(),
            new SimpleRecord(1000, bytes("k1"), bytes("v1"), new RecordHeader[]{new RecordHeader("h", bytes("x"))}),
            new SimpleRecord(1001, (byte[])null, (byte[])null));
        final MutableRecordBatch batch = KafkaBatches.singleValidBatch(records);
        final List<ProducerRecord> converted = KafkaBatches.toRecords(batch, "t", 2);
        assertThat(converted).hasSize(2);
        assertThat(converted.get(0).key()).isEqualTo(bytes("k1"));
        assertThat(converted.get(0).timestamp()).isEqualTo(1000);
        assertThat(converted.get(0).headers().get(0).getValue()).isEqualTo(bytes("x"));
        assertThat(converted.get(1).key()).isNull();
        assertThat(converted.get(1).value()).isNull();
        assertThat(converted.get(1).partition()).isEqualTo(2);
    }

    @Test
    void twoBatchesForOnePartitionAreRefused()
    {
        final ByteBuffer both = ByteBuffer.allocate(1024);
        both.put(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(bytes("a"))).buffer());
        both.put(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(bytes("b"))).buffer());
        both.flip();
        assertThatThrownBy(() -> KafkaBatches.singleValidBatch(MemoryRecords.readableRecords(both)))
            .isInstanceOfSatisfying(KafkaBatches.InvalidBatchException.class,
                (ex) -> assertThat(ex.error).isEqualTo(Errors.INVALID_RECORD));
    }

    @Test
    void aBadCrcIsCorrupt()
    {
        final MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(bytes("a")));
        records.buffer().put(records.buffer().limit() - 1, (byte)7);
        assertThatThrownBy(() -> KafkaBatches.singleValidBatch(records))
            .isInstanceOfSatisfying(KafkaBatches.InvalidBatchException.class,
                (ex) -> assertThat(ex.error).isEqualTo(Errors.CORRUPT_MESSAGE));
    }

    @Test
    void recordsReadFromTheLogBecomeOneBatchAtTheirOwnOffsets()
    {
        final List<ConsumerRecord> read = new ArrayList<>();
        read.add(new ConsumerRecord("t", 0, 40, 5000, bytes("k"), bytes("v"),
            List.of(new AbstractMap.SimpleImmutableEntry<>("h", bytes("y")))));
        read.add(new ConsumerRecord("t", 0, 41, 5001, null, null, List.of()));
        final MemoryRecords kafka = KafkaBatches.toKafka(read, false);
        final MutableRecordBatch batch = kafka.batches().iterator().next();
        batch.ensureValid();
        assertThat(batch.baseOffset()).isEqualTo(40);
        assertThat(batch.lastOffset()).isEqualTo(41);
        final List<Record> records = new ArrayList<>();
        batch.forEach(records::add);
        assertThat(records.get(0).timestamp()).isEqualTo(5000);
        assertThat(records.get(0).headers()[0].value()).isEqualTo(bytes("y"));
        assertThat(records.get(1).hasKey()).isFalse();
        assertThat(records.get(1).hasValue()).isFalse();
    }
}
