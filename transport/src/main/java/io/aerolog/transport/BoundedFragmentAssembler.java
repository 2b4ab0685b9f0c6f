package io.aerolog.transport;

import io.aeron.BufferBuilder;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

import java.util.function.IntConsumer;

import static io.aeron.logbuffer.FrameDescriptor.BEGIN_FRAG_FLAG;
import static io.aeron.logbuffer.FrameDescriptor.END_FRAG_FLAG;
import static io.aeron.logbuffer.FrameDescriptor.UNFRAGMENTED;

/**
 * Reassembles fragmented messages per image, as Aeron's {@code FragmentAssembler} does, with bounds a stranger cannot
 * push: a message longer than {@code maxMessageLength} is dropped as soon as its fragments pass the bound (and the
 * sender's image session id reported), at most {@code maxSessions} images reassemble at once, and
 * {@link #freeSessionBuffer(int)} (called from the subscription's unavailable-image handler) drops what a departed
 * sender left behind. Memory held is therefore at most {@code maxSessions * maxMessageLength}.
 */
public final class BoundedFragmentAssembler implements FragmentHandler
{
    /** Default bound on the number of images reassembling at once. */
    public static final int DEFAULT_MAX_SESSIONS = 1024;

    private static final int DROPPING = Integer.MIN_VALUE;

    private final FragmentHandler delegate;
    private final int maxMessageLength;
    private final int maxSessions;
    private final IntConsumer onOversized;
    private final Int2ObjectHashMap<BufferBuilder> builderBySessionId = new Int2ObjectHashMap<>();

    /**
     * @param delegate         receives whole messages.
     * @param maxMessageLength longest message reassembled, in bytes.
     * @param onOversized      told the image session id of a sender whose message was dropped.
     */
    public BoundedFragmentAssembler(
        final FragmentHandler delegate, final int maxMessageLength, final IntConsumer onOversized)
    {
        this(delegate, maxMessageLength, DEFAULT_MAX_SESSIONS, onOversized);
    }

    /**
     * @param delegate         receives whole messages.
     * @param maxMessageLength longest message reassembled, in bytes.
     * @param maxSessions      most images reassembling at once; a fragmented message from one more is dropped.
     * @param onOversized      told the image session id of a sender whose message was dropped.
     */
    public BoundedFragmentAssembler(
        final FragmentHandler delegate, final int maxMessageLength, final int maxSessions, final IntConsumer onOversized)
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

    /** {@inheritDoc} */
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final byte flags = header.flags();
        if ((flags & UNFRAGMENTED) == UNFRAGMENTED)
        {
            if (length > maxMessageLength)
            {
                onOversized.accept(header.sessionId());
                return;
            }
            delegate.onFragment(buffer, offset, length, header);
        }
        else if ((flags & BEGIN_FRAG_FLAG) == BEGIN_FRAG_FLAG)
        {
            onBegin(buffer, offset, length, header);
        }
        else
        {
            onContinue(buffer, offset, length, header, flags);
        }
    }

    private void onBegin(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int sessionId = header.sessionId();
        BufferBuilder builder = builderBySessionId.get(sessionId);
        if (null == builder)
        {
            if (builderBySessionId.size() >= maxSessions || length > maxMessageLength)
            {
                onOversized.accept(sessionId);
                return;
            }
            builder = new BufferBuilder();
            builderBySessionId.put(sessionId, builder);
        }
        builder.reset();
        if (length > maxMessageLength)
        {
            drop(builder, sessionId);
            return;
        }
        builder.captureHeader(header).append(buffer, offset, length).nextTermOffset(header.nextTermOffset());
    }

    private void onContinue(
        final DirectBuffer buffer, final int offset, final int length, final Header header, final byte flags)
    {
        final BufferBuilder builder = builderBySessionId.get(header.sessionId());
        if (null == builder || DROPPING == builder.nextTermOffset())
        {
            return; // the rest of a message already dropped, or of one whose beginning we never saw
        }
        if (header.termOffset() != builder.nextTermOffset())
        {
            builder.reset(); // a gap: the message cannot be whole
            return;
        }
        if ((long)builder.limit() + length > maxMessageLength)
        {
            drop(builder, header.sessionId());
            return;
        }
        builder.append(buffer, offset, length);
        if ((flags & END_FRAG_FLAG) == END_FRAG_FLAG)
        {
            delegate.onFragment(builder.buffer(), 0, builder.limit(), builder.completeHeader(header));
            builder.reset();
        }
        else
        {
            builder.nextTermOffset(header.nextTermOffset());
        }
    }

    private void drop(final BufferBuilder builder, final int sessionId)
    {
        builder.reset();
        builder.nextTermOffset(DROPPING);
        onOversized.accept(sessionId);
    }

    /**
     * Forgets an image's partial message; call it when the image goes away.
     *
     * @param imageSessionId of the departed image.
     * @return true when there was something to free.
     */
    public boolean freeSessionBuffer(final int imageSessionId)
    {
        return null != builderBySessionId.remove(imageSessionId);
    }

    /** @return how many images hold a reassembly buffer now. */
    public int sessionCount()
    {
        return builderBySessionId.size();
    }
}
