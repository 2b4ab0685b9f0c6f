package io.aerolog.kafka;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The listener's duty cycle: accepts connections, reads frames, parses each with kafka-clients' classes, hands it
 * to {@link KafkaApis}, polls the answers that wait (produce acknowledgements, long-poll fetches) and writes
 * responses, all on one thread with a non-blocking selector. A frame the protocol has no error for (a bad size,
 * an unknown API or version, a body that does not parse) closes its connection, as Kafka's broker does, and is
 * counted; every other connection goes on.
 */
final class ListenerAgent implements Agent
{
    private final ServerSocketChannel server;
    private final Selector selector;
    private final KafkaListener.Config config;
    private final KafkaApis apis;
    private final NativeClients clients;
    private final ListenerCounters counters;
    private final ErrorHandler errorHandler;
    private final List<KafkaConnection> connections = new ArrayList<>();

    ListenerAgent(
        final ServerSocketChannel server,
        final KafkaListener.Config config,
        final KafkaApis apis,
        final NativeClients clients,
        final ListenerCounters counters,
        final ErrorHandler errorHandler) throws IOException
    {
        this.server = server;
        this.config = config;
        this.apis = apis;
        this.clients = clients;
        this.counters = counters;
        this.errorHandler = errorHandler;
        this.selector = Selector.open();
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
    }

    @Override
    public int doWork() throws IOException
    {
        int work = 0;
        if (selector.selectNow() > 0)
        {
            final Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext())
            {
                final SelectionKey key = keys.next();
                keys.remove();
                work++;
                if (!key.isValid())
                {
                    continue;
                }
                if (key.isAcceptable())
                {
                    accept();
                    continue;
                }
                final KafkaConnection connection = (KafkaConnection)key.attachment();
                try
                {
                    if (key.isReadable())
                    {
                        read(connection);
                    }
                    if (key.isValid() && key.isWritable())
                    {
                        connection.flush();
                    }
                }
                catch (final IOException ex)
                {
                    connection.close(); // the peer went away
                }
            }
        }
        work += clients.pollProducers();
        final long nowNs = System.nanoTime();
        work += apis.doDutyCycle(nowNs);
        for (int i = connections.size() - 1; i >= 0; i--)
        {
            final KafkaConnection connection = connections.get(i);
            if (connection.isClosed())
            {
                connections.remove(i);
                continue;
            }
            try
            {
                work += serve(connection, nowNs);
            }
            catch (final IOException ex)
            {
                connection.close();
            }
        }
        return work;
    }

    private void accept() throws IOException
    {
        SocketChannel channel;
        while (null != (channel = server.accept()))
        {
            if (connections.size() >= config.maxConnections())
            {
                ListenerCounters.increment(counters.connectionsRefused);
                channel.close();
                continue;
            }
            channel.configureBlocking(false);
            channel.socket().setTcpNoDelay(true);
            final SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            final KafkaConnection connection = new KafkaConnection(channel, key, config.maxFrameBytes());
            key.attach(connection);
            connections.add(connection);
            ListenerCounters.increment(counters.connectionsAccepted);
        }
    }

    private void read(final KafkaConnection connection) throws IOException
    {
        switch (connection.read())
        {
            case END_OF_STREAM -> connection.inputEnded();
            case BAD_SIZE -> closeForBadInput(connection, "frame size " + connection.badSize() +
                " is outside 8.." + config.maxFrameBytes());
            default ->
            {
            }
        }
    }

    // Answers what is ready and starts the next request; one request per connection at a time keeps answers in
    // request order.
    private int serve(final KafkaConnection connection, final long nowNs) throws IOException
    {
        int work = 0;
        final PendingRequest pending = connection.inProgress();
        if (null != pending)
        {
            final InFlight inFlight = (InFlight)pending;
            final ApiMessage response = inFlight.handler.poll(nowNs);
            if (null == response)
            {
                return 0;
            }
            connection.inProgress(null);
            connection.send(KafkaFrames.response(inFlight.key, inFlight.version, inFlight.correlationId, response));
            work++;
        }
        ByteBuffer frame;
        while (null != (frame = connection.nextFrame()))
        {
            work++;
            handle(connection, frame);
        }
        if (connection.isDrained())
        {
            connection.close(); // its answers may not reach it: it closed its side
        }
        return work;
    }

    private void handle(final KafkaConnection connection, final ByteBuffer frame) throws IOException
    {
        final short apiId = frame.getShort(0);
        final short version = frame.getShort(2);
        final int correlationId = frame.getInt(4);
        if (!ApiKeys.hasId(apiId))
        {
            closeForBadInput(connection, "unknown API key " + apiId);
            return;
        }
        final ApiKeys key = ApiKeys.forId(apiId);
        if (ApiKeys.API_VERSIONS == key && version > key.latestVersion())
        {
            // Kafka's rule: a client newer than the broker learns the broker's versions from a v0 answer.
            ListenerCounters.increment(counters.requests);
            connection.send(KafkaFrames.response(key, (short)0, correlationId,
                KafkaApis.apiVersions(Errors.UNSUPPORTED_VERSION)));
            return;
        }
        if (!KafkaApis.accepts(key, version))
        {
            closeForBadInput(connection, key + " version " + version + " is not served");
            return;
        }
        final ApiMessage request;
        final RequestHeader header;
        try
        {
            header = RequestHeader.parse(frame);
            request = AbstractRequest.parseRequest(key, version, new ByteBufferAccessor(frame)).request.data();
        }
        catch (final RuntimeException ex)
        {
            closeForBadInput(connection, key + " v" + version + " does not parse: " + ex.getMessage());
            return;
        }
        ListenerCounters.increment(counters.requests);
        final Object outcome;
        try
        {
            outcome = apis.handle(connection, header.clientId(), key, version, request);
        }
        catch (final RuntimeException ex)
        {
            // A fault of ours or of the native clients, not of the client: logged, and the connection closed so
            // the client retries on a new one rather than waiting for an answer that will not come.
            errorHandler.onError(ex);
            connection.close();
            return;
        }
        if (outcome instanceof ApiMessage response)
        {
            connection.send(KafkaFrames.response(key, version, correlationId, response));
        }
        else if (outcome instanceof PendingRequest handler)
        {
            connection.inProgress(new InFlight(key, version, correlationId, handler));
        }
    }

    private void closeForBadInput(final KafkaConnection connection, final String reason)
    {
        ListenerCounters.increment(counters.connectionsClosedForBadInput);
        if (config.logBadInput())
        {
            errorHandler.onError(new IllegalArgumentException("Kafka listener closed " + connection.remote() +
                ": " + reason));
        }
        connection.close();
    }

    /** A request whose answer waits, with what its response frame needs. */
    private record InFlight(ApiKeys key, short version, int correlationId, PendingRequest handler)
        implements PendingRequest
    {
        @Override
        public ApiMessage poll(final long nowNs)
        {
            return handler.poll(nowNs);
        }
    }

    /** @return the port the listener is bound to. */
    int port()
    {
        return ((InetSocketAddress)server.socket().getLocalSocketAddress()).getPort();
    }

    @Override
    public void onClose()
    {
        apis.close();
        for (final KafkaConnection connection : connections)
        {
            connection.close();
        }
        connections.clear();
        try
        {
            selector.close();
            server.close();
        }
        catch (final IOException ex)
        {
            errorHandler.onError(ex);
        }
    }

    @Override
    public String roleName()
    {
        return "aerolog-kafka-listener";
    }
}
