package io.aerolog.kafka;

import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

import java.nio.ByteBuffer;

/**
 * Writes Kafka response frames: a 4-byte big-endian size, the response header, the body, with kafka-clients' own
 * generated message classes.
 */
final class KafkaFrames
{
    private KafkaFrames()
    {
    }

    /**
     * @param apiKey        of the request answered.
     * @param version       of the request answered (the response uses the same).
     * @param correlationId of the request answered.
     * @param body          the response.
     * @return the whole frame, ready to write.
     */
    static ByteBuffer response(final ApiKeys apiKey, final short version, final int correlationId, final ApiMessage body)
    {
        // ApiVersions answers with header v0 at every version, so that a client that does not know the broker's
        // versions yet can read it.
        final short headerVersion = ApiKeys.API_VERSIONS == apiKey ? 0 : apiKey.responseHeaderVersion(version);
        final ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final int size = header.size(cache, headerVersion) + body.size(cache, version);
        final ByteBuffer frame = ByteBuffer.allocate(4 + size);
        frame.putInt(size);
        final ByteBufferAccessor accessor = new ByteBufferAccessor(frame);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        frame.flip();
        return frame;
    }
}
