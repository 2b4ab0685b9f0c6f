package io.aerolog.transport;

import io.aeron.BufferBuilder;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

import static io.aeron.logbuffer.FrameDescriptor.BEGIN_FRAG_FLAG;
import static io.aeron.logbuffer.FrameDescriptor.END_FRAG_FLAG;
import static io.aeron.logbuffer.FrameDescriptor.UNFRAGMENTED;

/**
 * The bounded reassembly behind {@link BoundedFragmentAssembler} and {@link BoundedControlledFragmentAssembler}.
 */
final class Reassembly
{
    private static final int DROPPING = Integer.MIN_VALUE;

    private final ControlledFragmentHandler delegate;
    private final int maxMessageLength;
    private final int maxSessions;
    private final OversizedMessageHandler onOversized;
    private final Int2ObjectHashMap<BufferBuilder> builderBySessionId = new Int2ObjectHashMap<>();

    /**
     * @param delegate         receives whole messages.
     * @param maxMessageLength longest message reassembled, in bytes.
     * @param maxSessions      most images reassembling at once; a fragmented message from one more is dropped.
     * @param onOversized      told of a sender whose message was dropped, with the message's beginning.
     */
    Reassembly(
        final ControlledFragmentHandler delegate, final int maxMessageLength, final int maxSessions,
        final OversizedMessageHandler onOversized)
    {
        if (maxMessageLength <= 0 || maxSessions <= 0)
        {
            throw new IllegalArgumentException("bounds must be positive: " + maxMessageLength + ", " + maxSessions);
        }
        this.delegate = delegate;
        this.maxMessageLength = maxMessageLength;
        this.maxSessions = maxSessions;
        this.onOversized = onOversized;
    }

    Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final byte flags = header.flags();
        if ((flags & UNFRAGMENTED) == UNFRAGMENTED)
        {
            if (length > maxMessageLength)
            {
                onOversized.onOversized(header.sessionId(), buffer, offset, length);
                return Action.CONTINUE;
            }
            return delegate.onFragment(buffer, offset, length, header);
        }
        if ((flags & BEGIN_FRAG_FLAG) == BEGIN_FRAG_FLAG)
        {
            onBegin(buffer, offset, length, header);
            return Action.CONTINUE;
        }
        return onContinue(buffer, offset, length, header, flags);
    }

    private void onBegin(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int sessionId = header.sessionId();
        BufferBuilder builder = builderBySessionId.get(sessionId);
        if (null == builder)
        {
            if (builderBySessionId.size() >= maxSessions || length > maxMessageLength)
            {
                onOversized.onOversized(sessionId, buffer, offset, length);
                return;
            }
            builder = new BufferBuilder();
            builderBySessionId.put(sessionId, builder);
        }
        builder.reset();
        if (length > maxMessageLength)
        {
            builder.nextTermOffset(DROPPING);
            onOversized.onOversized(sessionId, buffer, offset, length);
            return;
        }
        builder.captureHeader(header).append(buffer, offset, length).nextTermOffset(header.nextTermOffset());
    }

    private Action onContinue(
        final DirectBuffer buffer, final int offset, final int length, final Header header, final byte flags)
    {
        final BufferBuilder builder = builderBySessionId.get(header.sessionId());
        if (null == builder || DROPPING == builder.nextTermOffset())
        {
            return Action.CONTINUE; // the rest of a message already dropped, or of one whose beginning we never saw
        }
        if (header.termOffset() != builder.nextTermOffset())
        {
            builder.reset(); // a gap: the message cannot be whole
            return Action.CONTINUE;
        }
        if ((long)builder.limit() + length > maxMessageLength)
        {
            drop(builder, header.sessionId());
            return Action.CONTINUE;
        }
        final int limit = builder.limit();
        builder.append(buffer, offset, length);
        if ((flags & END_FRAG_FLAG) == END_FRAG_FLAG)
        {
            final Action action = delegate.onFragment(
                builder.buffer(), 0, builder.limit(), builder.completeHeader(header));
            if (Action.ABORT == action)
            {
                builder.limit(limit); // the last fragment comes again
            }
            else
            {
                builder.reset();
            }
            return action;
        }
        builder.nextTermOffset(header.nextTermOffset());
        return Action.CONTINUE;
    }

    private void drop(final BufferBuilder builder, final int sessionId)
    {
        onOversized.onOversized(sessionId, builder.buffer(), 0, builder.limit());
        builder.reset();
        builder.nextTermOffset(DROPPING);
    }

    boolean freeSessionBuffer(final int imageSessionId)
    {
        return null != builderBySessionId.remove(imageSessionId);
    }

    int sessionCount()
    {
        return builderBySessionId.size();
    }
}
