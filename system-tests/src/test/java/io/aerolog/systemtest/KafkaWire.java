package io.aerolog.systemtest;

import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ResponseHeader;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A raw Kafka-protocol connection for tests that send what no well-behaved client sends: frames written byte by
 * byte, requests built with kafka-clients' message classes, responses read back as they came.
 */
final class KafkaWire implements AutoCloseable
{
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    KafkaWire(final String hostPort) throws IOException
    {
        final int colon = hostPort.lastIndexOf(':');
        socket = new Socket();
        socket.connect(new InetSocketAddress(hostPort.substring(0, colon),
            Integer.parseInt(hostPort.substring(colon + 1))), 5000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /**
     * @param key           of the request.
     * @param version       of the request.
     * @param correlationId of the request.
     * @param body          the request.
     * @return the whole frame.
     */
    static byte[] frame(final ApiKeys key, final short version, final int correlationId, final ApiMessage body)
    {
        final short headerVersion = key.requestHeaderVersion(version);
        final RequestHeaderData header = new RequestHeaderData().setRequestApiKey(key.id).setRequestApiVersion(version)
            .setCorrelationId(correlationId).setClientId("raw-test");
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final int size = header.size(cache, headerVersion) + body.size(cache, version);
        final ByteBuffer buffer = ByteBuffer.allocate(4 + size);
        buffer.putInt(size);
        final ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        return buffer.array();
    }

    /**
     * @param topic   to produce to.
     * @param acks    0, 1 or -1.
     * @param records one batch.
     * @return a produce request (v9, by topic name) with one partition, 0.
     */
    static ProduceRequestData produce(final String topic, final short acks, final MemoryRecords records)
    {
        final ProduceRequestData request = new ProduceRequestData().setAcks(acks).setTimeoutMs(10_000);
        request.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(
            List.of(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))));
        return request;
    }

    void write(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    void send(final ApiKeys key, final short version, final int correlationId, final ApiMessage body)
        throws IOException
    {
        write(frame(key, version, correlationId, body));
    }

    /**
     * Reads one response frame.
     *
     * @param key     of the request it answers.
     * @param version of the request it answers.
     * @return the body, positioned after the header; its correlation id checked by the caller with
     * {@link #lastCorrelationId}.
     * @throws IOException if the connection ends or nothing comes.
     */
    ByteBuffer receive(final ApiKeys key, final short version) throws IOException
    {
        final int size = in.readInt();
        final byte[] bytes = new byte[size];
        in.readFully(bytes);
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        final short headerVersion = ApiKeys.API_VERSIONS == key ? 0 : key.responseHeaderVersion(version);
        lastCorrelationId = ResponseHeader.parse(buffer, headerVersion).correlationId();
        return buffer;
    }

    private int lastCorrelationId;

    int lastCorrelationId()
    {
        return lastCorrelationId;
    }

    /** @return whether the listener closed the connection (end of stream within the read timeout). */
    boolean closedByPeer() throws IOException
    {
        try
        {
            return in.read() < 0;
        }
        catch (final EOFException | java.net.SocketException ex)
        {
            return true;
        }
        catch (final SocketTimeoutException ex)
        {
            return false;
        }
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
