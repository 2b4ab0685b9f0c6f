package io.aerolog.client;

/**
 * Where a sent record was written.
 *
 * @param topic     of the record.
 * @param partition of the record.
 * @param offset    of the record; -1 when sent with acks=0.
 */
public record RecordMetadata(String topic, int partition, long offset)
{
}
