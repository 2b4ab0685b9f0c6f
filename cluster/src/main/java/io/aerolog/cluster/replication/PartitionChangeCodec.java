package io.aerolog.cluster.replication;

import io.aerolog.codecs.cluster.MessageHeaderDecoder;
import io.aerolog.codecs.cluster.MessageHeaderEncoder;
import io.aerolog.codecs.cluster.PartitionChangeEventDecoder;
import io.aerolog.codecs.cluster.PartitionChangeEventEncoder;
import io.aerolog.sequencer.PartitionElection;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Encodes a partition's replication state as a {@code PartitionChangeEvent} and decodes one back, for egress,
 * metadata answers and snapshots. <b>Not thread-safe.</b>
 */
public final class PartitionChangeCodec
{
    /** Correlation id of a change and of a snapshot record. */
    public static final long NULL_CORRELATION_ID = -1;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final PartitionChangeEventEncoder encoder = new PartitionChangeEventEncoder();
    private final PartitionChangeEventDecoder decoder = new PartitionChangeEventDecoder();
    private long lastCorrelationId;

    /**
     * Encodes a partition's state, header included.
     *
     * @param buffer            to encode into (expandable, or large enough for three groups of the replicas).
     * @param offset            of the header.
     * @param correlationId     of the metadata request answered, or {@link #NULL_CORRELATION_ID}.
     * @param topicId           of the partition.
     * @param partition         index.
     * @param minInsyncReplicas of the topic.
     * @param state             of the partition.
     * @return the encoded length.
     */
    public int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final long correlationId,
        final int topicId,
        final int partition,
        final int minInsyncReplicas,
        final PartitionElection.State state)
    {
        encoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .correlationId(correlationId)
            .topicId(topicId)
            .partition(partition)
            .leader(state.leader())
            .leaderEpoch(state.leaderEpoch())
            .partitionEpoch(state.partitionEpoch())
            .minInsyncReplicas((short)minInsyncReplicas);
        final PartitionChangeEventEncoder.ReplicasEncoder replicas = encoder.replicasCount(state.replicas().length);
        for (final int id : state.replicas())
        {
            replicas.next().brokerId(id);
        }
        final PartitionChangeEventEncoder.IsrEncoder isr = encoder.isrCount(state.isr().length);
        for (final int id : state.isr())
        {
            isr.next().brokerId(id);
        }
        final PartitionChangeEventEncoder.ElrEncoder elr = encoder.elrCount(state.elr().length);
        for (final int id : state.elr())
        {
            elr.next().brokerId(id);
        }

        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * Decodes a {@code PartitionChangeEvent} whose frame has been validated.
     *
     * @param buffer holding it.
     * @param offset of its header.
     * @param header its header, wrapped.
     * @return the partition and its state; {@link #lastCorrelationId()} tells the correlation id.
     */
    public PartitionReplicas.PartitionRecord decode(
        final DirectBuffer buffer, final int offset, final MessageHeaderDecoder header)
    {
        decoder.wrapAndApplyHeader(buffer, offset, header);
        lastCorrelationId = decoder.correlationId();
        final int topicId = decoder.topicId();
        final int partition = decoder.partition();
        final int leader = decoder.leader();
        final int leaderEpoch = decoder.leaderEpoch();
        final int partitionEpoch = decoder.partitionEpoch();
        final int minInsyncReplicas = decoder.minInsyncReplicas();
        final PartitionChangeEventDecoder.ReplicasDecoder replicasDecoder = decoder.replicas();
        final int[] replicas = new int[replicasDecoder.count()];
        for (int i = 0; i < replicas.length; i++)
        {
            replicas[i] = replicasDecoder.next().brokerId();
        }
        final PartitionChangeEventDecoder.IsrDecoder isrDecoder = decoder.isr();
        final int[] isr = new int[isrDecoder.count()];
        for (int i = 0; i < isr.length; i++)
        {
            isr[i] = isrDecoder.next().brokerId();
        }
        final PartitionChangeEventDecoder.ElrDecoder elrDecoder = decoder.elr();
        final int[] elr = new int[elrDecoder.count()];
        for (int i = 0; i < elr.length; i++)
        {
            elr[i] = elrDecoder.next().brokerId();
        }

        return new PartitionReplicas.PartitionRecord(topicId, partition, minInsyncReplicas,
            new PartitionElection.State(replicas, leader, leaderEpoch, partitionEpoch, isr, elr));
    }

    /** @return correlation id of the last decoded event. */
    public long lastCorrelationId()
    {
        return lastCorrelationId;
    }
}
