package io.aerolog.systemtest;

import io.aerolog.codecs.wire.Acks;
import io.aerolog.codecs.wire.ConnectEncoder;
import io.aerolog.codecs.wire.ConnectResponseDecoder;
import io.aerolog.codecs.wire.DisconnectEncoder;
import io.aerolog.codecs.wire.ListTopicsEncoder;
import io.aerolog.codecs.wire.TopicListDecoder;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.ErrorResponseDecoder;
import io.aerolog.codecs.wire.InitProducerIdEncoder;
import io.aerolog.codecs.wire.InitProducerIdResponseDecoder;
import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import io.aerolog.codecs.wire.ProduceRequestEncoder;
import io.aerolog.codecs.wire.ProduceResponseDecoder;
import io.aerolog.transport.Channels;
import io.aerolog.transport.RecordSetWriter;
import io.aerolog.transport.StreamIds;
import io.aerolog.transport.Wire;
import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.fail;

/**
 * A hand-made client that speaks the wire protocol frame by frame through its own Aeron publications, so a test
 * can send exactly the bytes it wants to the broker's ingress: replayed requests, truncated and malformed frames,
 * foreign schemas. It can also die without saying goodbye.
 */
final class RawClient implements AutoCloseable
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final MediaDriver driver;
    private final Aeron aeron;
    private final boolean ipc;
    private final ExclusivePublication control;
    private final ExclusivePublication produce;
    private final Subscription responses;
    private final int responseStreamId;
    private final String responseChannelForBroker;
    private final List<UnsafeBuffer> received = new ArrayList<>();
    private final FragmentAssembler assembler = new FragmentAssembler((buffer, offset, length, header) ->
    {
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
        copy.putBytes(0, buffer, offset, length);
        received.add(copy);
    });
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ExpandableArrayBuffer sendBuffer = new ExpandableArrayBuffer(4096);
    private final IdleStrategy idle = new BackoffIdleStrategy(); // gentle: the broker shares the two cores
    private long clientSessionId = -1;
    private long nextCorrelationId = 1_000;

    private RawClient(final MediaDriver driver, final Aeron aeron, final String ingress, final String clientHost)
    {
        this.driver = driver;
        this.aeron = aeron;
        this.ipc = null == clientHost;
        control = aeron.addExclusivePublication(ingress, Wire.CONTROL_STREAM_ID);
        produce = aeron.addExclusivePublication(ingress, Wire.PRODUCE_STREAM_ID);
        if (ipc)
        {
            responseStreamId = StreamIds.ipcResponseStreamId(control.sessionId());
            responseChannelForBroker = Channels.ipcIngress();
            responses = aeron.addSubscription(responseChannelForBroker, responseStreamId);
        }
        else
        {
            responseStreamId = Wire.RESPONSE_STREAM_ID;
            responses = aeron.addSubscription(Channels.udpClientReceive(clientHost), responseStreamId);
            String endpoint;
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (null == (endpoint = responses.resolvedEndpoint()))
            {
                checkDeadline(deadlineNs, "resolving the response endpoint");
                Thread.onSpinWait();
            }
            responseChannelForBroker = Channels.udpClientSend(endpoint);
        }
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (!control.isConnected() || !produce.isConnected())
        {
            checkDeadline(deadlineNs, "connecting to the broker's ingress");
            Thread.onSpinWait();
        }
    }

    /** A raw client through the broker's own media driver (IPC ingress). */
    static RawClient ipc(final String aeronDirectoryName)
    {
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDirectoryName));
        try
        {
            return new RawClient(null, aeron, Channels.ipcIngress(), null);
        }
        catch (final RuntimeException ex)
        {
            aeron.close();
            throw ex;
        }
    }

    /** A raw client with a media driver of its own, to the broker's UDP ingress. */
    static RawClient udp(final String host, final int port)
    {
        final MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(CommonContext.generateRandomDirName() + "-" + UUID.randomUUID())
            .threadingMode(ThreadingMode.SHARED)
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        Aeron aeron = null;
        try
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            return new RawClient(driver, aeron, Channels.udpIngress(host, port), host);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(aeron, driver);
            throw ex;
        }
    }

    long clientSessionId()
    {
        return clientSessionId;
    }

    long nextCorrelationId()
    {
        return nextCorrelationId++;
    }

    /**
     * Opens a session as a real client does.
     *
     * @return the session id the broker gave.
     */
    long connect()
    {
        final long correlationId = nextCorrelationId();
        final ConnectEncoder e = new ConnectEncoder().wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .clientVersion(Wire.CLIENT_VERSION)
            .responseStreamId(responseStreamId)
            .dataStreamId(StreamIds.ipcDataStreamId(control.sessionId()))
            .produceSessionId(produce.sessionId())
            .responseChannel(responseChannelForBroker)
            .dataChannel(ipc ? "aeron:ipc" : responseChannelForBroker)
            .clientName("raw-client").userName("").password("");
        sendControl(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
        final DirectBuffer answer = await(ConnectResponseDecoder.TEMPLATE_ID, correlationId);
        final ConnectResponseDecoder d = new ConnectResponseDecoder().wrapAndApplyHeader(answer, 0, headerDecoder);
        if (ErrorCode.NONE != d.code())
        {
            fail("connect refused: " + d.code() + " " + d.message());
        }
        clientSessionId = d.clientSessionId();
        return clientSessionId;
    }

    /** @return the Aeron session id of this client's control publication. */
    int controlSessionId()
    {
        return control.sessionId();
    }

    /** @return the Aeron session id of this client's produce publication. */
    int produceSessionId()
    {
        return produce.sessionId();
    }

    /** @return the response channel a real client would name. */
    String responseChannelForBroker()
    {
        return responseChannelForBroker;
    }

    /** @return the response stream a real client would name. */
    int responseStreamId()
    {
        return responseStreamId;
    }

    /**
     * Sends a {@code Connect} naming whatever the caller likes, and waits a while for an answer.
     *
     * @return the answer's code and session id, or null when the broker did not answer within {@code waitMs}.
     */
    ConnectAnswer connectNaming(
        final String responseChannel,
        final int responseStreamId,
        final String dataChannel,
        final int dataStreamId,
        final int produceSessionId,
        final long waitMs)
    {
        final long correlationId = nextCorrelationId();
        final ConnectEncoder e = new ConnectEncoder().wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .clientVersion(Wire.CLIENT_VERSION)
            .responseStreamId(responseStreamId)
            .dataStreamId(dataStreamId)
            .produceSessionId(produceSessionId)
            .responseChannel(responseChannel)
            .dataChannel(dataChannel)
            .clientName("raw-client").userName("").password("");
        sendControl(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (System.nanoTime() < deadlineNs)
        {
            for (final Iterator<UnsafeBuffer> it = received.iterator(); it.hasNext(); )
            {
                final UnsafeBuffer answer = it.next();
                if (templateOf(answer) == ConnectResponseDecoder.TEMPLATE_ID &&
                    answer.getLong(MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN) == correlationId)
                {
                    it.remove();
                    final ConnectResponseDecoder d =
                        new ConnectResponseDecoder().wrapAndApplyHeader(answer, 0, headerDecoder);
                    if (ErrorCode.NONE == d.code())
                    {
                        clientSessionId = d.clientSessionId();
                    }
                    return new ConnectAnswer(d.code(), d.clientSessionId(), d.message());
                }
            }
            if (0 == poll())
            {
                idle.idle();
            }
        }
        return null;
    }

    /** Says goodbye in the name of any session id. */
    void disconnect(final long sessionId)
    {
        final DisconnectEncoder e = new DisconnectEncoder().wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .clientSessionId(sessionId);
        sendControl(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
    }

    /**
     * Lists topics in the name of any session id.
     *
     * @return the answer's code: NONE when the broker served it, UNKNOWN_SESSION when it refused the session.
     */
    ErrorCode listTopicsAs(final long sessionId)
    {
        final long correlationId = nextCorrelationId();
        final ListTopicsEncoder e = new ListTopicsEncoder().wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .clientSessionId(sessionId);
        sendControl(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
        final DirectBuffer answer = await((b) ->
            (templateOf(b) == TopicListDecoder.TEMPLATE_ID || templateOf(b) == ErrorResponseDecoder.TEMPLATE_ID) &&
            b.getLong(MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN) == correlationId,
            "an answer to list topics " + correlationId);
        if (templateOf(answer) == ErrorResponseDecoder.TEMPLATE_ID)
        {
            return new ErrorResponseDecoder().wrapAndApplyHeader(answer, 0, headerDecoder).code();
        }
        return new TopicListDecoder().wrapAndApplyHeader(answer, 0, headerDecoder).code();
    }

    /** What the broker answered to a connect. */
    record ConnectAnswer(ErrorCode code, long clientSessionId, String message)
    {
    }

    /** @return a producer id from the controller. */
    long initProducerId()
    {
        final long correlationId = nextCorrelationId();
        final InitProducerIdEncoder e = new InitProducerIdEncoder().wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .clientSessionId(clientSessionId);
        sendControl(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength());
        final InitProducerIdResponseDecoder d = new InitProducerIdResponseDecoder()
            .wrapAndApplyHeader(await(InitProducerIdResponseDecoder.TEMPLATE_ID, correlationId), 0, headerDecoder);
        if (ErrorCode.NONE != d.code())
        {
            fail("no producer id: " + d.code());
        }
        return d.producerId();
    }

    /**
     * Encodes a produce request as the real producer does.
     *
     * @return the frame's bytes.
     */
    byte[] produceRequest(
        final long correlationId,
        final int topicId,
        final int partition,
        final long producerId,
        final int baseSequence,
        final Acks acks,
        final String... values)
    {
        final ExpandableArrayBuffer records = new ExpandableArrayBuffer(1024);
        final RecordSetWriter writer = new RecordSetWriter();
        writer.begin(records, 0);
        for (final String value : values)
        {
            final UnsafeBuffer valueBuffer = new UnsafeBuffer(Records.bytes(value));
            writer.append(1_000L, null, 0, 0, valueBuffer, 0, valueBuffer.capacity());
        }
        final int recordsLength = writer.seal();
        final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(1024);
        final ProduceRequestEncoder e = new ProduceRequestEncoder().wrapAndApplyHeader(frame, 0, headerEncoder)
            .correlationId(correlationId)
            .topicId(topicId)
            .partition(partition)
            .producerId(producerId)
            .producerEpoch((short)0)
            .baseSequence(baseSequence)
            .recordCount(values.length)
            .acks(acks)
            .putRecords(records, 0, recordsLength);
        final byte[] bytes = new byte[MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength()];
        frame.getBytes(0, bytes);
        return bytes;
    }

    void sendControl(final byte[] frame)
    {
        sendControl(new UnsafeBuffer(frame), 0, frame.length);
    }

    void sendProduce(final byte[] frame)
    {
        send(produce, new UnsafeBuffer(frame), 0, frame.length);
    }

    private void sendControl(final DirectBuffer buffer, final int offset, final int length)
    {
        send(control, buffer, offset, length);
    }

    private void send(final ExclusivePublication publication, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (publication.offer(buffer, offset, length) < 0)
        {
            checkDeadline(deadlineNs, "offering a frame");
            poll();
            Thread.onSpinWait();
        }
    }

    /** Polls answers into the received list. */
    int poll()
    {
        return responses.poll(assembler, 16);
    }

    /**
     * Waits for an answer of a type with a correlation id (every answer starts with one), removing it from those
     * received.
     */
    DirectBuffer await(final int templateId, final long correlationId)
    {
        return await((b) -> templateOf(b) == templateId &&
            b.getLong(MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN) == correlationId,
            "template " + templateId + " correlation " + correlationId);
    }

    /** Waits for an answer that matches, removing it from those received. */
    DirectBuffer await(final Predicate<DirectBuffer> match, final String what)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (true)
        {
            for (final Iterator<UnsafeBuffer> it = received.iterator(); it.hasNext(); )
            {
                final UnsafeBuffer answer = it.next();
                if (match.test(answer))
                {
                    it.remove();
                    return answer;
                }
            }
            if (0 == poll())
            {
                checkDeadline(deadlineNs, "awaiting " + what + "; received: " + received.size() + " other answers");
                idle.idle();
            }
        }
    }

    /** @return the next {@code ErrorResponse} (the broker's answer to a frame it could not read). */
    ErrorResponse awaitErrorResponse()
    {
        final DirectBuffer answer = await(
            (b) -> templateOf(b) == ErrorResponseDecoder.TEMPLATE_ID, "an error response");
        final ErrorResponseDecoder d = new ErrorResponseDecoder().wrapAndApplyHeader(answer, 0, headerDecoder);
        return new ErrorResponse(d.correlationId(), d.code(), d.message());
    }

    /** @return the answer to a produce request. */
    ProduceResponse awaitProduceResponse(final long correlationId)
    {
        final DirectBuffer answer = await(ProduceResponseDecoder.TEMPLATE_ID, correlationId);
        final ProduceResponseDecoder d = new ProduceResponseDecoder().wrapAndApplyHeader(answer, 0, headerDecoder);
        return new ProduceResponse(d.code(), d.baseOffset());
    }

    private int templateOf(final DirectBuffer buffer)
    {
        headerDecoder.wrap(buffer, 0);
        return headerDecoder.schemaId() == MessageHeaderDecoder.SCHEMA_ID ? headerDecoder.templateId() : -1;
    }

    private static void checkDeadline(final long deadlineNs, final String what)
    {
        if (System.nanoTime() > deadlineNs)
        {
            fail("timed out " + what);
        }
    }

    /** Dies without a Disconnect: the broker only notices when the session's heartbeats stop. */
    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(aeron, driver);
    }

    record ErrorResponse(long correlationId, ErrorCode code, String message)
    {
    }

    record ProduceResponse(ErrorCode code, long baseOffset)
    {
    }
}
