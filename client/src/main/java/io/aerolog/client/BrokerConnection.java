package io.aerolog.client;

import io.aerolog.codecs.wire.ConnectEncoder;
import io.aerolog.codecs.wire.ConnectResponseDecoder;
import io.aerolog.codecs.wire.DisconnectEncoder;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.codecs.wire.ErrorResponseDecoder;
import io.aerolog.codecs.wire.HeartbeatEncoder;
import io.aerolog.codecs.wire.MessageHeaderDecoder;
import io.aerolog.codecs.wire.MessageHeaderEncoder;
import io.aerolog.transport.Channels;
import io.aerolog.transport.StreamIds;
import io.aerolog.transport.Offers;
import io.aerolog.transport.Wire;
import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.exceptions.AeronException;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One client session with a broker: the publications to its control and produce ingress, the subscriptions for
 * answers and partition data, the handshake and heartbeats. Used by one thread; owned by a Producer, Consumer or
 * Admin.
 */
final class BrokerConnection implements AutoCloseable
{
    private static final long HEARTBEAT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int FRAGMENT_LIMIT = 64;
    private static final int CLIENT_DRIVER_COUNTERS_LENGTH = 1024 * 1024; // Aeron's minimum

    private final ClientContext ctx;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private final ExpandableArrayBuffer responseCopy = new ExpandableArrayBuffer(4096);
    private final IdleStrategy idleStrategy;
    private final FragmentAssembler responseAssembler = new FragmentAssembler(this::onResponse);

    private MediaDriver driver;
    private Aeron aeron;
    private ExclusivePublication controlPublication;
    private ExclusivePublication producePublication;
    private Subscription responseSubscription;
    private Subscription dataSubscription;
    private long clientSessionId;
    private long sessionTimeoutNs;
    private long heartbeatIntervalNs = HEARTBEAT_INTERVAL_NS;
    private long lastSentNs;
    private int maxBatchBytes;
    private int brokerId;
    // Shared by every connection of one client, so an answer's correlation id names one request among all brokers.
    private final long[] nextCorrelationId;
    private final String target;
    private long lastHeartbeatNs;
    private volatile Throwable asyncError;
    private boolean closed;

    private FragmentHandler delegate;
    private long awaitedCorrelationId = Long.MIN_VALUE;
    private int awaitedLength = -1;

    private static final FragmentHandler NO_OP = (buffer, offset, length, header) -> {};
    private final Aeron sharedAeron;
    private FragmentHandler unsolicited;

    private BrokerConnection(
        final ClientContext ctx, final Aeron sharedAeron, final String target, final long[] nextCorrelationId)
    {
        this.ctx = ctx;
        this.target = target;
        this.nextCorrelationId = nextCorrelationId;
        this.idleStrategy = ctx.newIdleStrategy();
        this.sharedAeron = sharedAeron;
    }

    /**
     * Connects to the broker the context names and opens a session.
     *
     * @param ctx how to reach the broker.
     * @return the open connection.
     * @throws AerologException with {@link ErrorCode#BROKER_NOT_AVAILABLE} when no broker answers.
     */
    static BrokerConnection connect(final ClientContext ctx)
    {
        final List<String> bootstrap = ctx.bootstrapAddresses();
        if (bootstrap.isEmpty())
        {
            return connect(ctx, null, null, new long[]{1});
        }
        // Any live broker of the list will do: the others are found through it.
        AerologException last = null;
        for (final String address : bootstrap)
        {
            try
            {
                return connect(ctx, null, address, new long[]{1});
            }
            catch (final AerologException ex)
            {
                last = ex;
            }
        }
        throw last;
    }

    /**
     * Opens a session with another broker over this connection's Aeron client (and media driver): UDP to the
     * broker's client ingress even when this connection is IPC to the local broker. Must be closed before this one.
     *
     * @param hostPort the other broker's client ingress, {@code host:port}.
     * @return the open connection.
     */
    BrokerConnection connectTo(final String hostPort)
    {
        return connect(ctx, aeron, hostPort, nextCorrelationId);
    }

    /** @return {@code host:port} this connection talks UDP to, or null for IPC to the local broker. */
    String target()
    {
        return target;
    }

    /**
     * Where answers that arrive while {@link #request} waits for another go when its caller gives no handler: the
     * owner's usual handler, so that e.g. a fetch's answer is not lost while a commit waits.
     *
     * @param handler for other answers; null drops them.
     */
    void unsolicitedHandler(final FragmentHandler handler)
    {
        this.unsolicited = handler;
    }

    /**
     * Opens a second session with the same broker over another connection's Aeron client (and media driver), e.g.
     * for a consumer's group heartbeats, which must go on while its owner's thread is busy. It must be closed
     * before the other connection.
     *
     * @param other whose Aeron client to share; it stays owned by {@code other}.
     * @return the open connection.
     */
    static BrokerConnection connectSharing(final BrokerConnection other)
    {
        return connect(other.ctx, other.aeron, other.target, other.nextCorrelationId);
    }

    private static BrokerConnection connect(
        final ClientContext ctx, final Aeron sharedAeron, final String target, final long[] nextCorrelationId)
    {
        final BrokerConnection connection = new BrokerConnection(ctx, sharedAeron, target, nextCorrelationId);
        try
        {
            connection.open();
            return connection;
        }
        catch (final RuntimeException ex)
        {
            connection.close();
            throw ex;
        }
    }

    private void open()
    {
        final String ingressChannel;
        final String responseChannelForBroker;
        final String dataChannelForBroker;
        final int responseStreamId;
        final int dataStreamId;
        final Aeron.Context aeronCtx = new Aeron.Context().errorHandler(this::onAsyncError)
            .subscriberErrorHandler(this::onAsyncError);

        if (null != sharedAeron)
        {
            aeron = sharedAeron;
            ingressChannel = null == target ? Channels.ipcIngress() : udpIngress(target);
        }
        else if (null == target)
        {
            // Aeron's own liveness bound: a driver sharing its thread with the archive can miss a few heartbeats
            // while a disk is busy, and is still alive; a missing or long-stale CnC file fails at once.
            if (!CommonContext.isDriverActive(new File(ctx.aeronDirectoryName()), aeronCtx.driverTimeoutMs(), (s) -> {}))
            {
                throw new AerologException(ErrorCode.BROKER_NOT_AVAILABLE,
                    "no broker is running on this host (no live media driver in " + ctx.aeronDirectoryName() +
                    "); start one with `aerolog broker` or pass --bootstrap host:port");
            }
            aeron = Aeron.connect(aeronCtx.aeronDirectoryName(ctx.aeronDirectoryName()));
            ingressChannel = Channels.ipcIngress();
        }
        else
        {
            final String ingress = udpIngress(target);
            driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .aeronDirectoryName(CommonContext.generateRandomDirName() + "-" + UUID.randomUUID())
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(ctx.driverIdleStrategySupplier().get())
                .termBufferSparseFile(true)
                .counterValuesBufferLength(CLIENT_DRIVER_COUNTERS_LENGTH) // a client needs few; the default is 8 MiB
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            aeron = Aeron.connect(aeronCtx.aeronDirectoryName(driver.aeronDirectoryName()));
            ingressChannel = ingress;
        }

        controlPublication = aeron.addExclusivePublication(ingressChannel, Wire.CONTROL_STREAM_ID);
        producePublication = aeron.addExclusivePublication(ingressChannel, Wire.PRODUCE_STREAM_ID);

        if (null == target)
        {
            // Streams unique to this client within the shared driver, so no client ever sees another's data.
            final int sessionId = controlPublication.sessionId();
            responseStreamId = StreamIds.ipcResponseStreamId(sessionId);
            dataStreamId = StreamIds.ipcDataStreamId(sessionId);
            responseChannelForBroker = Channels.ipcIngress();
            dataChannelForBroker = "aeron:ipc";
            responseSubscription = aeron.addSubscription(responseChannelForBroker, responseStreamId);
            dataSubscription = aeron.addSubscription(dataChannelForBroker, dataStreamId);
        }
        else
        {
            responseStreamId = Wire.RESPONSE_STREAM_ID;
            dataStreamId = Wire.DATA_STREAM_ID;
            responseSubscription = aeron.addSubscription(
                Channels.udpClientReceive(ctx.clientHost()), responseStreamId);
            dataSubscription = aeron.addSubscription(Channels.udpClientReceive(ctx.clientHost()), dataStreamId);
            responseChannelForBroker = Channels.udpClientSend(awaitResolved(responseSubscription));
            dataChannelForBroker = "aeron:udp?endpoint=" + awaitResolved(dataSubscription);
        }

        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.connectTimeoutMs());
        while (!controlPublication.isConnected() || !producePublication.isConnected())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new AerologException(ErrorCode.BROKER_NOT_AVAILABLE, "no broker answered on " +
                    (null == target ? "IPC in " + ctx.aeronDirectoryName() : target) +
                    " within " + ctx.connectTimeoutMs() + " ms");
            }
            checkAsyncError();
            idleStrategy.idle();
        }

        this.responseStreamId = responseStreamId;
        this.dataStreamId = dataStreamId;
        this.responseChannelForBroker = responseChannelForBroker;
        this.dataChannelForBroker = dataChannelForBroker;
        handshake(null);
    }

    private static String udpIngress(final String hostPort)
    {
        final int colon = hostPort.lastIndexOf(':');
        return Channels.udpIngress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private String responseChannelForBroker;
    private String dataChannelForBroker;
    private int responseStreamId;
    private int dataStreamId;

    /**
     * Opens a fresh session over the same channels, for a broker that restarted and drops the old session's
     * requests unanswered.
     *
     * @param timeoutMs most to wait for the broker's answer.
     * @throws AerologException if the broker does not take it in time.
     */
    void renewSession(final long timeoutMs)
    {
        handshake(null, timeoutMs);
    }

    // Opens (or re-opens) the session with the broker over the already connected streams.
    private void handshake(final FragmentHandler others)
    {
        handshake(others, ctx.connectTimeoutMs());
    }

    private void handshake(final FragmentHandler others, final long timeoutMs)
    {
        final long correlationId = nextCorrelationId();
        final ConnectEncoder encoder = new ConnectEncoder().wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .clientVersion(Wire.CLIENT_VERSION)
            .responseStreamId(responseStreamId)
            .dataStreamId(dataStreamId)
            .produceSessionId(producePublication.sessionId())
            .responseChannel(responseChannelForBroker)
            .dataChannel(dataChannelForBroker)
            .clientName(ctx.clientName())
            .userName(ctx.userName())
            .password(ctx.password());
        final DirectBuffer response = request(
            MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength(), correlationId, timeoutMs, others);
        final ConnectResponseDecoder decoder = new ConnectResponseDecoder();
        decoder.wrapAndApplyHeader(response, 0, headerDecoder);
        if (ErrorCode.NONE != decoder.code())
        {
            throw new AerologException(decoder.code(), decoder.message());
        }
        clientSessionId = decoder.clientSessionId();
        maxBatchBytes = decoder.maxBatchBytes();
        brokerId = decoder.brokerId();
        sessionTimeoutNs = TimeUnit.MILLISECONDS.toNanos(decoder.sessionTimeoutMs());
        // Several heartbeats per session timeout, so a polling client never looks idle to the broker.
        heartbeatIntervalNs = Math.min(HEARTBEAT_INTERVAL_NS, sessionTimeoutNs / 4);
        lastHeartbeatNs = System.nanoTime();
        lastSentNs = lastHeartbeatNs;
    }

    private String awaitResolved(final Subscription subscription)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.connectTimeoutMs());
        String endpoint;
        while (null == (endpoint = subscription.resolvedEndpoint()))
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new AerologException(ErrorCode.BROKER_NOT_AVAILABLE, "could not bind a local UDP endpoint");
            }
            idleStrategy.idle();
        }
        return endpoint;
    }

    private void onAsyncError(final Throwable throwable)
    {
        if (null == asyncError)
        {
            asyncError = throwable;
        }
    }

    private void checkAsyncError()
    {
        final Throwable error = asyncError;
        if (null != error && (!(error instanceof AeronException) || ((AeronException)error).category() ==
            AeronException.Category.FATAL || aeron.isClosed()))
        {
            throw new AerologException(ErrorCode.BROKER_NOT_AVAILABLE, "connection to broker lost: " + error);
        }
    }

    /** @return a new correlation id for a request. */
    long nextCorrelationId()
    {
        return nextCorrelationId[0]++;
    }

    /** @return the broker's id of this session. */
    long clientSessionId()
    {
        return clientSessionId;
    }

    /** @return the largest record batch the broker accepts, in bytes. */
    int maxBatchBytes()
    {
        return maxBatchBytes;
    }

    /** @return the broker's id. */
    int brokerId()
    {
        return brokerId;
    }

    /** @return context this connection was made with. */
    ClientContext context()
    {
        return ctx;
    }

    /** @return a buffer to encode requests into before {@link #offerControl} or {@link #request}. */
    MutableDirectBuffer sendBuffer()
    {
        return sendBuffer;
    }

    /** @return header encoder to reuse. */
    MessageHeaderEncoder headerEncoder()
    {
        return headerEncoder;
    }

    /** @return the subscription partition data arrives on. */
    Subscription dataSubscription()
    {
        return dataSubscription;
    }

    /**
     * Offers a control request from {@link #sendBuffer()}.
     *
     * @param length of the request.
     * @return true if sent, false if back-pressured (retry).
     */
    boolean offerControl(final int length)
    {
        final long result = controlPublication.offer(sendBuffer, 0, length);
        if (result > 0)
        {
            lastSentNs = System.nanoTime();
            return true;
        }
        if (Offers.isTransient(result))
        {
            return false;
        }
        checkAsyncError();
        throw new AerologException(ErrorCode.BROKER_NOT_AVAILABLE, "broker not reachable: " + Offers.describe(result));
    }

    /**
     * Offers a produce request made of a header part and a record set.
     *
     * @param header       buffer holding the request up to the records' length field.
     * @param headerLength of that part.
     * @param records      buffer holding the record set.
     * @param offset       of the record set.
     * @param length       of the record set.
     * @return true if sent, false if back-pressured (retry).
     */
    boolean offerProduce(
        final DirectBuffer header, final int headerLength, final DirectBuffer records, final int offset, final int length)
    {
        final long result = producePublication.offer(header, 0, headerLength, records, offset, length);
        if (result > 0)
        {
            return true;
        }
        if (Offers.isTransient(result))
        {
            return false;
        }
        checkAsyncError();
        throw new AerologException(ErrorCode.BROKER_NOT_AVAILABLE, "broker not reachable: " + Offers.describe(result));
    }

    /**
     * Polls answers from the broker and keeps the session alive.
     *
     * @param handler receives each answer (assembled).
     * @return work done.
     */
    int poll(final FragmentHandler handler)
    {
        if (closed)
        {
            throw new AerologException(ErrorCode.BROKER_NOT_AVAILABLE, "connection is closed");
        }
        checkAsyncError();
        final long nowNs = System.nanoTime();
        int work = 0;
        if (nowNs - lastSentNs > sessionTimeoutNs - sessionTimeoutNs / 4 && awaitedCorrelationId == Long.MIN_VALUE)
        {
            // Idle for most of the broker's session timeout: the session may be gone, so open a fresh one.
            handshake(handler);
            work++;
        }
        if (nowNs - lastHeartbeatNs > heartbeatIntervalNs)
        {
            lastHeartbeatNs = nowNs;
            heartbeatEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).clientSessionId(clientSessionId);
            if (controlPublication.offer(
                sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + HeartbeatEncoder.BLOCK_LENGTH) > 0)
            {
                lastSentNs = nowNs;
            }
            work++;
        }
        delegate = handler;
        work += responseSubscription.poll(responseAssembler, FRAGMENT_LIMIT);
        return work;
    }

    /**
     * Sends a request from {@link #sendBuffer()} and waits for its answer, passing other answers to a handler.
     *
     * @param length        of the request.
     * @param correlationId the answer will carry.
     * @param timeoutMs     how long to wait.
     * @param others        receives other answers that arrive meanwhile; may be null.
     * @return a buffer holding the answer from index 0 (valid until the next request).
     */
    DirectBuffer request(final int length, final long correlationId, final long timeoutMs, final FragmentHandler others)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        idleStrategy.reset();
        while (!offerControl(length))
        {
            checkDeadline(deadlineNs, correlationId);
            idleStrategy.idle();
        }
        awaitedCorrelationId = correlationId;
        awaitedLength = -1;
        try
        {
            idleStrategy.reset();
            while (awaitedLength < 0)
            {
                final int work = poll(null != others ? others : null != unsolicited ? unsolicited : NO_OP);
                if (awaitedLength < 0)
                {
                    checkDeadline(deadlineNs, correlationId);
                    idleStrategy.idle(work);
                }
            }
            return responseCopy;
        }
        finally
        {
            awaitedCorrelationId = Long.MIN_VALUE;
        }
    }

    private void checkDeadline(final long deadlineNs, final long correlationId)
    {
        if (System.nanoTime() > deadlineNs)
        {
            checkAsyncError();
            if (!controlPublication.isConnected())
            {
                throw new AerologException(ErrorCode.BROKER_NOT_AVAILABLE, "broker is not reachable");
            }
            throw new AerologException(ErrorCode.REQUEST_TIMED_OUT,
                "no answer to request " + correlationId + " within " + ctx.requestTimeoutMs() + " ms");
        }
    }

    private void onResponse(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH + 8)
        {
            return;
        }
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            return;
        }
        // Every answer starts with its correlation id.
        final long correlationId = buffer.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH, ByteOrder.LITTLE_ENDIAN);
        if (correlationId == awaitedCorrelationId ||
            (headerDecoder.templateId() == ErrorResponseDecoder.TEMPLATE_ID && awaitedCorrelationId != Long.MIN_VALUE &&
            correlationId == -1))
        {
            responseCopy.putBytes(0, buffer, offset, length);
            awaitedLength = length;
            return;
        }
        if (null != delegate)
        {
            delegate.onFragment(buffer, offset, length, header);
        }
    }

    /**
     * Throws the error an {@code ErrorResponse} carries, if the answer is one.
     *
     * @param response answer to check.
     */
    void throwIfErrorResponse(final DirectBuffer response)
    {
        headerDecoder.wrap(response, 0);
        if (headerDecoder.templateId() == ErrorResponseDecoder.TEMPLATE_ID)
        {
            final ErrorResponseDecoder decoder = new ErrorResponseDecoder().wrapAndApplyHeader(response, 0, headerDecoder);
            throw new AerologException(decoder.code(), decoder.message());
        }
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (null != controlPublication && controlPublication.isConnected() && clientSessionId != 0)
        {
            final DisconnectEncoder encoder = new DisconnectEncoder().wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .clientSessionId(clientSessionId);
            controlPublication.offer(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        }
        if (null != sharedAeron)
        {
            CloseHelper.quietCloseAll(controlPublication, producePublication, responseSubscription, dataSubscription);
        }
        else
        {
            CloseHelper.quietCloseAll(aeron, driver);
        }
    }
}
