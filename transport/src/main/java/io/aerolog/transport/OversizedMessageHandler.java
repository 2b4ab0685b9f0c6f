package io.aerolog.transport;

import org.agrona.DirectBuffer;

/**
 * Told of a message dropped by a bounded assembler for being longer than its bound, with what had arrived of its
 * beginning, so the receiver can answer the sender (a request's correlation id is near its start).
 */
@FunctionalInterface
public interface OversizedMessageHandler
{
    /**
     * @param imageSessionId of the sender's image.
     * @param start          holding the first bytes of the message (valid only during the call).
     * @param offset         of the message's first byte in {@code start}.
     * @param length         of what is there, at least the first fragment.
     */
    void onOversized(int imageSessionId, DirectBuffer start, int offset, int length);
}
