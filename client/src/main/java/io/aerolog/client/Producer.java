package io.aerolog.client;

import io.aerolog.client.partition.DefaultPartitioner;
import io.aerolog.client.partition.Partitioner;
import io.aerolog.codecs.wire.Acks;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.ErrorResponseDecoder;
import io.aerolog.codecs.wire.InitProducerIdEncoder;
import io.aerolog.codecs.wire.InitProducerIdResponseDecoder;
import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import io.aerolog.codecs.wire.ProduceRequestEncoder;
import io.aerolog.codecs.wire.ProduceResponseDecoder;
import io.aerolog.transport.RecordSetWriter;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends records to partitions, like Kafka's {@code KafkaProducer}: it batches records per partition (with linger),
 * keeps up to {@code maxInFlight} batches per partition in flight, and is idempotent by default (producer id +
 * per-partition sequence, so a retried batch is written once). Calls to {@link #send} and {@link #poll} drive its
 * I/O on the caller's thread; there is no background thread. Not thread safe.
 */
public final class Producer implements AutoCloseable
{
    /** Producer settings. */
    public static final class Config
    {
        private Acks acks = Acks.ALL;
        private long lingerMs = 0;
        private int batchSize = 64 * 1024;
        private boolean idempotent = true;
        private int maxInFlight = 5;
        private long deliveryTimeoutMs = 120_000;
        private long maxBlockMs = 60_000;
        private int maxQueuedBatches = 1024;
        private Partitioner partitioner;

        /**
         * @param acks NONE (fire and forget), LEADER or ALL (same as LEADER on a single broker).
         * @return this.
         */
        public Config acks(final Acks acks)
        {
            this.acks = acks;
            return this;
        }

        /**
         * @param lingerMs how long a batch may wait for more records; 0 sends as soon as a batch slot is free.
         * @return this.
         */
        public Config lingerMs(final long lingerMs)
        {
            this.lingerMs = lingerMs;
            return this;
        }

        /**
         * @param batchSize bytes at which a batch is sent without waiting for linger.
         * @return this.
         */
        public Config batchSize(final int batchSize)
        {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * @param idempotent whether to use a producer id and sequences so retries are written once.
         * @return this.
         */
        public Config idempotent(final boolean idempotent)
        {
            this.idempotent = idempotent;
            return this;
        }

        /**
         * @param maxInFlight batches per partition sent but not yet acknowledged.
         * @return this.
         */
        public Config maxInFlight(final int maxInFlight)
        {
            this.maxInFlight = maxInFlight;
            return this;
        }

        /**
         * @param deliveryTimeoutMs how long a record may take from send to acknowledgement before it fails.
         * @return this.
         */
        public Config deliveryTimeoutMs(final long deliveryTimeoutMs)
        {
            this.deliveryTimeoutMs = deliveryTimeoutMs;
            return this;
        }

        /**
         * As Kafka's {@code max.block.ms}: how long {@link Producer#connect} waits for an idempotent producer's id
         * while the controller is unavailable (electing a leader), asking again after each timed-out answer.
         *
         * @param maxBlockMs the bound, default 60 000.
         * @return this.
         */
        public Config maxBlockMs(final long maxBlockMs)
        {
            if (maxBlockMs <= 0)
            {
                throw new IllegalArgumentException("maxBlockMs must be positive: " + maxBlockMs);
            }
            this.maxBlockMs = maxBlockMs;
            return this;
        }

        /**
         * @param partitioner chooses partitions for records sent without one; default is Kafka's (murmur2, sticky).
         * @return this.
         */
        public Config partitioner(final Partitioner partitioner)
        {
            this.partitioner = partitioner;
            return this;
        }

        /** @return acks setting. */
        public Acks acks()
        {
            return acks;
        }
    }

    private static final long TIMEOUT_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long INIT_RETRY_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(100);
    // A batch unanswered this long makes the producer ask (at most this often per topic) whether the partition's
    // leader moved: a leader killed outright sends no answer, and waiting for the request timeout would stall the
    // partition for that long after its successor was elected.
    private static final long LEADER_RECHECK_NS = TimeUnit.MILLISECONDS.toNanos(1000);
    private static final long LEADER_RECHECK_TIMEOUT_MS = 500;
    // A live broker describes a topic within milliseconds; a dead one must not hold every partition's routing.
    private static final long ROUTING_REFRESH_TIMEOUT_MS = 1000;

    private final ClusterMetadata metadata;
    private final BrokerConnection connection;
    private final Config config;
    private final Partitioner partitioner;
    private final Map<String, TopicState> topics = new HashMap<>();
    private final Long2ObjectHashMap<Batch> inFlight = new Long2ObjectHashMap<>();
    private final ArrayDeque<Batch> pool = new ArrayDeque<>();
    private final ArrayDeque<PartitionState> withReadyBatches = new ArrayDeque<>();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    // One instance: a method reference passed to every poll would allocate each time.
    private final FragmentHandler responseHandler = this::onResponse;
    private final ProduceResponseDecoder responseDecoder = new ProduceResponseDecoder();
    private final ProduceRequestEncoder requestEncoder = new ProduceRequestEncoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final UnsafeBuffer requestHeader = new UnsafeBuffer(new byte[256]);
    private final UnsafeBuffer keyWrapper = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer valueWrapper = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer headerValueWrapper = new UnsafeBuffer(0, 0);
    private final long producerId;
    private final short producerEpoch;
    private final int maxBatchBytes;
    private final LeaderRouting routing = new LeaderRouting();
    private long lastTimeoutCheckNs;
    private int queuedBatches;

    private Producer(final ClusterMetadata metadata, final Config config)
    {
        this.metadata = metadata;
        this.connection = metadata.bootstrap();
        this.config = config;
        // Produce answers that arrive while a metadata request waits on the same connection are still acknowledged.
        metadata.unsolicitedHandler(responseHandler);
        this.partitioner = null == config.partitioner ? new DefaultPartitioner() : config.partitioner;
        this.maxBatchBytes = connection.maxBatchBytes();
        if (config.idempotent)
        {
            final InitProducerIdResponseDecoder decoder = initProducerId(config.maxBlockMs);
            producerId = decoder.producerId();
            producerEpoch = decoder.producerEpoch();
        }
        else
        {
            producerId = -1;
            producerEpoch = 0;
        }
    }

    // Kafka's producer waits up to max.block.ms for its id: the broker asks the controller, which may be electing a
    // leader (a controller node died), so a timed-out or not-yet-available answer is asked again until the bound.
    private InitProducerIdResponseDecoder initProducerId(final long maxBlockMs)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxBlockMs);
        while (true)
        {
            ErrorCode code;
            String failure;
            try
            {
                final long correlationId = connection.nextCorrelationId();
                final InitProducerIdEncoder encoder = new InitProducerIdEncoder()
                    .wrapAndApplyHeader(connection.sendBuffer(), 0, connection.headerEncoder())
                    .correlationId(correlationId)
                    .clientSessionId(connection.clientSessionId());
                final long remainingMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime()));
                final DirectBuffer response = connection.request(
                    MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), correlationId,
                    Math.min(connection.context().requestTimeoutMs(), remainingMs), null);
                connection.throwIfErrorResponse(response);
                final InitProducerIdResponseDecoder decoder = new InitProducerIdResponseDecoder()
                    .wrapAndApplyHeader(response, 0, headerDecoder);
                if (ErrorCode.NONE == decoder.code())
                {
                    return decoder;
                }
                code = decoder.code();
                failure = "could not get a producer id";
            }
            catch (final AerologException ex)
            {
                code = ex.code();
                failure = ex.getMessage();
            }
            final boolean retriable = ErrorCode.REQUEST_TIMED_OUT == code || ErrorCode.NOT_READY == code ||
                ErrorCode.LEADER_NOT_AVAILABLE == code;
            if (!retriable || System.nanoTime() - deadlineNs >= 0)
            {
                throw new AerologException(code, failure + (retriable ? " within max.block.ms " + maxBlockMs : ""));
            }
            LockSupport.parkNanos(INIT_RETRY_BACKOFF_NS);
        }
    }

    /**
     * Connects a producer to a broker.
     *
     * @param ctx    how to reach the broker.
     * @param config producer settings.
     * @return the producer.
     */
    public static Producer connect(final ClientContext ctx, final Config config)
    {
        final ClusterMetadata metadata = ClusterMetadata.connect(ctx);
        try
        {
            return new Producer(metadata, config);
        }
        catch (final RuntimeException ex)
        {
            metadata.close();
            throw ex;
        }
    }

    /** @return the producer id the controller gave, or -1 when not idempotent. */
    public long producerId()
    {
        return producerId;
    }

    /**
     * How many partitions a topic has (looked up once, then cached).
     *
     * @param topic name.
     * @return partition count.
     */
    public int partitionCount(final String topic)
    {
        return topic(topic).partitions.length;
    }

    /**
     * Sends a record without allocating (after the first record to a topic). The callback is told the outcome
     * from a later {@link #send}, {@link #poll} or {@link #flush}.
     *
     * @param topic       to send to.
     * @param partition   to send to, or -1 to let the partitioner choose.
     * @param key         buffer holding the key, or null for none.
     * @param keyOffset   of the key.
     * @param keyLength   of the key.
     * @param value       buffer holding the value, or null for none.
     * @param valueOffset of the value.
     * @param valueLength of the value.
     * @param timestamp   create time in ms since the epoch, or -1 for now.
     * @param callback    told the outcome; may be null.
     * @throws AerologException for an unknown topic or partition, or a record larger than the broker accepts.
     */
    public void send(
        final String topic,
        final int partition,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final DirectBuffer value,
        final int valueOffset,
        final int valueLength,
        final long timestamp,
        final SendCallback callback)
    {
        final PartitionState ps = prepare(topic, partition, key, keyOffset, keyLength,
            RecordSetWriter.encodedRecordLength(null == key ? -1 : keyLength, null == value ? -1 : valueLength, 0));
        final Batch batch = ps.open;
        batch.writer.append(timestamp < 0 ? System.currentTimeMillis() : timestamp,
            key, keyOffset, keyLength, value, valueOffset, valueLength);
        afterAppend(ps, batch, callback);
    }

    /**
     * Sends a record (allocates: for convenience and tools).
     *
     * @param record to send.
     * @return completed with where the record was written; waiting on it drives this producer's I/O.
     */
    public CompletableFuture<RecordMetadata> send(final ProducerRecord record)
    {
        final CompletableFuture<RecordMetadata> future = new SendFuture(this);
        final int keyLength = null == record.key() ? -1 : record.key().length;
        if (null != record.key())
        {
            keyWrapper.wrap(record.key());
        }
        final PartitionState ps = prepare(record.topic(), record.partition(), null == record.key() ? null : keyWrapper,
            0, Math.max(0, keyLength), encodedLength(record));
        final Batch batch = ps.open;
        append(batch, record);
        afterAppend(ps, batch, completing(future));
        return future;
    }

    /**
     * Sends records to one partition as one batch: they are written together or not at all, at consecutive
     * offsets, with nothing of another send between them (allocates: for gateways and tools that receive batches).
     *
     * @param topic     to send to.
     * @param partition to send to (no partitioner: every record goes there).
     * @param records   at least one; each one's own topic and partition are ignored.
     * @return completed with where the first record was written (the others follow it).
     * @throws AerologException for an unknown topic or partition (UNKNOWN_TOPIC_OR_PARTITION), or records that do
     *                          not fit one batch of the broker's (RECORD_TOO_LARGE).
     */
    public CompletableFuture<RecordMetadata> sendBatch(
        final String topic, final int partition, final List<ProducerRecord> records)
    {
        if (records.isEmpty() || partition < 0)
        {
            throw new IllegalArgumentException("a batch needs records and a partition: " + records.size() + ", " +
                partition);
        }
        if (records.size() > RecordSetWriter.MAX_RECORDS)
        {
            throw new AerologException(ErrorCode.RECORD_TOO_LARGE, "batch of " + records.size() +
                " records is more than the " + RecordSetWriter.MAX_RECORDS + " one batch holds");
        }
        long totalBytes = 0;
        for (final ProducerRecord record : records)
        {
            totalBytes += encodedLength(record);
        }
        final PartitionState[] partitions = topic(topic).partitions;
        final PartitionState open = partition < partitions.length ? partitions[partition] : null;
        if (null != open && null != open.open)
        {
            seal(open); // the batch starts empty, so its first record has the batch's base offset
        }
        final CompletableFuture<RecordMetadata> future = new SendFuture(this);
        final PartitionState ps = prepare(topic, partition, null, 0, 0, (int)Math.min(Integer.MAX_VALUE, totalBytes));
        final Batch batch = ps.open;
        for (final ProducerRecord record : records)
        {
            append(batch, record);
        }
        afterAppend(ps, batch, completing(future));
        if (ps.open == batch)
        {
            seal(ps); // later sends go into a batch of their own
        }
        return future;
    }

    private static SendCallback completing(final CompletableFuture<RecordMetadata> future)
    {
        return (t, p, o, e) ->
        {
            if (null == e)
            {
                future.complete(new RecordMetadata(t, p, o));
            }
            else
            {
                future.completeExceptionally(e);
            }
        };
    }

    private static int encodedLength(final ProducerRecord record)
    {
        int headersBytes = 0;
        for (final Map.Entry<String, byte[]> header : record.headers())
        {
            headersBytes += 8 + header.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8).length +
                header.getValue().length;
        }
        return RecordSetWriter.encodedRecordLength(null == record.key() ? -1 : record.key().length,
            null == record.value() ? -1 : record.value().length, headersBytes);
    }

    private void append(final Batch batch, final ProducerRecord record)
    {
        final DirectBuffer key = null == record.key() ? null : keyWrapper;
        final DirectBuffer value = null == record.value() ? null : valueWrapper;
        if (null != key)
        {
            keyWrapper.wrap(record.key());
        }
        if (null != value)
        {
            valueWrapper.wrap(record.value());
        }
        final int keyLength = null == key ? 0 : record.key().length;
        final int valueLength = null == value ? 0 : record.value().length;
        final List<Map.Entry<String, byte[]>> headers = record.headers();
        batch.writer.beginRecord(
            record.timestamp() < 0 ? System.currentTimeMillis() : record.timestamp(), key, value, headers.size());
        for (final Map.Entry<String, byte[]> header : headers)
        {
            headerValueWrapper.wrap(header.getValue());
            batch.writer.header(header.getKey(), headerValueWrapper, 0, header.getValue().length);
        }
        batch.writer.endRecord(key, 0, keyLength, value, 0, valueLength);
    }

    /**
     * Sends a keyed record (allocates).
     *
     * @param topic to send to.
     * @param key   may be null.
     * @param value may be null.
     * @return completed with where the record was written.
     */
    public CompletableFuture<RecordMetadata> send(final String topic, final byte[] key, final byte[] value)
    {
        return send(new ProducerRecord(topic, key, value));
    }

    private PartitionState prepare(
        final String topic,
        final int partition,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength,
        final int recordBytes)
    {
        final TopicState ts = topic(topic);
        final int partitionCount = ts.partitions.length;
        final int p = partition >= 0 ? partition :
            partitioner.partition(topic, key, keyOffset, null == key ? -1 : keyLength, partitionCount);
        if (p >= partitionCount)
        {
            throw new AerologException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                "topic " + topic + " has " + partitionCount + " partitions, no partition " + p);
        }
        if (recordBytes + RecordSetWriter.emptyLength() > maxBatchBytes)
        {
            throw new AerologException(ErrorCode.RECORD_TOO_LARGE, "record of about " + recordBytes +
                " bytes is larger than the broker's limit of " + maxBatchBytes + " bytes per batch");
        }
        final PartitionState ps = ts.partitions[p];
        Batch batch = ps.open;
        if (null != batch && (batch.writer.length() + recordBytes > Math.min(maxBatchBytes,
            Math.max(config.batchSize, RecordSetWriter.emptyLength() + recordBytes)) ||
            batch.writer.count() >= RecordSetWriter.MAX_RECORDS))
        {
            seal(ps);
            batch = null;
        }
        if (null == batch)
        {
            while (queuedBatches >= config.maxQueuedBatches)
            {
                // Bounded memory: block the caller (like Kafka's max.block.ms) while batches drain.
                if (0 == poll())
                {
                    Thread.onSpinWait();
                }
            }
            batch = null == pool.peek() ? new Batch() : pool.poll();
            batch.begin(ps);
            ps.open = batch;
        }
        return ps;
    }

    private void afterAppend(final PartitionState ps, final Batch batch, final SendCallback callback)
    {
        batch.addCallback(callback);
        if (batch.writer.length() >= config.batchSize || (0 == config.lingerMs && ps.inFlight < config.maxInFlight))
        {
            seal(ps);
        }
        poll();
    }

    private void seal(final PartitionState ps)
    {
        final Batch batch = ps.open;
        ps.open = null;
        batch.length = batch.writer.seal();
        batch.baseSequence = ps.nextSequence;
        ps.nextSequence += batch.writer.count();
        ps.ready.add(batch);
        markReady(ps);
        queuedBatches++;
        partitioner.onNewBatch(ps.topic.name, ps.topic.partitions.length, ps.partition);
    }

    /**
     * A one-line view of each partition's sending state (leader, batches ready and in flight), for diagnostics. Read
     * it from the thread that uses the producer, or accept a torn view.
     *
     * @return the state.
     */
    @Override
    public String toString()
    {
        final StringBuilder out = new StringBuilder("Producer[");
        for (final TopicState ts : topics.values())
        {
            for (final PartitionState ps : ts.partitions)
            {
                final BrokerConnection leader = ps.leader;
                out.append(ts.name).append('-').append(ps.partition)
                    .append(" leader=").append(null == leader ? "none" : Integer.toString(leader.brokerId()))
                    .append(" ready=").append(ps.ready.size())
                    .append(" inFlight=").append(ps.inFlight)
                    .append(" resequenced=").append(ps.resequencedInFlight)
                    .append(" nextSequence=").append(ps.nextSequence)
                    .append(" described=").append(null == ts.info || ps.partition >= ts.info.partitions().size() ? "?" :
                        Integer.toString(ts.info.partitions().get(ps.partition).leader()))
                    .append(" lastRouteFailure=").append(ps.lastRouteFailure)
                    .append(" queued=").append(ps.queued)
                    .append(" routes=").append(ps.routeAttempts).append('/').append(ps.routeConnectionMissing)
                    .append(" dueInMs=").append((ps.backoff.retryAtNs() - System.nanoTime()) / 1_000_000)
                    .append("; ");
            }
        }
        out.append("connections=");
        for (final BrokerConnection connection : metadata.connections())
        {
            out.append(connection.brokerId()).append(connection == metadata.bootstrap() ? "(bootstrap) " : " ");
        }
        return out.append(']').toString();
    }

    /**
     * Drives I/O: sends batches that are due, handles acknowledgements, retries and timeouts. Call it from the
     * application's duty cycle when no sends are being made.
     *
     * @return work done.
     */
    public int poll()
    {
        final long nowNs = System.nanoTime();
        int work = 0;
        for (final BrokerConnection leader : metadata.connections())
        {
            try
            {
                work += leader.poll(responseHandler);
            }
            catch (final AerologException ex)
            {
                onConnectionLost(leader, ex, nowNs);
            }
        }
        if (config.lingerMs > 0)
        {
            work += sealLingered(nowNs);
        }
        work += sendReady(nowNs);
        if (nowNs - lastTimeoutCheckNs > TIMEOUT_CHECK_INTERVAL_NS)
        {
            lastTimeoutCheckNs = nowNs;
            checkTimeouts(nowNs);
        }
        return work;
    }

    private int sealLingered(final long nowNs)
    {
        int work = 0;
        final long lingerNs = TimeUnit.MILLISECONDS.toNanos(config.lingerMs);
        for (final TopicState ts : topics.values())
        {
            for (final PartitionState ps : ts.partitions)
            {
                if (null != ps.open && nowNs - ps.open.firstAppendNs >= lingerNs)
                {
                    seal(ps);
                    work++;
                }
            }
        }
        return work;
    }

    private int sendReady(final long nowNs)
    {
        int work = 0;
        for (int i = withReadyBatches.size(); i > 0; i--)
        {
            final PartitionState ps = withReadyBatches.poll();
            ps.queued = false;
            if (null == ps.leader && !routing.route(ps, nowNs))
            {
                markReady(ps); // no leader yet: try again after the back-off
                continue;
            }
            // While batches sent with sequences past a failed batch's gap are out, anything sent would be refused.
            while (!ps.ready.isEmpty() && ps.inFlight < config.maxInFlight && 0 == ps.resequencedInFlight)
            {
                final Batch batch = ps.ready.peek();
                if (!transmit(batch, nowNs))
                {
                    break;
                }
                ps.ready.poll();
                work++;
            }
            markReady(ps);
            if (0 == config.lingerMs && null != ps.open && ps.inFlight < config.maxInFlight)
            {
                seal(ps); // natural batching: what accumulated while the slots were busy goes next (seal queues it)
            }
        }
        return work;
    }

    private boolean transmit(final Batch batch, final long nowNs)
    {
        final PartitionState ps = batch.partitionState;
        final BrokerConnection leader = ps.leader;
        if (null == leader)
        {
            return false;
        }
        final long correlationId = leader.nextCorrelationId();
        requestEncoder.wrapAndApplyHeader(requestHeader, 0, headerEncoder)
            .correlationId(correlationId)
            .topicId(ps.topic.topicId)
            .partition(ps.partition)
            .producerId(producerId)
            .producerEpoch(producerEpoch)
            .baseSequence(batch.baseSequence)
            .recordCount(batch.writer.count())
            .acks(config.acks);
        final int lengthFieldOffset = requestEncoder.limit();
        requestHeader.putInt(lengthFieldOffset, batch.length, ByteOrder.LITTLE_ENDIAN);
        final int headerLength = lengthFieldOffset + ProduceRequestEncoder.recordsHeaderLength();
        try
        {
            if (!leader.offerProduce(requestHeader, headerLength, batch.buffer, 0, batch.length))
            {
                return false;
            }
        }
        catch (final AerologException ex)
        {
            onConnectionLost(leader, ex, nowNs);
            return false;
        }
        if (Acks.NONE == config.acks)
        {
            batch.complete(-1, null);
            recycle(batch);
            return true;
        }
        batch.correlationId = correlationId;
        batch.sentNs = nowNs;
        batch.sends++;
        inFlight.put(correlationId, batch);
        ps.inFlight++;
        return true;
    }

    private void onResponse(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        headerDecoder.wrap(buffer, offset);
        final int templateId = headerDecoder.templateId();
        if (ProduceResponseDecoder.TEMPLATE_ID == templateId)
        {
            responseDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
            final Batch batch = inFlight.remove(responseDecoder.correlationId());
            if (null == batch)
            {
                return; // answer to a batch already retried or failed
            }
            final boolean resequenced = landed(batch);
            final ErrorCode code = responseDecoder.code();
            final long baseOffset = responseDecoder.baseOffset();
            if (ErrorCode.NONE == code)
            {
                batch.complete(baseOffset, null);
            }
            else if (RoutingErrors.isLeaderChange(code))
            {
                // Written nowhere: it and every later batch of the partition go, in order, to the new leader.
                requeue(batch);
                reroute(batch.partitionState, System.nanoTime());
                return;
            }
            else if (RoutingErrors.isTooFewInSync(code))
            {
                // Kafka's rule: retriable until the delivery timeout. After an append the batch is in the log, so it
                // keeps its sequences; the leader answers the copy with the original offsets once it is replicated.
                batch.lastError = code;
                requeue(batch);
                reroute(batch.partitionState, System.nanoTime());
                return;
            }
            else if (ErrorCode.OUT_OF_ORDER_SEQUENCE == code && resequenced)
            {
                // Sent before an earlier batch failed and its sequences moved back: send it again with the new ones.
                requeue(batch);
                return;
            }
            else
            {
                releaseSequencesIfFirstTry(batch);
                batch.complete(-1, new AerologException(code, responseDecoder.message()));
            }
            recycle(batch);
        }
        else if (ErrorResponseDecoder.TEMPLATE_ID == templateId)
        {
            final ErrorResponseDecoder decoder = new ErrorResponseDecoder().wrapAndApplyHeader(
                buffer, offset, headerDecoder);
            final Batch batch = inFlight.remove(decoder.correlationId());
            if (null != batch)
            {
                landed(batch);
                releaseSequencesIfFirstTry(batch);
                batch.complete(-1, new AerologException(decoder.code(), decoder.message()));
                recycle(batch);
            }
        }
    }

    private void checkTimeouts(final long nowNs)
    {
        final long deliveryTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.deliveryTimeoutMs);
        failUnroutedPastDeliveryTimeout(nowNs, deliveryTimeoutNs);
        if (inFlight.isEmpty())
        {
            return;
        }
        final long requestTimeoutNs = TimeUnit.MILLISECONDS.toNanos(connection.context().requestTimeoutMs());
        final Long2ObjectHashMap<Batch>.ValueIterator iterator = inFlight.values().iterator();
        ArrayDeque<Batch> retry = null;
        ArrayList<TopicState> recheck = null;
        while (iterator.hasNext())
        {
            final Batch batch = iterator.next();
            final TopicState ts = batch.partitionState.topic;
            if (nowNs - batch.sentNs > LEADER_RECHECK_NS && nowNs - ts.recheckedNs > LEADER_RECHECK_NS)
            {
                ts.recheckedNs = nowNs;
                if (null == recheck)
                {
                    recheck = new ArrayList<>();
                }
                recheck.add(ts);
            }
            if (nowNs - batch.firstAppendNs > deliveryTimeoutNs)
            {
                iterator.remove();
                landed(batch);
                batch.complete(-1, deliveryTimedOut(batch, ""));
                recycle(batch);
            }
            else if (nowNs - batch.sentNs > requestTimeoutNs)
            {
                iterator.remove();
                landed(batch);
                if (null == retry)
                {
                    retry = new ArrayDeque<>();
                }
                retry.add(batch);
            }
        }
        if (null != retry)
        {
            // Resend with the same sequence: the broker writes it once even if the first copy arrived.
            for (final Batch batch : retry)
            {
                requeue(batch);
            }
            // No answer: the leader may be gone or have moved, so ask again before the retry.
            for (final Batch batch : retry)
            {
                if (null != batch.partitionState.leader)
                {
                    reroute(batch.partitionState, nowNs);
                }
            }
        }
        if (null != recheck)
        {
            for (final TopicState ts : recheck)
            {
                recheckLeaders(ts, nowNs);
            }
        }
    }

    // Batches in flight longer than expected: if the metadata names another leader, send them there now.
    private void recheckLeaders(final TopicState ts, final long nowNs)
    {
        final TopicInfo info;
        try
        {
            info = metadata.refresh(ts.name, LEADER_RECHECK_TIMEOUT_MS);
        }
        catch (final AerologException ex)
        {
            return; // no broker answered in time: the request timeout still applies
        }
        if (info.topicId() != ts.topicId)
        {
            return;
        }
        ts.info = info;
        ts.describedNs = nowNs;
        for (final PartitionState ps : ts.partitions)
        {
            final BrokerConnection leader = ps.leader;
            if (null == leader || 0 == ps.inFlight || ps.partition >= info.partitions().size())
            {
                continue;
            }
            // Another leader now, or the same one no longer answering (it restarted and forgot this session).
            if (info.partitions().get(ps.partition).leader() != leader.brokerId() ||
                !metadata.probe(leader, ts.name, LEADER_RECHECK_TIMEOUT_MS))
            {
                reroute(ps, nowNs);
            }
        }
    }

    /**
     * Takes every batch of a partition in flight back among the ready ones, in sequence order, and forgets the
     * partition's leader: they go again, with the same producer id, epoch and sequences, to the leader the next
     * metadata names (the broker's sequencer answers a copy it already wrote with its original offsets).
     */
    private void reroute(final PartitionState ps, final long nowNs)
    {
        final Long2ObjectHashMap<Batch>.ValueIterator iterator = inFlight.values().iterator();
        while (iterator.hasNext())
        {
            final Batch batch = iterator.next();
            if (batch.partitionState == ps)
            {
                iterator.remove(); // a late answer to the old copy is ignored
                landed(batch);
                requeue(batch);
            }
        }
        routing.onLeaderLost(ps, nowNs);
    }

    private void onConnectionLost(final BrokerConnection lost, final AerologException ex, final long nowNs)
    {
        if (lost == connection && 1 == metadata.connections().length)
        {
            throw ex; // the only broker this producer knows is gone
        }
        for (final TopicState ts : topics.values())
        {
            for (final PartitionState ps : ts.partitions)
            {
                if (ps.leader == lost)
                {
                    reroute(ps, nowNs);
                }
            }
        }
        metadata.forget(lost);
    }

    // Batches waiting for a leader fail once past the delivery timeout, as those in flight do.
    private void failUnroutedPastDeliveryTimeout(final long nowNs, final long deliveryTimeoutNs)
    {
        for (final PartitionState ps : withReadyBatches)
        {
            while (null == ps.leader && !ps.ready.isEmpty() &&
                nowNs - ps.ready.peekFirst().firstAppendNs > deliveryTimeoutNs)
            {
                final Batch batch = ps.ready.pollFirst();
                batch.complete(-1, deliveryTimedOut(batch, "no leader for " + ps.topic.name + "-" + ps.partition +
                    ": "));
                recycle(batch);
            }
        }
    }

    // The last retriable refusal names why, e.g. NOT_ENOUGH_REPLICAS while the in-sync set stayed too small.
    private AerologException deliveryTimedOut(final Batch batch, final String prefix)
    {
        final String message = prefix + "not acknowledged within delivery timeout of " + config.deliveryTimeoutMs +
            " ms";
        return null == batch.lastError ? new AerologException(ErrorCode.REQUEST_TIMED_OUT, message) :
            new AerologException(batch.lastError, message + " (retried after " + batch.lastError + ")");
    }

    /**
     * Puts a batch that was sent back among the ready ones, in sequence order: several come back at once (retries
     * after a timeout, or batches refused for the gap a failed batch left), and one sent ahead of a lower sequence
     * would be refused as out of order.
     */
    private void requeue(final Batch batch)
    {
        final PartitionState ps = batch.partitionState;
        final ArrayDeque<Batch> lower = ps.requeueScratch;
        while (!ps.ready.isEmpty() && ps.ready.peekFirst().baseSequence < batch.baseSequence)
        {
            lower.addLast(ps.ready.pollFirst());
        }
        ps.ready.addFirst(batch);
        while (!lower.isEmpty())
        {
            ps.ready.addFirst(lower.pollLast());
        }
        markReady(ps);
    }

    /**
     * Queues a partition with ready batches for {@link #sendReady} unless it is queued already. Every change that
     * leaves batches ready goes through here: a partition with ready batches missing from the queue would never be
     * sent again.
     */
    private void markReady(final PartitionState ps)
    {
        if (!ps.queued && !ps.ready.isEmpty())
        {
            ps.queued = true;
            withReadyBatches.add(ps);
        }
    }

    /**
     * The broker writes nothing of a batch it answers with an error, so the sequences after it move back by its
     * record count: otherwise the gap it leaves makes the broker refuse every later batch of the partition as out of
     * order. Batches already sent with the old numbers are refused for the gap and sent again with the new ones.
     * (A batch that timed out may have been written, so its sequences stay.)
     */
    // A batch sent before (a timeout, a leader change, too few in sync) may be in the log under its sequences:
    // handing them to later batches would make the broker answer those as its duplicates. Only a refusal of the
    // first and only copy sent proves nothing was written.
    private void releaseSequencesIfFirstTry(final Batch failed)
    {
        if (1 == failed.sends)
        {
            releaseSequences(failed);
        }
    }

    private void releaseSequences(final Batch failed)
    {
        if (producerId < 0)
        {
            return;
        }
        final PartitionState ps = failed.partitionState;
        final int base = failed.baseSequence;
        final int count = failed.writer.count();
        ps.nextSequence -= count;
        for (final Batch batch : ps.ready)
        {
            if (batch.baseSequence > base)
            {
                batch.baseSequence -= count;
            }
        }
        for (final Batch batch : inFlight.values())
        {
            if (batch.partitionState == ps && batch.baseSequence > base)
            {
                batch.baseSequence -= count;
                if (!batch.resequenced)
                {
                    batch.resequenced = true;
                    ps.resequencedInFlight++;
                }
            }
        }
    }

    /**
     * Accounts for a batch no longer in flight (answered, or given up on).
     *
     * @return whether it was sent with sequences that have moved back since.
     */
    private static boolean landed(final Batch batch)
    {
        final PartitionState ps = batch.partitionState;
        ps.inFlight--;
        if (batch.resequenced)
        {
            batch.resequenced = false;
            ps.resequencedInFlight--;
            return true;
        }
        return false;
    }

    private void recycle(final Batch batch)
    {
        final PartitionState ps = batch.partitionState;
        if (0 == config.lingerMs && null != ps && null != ps.open && ps.inFlight < config.maxInFlight)
        {
            seal(ps); // a slot is free: records that waited for it go without waiting for another send
        }
        queuedBatches--;
        batch.reset();
        pool.add(batch);
    }

    /**
     * Sends everything queued and waits until every record sent so far is acknowledged or has failed.
     *
     * @throws AerologException if the broker cannot be reached within the delivery timeout.
     */
    public void flush()
    {
        sealAll();
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.deliveryTimeoutMs);
        while (queuedBatches > 0)
        {
            if (0 == poll())
            {
                if (System.nanoTime() > deadlineNs)
                {
                    throw new AerologException(ErrorCode.REQUEST_TIMED_OUT, queuedBatches + " batches not acknowledged");
                }
                Thread.onSpinWait();
            }
        }
    }

    /** Closes every open batch so it is sent without waiting for linger. */
    void sealAll()
    {
        for (final TopicState ts : topics.values())
        {
            for (final PartitionState ps : ts.partitions)
            {
                if (null != ps.open)
                {
                    seal(ps);
                }
            }
        }
    }

    private TopicState topic(final String topic)
    {
        TopicState ts = topics.get(topic);
        if (null == ts)
        {
            final TopicInfo info = metadata.topic(topic);
            ts = new TopicState(info.name(), info.topicId(), info.partitions().size());
            ts.info = info;
            topics.put(topic, ts);
        }
        return ts;
    }

    @Override
    public void close()
    {
        try
        {
            flush();
        }
        finally
        {
            metadata.close();
        }
    }

    /** Finds each partition's leader from the metadata, refreshing it (with back-off) after a leader was lost. */
    private final class LeaderRouting
    {
        /**
         * @return whether the partition now has a leader connection to send to.
         */
        boolean route(final PartitionState ps, final long nowNs)
        {
            if (!ps.backoff.isDue(nowNs))
            {
                return false;
            }
            ps.routeAttempts++;
            final TopicState ts = ps.topic;
            try
            {
                if (ts.describedNs - ps.leaderLostNs <= 0 && Long.MIN_VALUE != ps.leaderLostNs)
                {
                    final TopicInfo info = metadata.refresh(ts.name, ROUTING_REFRESH_TIMEOUT_MS);
                    if (info.topicId() != ts.topicId)
                    {
                        throw new AerologException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic " + ts.name +
                            " was deleted (a topic of that name now has id " + info.topicId() + ")");
                    }
                    ts.info = info;
                    ts.describedNs = nowNs;
                }
                final int leader = ps.partition < ts.info.partitions().size() ?
                    ts.info.partitions().get(ps.partition).leader() : TopicInfo.PartitionInfo.NO_LEADER;
                ps.leader = TopicInfo.PartitionInfo.NO_LEADER == leader ? null : metadata.connection(leader);
                if (null == ps.leader)
                {
                    ps.routeConnectionMissing++;
                }
            }
            catch (final AerologException ex)
            {
                if (!RoutingErrors.isRetriable(ex.code()))
                {
                    failReady(ps, ex); // e.g. the topic is gone: no leader will ever take these
                    return false;
                }
                ps.leader = null;
                ps.lastRouteFailure = ex.code();
            }
            if (null == ps.leader)
            {
                ps.leaderLostNs = nowNs;
                ps.backoff.onFailure(nowNs);
                return false;
            }
            ps.backoff.onSuccess();
            return true;
        }

        private void failReady(final PartitionState ps, final AerologException error)
        {
            while (!ps.ready.isEmpty())
            {
                final Batch batch = ps.ready.pollFirst();
                batch.complete(-1, error);
                recycle(batch);
            }
        }

        void onLeaderLost(final PartitionState ps, final long nowNs)
        {
            ps.leader = null;
            ps.leaderLostNs = nowNs;
            ps.backoff.onFailure(nowNs);
            markReady(ps);
        }
    }

    private static final class TopicState
    {
        final String name;
        final int topicId;
        TopicInfo info;
        long describedNs = System.nanoTime();
        long recheckedNs = System.nanoTime();
        final PartitionState[] partitions;

        TopicState(final String name, final int topicId, final int partitionCount)
        {
            this.name = name;
            this.topicId = topicId;
            partitions = new PartitionState[partitionCount];
            for (int i = 0; i < partitionCount; i++)
            {
                partitions[i] = new PartitionState(this, i);
            }
        }
    }

    private static final class PartitionState
    {
        final TopicState topic;
        final int partition;
        final ArrayDeque<Batch> ready = new ArrayDeque<>();
        final ArrayDeque<Batch> requeueScratch = new ArrayDeque<>();
        final RetryBackoff backoff = new RetryBackoff();
        BrokerConnection leader;
        long leaderLostNs = Long.MIN_VALUE;
        ErrorCode lastRouteFailure;
        boolean queued;
        long routeAttempts;
        long routeConnectionMissing;
        Batch open;
        int nextSequence;
        int inFlight;
        int resequencedInFlight;

        PartitionState(final TopicState topic, final int partition)
        {
            this.topic = topic;
            this.partition = partition;
        }
    }

    private static final class Batch
    {
        final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(64 * 1024);
        final RecordSetWriter writer = new RecordSetWriter();
        SendCallback[] callbacks = new SendCallback[64];
        PartitionState partitionState;
        long firstAppendNs;
        long sentNs;
        long correlationId;
        int baseSequence;
        int length;
        int callbackCount;
        boolean resequenced;
        ErrorCode lastError;
        int sends;

        void begin(final PartitionState ps)
        {
            partitionState = ps;
            firstAppendNs = System.nanoTime();
            writer.begin(buffer, 0);
        }

        void addCallback(final SendCallback callback)
        {
            if (callbackCount == callbacks.length)
            {
                callbacks = java.util.Arrays.copyOf(callbacks, callbacks.length * 2);
            }
            callbacks[callbackCount++] = callback;
        }

        void complete(final long baseOffset, final AerologException error)
        {
            final String topic = partitionState.topic.name;
            final int partition = partitionState.partition;
            for (int i = 0; i < callbackCount; i++)
            {
                final SendCallback callback = callbacks[i];
                if (null != callback)
                {
                    callback.onCompletion(topic, partition, baseOffset < 0 ? -1 : baseOffset + i, error);
                }
            }
        }

        void reset()
        {
            java.util.Arrays.fill(callbacks, 0, callbackCount, null);
            callbackCount = 0;
            partitionState = null;
            resequenced = false;
            lastError = null;
            sends = 0;
        }
    }
}
