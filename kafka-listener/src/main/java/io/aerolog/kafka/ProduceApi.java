package io.aerolog.kafka;

import io.aerolog.client.ProducerRecord;
import io.aerolog.client.RecordMetadata;
import io.aerolog.client.TopicInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Produce: each partition's batch is checked, run through Kafka's idempotence rules ({@link ProducerStates}), and
 * written with the native producer of its acks as one Aerolog batch, so its records get consecutive offsets and
 * the answer's base offset is the first one's. The answer waits for every partition's acknowledgement; acks=0 gets
 * none, as in Kafka. Listener thread.
 */
final class ProduceApi
{
    private final NativeClients clients;
    private final TopicCatalog catalog;
    private final ProducerStates producerStates = new ProducerStates();
    private final ListenerCounters counters;

    ProduceApi(final NativeClients clients, final TopicCatalog catalog, final ListenerCounters counters)
    {
        this.clients = clients;
        this.catalog = catalog;
        this.counters = counters;
    }

    /**
     * @param request the produce request.
     * @param version of the request.
     * @return the response, a {@link PendingRequest}, or null for acks=0.
     */
    Object handle(final ProduceRequestData request, final short version)
    {
        if (null != request.transactionalId())
        {
            return refuseAll(request, version, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
                "transactions are not supported");
        }
        final short acks = request.acks();
        if (acks != 0 && acks != 1 && acks != -1)
        {
            return refuseAll(request, version, Errors.INVALID_REQUIRED_ACKS, "acks must be 0, 1 or -1: " + acks);
        }
        final List<Partition> partitions = new ArrayList<>();
        for (final ProduceRequestData.TopicProduceData topicData : request.topicData())
        {
            final String name = version >= 13 ? catalog.nameOf(topicData.topicId()) : topicData.name();
            final TopicInfo info = null == name ? null : catalog.cached(name);
            for (final ProduceRequestData.PartitionProduceData data : topicData.partitionData())
            {
                final Partition partition = new Partition(topicData.name(), topicData.topicId(), data.index());
                partitions.add(partition);
                if (null == info || data.index() < 0 || data.index() >= info.partitions().size())
                {
                    partition.fail(Errors.UNKNOWN_TOPIC_OR_PARTITION, "no such topic or partition");
                    continue;
                }
                send(partition, info.name(), (MemoryRecords)data.records(), acks);
            }
        }
        if (0 == acks)
        {
            return null;
        }
        return (PendingRequest)(nowNs) ->
        {
            for (final Partition partition : partitions)
            {
                if (!partition.done())
                {
                    return null;
                }
            }
            return response(partitions);
        };
    }

    private void send(final Partition partition, final String topic, final MemoryRecords records, final short acks)
    {
        final MutableRecordBatch batch;
        final List<ProducerRecord> converted;
        try
        {
            if (null == records)
            {
                throw new KafkaBatches.InvalidBatchException(Errors.INVALID_RECORD, "no records");
            }
            batch = KafkaBatches.singleValidBatch(records);
            converted = KafkaBatches.toRecords(batch, topic, partition.index);
        }
        catch (final KafkaBatches.InvalidBatchException ex)
        {
            ListenerCounters.increment(counters.corruptBatches);
            partition.fail(ex.error, ex.getMessage());
            return;
        }
        final boolean idempotent = batch.hasProducerId();
        if (idempotent)
        {
            final ProducerStates.Check check = producerStates.check(batch.producerId(), batch.producerEpoch(),
                topic, partition.index, batch.baseSequence(), batch.lastSequence());
            switch (check.verdict)
            {
                case DUPLICATE ->
                {
                    partition.succeed(check.baseOffset);
                    return;
                }
                case REFUSE ->
                {
                    partition.fail(check.error, check.message);
                    return;
                }
                default ->
                {
                }
            }
        }
        try
        {
            final CompletableFuture<RecordMetadata> written =
                clients.producer(acks).sendBatch(topic, partition.index, converted);
            written.whenComplete((metadata, error) ->
            {
                final long baseOffset = null == error ? metadata.offset() : -1;
                if (idempotent)
                {
                    producerStates.onAppended(batch.producerId(), batch.producerEpoch(), topic, partition.index,
                        batch.baseSequence(), batch.lastSequence(), baseOffset);
                }
                if (null == error)
                {
                    partition.succeed(baseOffset);
                }
                else
                {
                    partition.fail(ErrorCodes.of(error), error.getMessage());
                }
            });
        }
        catch (final RuntimeException ex)
        {
            if (idempotent)
            {
                producerStates.onAppended(batch.producerId(), batch.producerEpoch(), topic, partition.index,
                    batch.baseSequence(), batch.lastSequence(), -1);
            }
            partition.fail(ErrorCodes.of(ex), ex.getMessage());
        }
    }

    private ApiMessage response(final List<Partition> partitions)
    {
        final ProduceResponseData response = new ProduceResponseData();
        ProduceResponseData.TopicProduceResponse topic = null;
        for (final Partition partition : partitions)
        {
            if (null == topic || !java.util.Objects.equals(topic.name(), partition.topicName) ||
                !topic.topicId().equals(partition.topicId))
            {
                topic = response.responses().find(partition.topicName, partition.topicId);
                if (null == topic)
                {
                    topic = new ProduceResponseData.TopicProduceResponse()
                        .setName(partition.topicName).setTopicId(partition.topicId);
                    response.responses().add(topic);
                }
            }
            if (Errors.NONE != partition.error)
            {
                ListenerCounters.increment(counters.errorResponses);
            }
            topic.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse()
                .setIndex(partition.index)
                .setErrorCode(partition.error.code())
                .setErrorMessage(partition.message)
                .setBaseOffset(partition.baseOffset)
                .setLogAppendTimeMs(-1)
                .setLogStartOffset(-1));
        }
        return response;
    }

    private ApiMessage refuseAll(
        final ProduceRequestData request, final short version, final Errors error, final String message)
    {
        final List<Partition> partitions = new ArrayList<>();
        for (final ProduceRequestData.TopicProduceData topicData : request.topicData())
        {
            for (final ProduceRequestData.PartitionProduceData data : topicData.partitionData())
            {
                final Partition partition = new Partition(topicData.name(), topicData.topicId(), data.index());
                partition.fail(error, message);
                partitions.add(partition);
            }
        }
        return 0 == request.acks() ? null : response(partitions);
    }

    /** One partition's part of a produce request and its outcome. */
    private static final class Partition
    {
        final String topicName;
        final Uuid topicId;
        final int index;
        Errors error = Errors.NONE;
        String message;
        long baseOffset = -1;
        boolean done;

        Partition(final String topicName, final Uuid topicId, final int index)
        {
            this.topicName = topicName;
            this.topicId = null == topicId ? Uuid.ZERO_UUID : topicId;
            this.index = index;
        }

        void succeed(final long baseOffset)
        {
            this.baseOffset = baseOffset;
            done = true;
        }

        void fail(final Errors error, final String message)
        {
            this.error = error;
            this.message = message;
            done = true;
        }

        boolean done()
        {
            return done;
        }
    }
}
