package io.aerolog.client;

/**
 * Told the outcome of one record sent by a {@link Producer}. Called on the thread that polls the producer.
 */
@FunctionalInterface
public interface SendCallback
{
    /**
     * The record was written (error null) or could not be.
     *
     * @param topic     the record went to.
     * @param partition the record went to.
     * @param offset    it was given; -1 for acks=0 or on error.
     * @param error     null on success.
     */
    void onCompletion(String topic, int partition, long offset, AerologException error);
}
