package io.aerolog.cluster;

import io.aerolog.codecs.cluster.MessageHeaderDecoder;
import io.aerolog.codecs.cluster.MessageHeaderEncoder;
import io.aerolog.codecs.cluster.TopicEventDecoder;
import io.aerolog.codecs.cluster.TopicEventEncoder;
import io.aerolog.codecs.cluster.TopicEventType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static org.agrona.BitUtil.SIZE_OF_INT;
import static org.agrona.BitUtil.SIZE_OF_LONG;

/**
 * The one place a {@link TopicMetadata} is turned into a {@code TopicEvent} message and back: used by the
 * controller service for events and metadata answers, by its snapshots, and by {@link ControllerClient}.
 * <p>
 * Decoding checks every length against the frame so a truncated or forged message is rejected with an
 * {@link IllegalArgumentException} rather than read past its end.
 * <p>
 * <b>Not thread-safe:</b> holds reusable flyweights; one instance per thread.
 */
public final class TopicEventCodec
{
    /**
     * Correlation id used for events not answering a request.
     */
    public static final long NULL_CORRELATION_ID = -1;

    private static final int GROUP_HEADER_LENGTH = TopicEventDecoder.PartitionStatesDecoder.HEADER_SIZE;
    private static final int VAR_LENGTH_HEADER = SIZE_OF_INT;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final TopicEventEncoder encoder = new TopicEventEncoder();
    private final TopicEventDecoder decoder = new TopicEventDecoder();
    private TopicEventType lastEventType;
    private long lastCorrelationId;

    /**
     * Maximum encoded length, header included, of an event for a topic.
     *
     * @param topic to be encoded.
     * @return upper bound of the encoded length in bytes.
     */
    public static int maxEncodedLength(final TopicMetadata topic)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + TopicEventEncoder.BLOCK_LENGTH + GROUP_HEADER_LENGTH +
            topic.partitions() * SIZE_OF_LONG + VAR_LENGTH_HEADER + topic.name().length() * 3;
    }

    /**
     * Encode a topic as a {@code TopicEvent}, message header included. The buffer must have room for
     * {@link #maxEncodedLength(TopicMetadata)} bytes unless it is expandable.
     *
     * @param buffer        to encode into.
     * @param offset        at which the message header starts.
     * @param correlationId echoed from a request, or {@link #NULL_CORRELATION_ID}.
     * @param eventType     of the event.
     * @param topic         to encode.
     * @return the encoded length, header included.
     */
    public int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final long correlationId,
        final TopicEventType eventType,
        final TopicMetadata topic)
    {
        encoder.wrapAndApplyHeader(buffer, offset, headerEncoder)
            .correlationId(correlationId)
            .eventType(eventType)
            .topicId(topic.topicId())
            .partitions(topic.partitions())
            .retentionMs(topic.retentionMs())
            .retentionBytes(topic.retentionBytes())
            .timestampType((short)topic.timestampType())
            .firstStreamId(topic.firstStreamId());

        final int partitions = topic.partitions();
        final TopicEventEncoder.PartitionStatesEncoder states = encoder.partitionStatesCount(partitions);
        for (int p = 0; p < partitions; p++)
        {
            states.next().logStartOffset(topic.logStartOffset(p));
        }

        encoder.topicName(topic.name());

        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * Decode a {@code TopicEvent} whose message header has already been read into {@code headerDecoder}.
     * The event type and correlation id are then available from {@link #lastEventType()} and
     * {@link #lastCorrelationId()}.
     *
     * @param buffer        holding the message.
     * @param offset        at which the message header starts.
     * @param length        of the message, header included.
     * @param headerDecoder already wrapped at {@code offset}.
     * @return the decoded topic.
     * @throws IllegalArgumentException if the message is not a well-formed {@code TopicEvent}.
     */
    public TopicMetadata decode(
        final DirectBuffer buffer, final int offset, final int length, final MessageHeaderDecoder headerDecoder)
    {
        final int end = offset + length;
        final int blockLength = headerDecoder.blockLength();
        if (TopicEventDecoder.TEMPLATE_ID != headerDecoder.templateId() ||
            TopicEventDecoder.SCHEMA_ID != headerDecoder.schemaId() ||
            blockLength < TopicEventDecoder.BLOCK_LENGTH)
        {
            throw new IllegalArgumentException("not a TopicEvent: " + describe(headerDecoder));
        }

        final int groupOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH + blockLength;
        checkWithin(groupOffset + GROUP_HEADER_LENGTH, end);

        // The group header gives its own block length, honour it for forward compatibility.
        final int groupBlockLength = buffer.getShort(groupOffset, TopicEventDecoder.BYTE_ORDER) & 0xFFFF;
        final int count = buffer.getShort(groupOffset + 2, TopicEventDecoder.BYTE_ORDER) & 0xFFFF;
        if (groupBlockLength < SIZE_OF_LONG)
        {
            throw new IllegalArgumentException("partitionStates blockLength too short: " + groupBlockLength);
        }

        final int nameOffset = groupOffset + GROUP_HEADER_LENGTH + count * groupBlockLength;
        checkWithin(nameOffset + VAR_LENGTH_HEADER, end);
        final long nameLength = buffer.getInt(nameOffset, TopicEventDecoder.BYTE_ORDER) & 0xFFFF_FFFFL;
        checkWithin(nameOffset + VAR_LENGTH_HEADER + nameLength, end);

        decoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        lastCorrelationId = decoder.correlationId();
        lastEventType = decoder.eventType();
        final int topicId = decoder.topicId();
        final int partitions = decoder.partitions();
        final long retentionMs = decoder.retentionMs();
        final long retentionBytes = decoder.retentionBytes();
        final int timestampType = decoder.timestampType();
        final int firstStreamId = decoder.firstStreamId();

        final TopicEventDecoder.PartitionStatesDecoder states = decoder.partitionStates();
        if (states.count() != partitions)
        {
            throw new IllegalArgumentException("partitionStates count=" + states.count() + " != partitions=" +
                partitions);
        }

        final long[] logStartOffsets = new long[partitions];
        for (int p = 0; p < partitions; p++)
        {
            logStartOffsets[p] = states.next().logStartOffset();
        }

        final String name = decoder.topicName();

        return new TopicMetadata(
            topicId, name, partitions, retentionMs, retentionBytes, timestampType, firstStreamId, logStartOffsets);
    }

    /**
     * Event type of the last decoded event.
     *
     * @return event type of the last decoded event.
     */
    public TopicEventType lastEventType()
    {
        return lastEventType;
    }

    /**
     * Correlation id of the last decoded event.
     *
     * @return correlation id of the last decoded event.
     */
    public long lastCorrelationId()
    {
        return lastCorrelationId;
    }

    static void checkWithin(final long limit, final int end)
    {
        if (limit > end)
        {
            throw new IllegalArgumentException("message truncated: needs " + limit + " > end " + end);
        }
    }

    static String describe(final MessageHeaderDecoder headerDecoder)
    {
        return "schemaId=" + headerDecoder.schemaId() + " templateId=" + headerDecoder.templateId() +
            " version=" + headerDecoder.version() + " blockLength=" + headerDecoder.blockLength();
    }
}
