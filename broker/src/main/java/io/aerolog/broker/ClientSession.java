package io.aerolog.broker;

import io.aerolog.cluster.security.Principals;
import io.aeron.Publication;
import org.agrona.CloseHelper;
import org.agrona.collections.IntHashSet;
import org.agrona.collections.Long2LongHashMap;

/**
 * A connected client as the broker sees it: where to answer, where to stream partition data, and the replays that
 * stream it. Created and closed by the conductor; the produce agent only answers on it.
 */
final class ClientSession
{
    /** Credentials not checked yet (or none given). */
    static final int AUTH_NONE = 0;
    /** The password is being checked. */
    static final int AUTH_PENDING = 1;
    /** The credentials were accepted. */
    static final int AUTH_ACCEPTED = 2;
    /** The credentials were refused, or were required and missing. */
    static final int AUTH_REFUSED = 3;
    /** The password could not be checked now: too many checks waiting. */
    static final int AUTH_BUSY = 4;
    /** No credentials were given where they are required. */
    static final int AUTH_MISSING = 5;

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
    private long controlImageKey = Long.MIN_VALUE;
    private long produceImageKey = Long.MIN_VALUE;
    private String sourceIdentity;
    private int outstandingRequests;
    private long connectDeadlineMs;
    private volatile boolean closed;
    // Set before the session is handed to the produce agent (through its command queue) and never after.
    private String principal = Principals.ANONYMOUS;
    private int authState = AUTH_NONE;
    private final IntHashSet writableTopicIds = new IntHashSet();
    private int writableTopicsVersion = -1;

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

    /** @return {@code User:name}, or {@code User:ANONYMOUS} for a client that gave no credentials. */
    String principal()
    {
        return principal;
    }

    void principal(final String principal)
    {
        this.principal = principal;
    }

    /** @return one of the AUTH_ states. Conductor thread. */
    int authState()
    {
        return authState;
    }

    void authState(final int authState)
    {
        this.authState = authState;
    }

    /**
     * Topics the produce agent found this session may write, valid for one version of the ACLs. Produce agent
     * thread only.
     *
     * @param aclVersion the ACLs' version now.
     * @return the set, emptied if the ACLs changed since it was filled.
     */
    IntHashSet writableTopicIds(final int aclVersion)
    {
        if (aclVersion != writableTopicsVersion)
        {
            writableTopicIds.clear();
            writableTopicsVersion = aclVersion;
        }
        return writableTopicIds;
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
        final long correlationId,
        final int clientVersion,
        final int controlImageSessionId,
        final long controlImageKey,
        final String sourceIdentity,
        final long deadlineMs)
    {
        this.connectCorrelationId = correlationId;
        this.connectClientVersion = clientVersion;
        this.controlImageSessionId = controlImageSessionId;
        this.controlImageKey = controlImageKey;
        this.sourceIdentity = sourceIdentity;
        this.connectDeadlineMs = deadlineMs;
    }

    /** @return the ingress and Aeron session id of the control image that opened this session. */
    long controlImageKey()
    {
        return controlImageKey;
    }

    /** @return the ingress and Aeron session id of the client's produce image. */
    long produceImageKey()
    {
        return produceImageKey;
    }

    void produceImageKey(final long produceImageKey)
    {
        this.produceImageKey = produceImageKey;
    }

    /** @return controller requests of this session not yet answered (conductor only). */
    int outstandingRequests()
    {
        return outstandingRequests;
    }

    void outstandingRequests(final int outstandingRequests)
    {
        this.outstandingRequests = outstandingRequests;
    }

    /** @return where the client's control stream comes from, as Aeron names it. */
    String sourceIdentity()
    {
        return sourceIdentity;
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
