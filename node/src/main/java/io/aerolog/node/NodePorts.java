package io.aerolog.node;

/**
 * The port scheme of a node: every port it opens is an offset from one port base, all on the node's internal host.
 * Archive control +1, +2 reserved (archive replication receives on ephemeral ports), cluster ingress +3, consensus +4, log +5, catch-up +6, replica
 * channel +7 (brokers' positions and high watermarks to each other). Clients use
 * only the base port itself (the broker's control and produce channel); a firewall closes the others to everyone
 * but the cluster's own nodes.
 */
public final class NodePorts
{
    /**
     * Offset from the port base of the archive control channel, also the member's archive endpoint.
     */
    public static final int ARCHIVE_CONTROL_PORT_OFFSET = 1;

    /**
     * Offset from the port base once used by the archive replication channel, kept free: replication now receives on
     * an ephemeral port per copy.
     */
    public static final int ARCHIVE_REPLICATION_PORT_OFFSET = 2;

    /**
     * Offset from the port base of the cluster ingress endpoint brokers connect to.
     */
    public static final int INGRESS_PORT_OFFSET = 3;

    /**
     * Offset from the port base of the consensus endpoint.
     */
    public static final int CONSENSUS_PORT_OFFSET = 4;

    /**
     * Offset from the port base of the log endpoint.
     */
    public static final int LOG_PORT_OFFSET = 5;

    /**
     * Offset from the port base of the catch-up endpoint.
     */
    public static final int CATCHUP_PORT_OFFSET = 6;

    /**
     * Offset from the port base of the replica channel: followers report their positions to leaders on it, leaders
     * send each follower the high watermark.
     */
    public static final int REPLICA_PORT_OFFSET = 7;

    /**
     * Cluster member entry for {@link ConsensusModule.Context#clusterMembers(String)} with this class's port scheme:
     * {@code id,host:ingress,host:consensus,host:log,host:catchup,host:archiveControl}. Join entries with '|'.
     *
     * @param memberId of the member.
     * @param host     of the member.
     * @param portBase of the member.
     * @return the member entry.
     */
    public static String clusterMember(final int memberId, final String host, final int portBase)
    {
        return memberId +
            "," + endpoint(host, portBase, INGRESS_PORT_OFFSET) +
            "," + endpoint(host, portBase, CONSENSUS_PORT_OFFSET) +
            "," + endpoint(host, portBase, LOG_PORT_OFFSET) +
            "," + endpoint(host, portBase, CATCHUP_PORT_OFFSET) +
            "," + endpoint(host, portBase, ARCHIVE_CONTROL_PORT_OFFSET);
    }

    /**
     * Endpoint {@code host:port} at an offset from a port base.
     *
     * @param host     name or address.
     * @param portBase base port.
     * @param offset   one of the {@code *_PORT_OFFSET} constants.
     * @return {@code host:(portBase + offset)}.
     */
    public static String endpoint(final String host, final int portBase, final int offset)
    {
        return host + ":" + (portBase + offset);
    }

    /**
     * Control channel of a node's archive, e.g. for a follower replicating a partition from its leader.
     *
     * @param host     of the node, as it registered.
     * @param portBase of the node.
     * @return {@code aeron:udp?endpoint=host:(portBase + ARCHIVE_CONTROL_PORT_OFFSET)}.
     */
    public static String archiveControlChannel(final String host, final int portBase)
    {
        return "aeron:udp?endpoint=" + endpoint(host, portBase, ARCHIVE_CONTROL_PORT_OFFSET);
    }

    /**
     * Ports a node uses, from its base up.
     */
    public static final int PORTS_PER_NODE = REPLICA_PORT_OFFSET + 1;

    private NodePorts()
    {
    }
}
