package io.aerolog.transport;

import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;

import java.util.function.IntConsumer;

/**
 * Reassembles fragmented messages per image, as Aeron's {@code FragmentAssembler} does, with bounds a stranger cannot
 * push: a message longer than {@code maxMessageLength} is dropped as soon as its fragments pass the bound (and the
 * sender's image session id reported), at most {@code maxSessions} images reassemble at once, and
 * {@link #freeSessionBuffer(int)} (called when the image goes away) drops what a departed sender left behind. Memory
 * held is therefore at most {@code maxSessions * maxMessageLength}.
 */
public final class BoundedFragmentAssembler implements FragmentHandler
{
    /** Default bound on the number of images reassembling at once. */
    public static final int DEFAULT_MAX_SESSIONS = 1024;

    private final Reassembly reassembly;

    /**
     * @param delegate         receives whole messages.
     * @param maxMessageLength longest message reassembled, in bytes.
     * @param onOversized      told the image session id of a sender whose message was dropped.
     */
    public BoundedFragmentAssembler(final FragmentHandler delegate, final int maxMessageLength, final IntConsumer onOversized)
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
        reassembly = new Reassembly((buffer, offset, length, header) ->
        {
            delegate.onFragment(buffer, offset, length, header);
            return ControlledFragmentHandler.Action.CONTINUE;
        }, maxMessageLength, maxSessions,
            (imageSessionId, start, offset, length) -> onOversized.accept(imageSessionId));
    }

    /** {@inheritDoc} */
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        reassembly.onFragment(buffer, offset, length, header);
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
