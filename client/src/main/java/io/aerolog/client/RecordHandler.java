package io.aerolog.client;

/**
 * Receives records from {@link Consumer#poll(RecordHandler, int)}, on the polling thread.
 */
@FunctionalInterface
public interface RecordHandler
{
    /**
     * One record, in offset order within its partition.
     *
     * @param record a view valid only during this call.
     */
    void onRecord(ConsumedRecord record);
}
