package io.aerolog.client;

import java.util.List;
import java.util.Map;

/**
 * A record to send, for the convenience API (allocates; the hot path uses
 * {@link Producer#send(String, int, org.agrona.DirectBuffer, int, int, org.agrona.DirectBuffer, int, int, long,
 * SendCallback)}).
 *
 * @param topic     to send to.
 * @param partition to send to, or -1 to let the partitioner choose.
 * @param timestamp create time in ms since the epoch, or -1 for now.
 * @param key       may be null.
 * @param value     may be null (a tombstone).
 * @param headers   may be empty.
 */
public record ProducerRecord(
    String topic, int partition, long timestamp, byte[] key, byte[] value, List<Map.Entry<String, byte[]>> headers)
{
    /**
     * A keyed record with no headers, partitioned by key.
     *
     * @param topic to send to.
     * @param key   may be null.
     * @param value may be null.
     */
    public ProducerRecord(final String topic, final byte[] key, final byte[] value)
    {
        this(topic, -1, -1, key, value, List.of());
    }
}
