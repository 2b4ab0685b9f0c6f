package io.aerolog.kafka;

import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.ProducerRecord;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

import java.nio.ByteBuffer;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Kafka record batches to Aerolog records and back. A produced batch is checked as Kafka's broker checks it (magic
 * v2, CRC, record count matching its offset delta, no control or transactional batch), then decompressed into
 * records, which the native producer writes as one Aerolog batch; a fetch answer is one uncompressed Kafka batch
 * holding the records read, at their own offsets.
 */
final class KafkaBatches
{
    /** A batch that may not be written, with Kafka's reason. */
    static final class InvalidBatchException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        final org.apache.kafka.common.protocol.Errors error;

        InvalidBatchException(final org.apache.kafka.common.protocol.Errors error, final String message)
        {
            super(message);
            this.error = error;
        }
    }

    private KafkaBatches()
    {
    }

    /**
     * @param records what a produce request carries for one partition.
     * @return its one batch, checked.
     * @throws InvalidBatchException if it may not be written.
     */
    static MutableRecordBatch singleValidBatch(final MemoryRecords records)
    {
        MutableRecordBatch only = null;
        for (final MutableRecordBatch batch : records.batches())
        {
            if (null != only)
            {
                throw new InvalidBatchException(org.apache.kafka.common.protocol.Errors.INVALID_RECORD,
                    "a produce request carries one record batch per partition");
            }
            only = batch;
        }
        if (null == only)
        {
            throw new InvalidBatchException(org.apache.kafka.common.protocol.Errors.INVALID_RECORD,
                "no record batch");
        }
        if (only.magic() != RecordBatch.MAGIC_VALUE_V2)
        {
            throw new InvalidBatchException(org.apache.kafka.common.protocol.Errors.UNSUPPORTED_VERSION,
                "record batches of magic " + only.magic() + " are not accepted; magic 2 is");
        }
        if (!only.isValid())
        {
            throw new InvalidBatchException(org.apache.kafka.common.protocol.Errors.CORRUPT_MESSAGE,
                "record batch fails its CRC check");
        }
        if (only.isControlBatch() || only.isTransactional())
        {
            throw new InvalidBatchException(org.apache.kafka.common.protocol.Errors.INVALID_RECORD,
                "transactional and control batches are not supported");
        }
        final Integer count = only.countOrNull();
        if (null == count || count <= 0 || only.lastOffset() - only.baseOffset() + 1 != count)
        {
            throw new InvalidBatchException(org.apache.kafka.common.protocol.Errors.CORRUPT_MESSAGE,
                "record count " + count + " does not match the batch's offset delta " +
                (only.lastOffset() - only.baseOffset()));
        }
        if (only.hasProducerId() && only.baseSequence() < 0)
        {
            throw new InvalidBatchException(org.apache.kafka.common.protocol.Errors.INVALID_RECORD,
                "a batch with a producer id needs a sequence");
        }
        return only;
    }

    /**
     * @param batch     a checked batch.
     * @param topic     it goes to.
     * @param partition it goes to.
     * @return its records, decompressed.
     * @throws InvalidBatchException if its records do not read back as its header says.
     */
    static List<ProducerRecord> toRecords(final MutableRecordBatch batch, final String topic, final int partition)
    {
        final int count = batch.countOrNull();
        final List<ProducerRecord> records = new ArrayList<>(count);
        try
        {
            for (final Record record : batch)
            {
                final Header[] headers = record.headers();
                final List<Map.Entry<String, byte[]>> copied = new ArrayList<>(headers.length);
                for (final Header header : headers)
                {
                    copied.add(new AbstractMap.SimpleImmutableEntry<>(header.key(),
                        null == header.value() ? new byte[0] : header.value()));
                }
                records.add(new ProducerRecord(topic, partition, Math.max(-1, record.timestamp()),
                    bytes(record.key()), bytes(record.value()), copied));
            }
        }
        catch (final RuntimeException ex)
        {
            throw new InvalidBatchException(org.apache.kafka.common.protocol.Errors.CORRUPT_MESSAGE,
                "records do not read: " + ex.getMessage());
        }
        if (records.size() != count)
        {
            throw new InvalidBatchException(org.apache.kafka.common.protocol.Errors.CORRUPT_MESSAGE,
                "batch says " + count + " records, holds " + records.size());
        }
        return records;
    }

    /**
     * @param records       read from a partition, in offset order, at least one.
     * @param logAppendTime whether the topic stamps records with the broker's time.
     * @return one uncompressed Kafka batch with them at their offsets.
     */
    static MemoryRecords toKafka(final List<ConsumerRecord> records, final boolean logAppendTime)
    {
        int estimate = 64;
        for (final ConsumerRecord record : records)
        {
            estimate += 32 + length(record.key()) + length(record.value());
            for (final Map.Entry<String, byte[]> header : record.headers())
            {
                estimate += 8 + header.getKey().length() * 3 + header.getValue().length;
            }
        }
        final MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(estimate),
            RecordBatch.CURRENT_MAGIC_VALUE, Compression.NONE,
            logAppendTime ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME, records.get(0).offset());
        for (final ConsumerRecord record : records)
        {
            final List<Map.Entry<String, byte[]>> headers = record.headers();
            final Header[] kafkaHeaders = new Header[headers.size()];
            for (int i = 0; i < kafkaHeaders.length; i++)
            {
                kafkaHeaders[i] = new RecordHeader(headers.get(i).getKey(), headers.get(i).getValue());
            }
            builder.appendWithOffset(record.offset(), record.timestamp(), record.key(), record.value(), kafkaHeaders);
        }
        return builder.build();
    }

    /**
     * @param record read from a partition.
     * @return about how many bytes it takes in a Kafka batch.
     */
    static int sizeOf(final ConsumerRecord record)
    {
        int size = 24 + length(record.key()) + length(record.value());
        for (final Map.Entry<String, byte[]> header : record.headers())
        {
            size += 4 + header.getKey().length() + header.getValue().length;
        }
        return size;
    }

    private static int length(final byte[] bytes)
    {
        return null == bytes ? 0 : bytes.length;
    }

    private static byte[] bytes(final ByteBuffer buffer)
    {
        if (null == buffer)
        {
            return null;
        }
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
