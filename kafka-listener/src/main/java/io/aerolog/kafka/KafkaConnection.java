package io.aerolog.kafka;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * One Kafka client's TCP connection: reads length-prefixed frames (bounded in size and in how many wait), queues
 * response frames in request order, and holds the request being answered. Kafka clients match responses to
 * requests by order, so a connection has at most one request in progress, as Kafka's broker mutes a connection
 * while it handles one. Listener thread only.
 */
final class KafkaConnection
{
    /** What reading found wrong with the bytes a client sent. */
    enum ReadResult
    {
        OK, END_OF_STREAM, BAD_SIZE
    }

    private static final int MAX_WAITING_FRAMES = 16;
    // A client that does not read its answers gets no more once this much waits for it.
    private static final int MAX_QUEUED_OUTPUT_BYTES = 1024 * 1024;
    // A frame's buffer starts this small and grows with what arrives, so a size field alone reserves no memory.
    private static final int INITIAL_FRAME_BYTES = 64 * 1024;

    private final SocketChannel channel;
    private final SelectionKey key;
    private final int maxFrameBytes;
    private final String remote;
    private final ByteBuffer sizeBuffer = ByteBuffer.allocate(4);
    private final ArrayDeque<ByteBuffer> waitingFrames = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> output = new ArrayDeque<>();
    private ByteBuffer frame;
    private int frameSize;
    private long queuedOutputBytes;
    private PendingRequest inProgress;
    private FetchSession fetchSession;
    private boolean closed;
    private boolean inputEnded;
    private int badSize;

    KafkaConnection(final SocketChannel channel, final SelectionKey key, final int maxFrameBytes)
    {
        this.channel = channel;
        this.key = key;
        this.maxFrameBytes = maxFrameBytes;
        String address;
        try
        {
            address = String.valueOf(channel.getRemoteAddress());
        }
        catch (final IOException ex)
        {
            address = "?";
        }
        this.remote = address;
    }

    /**
     * Reads what the socket has into whole frames, up to the bound of waiting frames.
     *
     * @return what went wrong, if anything.
     * @throws IOException if the socket fails.
     */
    ReadResult read() throws IOException
    {
        while (waitingFrames.size() < MAX_WAITING_FRAMES)
        {
            if (null == frame)
            {
                if (channel.read(sizeBuffer) < 0)
                {
                    return ReadResult.END_OF_STREAM;
                }
                if (sizeBuffer.hasRemaining())
                {
                    return ReadResult.OK;
                }
                final int size = sizeBuffer.getInt(0);
                sizeBuffer.clear();
                if (size < 8 || size > maxFrameBytes) // api key, version and correlation id at least
                {
                    badSize = size;
                    return ReadResult.BAD_SIZE;
                }
                frameSize = size;
                frame = ByteBuffer.allocate(Math.min(size, INITIAL_FRAME_BYTES));
            }
            if (!frame.hasRemaining())
            {
                final ByteBuffer larger = ByteBuffer.allocate((int)Math.min(frameSize, 2L * frame.capacity()));
                larger.put(frame.flip());
                frame = larger;
            }
            if (channel.read(frame) < 0)
            {
                return ReadResult.END_OF_STREAM;
            }
            if (frame.position() < frameSize)
            {
                if (frame.hasRemaining())
                {
                    return ReadResult.OK;
                }
                continue; // grow and read on
            }
            frame.flip();
            waitingFrames.add(frame);
            frame = null;
        }
        updateInterest();
        return ReadResult.OK;
    }

    /**
     * The client closed its side: what it sent before is still handled (an acks=0 producer closes right after its
     * last request), then the connection closes.
     */
    void inputEnded()
    {
        inputEnded = true;
        frame = null;
        updateInterest();
    }

    /** @return whether the client closed its side and nothing it sent is left to handle or answer. */
    boolean isDrained()
    {
        return inputEnded && waitingFrames.isEmpty() && null == inProgress;
    }

    /** @return the size field of the frame that made {@link #read} answer BAD_SIZE. */
    int badSize()
    {
        return badSize;
    }

    /** @return the next whole frame to handle, or null while one is in progress or none waits. */
    ByteBuffer nextFrame()
    {
        if (null != inProgress || closed || queuedOutputBytes > MAX_QUEUED_OUTPUT_BYTES)
        {
            return null; // a client that does not read its responses gets no more answers until it does
        }
        final ByteBuffer next = waitingFrames.poll();
        if (null != next)
        {
            updateInterest();
        }
        return next;
    }

    void inProgress(final PendingRequest request)
    {
        this.inProgress = request;
    }

    PendingRequest inProgress()
    {
        return inProgress;
    }

    /**
     * Queues a response frame and tries to write it now.
     *
     * @param response the frame.
     * @throws IOException if the socket fails.
     */
    void send(final ByteBuffer response) throws IOException
    {
        output.add(response);
        queuedOutputBytes += response.remaining();
        flush();
    }

    /**
     * Writes queued responses until the socket takes no more.
     *
     * @throws IOException if the socket fails.
     */
    void flush() throws IOException
    {
        while (!output.isEmpty())
        {
            final ByteBuffer head = output.peek();
            final int written = channel.write(head);
            queuedOutputBytes -= written;
            if (head.hasRemaining())
            {
                break;
            }
            output.poll();
        }
        updateInterest();
    }

    private void updateInterest()
    {
        if (!key.isValid())
        {
            return;
        }
        int ops = 0;
        if (waitingFrames.size() < MAX_WAITING_FRAMES && !inputEnded)
        {
            ops |= SelectionKey.OP_READ;
        }
        if (!output.isEmpty())
        {
            ops |= SelectionKey.OP_WRITE;
        }
        key.interestOps(ops);
    }

    /** @return this connection's fetch state, made on its first fetch. */
    FetchSession fetchSession()
    {
        return fetchSession;
    }

    void fetchSession(final FetchSession session)
    {
        this.fetchSession = session;
    }

    boolean isClosed()
    {
        return closed;
    }

    String remote()
    {
        return remote;
    }

    void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        key.cancel();
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
        if (null != fetchSession)
        {
            fetchSession.close();
            fetchSession = null;
        }
    }
}
