package io.aerolog.cluster;

import io.aerolog.cluster.registry.BrokerRegistry;
import io.aerolog.cluster.registry.RegisteredBroker;
import io.aerolog.cluster.replication.PartitionChangeCodec;
import io.aerolog.cluster.replication.PartitionReplicas;
import io.aerolog.codecs.cluster.AlterPartitionCommandDecoder;
import io.aerolog.codecs.cluster.BrokerState;
import io.aerolog.codecs.cluster.ElectLeadersCommandDecoder;
import io.aerolog.codecs.cluster.LeaderEpochEventEncoder;
import io.aerolog.codecs.cluster.LeaderEpochStartCommandDecoder;
import io.aerolog.codecs.cluster.MessageHeaderDecoder;
import io.aerolog.codecs.cluster.MessageHeaderEncoder;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.sequencer.PartitionElection;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.function.IntConsumer;
import java.util.function.IntPredicate;
import java.util.function.IntToLongFunction;

/**
 * The controller's partition replication commands and reactions: places a new topic's replicas over the live
 * brokers, elects and shrinks in-sync sets when the {@link BrokerRegistry} fences or unfences a broker, applies a
 * leader's {@code AlterPartition}, registers where a leader's epoch starts ({@code LeaderEpochStart}, told as a
 * {@code LeaderEpochEvent}), and encodes each changed partition as a {@code PartitionChangeEvent}.
 * Deterministic: the outcome depends only on the command and the replicated registry and partition state.
 */
final class ReplicationCommands
{
    /** Most in-sync set members an {@code AlterPartition} may name (a replication factor is an int16). */
    static final int MAX_ISR_MEMBERS = Short.MAX_VALUE;

    private static final int NONE = ErrorCode.NONE.value();

    /**
     * Tells a partition's log start offset, from the topics of the controller state.
     */
    @FunctionalInterface
    interface LogStartOffsets
    {
        /**
         * @param topicId   of the partition.
         * @param partition index.
         * @return its log start offset, 0 if unknown.
         */
        long logStartOffset(int topicId, int partition);
    }

    private final BrokerRegistry registry;
    private final PartitionReplicas replicas = new PartitionReplicas();
    private final PartitionChangeCodec codec = new PartitionChangeCodec();
    private final ExpandableArrayBuffer eventBuffer = new ExpandableArrayBuffer(256);
    private final AlterPartitionCommandDecoder alterDecoder = new AlterPartitionCommandDecoder();
    private final ElectLeadersCommandDecoder electDecoder = new ElectLeadersCommandDecoder();
    private final LeaderEpochStartCommandDecoder epochStartDecoder = new LeaderEpochStartCommandDecoder();
    private final LeaderEpochEventEncoder epochEventEncoder = new LeaderEpochEventEncoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final PartitionReplicas.EpochListener onEpoch = this::onEpoch;
    private final LogStartOffsets logStartOffsets;
    private final IntPredicate isFenced = this::isFenced;
    private final IntToLongFunction registeredEpoch = this::registeredEpoch;
    private final PartitionReplicas.ChangeListener onChange = this::onChange;
    private IntConsumer eventSink;
    private long lastCorrelationId;
    private long lastValue;
    private String lastErrorMessage;
    private long partitionChanges;
    private long epochStarts;

    ReplicationCommands(final BrokerRegistry registry)
    {
        this(registry, (topicId, partition) -> 0);
    }

    ReplicationCommands(final BrokerRegistry registry, final LogStartOffsets logStartOffsets)
    {
        this.registry = registry;
        this.logStartOffsets = logStartOffsets;
    }

    /**
     * @param templateId of a cluster-schema message.
     * @return true if {@link #apply} handles it.
     */
    static boolean isReplicationCommand(final int templateId)
    {
        return AlterPartitionCommandDecoder.TEMPLATE_ID == templateId ||
            ElectLeadersCommandDecoder.TEMPLATE_ID == templateId ||
            LeaderEpochStartCommandDecoder.TEMPLATE_ID == templateId;
    }

    /**
     * @param templateId of a command {@link #isReplicationCommand} accepts.
     * @return its fixed block length.
     */
    static int blockLength(final int templateId)
    {
        switch (templateId)
        {
            case AlterPartitionCommandDecoder.TEMPLATE_ID:
                return AlterPartitionCommandDecoder.BLOCK_LENGTH;
            case LeaderEpochStartCommandDecoder.TEMPLATE_ID:
                return LeaderEpochStartCommandDecoder.BLOCK_LENGTH;
            default:
                return ElectLeadersCommandDecoder.BLOCK_LENGTH;
        }
    }

    /**
     * Applies a replication command whose frame has been validated.
     *
     * @param buffer holding the command with its header at 0.
     * @param header the command's header, wrapped.
     * @param sink   takes the length of the event of each partition changed, or of the epoch start.
     * @return an {@link ErrorCode} value; {@link #lastCorrelationId()}, {@link #lastValue()} and
     * {@link #lastErrorMessage()} tell the rest.
     */
    int apply(final DirectBuffer buffer, final MessageHeaderDecoder header, final IntConsumer sink)
    {
        switch (header.templateId())
        {
            case AlterPartitionCommandDecoder.TEMPLATE_ID:
                return applyAlterPartition(buffer, header, sink);
            case LeaderEpochStartCommandDecoder.TEMPLATE_ID:
                return applyLeaderEpochStart(buffer, header, sink);
            default:
                return applyElectLeaders(buffer, header, sink);
        }
    }

    private int applyLeaderEpochStart(
        final DirectBuffer buffer, final MessageHeaderDecoder header, final IntConsumer sink)
    {
        lastErrorMessage = null;
        lastValue = 0;
        final LeaderEpochStartCommandDecoder d = epochStartDecoder.wrapAndApplyHeader(buffer, 0, header);
        lastCorrelationId = d.correlationId();
        final int topicId = d.topicId();
        final int partition = d.partition();
        final int leaderEpoch = d.leaderEpoch();
        eventSink = sink;
        try
        {
            final int code = replicas.startEpoch(topicId, partition, d.brokerId(), d.brokerEpoch(), leaderEpoch,
                d.startPosition(), d.startOffset(), d.leaderRecordingId(),
                logStartOffsets.logStartOffset(topicId, partition), registeredEpoch, isFenced, onEpoch);
            lastErrorMessage = replicas.lastErrorMessage();
            if (NONE == code)
            {
                lastValue = leaderEpoch;
            }
            return code;
        }
        finally
        {
            eventSink = null;
        }
    }

    private int applyElectLeaders(final DirectBuffer buffer, final MessageHeaderDecoder header, final IntConsumer sink)
    {
        lastErrorMessage = null;
        lastValue = 0;
        final ElectLeadersCommandDecoder d = electDecoder.wrapAndApplyHeader(buffer, 0, header);
        lastCorrelationId = d.correlationId();
        eventSink = sink;
        try
        {
            final int moved = replicas.electPreferred(d.topicId(), d.partition(), isFenced, onChange);
            if (moved < 0)
            {
                lastErrorMessage = replicas.lastErrorMessage();
                return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.value();
            }
            lastValue = moved;
            return NONE;
        }
        finally
        {
            eventSink = null;
        }
    }

    /**
     * Runs automatic leader balancing ({@link PartitionReplicas#balance}).
     *
     * @param imbalancePercentage {@code leader.imbalance.per.broker.percentage}.
     * @param sink                takes the length of the event of each partition changed.
     * @return partitions whose leader moved.
     */
    int balanceLeaders(final int imbalancePercentage, final IntConsumer sink)
    {
        eventSink = sink;
        try
        {
            return replicas.balance(imbalancePercentage, isFenced, onChange);
        }
        finally
        {
            eventSink = null;
        }
    }

    /**
     * Checks a new topic's replication settings against the live brokers.
     *
     * @param replicationFactor of the topic.
     * @param minInsyncReplicas of the topic.
     * @return an {@link ErrorCode} value; {@link #lastErrorMessage()} says why it was refused.
     */
    int validateTopic(final int replicationFactor, final int minInsyncReplicas)
    {
        final int code =
            replicas.validate(replicationFactor, minInsyncReplicas, liveBrokerCount(), registry.size());
        lastErrorMessage = replicas.lastErrorMessage();
        return code;
    }

    /**
     * Places a topic just created, encoding each partition's first state.
     *
     * @param topicId           of the topic.
     * @param partitions        of the topic.
     * @param replicationFactor accepted by {@link #validateTopic}.
     * @param minInsyncReplicas accepted by {@link #validateTopic}.
     * @param sink              takes the length of each event in {@link #eventBuffer()}, valid until the next.
     */
    void topicCreated(
        final int topicId,
        final int partitions,
        final int replicationFactor,
        final int minInsyncReplicas,
        final IntConsumer sink)
    {
        eventSink = sink;
        try
        {
            replicas.create(topicId, partitions, replicationFactor, minInsyncReplicas, liveBrokers(), onChange);
        }
        finally
        {
            eventSink = null;
        }
    }

    /**
     * @param topicId of a topic just deleted.
     */
    void topicDeleted(final int topicId)
    {
        replicas.remove(topicId);
    }

    /**
     * A broker was fenced (deadline passed) or shut down cleanly.
     *
     * @param brokerId      fenced.
     * @param cleanShutdown true for a controlled shutdown.
     * @param sink          takes the length of each event in {@link #eventBuffer()}, valid until the next.
     * @return partitions changed.
     */
    int brokerFenced(final int brokerId, final boolean cleanShutdown, final IntConsumer sink)
    {
        eventSink = sink;
        try
        {
            return replicas.onBrokerFenced(brokerId, cleanShutdown, isFenced, onChange);
        }
        finally
        {
            eventSink = null;
        }
    }

    /**
     * A broker registered or heartbeats again after being fenced.
     *
     * @param brokerId unfenced.
     * @param sink     takes the length of each event in {@link #eventBuffer()}, valid until the next.
     * @return partitions changed.
     */
    int brokerUnfenced(final int brokerId, final IntConsumer sink)
    {
        eventSink = sink;
        try
        {
            return replicas.onBrokerUnfenced(brokerId, onChange);
        }
        finally
        {
            eventSink = null;
        }
    }

    /**
     * Applies an {@code AlterPartition} whose frame has been validated.
     *
     * @param buffer holding the command with its header at 0.
     * @param header the command's header, wrapped.
     * @param sink   takes the length of the event if the partition changed.
     * @return an {@link ErrorCode} value; {@link #lastCorrelationId()}, {@link #lastValue()} (the partition epoch
     * after it) and {@link #lastErrorMessage()} tell the rest.
     */
    int applyAlterPartition(final DirectBuffer buffer, final MessageHeaderDecoder header, final IntConsumer sink)
    {
        lastErrorMessage = null;
        lastValue = 0;
        final AlterPartitionCommandDecoder d = alterDecoder.wrapAndApplyHeader(buffer, 0, header);
        lastCorrelationId = d.correlationId();
        final int brokerId = d.brokerId();
        final long brokerEpoch = d.brokerEpoch();
        final int topicId = d.topicId();
        final int partition = d.partition();
        final int leaderEpoch = d.leaderEpoch();
        final int partitionEpoch = d.partitionEpoch();
        final AlterPartitionCommandDecoder.IsrDecoder isrDecoder = d.isr();
        final int count = isrDecoder.count();
        if (count > MAX_ISR_MEMBERS)
        {
            lastErrorMessage = "in-sync set of " + count + " members, more than " + MAX_ISR_MEMBERS;
            return ErrorCode.INVALID_REQUEST.value();
        }
        final int[] isr = new int[count];
        final long[] isrEpochs = new long[count];
        for (int i = 0; i < count; i++)
        {
            isrDecoder.next();
            isr[i] = isrDecoder.brokerId();
            isrEpochs[i] = isrDecoder.brokerEpoch();
        }

        eventSink = sink;
        try
        {
            final int code = replicas.alter(topicId, partition, brokerId, brokerEpoch, leaderEpoch, partitionEpoch,
                isr, isrEpochs, registeredEpoch, isFenced, onChange);
            lastErrorMessage = replicas.lastErrorMessage();
            if (NONE == code)
            {
                lastValue = replicas.lastState().partitionEpoch();
            }
            return code;
        }
        finally
        {
            eventSink = null;
        }
    }

    /**
     * Encodes every partition, in (topic id, partition) order, into {@link #eventBuffer()}, one at a time, stopping
     * when the sink says so.
     *
     * @param correlationId of the metadata request.
     * @param sink          takes each encoded event's length; false stops.
     * @return false if the sink stopped it.
     */
    boolean forEachRecord(final long correlationId, final IntPredicate sink)
    {
        final boolean[] stopped = { false };
        final PartitionReplicas.EpochListener epochSink = (topicId, partition, epoch, position, offset, recordingId) ->
        {
            if (!stopped[0])
            {
                stopped[0] = !sink.test(
                    encodeEpoch(correlationId, topicId, partition, epoch, position, offset, recordingId));
            }
        };
        replicas.forEach((topicId, partition, minIsr, state) ->
        {
            if (!stopped[0])
            {
                stopped[0] = !sink.test(codec.encode(eventBuffer, 0, correlationId, topicId, partition, minIsr, state));
                // Each partition's history right after its state, so a broker has both when it reads the next.
                replicas.forEachEpoch(topicId, partition, epochSink);
            }
        });
        return !stopped[0];
    }

    /**
     * Encodes a {@code LeaderEpochEvent} into {@link #eventBuffer()}.
     *
     * @param correlationId     of the metadata request, or -1.
     * @param topicId           of the partition.
     * @param partition         index.
     * @param epoch             leader epoch.
     * @param startPosition     of its first batch.
     * @param startOffset       of its first record.
     * @param leaderRecordingId of the leader that started it.
     * @return the encoded length.
     */
    int encodeEpoch(
        final long correlationId,
        final int topicId,
        final int partition,
        final int epoch,
        final long startPosition,
        final long startOffset,
        final long leaderRecordingId)
    {
        epochEventEncoder.wrapAndApplyHeader(eventBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .topicId(topicId)
            .partition(partition)
            .epoch(epoch)
            .startPosition(startPosition)
            .startOffset(startOffset)
            .leaderRecordingId(leaderRecordingId);
        return MessageHeaderEncoder.ENCODED_LENGTH + epochEventEncoder.encodedLength();
    }

    private void onEpoch(
        final int topicId,
        final int partition,
        final int epoch,
        final long startPosition,
        final long startOffset,
        final long leaderRecordingId)
    {
        epochStarts++;
        final int length = encodeEpoch(PartitionChangeCodec.NULL_CORRELATION_ID, topicId, partition, epoch,
            startPosition, startOffset, leaderRecordingId);
        if (null != eventSink)
        {
            eventSink.accept(length);
        }
    }

    /** @return leader epoch starts registered so far (the service thread's count). */
    long epochStarts()
    {
        return epochStarts;
    }

    private void onChange(
        final int topicId, final int partition, final int minInsyncReplicas, final PartitionElection.State state)
    {
        partitionChanges++;
        final int length = codec.encode(
            eventBuffer, 0, PartitionChangeCodec.NULL_CORRELATION_ID, topicId, partition, minInsyncReplicas, state);
        if (null != eventSink)
        {
            eventSink.accept(length);
        }
    }

    private boolean isFenced(final int brokerId)
    {
        final RegisteredBroker broker = registry.broker(brokerId);
        return null == broker || BrokerState.UNFENCED != broker.state();
    }

    private long registeredEpoch(final int brokerId)
    {
        final RegisteredBroker broker = registry.broker(brokerId);
        return null == broker ? -1 : broker.brokerEpoch();
    }

    private int liveBrokerCount()
    {
        int live = 0;
        for (int i = 0; i < registry.size(); i++)
        {
            live += BrokerState.UNFENCED == registry.brokerAt(i).state() ? 1 : 0;
        }
        return live;
    }

    private int[] liveBrokers()
    {
        final int[] live = new int[liveBrokerCount()];
        int n = 0;
        for (int i = 0; i < registry.size(); i++)
        {
            final RegisteredBroker broker = registry.brokerAt(i);
            if (BrokerState.UNFENCED == broker.state())
            {
                live[n++] = broker.brokerId();
            }
        }
        return live;
    }

    /** @return where events are encoded. */
    ExpandableArrayBuffer eventBuffer()
    {
        return eventBuffer;
    }

    /** @return the partition replication state. */
    PartitionReplicas replicas()
    {
        return replicas;
    }

    /** @return correlation id of the last command. */
    long lastCorrelationId()
    {
        return lastCorrelationId;
    }

    /** @return the answer's value: the partition epoch after an accepted proposal, else 0. */
    long lastValue()
    {
        return lastValue;
    }

    /** @return why the last command or check was refused, or null. */
    String lastErrorMessage()
    {
        return lastErrorMessage;
    }

    /** @return partition states changed or created so far (the service thread's count). */
    long partitionChanges()
    {
        return partitionChanges;
    }
}
