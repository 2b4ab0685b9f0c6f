package io.aerolog.client;

import io.aerolog.codecs.log.LogBatchDecoder;
import io.aerolog.codecs.log.LogTimestampType;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.ErrorResponseDecoder;
import io.aerolog.codecs.wire.FetchStartEncoder;
import io.aerolog.codecs.wire.FetchStartResponseDecoder;
import io.aerolog.codecs.wire.FetchStopEncoder;
import io.aerolog.codecs.wire.FetchStoppedDecoder;
import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import io.aerolog.codecs.wire.OffsetCommitResponseDecoder;
import io.aerolog.transport.RecordSetReader;
import io.aerolog.transport.Wire;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.Image;
import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.IdleStrategy;

import java.nio.ByteOrder;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Reads partitions from any offset, like Kafka's {@code KafkaConsumer}: the broker streams each assigned partition
 * from the archive and carries on at the live end, only up to the high watermark, with no gap and no duplicate.
 * Partitions are either chosen by the application ({@link #assign}) or shared with the other members of a consumer
 * group ({@link #subscribe}, with {@link Config#groupId}), whose committed offsets the controller keeps.
 * {@link #poll(RecordHandler, int)} is allocation-free in steady state (outside rebalances and commits). Not thread
 * safe; a group member heartbeats on a thread of its own.
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
        private String groupId;
        private String groupInstanceId = "";
        private String assignor = "";
        private int sessionTimeoutMs = 10_000;
        private int rebalanceTimeoutMs = 60_000;
        private boolean enableAutoCommit = true;
        private long autoCommitIntervalMs = 5_000;

        /**
         * @param groupId the consumer group to join on {@link #subscribe}; needed for subscribe and commits.
         * @return this.
         */
        public Config groupId(final String groupId)
        {
            this.groupId = groupId;
            return this;
        }

        /** @return the consumer group, or null. */
        public String groupId()
        {
            return groupId;
        }

        /**
         * @param groupInstanceId a static membership id: a member that restarts with it within the session timeout
         *                        gets its partitions back without a rebalance. Empty for a dynamic member.
         * @return this.
         */
        public Config groupInstanceId(final String groupInstanceId)
        {
            this.groupInstanceId = null == groupInstanceId ? "" : groupInstanceId;
            return this;
        }

        /** @return the static membership id, empty for a dynamic member. */
        public String groupInstanceId()
        {
            return groupInstanceId;
        }

        /**
         * @param assignor {@code sticky} (the default for a new group), {@code range} or {@code roundrobin}; empty
         *                 for the group's.
         * @return this.
         */
        public Config assignor(final String assignor)
        {
            this.assignor = null == assignor ? "" : assignor;
            return this;
        }

        /** @return the assignor asked for, empty for the group's. */
        public String assignor()
        {
            return assignor;
        }

        /**
         * @param sessionTimeoutMs how long the controller waits without heartbeats before it removes the member.
         * @return this.
         */
        public Config sessionTimeoutMs(final int sessionTimeoutMs)
        {
            this.sessionTimeoutMs = sessionTimeoutMs;
            return this;
        }

        /** @return how long the controller waits without heartbeats before it removes the member. */
        public int sessionTimeoutMs()
        {
            return sessionTimeoutMs;
        }

        /**
         * @param rebalanceTimeoutMs how long the member may take to release revoked partitions (it releases them in
         *                           {@code poll}, so this bounds the time between polls during a rebalance).
         * @return this.
         */
        public Config rebalanceTimeoutMs(final int rebalanceTimeoutMs)
        {
            this.rebalanceTimeoutMs = rebalanceTimeoutMs;
            return this;
        }

        /** @return how long the member may take to release revoked partitions. */
        public int rebalanceTimeoutMs()
        {
            return rebalanceTimeoutMs;
        }

        /**
         * @param enableAutoCommit commit positions every {@link #autoCommitIntervalMs}, before partitions are
         *                         revoked and on close (records handed to the application by the previous poll).
         * @return this.
         */
        public Config enableAutoCommit(final boolean enableAutoCommit)
        {
            this.enableAutoCommit = enableAutoCommit;
            return this;
        }

        /**
         * @param autoCommitIntervalMs between automatic commits.
         * @return this.
         */
        public Config autoCommitIntervalMs(final long autoCommitIntervalMs)
        {
            this.autoCommitIntervalMs = autoCommitIntervalMs;
            return this;
        }

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

    private final ClusterMetadata metadata;
    private final BrokerConnection connection;
    private final Config config;
    private final Map<TopicPartition, PartitionFetch> assignment = new LinkedHashMap<>();
    private final Map<String, TopicInfo> topics = new HashMap<>();
    private final SilentLeaderCheck silentLeaders;
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
    private final ErrorResponseDecoder errorResponseDecoder = new ErrorResponseDecoder();

    private GroupHeartbeater heartbeater;
    private ConsumerRebalanceListener rebalanceListener;
    private final Set<TopicPartition> owned = new LinkedHashSet<>();
    private final Map<Long, PendingCommit> asyncCommits = new HashMap<>();
    private long appliedStateVersion;
    private long nextAutoCommitNs;

    private Consumer(final ClusterMetadata metadata, final Config config)
    {
        this.metadata = metadata;
        this.silentLeaders = new SilentLeaderCheck(metadata, topics, this::onConnectionLost);
        this.connection = metadata.bootstrap();
        this.idleStrategy = connection.context().newIdleStrategy();
        this.config = config;
        metadata.unsolicitedHandler(responseHandler);
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
        return new Consumer(ClusterMetadata.connect(ctx), config);
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
        if (null != heartbeater)
        {
            throw new IllegalStateException("subscribed to a group: assign or subscribe, not both");
        }
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
        final TopicInfo info = topicInfo(tp.topic());
        final BrokerConnection leader = tp.partition() < info.partitions().size() ?
            metadata.connection(info.partitions().get(tp.partition()).leader()) : null;
        return Admin.listOffset(null == leader ? connection : leader, headerDecoder, info.topicId(), tp.partition(),
            spec);
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
        int work = 0;
        for (final BrokerConnection broker : metadata.connections())
        {
            try
            {
                work += broker.poll(responseHandler);
            }
            catch (final AerologException ex)
            {
                if (broker == connection)
                {
                    throw ex; // group requests go there
                }
                onConnectionLost(broker);
            }
        }
        throwPendingError();
        if (null != heartbeater)
        {
            work += reconcileGroup();
        }
        this.handler = handler;
        this.remaining = maxRecords;
        final PartitionFetch[] fetches = this.fetches;
        for (final PartitionFetch fetch : fetches)
        {
            work += fetch.doWork();
        }
        work += silentLeaders.check(fetches, System.nanoTime());
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

    // Every partition streamed from a broker that is gone fetches again, from its position, from its leader.
    private void onConnectionLost(final BrokerConnection lost)
    {
        for (final PartitionFetch fetch : fetches)
        {
            if (fetch.leader == lost)
            {
                fetch.leaderLost();
            }
        }
        metadata.forget(lost);
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
        if (!asyncCommits.isEmpty() && onCommitResponse(buffer, offset, length))
        {
            return;
        }
        if (FetchStoppedDecoder.TEMPLATE_ID == headerDecoder.templateId())
        {
            onFetchStopped(fetchStoppedDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder));
            return;
        }
        if (ErrorResponseDecoder.TEMPLATE_ID == headerDecoder.templateId())
        {
            onFetchRefused(errorResponseDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder));
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
        else if (RoutingErrors.isLeaderChange(code))
        {
            fetch.leaderLost(); // asks the metadata for the leader and fetches again from its position
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

    // The broker refused a fetch before serving it (e.g. no READ on the topic).
    private void onFetchRefused(final ErrorResponseDecoder decoder)
    {
        final PartitionFetch fetch = fetchByCorrelationId.remove(decoder.correlationId());
        if (null == fetch || fetch.pendingCorrelationId != decoder.correlationId())
        {
            return;
        }
        fetch.pendingCorrelationId = -1;
        fetch.state = FetchState.FAILED;
        pendingError = new AerologException(decoder.code(), fetch.tp + ": " + decoder.message());
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
                if (ErrorCode.AUTHORIZATION_FAILED == decoder.code())
                {
                    fetch.state = FetchState.FAILED; // READ was revoked: fetching again would be refused too
                    pendingError = new AerologException(decoder.code(), fetch.tp + ": READ is no longer allowed");
                }
                else if (RoutingErrors.isLeaderChange(decoder.code()))
                {
                    fetch.leaderLost(); // the partition moved: fetch from its new leader
                }
                else
                {
                    fetch.restartAt(fetch.nextOffset); // the broker answers with the range, or streams again
                }
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
            info = metadata.topic(topic);
            topics.put(topic, info);
        }
        return info;
    }

    @Override
    public void close()
    {
        try
        {
            if (null != heartbeater)
            {
                leaveGroup(!config.groupInstanceId.isEmpty());
            }
        }
        finally
        {
            metadata.close();
        }
    }

    // ---------------------------------------------------------------- consumer groups

    /**
     * Joins the consumer group {@link Config#groupId} and reads the partitions of these topics that the group's
     * assignment gives this member; they change as members come and go (see {@link ConsumerRebalanceListener}).
     * Each partition starts from the group's committed offset, or per {@link Config#autoOffsetReset} if none.
     *
     * @param topics   to read.
     * @param listener told when partitions are assigned, revoked or lost; may be null.
     * @throws IllegalStateException if no group id is configured or partitions were assigned by hand.
     */
    public void subscribe(final Collection<String> topics, final ConsumerRebalanceListener listener)
    {
        if (null == config.groupId || config.groupId.isEmpty())
        {
            throw new IllegalStateException("subscribe needs a group id: Consumer.Config.groupId");
        }
        if (null == topics || topics.isEmpty())
        {
            throw new IllegalArgumentException("subscribe needs at least one topic");
        }
        if (null == heartbeater && !assignment.isEmpty())
        {
            throw new IllegalStateException("partitions were assigned by hand: subscribe or assign, not both");
        }
        for (final String topic : topics)
        {
            topicInfo(topic); // an unknown topic fails here, clearly, rather than in the heartbeat thread
        }
        rebalanceListener = listener;
        if (null == heartbeater)
        {
            heartbeater = new GroupHeartbeater(BrokerConnection.connectSharing(connection), config.groupId, config);
            heartbeater.start(topics);
            nextAutoCommitNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.autoCommitIntervalMs);
        }
        else
        {
            heartbeater.subscribe(topics);
        }
    }

    /**
     * Joins the consumer group; see {@link #subscribe(Collection, ConsumerRebalanceListener)}.
     *
     * @param topics to read.
     */
    public void subscribe(final Collection<String> topics)
    {
        subscribe(topics, null);
    }

    /**
     * Leaves the group: revokes every partition (committing first with auto-commit) and stops heartbeating.
     */
    public void unsubscribe()
    {
        if (null != heartbeater)
        {
            leaveGroup(false);
        }
    }

    /** @return this member's id in the group, empty before it has joined or without a group. */
    public String memberId()
    {
        return null == heartbeater ? "" : heartbeater.state().memberId();
    }

    /**
     * Commits the positions of every owned partition (the records handed out so far) and waits for the answer.
     *
     * @throws AerologException if the controller refuses (e.g. a partition moved to another member).
     */
    public void commitSync()
    {
        commitSync(positions(owned));
    }

    /**
     * Commits offsets and waits for the answer.
     *
     * @param offsets the next offset to consume per partition.
     * @throws AerologException if the controller refuses: STALE_MEMBER_EPOCH / UNKNOWN_MEMBER_ID after this
     *                          member lost its membership, PARTITION_NOT_OWNED for a partition it does not own.
     */
    public void commitSync(final Map<TopicPartition, OffsetAndMetadata> offsets)
    {
        if (offsets.isEmpty())
        {
            return;
        }
        final String groupId = requireGroup();
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
            connection.context().requestTimeoutMs());
        while (true)
        {
            final GroupHeartbeater.State state = null == heartbeater ? null : heartbeater.state();
            try
            {
                GroupRequests.commit(connection, groupId, null == state ? "" : state.memberId(),
                    null == state ? -1 : state.memberEpoch(), offsets, connection.context().requestTimeoutMs());
                return;
            }
            catch (final AerologException ex)
            {
                // The controller moved the member to a new epoch that its heartbeat thread has not heard of yet:
                // learn it and retry. Partitions the member no longer owns fail with another code.
                if (ErrorCode.STALE_MEMBER_EPOCH != ex.code() || null == heartbeater ||
                    !heartbeater.awaitNewerState(state, deadlineNs))
                {
                    throw ex;
                }
            }
        }
    }

    /**
     * Commits the positions of every owned partition without waiting; the outcome is logged nowhere, use
     * {@link #commitAsync(Map, OffsetCommitCallback)} to learn it.
     */
    public void commitAsync()
    {
        commitAsync(positions(owned), null);
    }

    /**
     * Commits offsets without waiting; the callback is called inside a later {@code poll}.
     *
     * @param offsets  the next offset to consume per partition.
     * @param callback told the outcome; may be null.
     */
    public void commitAsync(final Map<TopicPartition, OffsetAndMetadata> offsets, final OffsetCommitCallback callback)
    {
        if (offsets.isEmpty())
        {
            return;
        }
        final String groupId = requireGroup();
        final GroupHeartbeater.State state = null == heartbeater ? null : heartbeater.state();
        final long correlationId = connection.nextCorrelationId();
        final int length = GroupRequests.encodeCommit(connection, correlationId, groupId,
            null == state ? "" : state.memberId(), null == state ? -1 : state.memberEpoch(), offsets);
        if (connection.offerControl(MessageHeaderEncoder.ENCODED_LENGTH + length))
        {
            asyncCommits.put(correlationId, new PendingCommit(Map.copyOf(offsets), callback));
        }
        else if (null != callback)
        {
            callback.onComplete(offsets, new AerologException(ErrorCode.NOT_READY, "commit not sent: back pressure"));
        }
    }

    /**
     * The group's committed offsets of partitions.
     *
     * @param partitions to look up.
     * @return committed offset per partition; partitions without one are left out.
     */
    public Map<TopicPartition, OffsetAndMetadata> committed(final Set<TopicPartition> partitions)
    {
        return GroupRequests.fetchOffsets(
            connection, requireGroup(), partitions, connection.context().requestTimeoutMs());
    }

    private String requireGroup()
    {
        if (null == config.groupId || config.groupId.isEmpty())
        {
            throw new IllegalStateException("commits need a group id: Consumer.Config.groupId");
        }
        return config.groupId;
    }

    private Map<TopicPartition, OffsetAndMetadata> positions(final Collection<TopicPartition> partitions)
    {
        final Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        for (final TopicPartition tp : partitions)
        {
            final PartitionFetch fetch = assignment.get(tp);
            if (null != fetch && fetch.nextOffset >= 0)
            {
                offsets.put(tp, new OffsetAndMetadata(fetch.nextOffset));
            }
        }
        return offsets;
    }

    // Applies the heartbeat thread's latest answer: revoke first (callback, commit, stop), then start new partitions.
    private int reconcileGroup()
    {
        int work = 0;
        final GroupHeartbeater.State state = heartbeater.state();
        if (state.version() != appliedStateVersion)
        {
            appliedStateVersion = state.version();
            if (null != state.error())
            {
                throw state.error();
            }
            if (state.lost())
            {
                final List<TopicPartition> lost = new ArrayList<>(owned);
                dropPartitions(lost);
                if (null != rebalanceListener && !lost.isEmpty())
                {
                    rebalanceListener.onPartitionsLost(lost);
                }
                heartbeater.owned(owned);
                return 1;
            }

            final List<TopicPartition> revoked = new ArrayList<>();
            for (final TopicPartition tp : owned)
            {
                if (!state.assigned().contains(tp))
                {
                    revoked.add(tp);
                }
            }
            if (!revoked.isEmpty())
            {
                if (null != rebalanceListener)
                {
                    rebalanceListener.onPartitionsRevoked(revoked);
                }
                autoCommitQuietly(revoked);
                dropPartitions(revoked);
                work++;
            }

            final List<TopicPartition> added = new ArrayList<>();
            for (final TopicPartition tp : state.assigned())
            {
                if (!owned.contains(tp))
                {
                    added.add(tp);
                }
            }
            if (!added.isEmpty())
            {
                final Map<TopicPartition, OffsetAndMetadata> committed = GroupRequests.fetchOffsets(
                    connection, config.groupId, added, connection.context().requestTimeoutMs());
                for (final TopicPartition tp : added)
                {
                    final OffsetAndMetadata offset = committed.get(tp);
                    assignment.put(tp, new PartitionFetch(
                        tp, topicInfo(tp.topic()), null == offset ? resetOffset() : offset.offset()));
                    owned.add(tp);
                }
                fetches = assignment.values().toArray(new PartitionFetch[0]);
                if (null != rebalanceListener)
                {
                    rebalanceListener.onPartitionsAssigned(added);
                }
                work++;
            }
            heartbeater.owned(owned);
        }

        if (config.enableAutoCommit && !owned.isEmpty() && System.nanoTime() >= nextAutoCommitNs)
        {
            nextAutoCommitNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.autoCommitIntervalMs);
            commitAsync(positions(owned), null);
        }
        return work;
    }

    private void autoCommitQuietly(final Collection<TopicPartition> partitions)
    {
        if (config.enableAutoCommit)
        {
            try
            {
                commitSync(positions(partitions));
            }
            catch (final AerologException ignore)
            {
                // the partition may already be another member's; it then restarts from the last commit
            }
        }
    }

    private void dropPartitions(final Collection<TopicPartition> partitions)
    {
        for (final TopicPartition tp : partitions)
        {
            final PartitionFetch fetch = assignment.remove(tp);
            if (null != fetch)
            {
                fetch.stop();
            }
            owned.remove(tp);
        }
        fetches = assignment.values().toArray(new PartitionFetch[0]);
    }

    private void leaveGroup(final boolean temporary)
    {
        final List<TopicPartition> revoked = new ArrayList<>(owned);
        try
        {
            if (!revoked.isEmpty())
            {
                if (null != rebalanceListener)
                {
                    rebalanceListener.onPartitionsRevoked(revoked);
                }
                autoCommitQuietly(revoked);
            }
        }
        finally
        {
            dropPartitions(revoked);
            final GroupHeartbeater leaving = heartbeater;
            heartbeater = null;
            try
            {
                leaving.leave(temporary);
            }
            finally
            {
                leaving.close();
            }
        }
    }

    private boolean onCommitResponse(final DirectBuffer buffer, final int offset, final int length)
    {
        final int templateId = headerDecoder.templateId();
        if (OffsetCommitResponseDecoder.TEMPLATE_ID != templateId && ErrorResponseDecoder.TEMPLATE_ID != templateId)
        {
            return false;
        }
        final long correlationId = buffer.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN);
        final PendingCommit commit = asyncCommits.remove(correlationId);
        if (null == commit)
        {
            return false;
        }
        final ExpandableArrayBuffer copy = new ExpandableArrayBuffer(length);
        copy.putBytes(0, buffer, offset, length);
        final AerologException error = GroupRequests.commitResult(connection, copy);
        if (null != commit.callback)
        {
            commit.callback.onComplete(commit.offsets, error);
        }
        return true;
    }

    private record PendingCommit(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback)
    {
    }

    private enum FetchState
    {
        NEEDS_START, STARTING, STREAMING, FAILED
    }

    private final class PartitionFetch implements SilentLeaderCheck.Stream
    {
        final TopicPartition tp;
        final int topicId;
        long nextOffset;
        long pendingCorrelationId = -1;
        int streamSessionId;
        long streamingSinceNs;
        long lastDataNs;
        boolean imageSeen;
        Image image;
        FetchState state = FetchState.NEEDS_START;
        BrokerConnection leader;
        long startSentNs;
        long leaderLostNs = Long.MIN_VALUE;
        final RetryBackoff backoff = new RetryBackoff();

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

        public BrokerConnection silentLeader(final long nowNs)
        {
            return FetchState.STREAMING == state && nowNs - lastDataNs >= SilentLeaderCheck.SILENCE_NS ? leader : null;
        }

        public TopicPartition topicPartition()
        {
            return tp;
        }

        public int streamedTopicId()
        {
            return topicId;
        }

        public void leaderLost()
        {
            final long nowNs = System.nanoTime();
            leader = null;
            leaderLostNs = nowNs;
            backoff.onFailure(nowNs);
            restartAt(nextOffset);
        }

        /** @return the leader's connection, asking the metadata again after a loss (with back-off); or null. */
        private BrokerConnection leader()
        {
            if (null != leader)
            {
                return leader;
            }
            final long nowNs = System.nanoTime();
            if (!backoff.isDue(nowNs))
            {
                return null;
            }
            try
            {
                TopicInfo info = topics.get(tp.topic());
                if (null == info || Long.MIN_VALUE != leaderLostNs)
                {
                    info = metadata.refresh(tp.topic());
                    topics.put(tp.topic(), info);
                }
                final int leaderId = tp.partition() < info.partitions().size() ?
                    info.partitions().get(tp.partition()).leader() : TopicInfo.PartitionInfo.NO_LEADER;
                leader = TopicInfo.PartitionInfo.NO_LEADER == leaderId ? null : metadata.connection(leaderId);
            }
            catch (final AerologException ex)
            {
                if (!RoutingErrors.isRetriable(ex.code()))
                {
                    throw ex;
                }
                leader = null;
            }
            if (null == leader)
            {
                backoff.onFailure(nowNs);
                leaderLostNs = nowNs;
                return null;
            }
            backoff.onSuccess();
            leaderLostNs = Long.MIN_VALUE;
            return leader;
        }

        void stop()
        {
            final BrokerConnection connection = leader;
            if (null != connection && (FetchState.STREAMING == state || FetchState.STARTING == state))
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
            lastDataNs = streamingSinceNs;
        }

        int doWork()
        {
            switch (state)
            {
                case NEEDS_START:
                    return sendFetchStart();
                case STREAMING:
                    return pollImage();
                case STARTING:
                    // A broker that went away answers nothing: ask the metadata again rather than wait for ever.
                    if (System.nanoTime() - startSentNs > TimeUnit.MILLISECONDS.toNanos(
                        connection.context().requestTimeoutMs()))
                    {
                        fetchByCorrelationId.remove(pendingCorrelationId);
                        leaderLost();
                        return 1;
                    }
                    return 0;
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
            final BrokerConnection connection = leader();
            if (null == connection)
            {
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
            try
            {
                if (!connection.offerControl(MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength()))
                {
                    return 0;
                }
            }
            catch (final AerologException ex)
            {
                if (connection == Consumer.this.connection)
                {
                    throw ex;
                }
                onConnectionLost(connection); // its broker is gone: every partition it led looks for a new leader
                return 1;
            }
            startSentNs = System.nanoTime();
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
                image = leader.dataSubscription().imageBySessionId(streamSessionId);
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
                leaderLost(); // the broker may be gone or have moved the partition: ask which leads it now
                return 1;
            }
            if (0 == remaining)
            {
                return 0;
            }
            current = this;
            final int fragments = image.controlledPoll(assembler, config.fragmentLimit);
            if (fragments > 0)
            {
                lastDataNs = System.nanoTime();
            }
            return fragments;
        }
    }
}
