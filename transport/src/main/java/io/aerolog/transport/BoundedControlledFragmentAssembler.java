package io.aerolog.transport;

import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;

import java.util.function.IntConsumer;

/**
 * {@link BoundedFragmentAssembler} for a controlled poll: a whole message the delegate aborts comes again (its last
 * fragment is taken back), as with Aeron's {@code ControlledFragmentAssembler}.
 */
public final class BoundedControlledFragmentAssembler implements ControlledFragmentHandler
{
    /** Default bound on the number of images reassembling at once. */
    public static final int DEFAULT_MAX_SESSIONS = 1024;

    private final Reassembly reassembly;

    /**
     * @param delegate         receives whole messages.
     * @param maxMessageLength longest message reassembled, in bytes.
     * @param onOversized      told the image session id of a sender whose message was dropped.
     */
    public BoundedControlledFragmentAssembler(final ControlledFragmentHandler delegate, final int maxMessageLength, final IntConsumer onOversized)
    {
        this(delegate, maxMessageLength, DEFAULT_MAX_SESSIONS, onOversized);
    }

    /**
     * @param delegate         receives whole messages.
     * @param maxMessageLength longest message reassembled, in bytes.
     * @param maxSessions      most images reassembling at once; a fragmented message from one more is dropped.
     * @param onOversized      told the image session id of a sender whose message was dropped.
     */
    public BoundedControlledFragmentAssembler(
        final ControlledFragmentHandler delegate, final int maxMessageLength, final int maxSessions, final IntConsumer onOversized)
    {
        this(delegate, maxMessageLength, maxSessions,
            (imageSessionId, start, offset, length) -> onOversized.accept(imageSessionId));
    }

    /**
     * @param delegate         receives whole messages.
     * @param maxMessageLength longest message reassembled, in bytes.
     * @param maxSessions      most images reassembling at once; a fragmented message from one more is dropped.
     * @param onOversized      told of a sender whose message was dropped, with the message's beginning, so the
     *                         sender can be answered.
     */
    public BoundedControlledFragmentAssembler(
        final ControlledFragmentHandler delegate,
        final int maxMessageLength,
        final int maxSessions,
        final OversizedMessageHandler onOversized)
    {
        reassembly = new Reassembly(delegate, maxMessageLength, maxSessions, onOversized);
    }

    /** {@inheritDoc} */
    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        return reassembly.onFragment(buffer, offset, length, header);
    }

    /**
     * Forgets an image's partial message; call it when the image goes away.
     *
     * @param imageSessionId of the departed image.
     * @return true when there was something to free.
     */
    public boolean freeSessionBuffer(final int imageSessionId)
    {
        return reassembly.freeSessionBuffer(imageSessionId);
    }

    /** @return how many images hold a reassembly buffer now. */
    public int sessionCount()
    {
        return reassembly.sessionCount();
    }
}
