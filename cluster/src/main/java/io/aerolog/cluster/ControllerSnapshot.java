package io.aerolog.cluster;

import io.aerolog.codecs.cluster.ControllerSnapshotEndDecoder;
import io.aerolog.codecs.cluster.ControllerSnapshotEndEncoder;
import io.aerolog.codecs.cluster.ControllerSnapshotHeaderDecoder;
import io.aerolog.codecs.cluster.ControllerSnapshotHeaderEncoder;
import io.aerolog.codecs.cluster.MessageHeaderDecoder;
import io.aerolog.codecs.cluster.MessageHeaderEncoder;
import io.aerolog.codecs.cluster.TopicEventDecoder;
import io.aerolog.codecs.cluster.TopicEventType;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.ArrayList;

/**
 * Snapshot format of the {@link ControllerState}: a {@code ControllerSnapshotHeader}, one
 * {@code TopicEvent(SNAPSHOT)} per topic in topic id order, then a {@code ControllerSnapshotEnd}.
 * <p>
 * Kept free of publications so it can be tested without a cluster: {@link Writer} hands each message to a
 * {@link Sink}, {@link Loader} is a {@link FragmentHandler} for whole (reassembled) messages.
 */
public final class ControllerSnapshot
{
    private ControllerSnapshot()
    {
    }

    /**
     * Receives each encoded snapshot message in turn; must not return until the message is stored.
     */
    @FunctionalInterface
    public interface Sink
    {
        /**
         * Store one message.
         *
         * @param buffer holding the message.
         * @param offset at which the message starts.
         * @param length of the message.
         */
        void onMessage(DirectBuffer buffer, int offset, int length);
    }

    /**
     * Encodes a {@link ControllerState} as snapshot messages. <b>Not thread-safe.</b>
     */
    public static final class Writer
    {
        private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
        private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        private final ControllerSnapshotHeaderEncoder snapshotHeaderEncoder = new ControllerSnapshotHeaderEncoder();
        private final ControllerSnapshotEndEncoder snapshotEndEncoder = new ControllerSnapshotEndEncoder();
        private final TopicEventCodec topicEventCodec;

        /**
         * Construct a writer sharing the given codec.
         *
         * @param topicEventCodec to encode topics with.
         */
        public Writer(final TopicEventCodec topicEventCodec)
        {
            this.topicEventCodec = topicEventCodec;
        }

        /**
         * Write the whole state to the sink.
         *
         * @param state to write.
         * @param sink  to receive each message.
         */
        public void write(final ControllerState state, final Sink sink)
        {
            snapshotHeaderEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .nextTopicId(state.nextTopicId())
                .nextStreamId(state.nextStreamId())
                .nextProducerId(state.nextProducerId())
                .topicCount(state.topicCount());
            sink.onMessage(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + snapshotHeaderEncoder.encodedLength());

            state.forEachTopic((topic) ->
            {
                final int length = topicEventCodec.encode(
                    buffer, 0, TopicEventCodec.NULL_CORRELATION_ID, TopicEventType.SNAPSHOT, topic);
                sink.onMessage(buffer, 0, length);
            });

            snapshotEndEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).topicCount(state.topicCount());
            sink.onMessage(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + snapshotEndEncoder.encodedLength());
        }
    }

    /**
     * Decodes snapshot messages, which must be whole: wrap in an {@link io.aeron.ImageFragmentAssembler} when
     * polling an image. Errors throw {@link IllegalStateException}. <b>Not thread-safe.</b>
     */
    public static final class Loader implements FragmentHandler
    {
        private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
        private final ControllerSnapshotHeaderDecoder snapshotHeaderDecoder = new ControllerSnapshotHeaderDecoder();
        private final ControllerSnapshotEndDecoder snapshotEndDecoder = new ControllerSnapshotEndDecoder();
        private final TopicEventCodec topicEventCodec;
        private final ArrayList<TopicMetadata> topics = new ArrayList<>();
        private boolean hasHeader;
        private boolean isComplete;
        private int nextTopicId;
        private int nextStreamId;
        private long nextProducerId;
        private int expectedTopicCount;

        /**
         * Construct a loader sharing the given codec.
         *
         * @param topicEventCodec to decode topics with.
         */
        public Loader(final TopicEventCodec topicEventCodec)
        {
            this.topicEventCodec = topicEventCodec;
        }

        /**
         * {@inheritDoc}
         */
        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            if (isComplete)
            {
                throw new IllegalStateException("message after snapshot end");
            }

            TopicEventCodec.checkWithin((long)offset + MessageHeaderDecoder.ENCODED_LENGTH, offset + length);
            headerDecoder.wrap(buffer, offset);
            if (MessageHeaderDecoder.SCHEMA_ID != headerDecoder.schemaId())
            {
                throw new IllegalStateException("unexpected snapshot message: " +
                    TopicEventCodec.describe(headerDecoder));
            }

            final int bodyEnd = offset + MessageHeaderDecoder.ENCODED_LENGTH + headerDecoder.blockLength();
            switch (headerDecoder.templateId())
            {
                case ControllerSnapshotHeaderDecoder.TEMPLATE_ID:
                    if (hasHeader || headerDecoder.blockLength() < ControllerSnapshotHeaderDecoder.BLOCK_LENGTH)
                    {
                        throw new IllegalStateException("unexpected snapshot header");
                    }
                    TopicEventCodec.checkWithin(bodyEnd, offset + length);
                    snapshotHeaderDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                    nextTopicId = snapshotHeaderDecoder.nextTopicId();
                    nextStreamId = snapshotHeaderDecoder.nextStreamId();
                    nextProducerId = snapshotHeaderDecoder.nextProducerId();
                    expectedTopicCount = snapshotHeaderDecoder.topicCount();
                    hasHeader = true;
                    break;

                case TopicEventDecoder.TEMPLATE_ID:
                    checkHeader();
                    topics.add(topicEventCodec.decode(buffer, offset, length, headerDecoder));
                    break;

                case ControllerSnapshotEndDecoder.TEMPLATE_ID:
                    checkHeader();
                    TopicEventCodec.checkWithin(bodyEnd, offset + length);
                    snapshotEndDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
                    final int topicCount = snapshotEndDecoder.topicCount();
                    if (topicCount != expectedTopicCount || topicCount != topics.size())
                    {
                        throw new IllegalStateException("snapshot topic count mismatch: header=" + expectedTopicCount +
                            " end=" + topicCount + " read=" + topics.size());
                    }
                    isComplete = true;
                    break;

                default:
                    throw new IllegalStateException("unexpected snapshot message: " +
                        TopicEventCodec.describe(headerDecoder));
            }
        }

        /**
         * Has the end marker been read?
         *
         * @return true once the end marker has been read.
         */
        public boolean isComplete()
        {
            return isComplete;
        }

        /**
         * Replace the state with what was loaded.
         *
         * @param state to restore into.
         * @throws IllegalStateException if the snapshot is incomplete or inconsistent.
         */
        public void restoreInto(final ControllerState state)
        {
            if (!isComplete)
            {
                throw new IllegalStateException("snapshot incomplete: no end marker");
            }

            state.restore(nextTopicId, nextStreamId, nextProducerId, topics);
        }

        private void checkHeader()
        {
            if (!hasHeader)
            {
                throw new IllegalStateException("snapshot message before header");
            }
        }
    }
}
