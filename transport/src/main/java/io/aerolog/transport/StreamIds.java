package io.aerolog.transport;

/**
 * The Aeron stream-id ranges of a node, disjoint by construction. On one media driver every IPC stream shares one
 * namespace, so a client that could name an internal or a partition stream as its response or data stream would make
 * the broker publish into it (and the archive record it as part of a partition). Ranges:
 * <ul>
 *     <li>{@code [10, 13]}: the client protocol's well-known streams ({@link Wire}): ingress, produce, and a UDP
 *     client's own response and data streams;</li>
 *     <li>{@code [100, 999]}: internal streams of the node (cluster consensus, log and service streams, the archive's
 *     local control and event streams, the broker's scan and archive-response streams);</li>
 *     <li>{@code [1000, 0x1FFFFFFF]}: partition log streams, allocated by the controller;</li>
 *     <li>{@code [0x20000000, 0x7FFFFFFF]}: streams a local (IPC) client picks for its own responses and data.</li>
 * </ul>
 */
public final class StreamIds
{
    /** First internal stream id. */
    public static final int FIRST_INTERNAL = 100;

    /** Last internal stream id. */
    public static final int LAST_INTERNAL = 999;

    /** First partition log stream id. */
    public static final int FIRST_PARTITION = 1000;

    /** Last partition log stream id. */
    public static final int LAST_PARTITION = 0x1FFF_FFFF;

    /** First stream id a local client may name for its own responses or data. */
    public static final int FIRST_CLIENT_PRIVATE = 0x2000_0000;

    /** The cluster log. */
    public static final int CLUSTER_LOG = 100;

    /** The cluster ingress (brokers to the controller cluster). */
    public static final int CLUSTER_INGRESS = 101;

    /** The cluster egress (the controller cluster's answers and events to brokers). */
    public static final int CLUSTER_EGRESS = 102;

    /** The cluster log replayed to the service. */
    public static final int CLUSTER_REPLAY = 103;

    /** The consensus module's control stream to the service. */
    public static final int CLUSTER_SERVICE = 104;

    /** The service's control stream to the consensus module. */
    public static final int CLUSTER_CONSENSUS_MODULE = 105;

    /** Snapshots of the service. */
    public static final int CLUSTER_SERVICE_SNAPSHOT = 106;

    /** Snapshots of the consensus module. */
    public static final int CLUSTER_CONSENSUS_MODULE_SNAPSHOT = 107;

    /** Consensus between the members. */
    public static final int CLUSTER_CONSENSUS = 108;

    /** The archive's local (IPC) control request stream: inside the internal range, apart from the client ingress. */
    public static final int ARCHIVE_LOCAL_CONTROL = 910;

    /**
     * The archive's network control request stream. The same as {@link #ARCHIVE_LOCAL_CONTROL}: the consensus
     * module asks another member's archive (for catch-up and snapshots) on its local archive's control stream id.
     */
    public static final int ARCHIVE_CONTROL = ARCHIVE_LOCAL_CONTROL;

    /** Archive control responses to the consensus module. */
    public static final int ARCHIVE_RESPONSE_CONSENSUS_MODULE = 911;

    /** Archive control responses to the clustered service container. */
    public static final int ARCHIVE_RESPONSE_SERVICE = 912;

    /** Control responses to an archive replicating from another archive. */
    public static final int ARCHIVE_RESPONSE_REPLICATION = 913;

    /** The archive's recording events stream. */
    public static final int ARCHIVE_RECORDING_EVENTS = 930;

    /** The broker-to-broker replica channel (followers' positions, leaders' high watermarks), on UDP port +7. */
    public static final int REPLICA_CHANNEL = 950;

    private StreamIds()
    {
    }

    /**
     * @param streamId to check.
     * @return true when it lies in the internal range.
     */
    public static boolean isInternal(final int streamId)
    {
        return streamId >= FIRST_INTERNAL && streamId <= LAST_INTERNAL;
    }

    /**
     * @param streamId to check.
     * @return true when it lies in the partition range.
     */
    public static boolean isPartition(final int streamId)
    {
        return streamId >= FIRST_PARTITION && streamId <= LAST_PARTITION;
    }

    /**
     * Whether a client may name this stream as the one the broker answers or streams data on.
     *
     * @param streamId named by the client.
     * @param ipc      true for an IPC channel (shared with the node's own streams), false for the client's own UDP
     *                 endpoint.
     * @return true when acceptable.
     */
    public static boolean isClientResponseStream(final int streamId, final boolean ipc)
    {
        if (ipc)
        {
            return streamId >= FIRST_CLIENT_PRIVATE;
        }
        return Wire.RESPONSE_STREAM_ID == streamId || Wire.DATA_STREAM_ID == streamId || streamId >= FIRST_CLIENT_PRIVATE;
    }

    /**
     * The stream a client on IPC receives its answers on: derived from the Aeron session id of its control
     * publication, which the media driver keeps unique while the publication lives, so no two clients share it.
     *
     * @param controlSessionId Aeron session id of the client's control publication.
     * @return the response stream id, in the client-private range.
     */
    public static int ipcResponseStreamId(final int controlSessionId)
    {
        return FIRST_CLIENT_PRIVATE | (controlSessionId & 0x1FFF_FFFF);
    }

    /**
     * The stream a client on IPC receives partition data on (see {@link #ipcResponseStreamId(int)}).
     *
     * @param controlSessionId Aeron session id of the client's control publication.
     * @return the data stream id, in the client-private range and apart from every response stream.
     */
    public static int ipcDataStreamId(final int controlSessionId)
    {
        return 0x4000_0000 | (controlSessionId & 0x3FFF_FFFF);
    }

    /**
     * Asserts at start that a stream id a node is about to use lies in the range its role demands.
     *
     * @param what     names the stream in the error.
     * @param streamId the stream id.
     * @throws IllegalStateException when it does not.
     */
    public static void requireInternal(final String what, final int streamId)
    {
        if (!isInternal(streamId))
        {
            throw new IllegalStateException(what + " uses stream id " + streamId + ", outside the internal range [" +
                FIRST_INTERNAL + ", " + LAST_INTERNAL + "]");
        }
    }
}
