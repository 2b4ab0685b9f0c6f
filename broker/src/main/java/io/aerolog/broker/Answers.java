package io.aerolog.broker;

import io.aerolog.codecs.wire.AdminResponseEncoder;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.ErrorResponseEncoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * Encodes and sends the control path's answers to clients: one buffer, the conductor's thread only. Every error
 * answer is counted on the control path's counters.
 */
final class Answers
{
    private final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(4096);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final AdminResponseEncoder adminResponseEncoder = new AdminResponseEncoder();
    private final ErrorResponseEncoder errorResponseEncoder = new ErrorResponseEncoder();
    private final ResponseSender sender;
    private final PathCounters counters;

    Answers(final PathCounters counters)
    {
        this.counters = counters;
        this.sender = new ResponseSender(counters);
    }

    /** @return the buffer to encode an answer into, at offset 0. */
    ExpandableDirectByteBuffer buffer()
    {
        return out;
    }

    /** @return the header encoder to wrap answers with. */
    MessageHeaderEncoder headerEncoder()
    {
        return headerEncoder;
    }

    /** @return the sender, for answers encoded elsewhere. */
    ResponseSender sender()
    {
        return sender;
    }

    /** @return the counters answers are counted on. */
    PathCounters counters()
    {
        return counters;
    }

    /**
     * Sends what was encoded in {@link #buffer()}.
     *
     * @param session       to answer.
     * @param encodedLength of the message body (after the header).
     */
    void send(final ClientSession session, final int encodedLength)
    {
        sender.send(session, out, 0, MessageHeaderEncoder.ENCODED_LENGTH + encodedLength);
    }

    /** Counts an error answer that was encoded and sent by the caller. */
    void countError()
    {
        counters.errorResponses.increment();
    }

    void adminResponse(
        final ClientSession session, final long correlationId, final ErrorCode code, final String message)
    {
        if (ErrorCode.NONE != code)
        {
            counters.errorResponses.increment();
        }
        adminResponseEncoder.wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId).code(code).message(null == message ? "" : message);
        send(session, adminResponseEncoder.encodedLength());
    }

    void error(final ClientSession session, final long correlationId, final ErrorCode code, final String message)
    {
        counters.errorResponses.increment();
        if (null == session)
        {
            return;
        }
        errorResponseEncoder.wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId).code(code).message(message);
        send(session, errorResponseEncoder.encodedLength());
    }
}
