package io.aerolog.client;

import io.aerolog.codecs.log.LogBatchDecoder;
import io.aerolog.codecs.log.LogTimestampType;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.FetchStartEncoder;
import io.aerolog.codecs.wire.FetchStartResponseDecoder;
import io.aerolog.codecs.wire.FetchStopEncoder;
import io.aerolog.codecs.wire.FetchStoppedDecoder;
import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import io.aerolog.transport.RecordSetReader;
import io.aerolog.transport.Wire;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.Image;
import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.IdleStrategy;

import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Reads partitions from any offset, like Kafka's {@code KafkaConsumer} with {@code assign}: the broker streams each
 * assigned partition from the archive and carries on at the live end, only up to the high watermark, with no gap and
 * no duplicate. {@link #poll(RecordHandler, int)} is allocation-free in steady state. Not thread safe.
 */
public final class Consumer implements AutoCloseable
{
    /** What to do when a partition has no valid position. */
    public enum OffsetReset
    {
        /** Start from the earliest retained offset. */
        EARLIEST,
        /** Start from the next offset to be written. */
        LATEST,
        /** Fail: the application must seek. */
        NONE
    }

    /** Consumer settings. */
    public static final class Config
    {
        private OffsetReset autoOffsetReset = OffsetReset.LATEST;
        private int fragmentLimit = 64;

        /**
         * @param autoOffsetReset where to start when there is no position or it is out of range.
         * @return this.
         */
        public Config autoOffsetReset(final OffsetReset autoOffsetReset)
        {
            this.autoOffsetReset = autoOffsetReset;
            return this;
        }

        /**
         * @param fragmentLimit batches read per partition per poll.
         * @return this.
         */
        public Config fragmentLimit(final int fragmentLimit)
        {
            this.fragmentLimit = fragmentLimit;
            return this;
        }
    }

    private static final long STREAM_APPEAR_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long EARLIEST = -2;
    private static final long LATEST = -1;

    private final BrokerConnection connection;
    private final Config config;
    private final Map<TopicPartition, PartitionFetch> assignment = new LinkedHashMap<>();
    private final Map<String, TopicInfo> topics = new HashMap<>();
    private final Long2ObjectHashMap<PartitionFetch> fetchByCorrelationId = new Long2ObjectHashMap<>();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    // One instance: a method reference passed to every poll would allocate each time.
    private final FragmentHandler responseHandler = this::onResponse;
    private final FetchStartResponseDecoder fetchStartResponseDecoder = new FetchStartResponseDecoder();
    private final FetchStoppedDecoder fetchStoppedDecoder = new FetchStoppedDecoder();
    private final io.aerolog.codecs.log.MessageHeaderDecoder logHeaderDecoder =
        new io.aerolog.codecs.log.MessageHeaderDecoder();
    private final LogBatchDecoder logBatchDecoder = new LogBatchDecoder();
    private final RecordSetReader reader = new RecordSetReader();
    private final ConsumedRecord record = new ConsumedRecord();
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this::onBatch);
    private final IdleStrategy idleStrategy; // the client profile's (ClientContext#profile)
    private PartitionFetch[] fetches = new PartitionFetch[0];
    private PartitionFetch current;
    private RecordHandler handler;
    private int remaining;
    private AerologException pendingError;

    private Consumer(final BrokerConnection connection, final Config config)
    {
        this.connection = connection;
        this.idleStrategy = connection.context().newIdleStrategy();
        this.config = config;
    }

    /**
     * Connects a consumer to a broker.
     *
     * @param ctx    how to reach the broker.
     * @param config consumer settings.
     * @return the consumer.
     */
    public static Consumer connect(final ClientContext ctx, final Config config)
    {
        return new Consumer(BrokerConnection.connect(ctx), config);
    }

    /**
     * Reads exactly these partitions from now on (replacing any earlier assignment). Partitions kept from the
     * earlier assignment keep their positions; new ones start per the reset policy unless sought.
     *
     * @param partitions to read.
     * @throws AerologException for an unknown topic or partition.
     */
    public void assign(final Collection<TopicPartition> partitions)
    {
        final Map<TopicPartition, PartitionFetch> next = new LinkedHashMap<>();
        for (final TopicPartition tp : partitions)
        {
            final TopicInfo info = topicInfo(tp.topic());
            if (tp.partition() >= info.partitions().size())
            {
                throw new AerologException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                    "topic " + tp.topic() + " has " + info.partitions().size() + " partitions, no " + tp.partition());
            }
            final PartitionFetch existing = assignment.get(tp);
            next.put(tp, null != existing ? existing : new PartitionFetch(tp, info, resetOffset()));
        }
        for (final PartitionFetch dropped : assignment.values())
        {
            if (!next.containsKey(dropped.tp))
            {
                dropped.stop();
            }
        }
        assignment.clear();
        assignment.putAll(next);
        fetches = assignment.values().toArray(new PartitionFetch[0]);
    }

    /**
     * Reads every partition of a topic.
     *
     * @param topic to read.
     */
    public void assignAll(final String topic)
    {
        final int count = topicInfo(topic).partitions().size();
        final List<TopicPartition> partitions = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            partitions.add(new TopicPartition(topic, i));
        }
        assign(partitions);
    }

    /** @return the partitions assigned. */
    public Set<TopicPartition> assignment()
    {
        return Set.copyOf(assignment.keySet());
    }

    /**
     * Makes the next record read from a partition the one at an offset.
     *
     * @param tp     an assigned partition.
     * @param offset to read next.
     */
    public void seek(final TopicPartition tp, final long offset)
    {
        if (offset < 0)
        {
            throw new IllegalArgumentException("offset must be >= 0: " + offset);
        }
        fetch(tp).restartAt(offset);
    }

    /**
     * Moves partitions to their earliest retained offset.
     *
     * @param partitions assigned partitions.
     */
    public void seekToBeginning(final Collection<TopicPartition> partitions)
    {
        for (final TopicPartition tp : partitions)
        {
            fetch(tp).restartAt(EARLIEST);
        }
    }

    /**
     * Moves partitions to the end: only records written from now on are read.
     *
     * @param partitions assigned partitions.
     */
    public void seekToEnd(final Collection<TopicPartition> partitions)
    {
        for (final TopicPartition tp : partitions)
        {
            fetch(tp).restartAt(LATEST);
        }
    }

    /**
     * The offset of the next record to be read from a partition (waits for the broker when the position is a
     * reset still being resolved).
     *
     * @param tp an assigned partition.
     * @return the offset.
     */
    public long position(final TopicPartition tp)
    {
        final PartitionFetch fetch = fetch(tp);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
            connection.context().requestTimeoutMs());
        while (fetch.nextOffset < 0)
        {
            if (0 == poll((r) -> {}, 0) && System.nanoTime() > deadlineNs)
            {
                throw new AerologException(ErrorCode.REQUEST_TIMED_OUT, "position of " + tp + " not resolved");
            }
            idleStrategy.idle();
        }
        return fetch.nextOffset;
    }

    /**
     * For each partition, the earliest offset whose record timestamp is at or after the given time, or null where
     * no such record exists yet.
     *
     * @param timestamps per partition, ms since the epoch.
     * @return offsets per partition.
     */
    public Map<TopicPartition, Long> offsetsForTimes(final Map<TopicPartition, Long> timestamps)
    {
        final Map<TopicPartition, Long> result = new LinkedHashMap<>();
        for (final Map.Entry<TopicPartition, Long> entry : timestamps.entrySet())
        {
            final long offset = listOffset(entry.getKey(), Math.max(0, entry.getValue()));
            result.put(entry.getKey(), offset < 0 ? null : offset);
        }
        return result;
    }

    /**
     * @param partitions to look up.
     * @return earliest retained offset of each.
     */
    public Map<TopicPartition, Long> beginningOffsets(final Collection<TopicPartition> partitions)
    {
        final Map<TopicPartition, Long> result = new LinkedHashMap<>();
        for (final TopicPartition tp : partitions)
        {
            result.put(tp, listOffset(tp, Admin.EARLIEST));
        }
        return result;
    }

    /**
     * @param partitions to look up.
     * @return next offset to be written (the high watermark) of each.
     */
    public Map<TopicPartition, Long> endOffsets(final Collection<TopicPartition> partitions)
    {
        final Map<TopicPartition, Long> result = new LinkedHashMap<>();
        for (final TopicPartition tp : partitions)
        {
            result.put(tp, listOffset(tp, Admin.LATEST));
        }
        return result;
    }

    private long listOffset(final TopicPartition tp, final long spec)
    {
        return Admin.listOffset(connection, headerDecoder, topicInfo(tp.topic()).topicId(), tp.partition(), spec);
    }

    /**
     * Delivers up to {@code maxRecords} records to a handler without blocking and without allocating.
     *
     * @param handler    receives the records.
     * @param maxRecords most records to deliver.
     * @return records delivered plus other work done (0 means nothing happened).
     * @throws AerologException for an offset out of range with reset NONE, an unknown topic, or a lost broker.
     */
    public int poll(final RecordHandler handler, final int maxRecords)
    {
        int work = connection.poll(responseHandler);
        throwPendingError();
        this.handler = handler;
        this.remaining = maxRecords;
        final PartitionFetch[] fetches = this.fetches;
        for (final PartitionFetch fetch : fetches)
        {
            work += fetch.doWork();
        }
        return work + (maxRecords - remaining);
    }

    /**
     * Waits up to a timeout for records and returns copies of them (allocates; for tools and tests).
     *
     * @param timeout how long to wait for at least one record.
     * @return the records, possibly none.
     */
    public List<ConsumerRecord> poll(final Duration timeout)
    {
        final List<ConsumerRecord> records = new ArrayList<>();
        final RecordHandler collector = (r) ->
        {
            final List<Map.Entry<String, byte[]>> headers = new ArrayList<>(r.headerCount());
            for (int i = 0; i < r.headerCount(); i++)
            {
                headers.add(new AbstractMap.SimpleImmutableEntry<>(r.headerKey(i), r.headerValueBytes(i)));
            }
            records.add(new ConsumerRecord(r.topic(), r.partition(), r.offset(), r.timestamp(), r.keyBytes(),
                r.valueBytes(), headers));
        };
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        idleStrategy.reset();
        do
        {
            final int work = poll(collector, 500);
            if (!records.isEmpty())
            {
                break;
            }
            idleStrategy.idle(work);
        }
        while (System.nanoTime() < deadlineNs);
        return records;
    }

    private void throwPendingError()
    {
        final AerologException error = pendingError;
        if (null != error)
        {
            pendingError = null;
            throw error;
        }
    }

    private void onResponse(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        headerDecoder.wrap(buffer, offset);
        if (FetchStoppedDecoder.TEMPLATE_ID == headerDecoder.templateId())
        {
            onFetchStopped(fetchStoppedDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder));
            return;
        }
        if (FetchStartResponseDecoder.TEMPLATE_ID != headerDecoder.templateId())
        {
            return;
        }
        final FetchStartResponseDecoder decoder = fetchStartResponseDecoder.wrapAndApplyHeader(
            buffer, offset, headerDecoder);
        final PartitionFetch fetch = fetchByCorrelationId.remove(decoder.correlationId());
        if (null == fetch || fetch.pendingCorrelationId != decoder.correlationId())
        {
            return; // superseded by a later seek
        }
        fetch.pendingCorrelationId = -1;
        final ErrorCode code = decoder.code();
        if (ErrorCode.NONE == code)
        {
            fetch.onStarted(decoder.streamSessionId(), decoder.fetchOffset());
        }
        else if (ErrorCode.OFFSET_OUT_OF_RANGE == code && OffsetReset.NONE != config.autoOffsetReset)
        {
            fetch.restartAt(resetOffset());
        }
        else
        {
            fetch.state = FetchState.FAILED;
            pendingError = new AerologException(code, fetch.tp + ": " + decoder.message() +
                (ErrorCode.OFFSET_OUT_OF_RANGE == code ? " (log start " + decoder.logStartOffset() + ", log end " +
                decoder.logEndOffset() + ")" : ""));
        }
    }

    private void onFetchStopped(final FetchStoppedDecoder decoder)
    {
        final int topicId = decoder.topicId();
        final int partition = decoder.partition();
        final int streamSessionId = decoder.streamSessionId();
        for (final PartitionFetch fetch : fetches)
        {
            if (fetch.topicId == topicId && fetch.tp.partition() == partition &&
                FetchState.STREAMING == fetch.state && fetch.streamSessionId == streamSessionId)
            {
                fetch.restartAt(fetch.nextOffset); // the broker answers with the range, or streams again
            }
        }
    }

    private Action onBatch(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (null != Wire.checkHeaderLog(buffer, offset, length, logHeaderDecoder) ||
            logHeaderDecoder.templateId() != LogBatchDecoder.TEMPLATE_ID)
        {
            return Action.CONTINUE; // not a record batch (e.g. a future control frame on the log)
        }
        final LogBatchDecoder batch = logBatchDecoder.wrapAndApplyHeader(buffer, offset, logHeaderDecoder);
        final PartitionFetch fetch = current;
        final long baseOffset = batch.baseOffset();
        final int recordCount = batch.recordCount();
        if (baseOffset + recordCount <= fetch.nextOffset)
        {
            return Action.CONTINUE;
        }
        if (0 == remaining)
        {
            return Action.ABORT;
        }
        final boolean logAppendTime = batch.timestampType() == LogTimestampType.LOG_APPEND_TIME;
        final long appendTime = batch.appendTime();
        final int recordsLength = batch.recordsLength();
        final int recordsOffset = batch.limit() + LogBatchDecoder.recordsHeaderLength();
        reader.wrap(buffer, recordsOffset, recordsLength);
        long recordOffset = baseOffset;
        while (reader.next())
        {
            if (recordOffset >= fetch.nextOffset)
            {
                if (0 == remaining)
                {
                    return Action.ABORT; // redelivered next poll; records already handed over are skipped
                }
                record.set(reader, fetch.tp.topic(), fetch.tp.partition(), recordOffset,
                    logAppendTime ? appendTime : reader.timestamp(), logAppendTime);
                fetch.nextOffset = recordOffset + 1;
                remaining--;
                handler.onRecord(record);
            }
            recordOffset++;
        }
        return Action.CONTINUE;
    }

    private long resetOffset()
    {
        switch (config.autoOffsetReset)
        {
            case EARLIEST:
                return EARLIEST;
            case LATEST:
                return LATEST;
            default:
                return Long.MIN_VALUE;
        }
    }

    private PartitionFetch fetch(final TopicPartition tp)
    {
        final PartitionFetch fetch = assignment.get(tp);
        if (null == fetch)
        {
            throw new IllegalStateException("partition not assigned: " + tp);
        }
        return fetch;
    }

    private TopicInfo topicInfo(final String topic)
    {
        TopicInfo info = topics.get(topic);
        if (null == info)
        {
            info = Admin.describe(connection, headerDecoder, topic);
            topics.put(topic, info);
        }
        return info;
    }

    @Override
    public void close()
    {
        connection.close();
    }

    private enum FetchState
    {
        NEEDS_START, STARTING, STREAMING, FAILED
    }

    private final class PartitionFetch
    {
        final TopicPartition tp;
        final int topicId;
        long nextOffset;
        long pendingCorrelationId = -1;
        int streamSessionId;
        long streamingSinceNs;
        boolean imageSeen;
        Image image;
        FetchState state = FetchState.NEEDS_START;

        PartitionFetch(final TopicPartition tp, final TopicInfo info, final long startOffset)
        {
            this.tp = tp;
            this.topicId = info.topicId();
            this.nextOffset = startOffset;
        }

        void restartAt(final long offset)
        {
            nextOffset = offset;
            image = null;
            imageSeen = false;
            pendingCorrelationId = -1;
            state = FetchState.NEEDS_START;
        }

        void stop()
        {
            if (FetchState.STREAMING == state || FetchState.STARTING == state)
            {
                final FetchStopEncoder encoder = new FetchStopEncoder()
                    .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
                    .correlationId(connection.nextCorrelationId())
                    .clientSessionId(connection.clientSessionId())
                    .topicId(topicId)
                    .partition(tp.partition());
                // Best effort: if it cannot be sent now the replay ends when the session does.
                connection.offerControl(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
            }
            state = FetchState.FAILED;
        }

        void onStarted(final int sessionId, final long fetchOffset)
        {
            streamSessionId = sessionId;
            nextOffset = fetchOffset;
            state = FetchState.STREAMING;
            streamingSinceNs = System.nanoTime();
        }

        int doWork()
        {
            switch (state)
            {
                case NEEDS_START:
                    return sendFetchStart();
                case STREAMING:
                    return pollImage();
                default:
                    return 0;
            }
        }

        private int sendFetchStart()
        {
            if (Long.MIN_VALUE == nextOffset)
            {
                state = FetchState.FAILED;
                pendingError = new AerologException(ErrorCode.OFFSET_OUT_OF_RANGE,
                    tp + " has no position and the reset policy is NONE: seek first");
                return 0;
            }
            final long correlationId = connection.nextCorrelationId();
            final FetchStartEncoder encoder = new FetchStartEncoder()
                .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
                .correlationId(correlationId)
                .clientSessionId(connection.clientSessionId())
                .topicId(topicId)
                .partition(tp.partition())
                .fetchOffset(nextOffset);
            if (!connection.offerControl(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength()))
            {
                return 0;
            }
            pendingCorrelationId = correlationId;
            fetchByCorrelationId.put(correlationId, this);
            state = FetchState.STARTING;
            return 1;
        }

        private int pollImage()
        {
            Image image = this.image;
            if (null == image)
            {
                image = connection.dataSubscription().imageBySessionId(streamSessionId);
                if (null == image)
                {
                    // The stream ended, or never arrived. The broker says when it ends a stream itself (FetchStopped);
                    // the timeout is a safety net for a stream lost any other way.
                    if (imageSeen || System.nanoTime() - streamingSinceNs > STREAM_APPEAR_TIMEOUT_NS)
                    {
                        restartAt(nextOffset);
                    }
                    return 0;
                }
                this.image = image;
                imageSeen = true;
            }
            if (image.isClosed())
            {
                restartAt(nextOffset);
                return 1;
            }
            if (0 == remaining)
            {
                return 0;
            }
            current = this;
            return image.controlledPoll(assembler, config.fragmentLimit);
        }
    }
}
