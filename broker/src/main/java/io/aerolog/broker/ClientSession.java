package io.aerolog.broker;

import io.aeron.Publication;
import org.agrona.CloseHelper;
import org.agrona.collections.Long2LongHashMap;

/**
 * A connected client as the broker sees it: where to answer, where to stream partition data, and the replays that
 * stream it. Created and closed by the conductor; the produce agent only answers on it.
 */
final class ClientSession
{
    private final long id;
    private final String name;
    private final Publication responsePublication;
    private final String dataChannel;
    private final int dataStreamId;
    private final int produceSessionId;
    private final Long2LongHashMap replayByPartition = new Long2LongHashMap(-1);
    private long lastSeenMs;
    private long connectCorrelationId;
    private int connectClientVersion;
    private int controlImageSessionId;
    private long connectDeadlineMs;
    private volatile boolean closed;

    ClientSession(
        final long id,
        final String name,
        final Publication responsePublication,
        final String dataChannel,
        final int dataStreamId,
        final int produceSessionId,
        final long nowMs)
    {
        this.id = id;
        this.name = name;
        this.responsePublication = responsePublication;
        this.dataChannel = dataChannel;
        this.dataStreamId = dataStreamId;
        this.produceSessionId = produceSessionId;
        this.lastSeenMs = nowMs;
    }

    long id()
    {
        return id;
    }

    String name()
    {
        return name;
    }

    Publication responsePublication()
    {
        return responsePublication;
    }

    String dataChannel()
    {
        return dataChannel;
    }

    int dataStreamId()
    {
        return dataStreamId;
    }

    int produceSessionId()
    {
        return produceSessionId;
    }

    /** @return replay session id per partition key (conductor only). */
    Long2LongHashMap replayByPartition()
    {
        return replayByPartition;
    }

    void pendingConnect(
        final long correlationId, final int clientVersion, final int controlImageSessionId, final long deadlineMs)
    {
        this.connectCorrelationId = correlationId;
        this.connectClientVersion = clientVersion;
        this.controlImageSessionId = controlImageSessionId;
        this.connectDeadlineMs = deadlineMs;
    }

    long connectCorrelationId()
    {
        return connectCorrelationId;
    }

    int connectClientVersion()
    {
        return connectClientVersion;
    }

    int controlImageSessionId()
    {
        return controlImageSessionId;
    }

    long connectDeadlineMs()
    {
        return connectDeadlineMs;
    }

    void seen(final long nowMs)
    {
        lastSeenMs = nowMs;
    }

    long lastSeenMs()
    {
        return lastSeenMs;
    }

    boolean isClosed()
    {
        return closed;
    }

    void close()
    {
        closed = true;
        CloseHelper.quietClose(responsePublication);
    }

    @Override
    public String toString()
    {
        return "session " + id + " (" + name + ")";
    }
}
