package io.aerolog.client;

import java.util.List;
import java.util.Map;

/**
 * A record copied out of the log, for the convenience {@link Consumer#poll(java.time.Duration)}.
 *
 * @param topic     of the record.
 * @param partition of the record.
 * @param offset    of the record.
 * @param timestamp in ms since the epoch.
 * @param key       may be null.
 * @param value     may be null.
 * @param headers   in order.
 */
public record ConsumerRecord(
    String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
    List<Map.Entry<String, byte[]>> headers)
{
}
