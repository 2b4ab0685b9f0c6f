package io.aerolog.client;

import java.util.Map;

/**
 * Told when an asynchronous commit completes, on the thread that calls {@link Consumer#poll}.
 */
@FunctionalInterface
public interface OffsetCommitCallback
{
    /**
     * @param offsets   that were to be committed.
     * @param exception null on success, else why the commit failed.
     */
    void onComplete(Map<TopicPartition, OffsetAndMetadata> offsets, AerologException exception);
}
