package io.aerolog.kafka;

import io.aerolog.client.AerologException;
import io.aerolog.client.ConsumerRecord;
import io.aerolog.client.TopicInfo;
import io.aerolog.client.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Fetch: each partition is read through the connection's {@link FetchSession}; the answer goes once the records
 * read reach {@code minBytes} or {@code maxWaitMs} has passed (Kafka's long poll), with every requested partition
 * listed, as a sessionless answer must. Sessions (KIP-227) are not kept: the answer's session id 0 tells the client
 * to send full requests. Listener thread.
 */
final class FetchApi
{
    private final NativeClients clients;
    private final TopicCatalog catalog;
    private final ListenerCounters counters;

    FetchApi(final NativeClients clients, final TopicCatalog catalog, final ListenerCounters counters)
    {
        this.clients = clients;
        this.catalog = catalog;
        this.counters = counters;
    }

    /**
     * @param connection the request came on.
     * @param request    the fetch.
     * @param version    of the request.
     * @return the response, or a {@link PendingRequest} for a long poll.
     */
    Object handle(final KafkaConnection connection, final FetchRequestData request, final short version)
    {
        FetchSession session = connection.fetchSession();
        if (null == session)
        {
            session = new FetchSession(clients.newConsumer());
            connection.fetchSession(session);
        }
        final List<Part> parts = new ArrayList<>();
        final Map<String, TopicInfo> described = new HashMap<>();
        for (final FetchRequestData.FetchTopic topic : request.topics())
        {
            final String name = version >= 13 ? catalog.nameOf(topic.topicId()) : topic.topic();
            TopicInfo info = null;
            Errors topicError = Errors.NONE;
            if (null != name)
            {
                // Fresh offsets only where the consumer moves (they are checked against the log); a fetch that
                // goes on where the last one ended uses offsets at most a second old, and the high watermark it
                // reports is at least what it has read, so the listener does not wait on the broker per fetch.
                boolean moves = false;
                for (final FetchRequestData.FetchPartition partition : topic.partitions())
                {
                    moves |= session.needsPositioning(new TopicPartition(name, partition.partition()),
                        partition.fetchOffset());
                }
                final boolean fresh = moves;
                try
                {
                    info = described.computeIfAbsent(name, (n) -> fresh ? catalog.offsets(n) :
                        catalog.cachedOffsets(n));
                }
                catch (final AerologException ex)
                {
                    topicError = ErrorCodes.of(ex);
                }
            }
            for (final FetchRequestData.FetchPartition partition : topic.partitions())
            {
                final Part part = new Part(topic.topic(), topic.topicId(), partition.partition(),
                    partition.partitionMaxBytes());
                parts.add(part);
                if (Errors.NONE != topicError)
                {
                    part.error = topicError;
                }
                else if (null == info || partition.partition() < 0 ||
                    partition.partition() >= info.partitions().size())
                {
                    part.error = version >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                }
                else
                {
                    position(session, part, info, partition.fetchOffset());
                }
            }
        }
        final FetchSession reading = session;
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, request.maxWaitMs()));
        final PendingRequest pending = (nowNs) -> poll(reading, parts, request, nowNs >= deadlineNs);
        final ApiMessage now = pending.poll(System.nanoTime());
        return null != now ? now : pending;
    }

    private void position(final FetchSession session, final Part part, final TopicInfo info, final long offset)
    {
        final TopicInfo.PartitionInfo p = info.partitions().get(part.partition);
        final TopicPartition tp = new TopicPartition(info.name(), part.partition);
        final boolean moves = session.needsPositioning(tp, offset);
        part.logAppendTime = info.logAppendTime();
        if (moves && p.highWatermark() >= 0 && (offset < p.logStartOffset() || offset > p.highWatermark()))
        {
            part.error = Errors.OFFSET_OUT_OF_RANGE;
            part.highWatermark = p.highWatermark();
            part.logStartOffset = p.logStartOffset();
            return;
        }
        try
        {
            part.cursor = session.position(tp, offset);
            part.cursor.highWatermark = Math.max(part.cursor.highWatermark, p.highWatermark());
            part.cursor.logStartOffset = Math.max(part.cursor.logStartOffset, p.logStartOffset());
            part.highWatermark = part.cursor.highWatermark;
            part.logStartOffset = part.cursor.logStartOffset;
        }
        catch (final AerologException ex)
        {
            part.error = ErrorCodes.of(ex);
        }
    }

    private ApiMessage poll(
        final FetchSession session, final List<Part> parts, final FetchRequestData request, final boolean expired)
    {
        boolean failed = false;
        try
        {
            session.poll();
        }
        catch (final AerologException ex)
        {
            failed = true;
            for (final Part part : parts)
            {
                if (Errors.NONE == part.error)
                {
                    part.error = ErrorCodes.of(ex);
                }
            }
        }
        int available = 0;
        boolean anyError = failed;
        for (final Part part : parts)
        {
            anyError |= Errors.NONE != part.error;
            if (null != part.cursor)
            {
                available += part.cursor.bytes;
            }
        }
        if (!expired && !anyError && available < Math.max(1, request.minBytes()))
        {
            return null;
        }
        return response(session, parts, request.maxBytes());
    }

    private ApiMessage response(final FetchSession session, final List<Part> parts, final int maxBytes)
    {
        final FetchResponseData response = new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0);
        FetchResponseData.FetchableTopicResponse topic = null;
        int budget = maxBytes <= 0 ? Integer.MAX_VALUE : maxBytes;
        for (final Part part : parts)
        {
            if (null == topic || !topic.topic().equals(part.topicName) || !topic.topicId().equals(part.topicId))
            {
                topic = new FetchResponseData.FetchableTopicResponse().setTopic(part.topicName)
                    .setTopicId(part.topicId);
                response.responses().add(topic);
            }
            MemoryRecords records = MemoryRecords.EMPTY;
            if (Errors.NONE == part.error && null != part.cursor && budget > 0)
            {
                final List<ConsumerRecord> taken = session.take(part.cursor,
                    Math.min(budget, part.maxBytes <= 0 ? Integer.MAX_VALUE : part.maxBytes));
                if (!taken.isEmpty())
                {
                    records = KafkaBatches.toKafka(taken, part.logAppendTime);
                    budget -= records.sizeInBytes();
                    part.highWatermark = Math.max(part.highWatermark, taken.get(taken.size() - 1).offset() + 1);
                    part.cursor.highWatermark = part.highWatermark;
                }
            }
            if (Errors.NONE != part.error)
            {
                ListenerCounters.increment(counters.errorResponses);
            }
            topic.partitions().add(new FetchResponseData.PartitionData()
                .setPartitionIndex(part.partition)
                .setErrorCode(part.error.code())
                .setHighWatermark(part.highWatermark)
                .setLastStableOffset(part.highWatermark)
                .setLogStartOffset(part.logStartOffset)
                .setPreferredReadReplica(-1)
                .setRecords(records));
        }
        return response;
    }

    /** One partition of a fetch. */
    private static final class Part
    {
        final String topicName;
        final Uuid topicId;
        final int partition;
        final int maxBytes;
        Errors error = Errors.NONE;
        FetchSession.Cursor cursor;
        long highWatermark = -1;
        long logStartOffset = -1;
        boolean logAppendTime;

        Part(final String topicName, final Uuid topicId, final int partition, final int maxBytes)
        {
            this.topicName = null == topicName ? "" : topicName;
            this.topicId = null == topicId ? Uuid.ZERO_UUID : topicId;
            this.partition = partition;
            this.maxBytes = maxBytes;
        }
    }
}
