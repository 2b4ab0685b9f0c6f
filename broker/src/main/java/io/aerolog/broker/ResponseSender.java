package io.aerolog.broker;

import io.aerolog.transport.Offers;
import io.aeron.Publication;
import org.agrona.DirectBuffer;

/**
 * Offers answers to clients without blocking the caller's duty cycle: a few immediate retries on back-pressure, then
 * the answer is dropped and counted (the client times out and retries; produce retries are idempotent).
 */
final class ResponseSender
{
    private static final int ATTEMPTS = 3;

    private final PathCounters counters;

    ResponseSender(final PathCounters counters)
    {
        this.counters = counters;
    }

    boolean send(final ClientSession session, final DirectBuffer buffer, final int offset, final int length)
    {
        if (null == session || session.isClosed())
        {
            counters.droppedResponses.incrementOrdered();
            return false;
        }
        final Publication publication = session.responsePublication();
        for (int i = 0; i < ATTEMPTS; i++)
        {
            final long result = publication.offer(buffer, offset, length);
            if (result > 0)
            {
                return true;
            }
            if (!Offers.isTransient(result))
            {
                break;
            }
        }
        counters.droppedResponses.incrementOrdered();
        return false;
    }
}
