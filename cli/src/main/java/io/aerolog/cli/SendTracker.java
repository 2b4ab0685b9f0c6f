package io.aerolog.cli;

import io.aerolog.client.AerologException;
import io.aerolog.client.SendCallback;

/**
 * Counts the outcomes of records sent by a producer and keeps the first error. Used on the producer's thread.
 */
final class SendTracker implements SendCallback
{
    private long succeeded;
    private long failed;
    private AerologException firstError;

    /**
     * {@inheritDoc}
     */
    public void onCompletion(final String topic, final int partition, final long offset, final AerologException error)
    {
        if (null == error)
        {
            succeeded++;
        }
        else
        {
            failed++;
            if (null == firstError)
            {
                firstError = error;
            }
        }
    }

    /**
     * @return records written (or, with acks=0, sent).
     */
    long succeeded()
    {
        return succeeded;
    }

    /**
     * @return records that could not be written.
     */
    long failed()
    {
        return failed;
    }

    /**
     * @return the first error, or null.
     */
    AerologException firstError()
    {
        return firstError;
    }
}
