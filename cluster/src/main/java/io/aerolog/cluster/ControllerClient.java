package io.aerolog.cluster;

import io.aerolog.codecs.cluster.AllocateProducerIdCommandEncoder;
import io.aerolog.codecs.cluster.AlterPartitionCommandEncoder;
import io.aerolog.codecs.cluster.ElectLeadersCommandEncoder;
import io.aerolog.codecs.cluster.LeaderEpochStartCommandEncoder;
import io.aerolog.codecs.cluster.BrokerHeartbeatCommandEncoder;
import io.aerolog.codecs.cluster.ControlledShutdownCommandEncoder;
import io.aerolog.codecs.cluster.RegisterBrokerCommandEncoder;
import io.aerolog.cluster.registry.BrokerRegistry;
import io.aerolog.codecs.cluster.CreateTopicCommandEncoder;
import io.aerolog.codecs.cluster.DeleteTopicCommandEncoder;
import io.aerolog.codecs.cluster.GroupRequestCommandEncoder;
import io.aerolog.codecs.cluster.MessageHeaderEncoder;
import io.aerolog.codecs.cluster.MetadataRequestEncoder;
import io.aerolog.codecs.cluster.AddAclCommandEncoder;
import io.aerolog.codecs.cluster.DeleteUserCommandEncoder;
import io.aerolog.codecs.cluster.RemoveAclCommandEncoder;
import io.aerolog.codecs.cluster.UpsertUserCommandEncoder;
import io.aerolog.cluster.security.AclBinding;
import io.aerolog.cluster.security.UserCredential;
import io.aerolog.codecs.cluster.UpdateLogStartOffsetCommandEncoder;
import io.aerolog.node.NodeSecret;
import io.aerolog.node.SecretCredentialsSupplier;
import io.aerolog.transport.StreamIds;
import io.aeron.Aeron;
import io.aeron.cluster.client.AeronCluster;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.concurrent.TimeUnit;

/**
 * A broker's connection to the controller cluster: sends commands on ingress and dispatches answers and topic
 * events from egress to a {@link ControllerListener}.
 * <p>
 * Command methods never block: they return false when back pressured or not connected, and the caller retries on
 * a later duty cycle. Answers are matched by the caller's correlation id. {@link #poll()} must be called in the
 * duty cycle: it polls egress, follows leader changes and sends a keep-alive every
 * {@link #KEEP_ALIVE_INTERVAL_NS}. Once {@link #isClosed()} the cluster was lost for longer than the
 * {@link AeronCluster.Context#messageTimeoutNs()}; close this and connect a new client.
 * <p>
 * Commands in flight across a leader change may be lost or applied twice: re-request metadata on
 * {@link ControllerListener#onNewLeader(long, int)} and treat {@code TOPIC_ALREADY_EXISTS} after a retried create
 * accordingly.
 * <p>
 * <b>Not thread-safe:</b> one thread uses a client, as with {@link AeronCluster}.
 */
public final class ControllerClient implements AutoCloseable
{
    /**
     * Interval between keep-alives sent by {@link #poll()}, well inside the cluster session timeout.
     */
    public static final long KEEP_ALIVE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    /**
     * Longest message the cluster log carries with the default log channel (term length 512 KiB / 8), including the
     * 32-byte session header the consensus module puts before each ingress message. A longer one is dropped by the
     * consensus module without an answer.
     */
    public static final int MAX_LOG_MESSAGE_LENGTH = 64 * 1024;

    /**
     * Longest client group request {@link #forwardGroupRequest} takes: what fits into
     * {@link #MAX_LOG_MESSAGE_LENGTH} with the session header and the command's own header, block and length.
     */
    public static final int MAX_GROUP_REQUEST_LENGTH = MAX_LOG_MESSAGE_LENGTH - 32 -
        MessageHeaderEncoder.ENCODED_LENGTH - GroupRequestCommandEncoder.BLOCK_LENGTH -
        GroupRequestCommandEncoder.requestHeaderLength();

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final CreateTopicCommandEncoder createTopicEncoder = new CreateTopicCommandEncoder();
    private final AlterPartitionCommandEncoder alterPartitionEncoder = new AlterPartitionCommandEncoder();
    private final ElectLeadersCommandEncoder electLeadersEncoder = new ElectLeadersCommandEncoder();
    private final LeaderEpochStartCommandEncoder leaderEpochStartEncoder = new LeaderEpochStartCommandEncoder();
    private final DeleteTopicCommandEncoder deleteTopicEncoder = new DeleteTopicCommandEncoder();
    private final AllocateProducerIdCommandEncoder allocateProducerIdEncoder = new AllocateProducerIdCommandEncoder();
    private final UpdateLogStartOffsetCommandEncoder updateLogStartOffsetEncoder =
        new UpdateLogStartOffsetCommandEncoder();
    private final MetadataRequestEncoder metadataRequestEncoder = new MetadataRequestEncoder();
    private final GroupRequestCommandEncoder groupRequestEncoder = new GroupRequestCommandEncoder();
    private final UpsertUserCommandEncoder upsertUserEncoder = new UpsertUserCommandEncoder();
    private final DeleteUserCommandEncoder deleteUserEncoder = new DeleteUserCommandEncoder();
    private final AddAclCommandEncoder addAclEncoder = new AddAclCommandEncoder();
    private final RemoveAclCommandEncoder removeAclEncoder = new RemoveAclCommandEncoder();
    private final RegisterBrokerCommandEncoder registerBrokerEncoder = new RegisterBrokerCommandEncoder();
    private final BrokerHeartbeatCommandEncoder brokerHeartbeatEncoder = new BrokerHeartbeatCommandEncoder();
    private final ControlledShutdownCommandEncoder controlledShutdownEncoder = new ControlledShutdownCommandEncoder();
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(512);
    private final NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private final ControllerEgressDispatcher dispatcher;
    private final AeronCluster aeronCluster;
    private long lastKeepAliveNs;

    private ControllerClient(final AeronCluster aeronCluster, final ControllerEgressDispatcher dispatcher)
    {
        this.aeronCluster = aeronCluster;
        this.dispatcher = dispatcher;
        lastKeepAliveNs = nanoClock.nanoTime();
    }

    /**
     * Connect with a context prepared by the caller (ingress channel and endpoints, egress channel, Aeron client,
     * timeouts). Its egress listener is replaced by this client's. Blocks until connected or
     * {@link AeronCluster.Context#messageTimeoutNs()} passes.
     *
     * @param ctx      for the {@link AeronCluster}, not yet concluded.
     * @param listener for answers and events.
     * @return a connected client.
     * @throws io.aeron.exceptions.TimeoutException if the cluster does not answer in time.
     */
    public static ControllerClient connect(final AeronCluster.Context ctx, final ControllerListener listener)
    {
        final ControllerEgressDispatcher dispatcher = new ControllerEgressDispatcher(listener);
        ctx.egressListener(dispatcher);

        return new ControllerClient(AeronCluster.connect(ctx), dispatcher);
    }

    /**
     * Connect over UDP using an existing Aeron client, which stays owned by the caller. Blocks until connected or the
     * default message timeout passes.
     *
     * @param aeron            client to use, not closed by this.
     * @param ingressEndpoints cluster members' ingress endpoints, e.g. {@code "0=localhost:9093"}, see
     *                         {@link ControllerNode.Context#ingressEndpoints()}.
     * @param egressChannel    on which to receive answers, e.g. {@code "aeron:udp?endpoint=localhost:0"}.
     * @param secret           the cluster's node secret, without which the cluster refuses the session.
     * @param listener         for answers and events.
     * @return a connected client.
     * @throws io.aeron.exceptions.TimeoutException if the cluster does not answer in time.
     * @throws io.aeron.security.AuthenticationException if the cluster refuses the secret.
     */
    public static ControllerClient connect(
        final Aeron aeron,
        final String ingressEndpoints,
        final String egressChannel,
        final NodeSecret secret,
        final ControllerListener listener)
    {
        return connect(context(aeron, ingressEndpoints, egressChannel, secret), listener);
    }

    /**
     * A context for {@link #connect(AeronCluster.Context, ControllerListener)} over UDP with the node's streams and
     * credentials, to adjust (e.g. timeouts) before connecting.
     *
     * @param aeron            client to use, not closed by the cluster client.
     * @param ingressEndpoints cluster members' ingress endpoints.
     * @param egressChannel    on which to receive answers.
     * @param secret           the cluster's node secret.
     * @return the context, not concluded.
     */
    public static AeronCluster.Context context(
        final Aeron aeron, final String ingressEndpoints, final String egressChannel, final NodeSecret secret)
    {
        return new AeronCluster.Context()
            .aeron(aeron)
            .ownsAeronClient(false)
            .ingressChannel("aeron:udp")
            .ingressStreamId(StreamIds.CLUSTER_INGRESS)
            .ingressEndpoints(ingressEndpoints)
            .egressChannel(egressChannel)
            .egressStreamId(StreamIds.CLUSTER_EGRESS)
            .credentialsSupplier(new SecretCredentialsSupplier(secret));
    }

    /**
     * Request creation of a topic; answered with a result and, on success, a CREATED event to every broker.
     *
     * @param correlationId  echoed in the answer.
     * @param name           of the topic.
     * @param partitions     number of partitions.
     * @param retentionMs    retention by age or -1 for unlimited.
     * @param retentionBytes retention by size or -1 for unlimited.
     * @param timestampType  0 create time, 1 log-append time.
     * @return true if sent, false if back pressured or not connected.
     */
    public boolean createTopic(
        final long correlationId,
        final String name,
        final int partitions,
        final long retentionMs,
        final long retentionBytes,
        final int timestampType)
    {
        return createTopic(correlationId, name, partitions, retentionMs, retentionBytes, timestampType, 1, 1);
    }

    /**
     * Request creation of a replicated topic; answered with a result (refused {@code INVALID_REPLICATION_FACTOR}
     * when the factor is above the live brokers) and, on success, a CREATED event and one
     * {@code PartitionChangeEvent} per partition to every broker.
     *
     * @param correlationId     echoed in the answer.
     * @param name              of the topic.
     * @param partitions        number of partitions.
     * @param retentionMs       retention by age or -1 for unlimited.
     * @param retentionBytes    retention by size or -1 for unlimited.
     * @param timestampType     0 create time, 1 log-append time.
     * @param replicationFactor replicas per partition, 1 to the number of live brokers.
     * @param minInsyncReplicas {@code min.insync.replicas}, 1 to the replication factor.
     * @return true if sent, false if back pressured or not connected.
     */
    public boolean createTopic(
        final long correlationId,
        final String name,
        final int partitions,
        final long retentionMs,
        final long retentionBytes,
        final int timestampType,
        final int replicationFactor,
        final int minInsyncReplicas)
    {
        createTopicEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .partitions(partitions)
            .retentionMs(retentionMs)
            .retentionBytes(retentionBytes)
            .timestampType((short)timestampType)
            .replicationFactor((short)replicationFactor)
            .minInsyncReplicas((short)minInsyncReplicas)
            .topicName(name);

        return offer(MessageHeaderEncoder.ENCODED_LENGTH + createTopicEncoder.encodedLength());
    }

    /**
     * A partition leader's proposal of a new in-sync set; answered with a result whose value is the new partition
     * epoch, and on a change a {@code PartitionChangeEvent} to every broker.
     *
     * @param correlationId  echoed in the answer.
     * @param brokerId       the proposing leader.
     * @param brokerEpoch    its registration's epoch.
     * @param topicId        of the partition.
     * @param partition      index.
     * @param leaderEpoch    it leads in.
     * @param partitionEpoch the proposal is made on.
     * @param isr            the proposed in-sync set.
     * @param isrEpochs      each member's broker epoch as the leader saw it catch up, -1 where unknown.
     * @return true if sent, false if back pressured or not connected.
     */
    public boolean alterPartition(
        final long correlationId,
        final int brokerId,
        final long brokerEpoch,
        final int topicId,
        final int partition,
        final int leaderEpoch,
        final int partitionEpoch,
        final int[] isr,
        final long[] isrEpochs)
    {
        alterPartitionEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .brokerId(brokerId)
            .brokerEpoch(brokerEpoch)
            .topicId(topicId)
            .partition(partition)
            .leaderEpoch(leaderEpoch)
            .partitionEpoch(partitionEpoch);
        final AlterPartitionCommandEncoder.IsrEncoder members = alterPartitionEncoder.isrCount(isr.length);
        for (int i = 0; i < isr.length; i++)
        {
            members.next().brokerId(isr[i]).brokerEpoch(isrEpochs[i]);
        }

        return offer(MessageHeaderEncoder.ENCODED_LENGTH + alterPartitionEncoder.encodedLength());
    }

    /**
     * Move leadership back to the preferred leaders (each partition's first replica, where live and in sync);
     * answered with a result whose value is the number of partitions whose leader moved, and a
     * {@code PartitionChangeEvent} for each to every broker.
     *
     * @param correlationId echoed in the answer.
     * @param topicId       of one topic, or -1 for every topic.
     * @return true if sent, false if back pressured or not connected.
     */
    public boolean electLeaders(final long correlationId, final int topicId)
    {
        return electLeaders(correlationId, topicId, -1);
    }

    /**
     * As {@link #electLeaders(long, int)}, for one partition of a topic or all of them. An unknown topic or
     * partition is answered {@code UNKNOWN_TOPIC_OR_PARTITION}.
     *
     * @param correlationId echoed in the answer.
     * @param topicId       of one topic, or -1 for every topic.
     * @param partition     of that topic, or -1 for all of them (always -1 with every topic).
     * @return true if sent, false if back pressured or not connected.
     */
    public boolean electLeaders(final long correlationId, final int topicId, final int partition)
    {
        electLeadersEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .topicId(topicId)
            .partition(partition);

        return offer(MessageHeaderEncoder.ENCODED_LENGTH + electLeadersEncoder.encodedLength());
    }

    /**
     * A partition's leader registers where its leader epoch starts, before it writes in it: its log end (the first
     * leader of a new topic registers epoch 0 at 0). Answered with a result whose value is the epoch, and on a new
     * entry a {@code LeaderEpochEvent} to every broker; sending the same values again is answered the same and
     * changes nothing, so a lost answer is retried safely. Allocates nothing.
     *
     * @param correlationId     echoed in the answer.
     * @param brokerId          the leader.
     * @param brokerEpoch       its registration's epoch.
     * @param topicId           of the partition.
     * @param partition         index.
     * @param leaderEpoch       the partition's current leader epoch.
     * @param startPosition     recording position of the epoch's first batch.
     * @param startOffset       offset of the epoch's first record.
     * @param leaderRecordingId the leader's recording of the partition.
     * @return true if sent, false if back pressured or not connected.
     */
    public boolean leaderEpochStart(
        final long correlationId,
        final int brokerId,
        final long brokerEpoch,
        final int topicId,
        final int partition,
        final int leaderEpoch,
        final long startPosition,
        final long startOffset,
        final long leaderRecordingId)
    {
        leaderEpochStartEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .brokerId(brokerId)
            .brokerEpoch(brokerEpoch)
            .topicId(topicId)
            .partition(partition)
            .leaderEpoch(leaderEpoch)
            .startPosition(startPosition)
            .startOffset(startOffset)
            .leaderRecordingId(leaderRecordingId);

        return offer(MessageHeaderEncoder.ENCODED_LENGTH + leaderEpochStartEncoder.encodedLength());
    }

    /**
     * Request deletion of a topic; answered with a result and, on success, a DELETED event to every broker.
     *
     * @param correlationId echoed in the answer.
     * @param name          of the topic.
     * @return true if sent, false if back pressured or not connected.
     */
    public boolean deleteTopic(final long correlationId, final String name)
    {
        deleteTopicEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .topicName(name);

        return offer(MessageHeaderEncoder.ENCODED_LENGTH + deleteTopicEncoder.encodedLength());
    }

    /**
     * Request a new producer id, returned as the result's value.
     *
     * @param correlationId echoed in the answer.
     * @return true if sent, false if back pressured or not connected.
     */
    public boolean allocateProducerId(final long correlationId)
    {
        allocateProducerIdEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(correlationId);

        return offer(MessageHeaderEncoder.ENCODED_LENGTH + allocateProducerIdEncoder.encodedLength());
    }

    /**
     * Move a partition's log start offset forward. The controller refuses a value below the current one or beyond
     * the log end offset given here, the broker's own. A change is announced to every broker with an UPDATED event.
     *
     * @param correlationId  echoed in the answer.
     * @param topicId        of the topic.
     * @param partition      index from 0.
     * @param logStartOffset the new log start offset, in {@code [0, logEndOffset]}.
     * @param logEndOffset   the broker's log end offset of the partition (the offset of its next record).
     * @return true if sent, false if back pressured or not connected.
     * @throws IllegalArgumentException if the start is negative or beyond the end: never sent.
     */
    public boolean updateLogStartOffset(
        final long correlationId,
        final int topicId,
        final int partition,
        final long logStartOffset,
        final long logEndOffset)
    {
        if (logStartOffset < 0 || logStartOffset > logEndOffset)
        {
            throw new IllegalArgumentException("log start offset " + logStartOffset + " outside [0, log end " +
                logEndOffset + "] of topic " + topicId + " partition " + partition);
        }

        updateLogStartOffsetEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .topicId(topicId)
            .partition(partition)
            .logStartOffset(logStartOffset)
            .logEndOffset(logEndOffset);

        return offer(MessageHeaderEncoder.ENCODED_LENGTH + updateLogStartOffsetEncoder.encodedLength());
    }

    /**
     * Forward a client's consumer-group request (a wire-schema message with its header) to the controller; answered
     * with {@link ControllerListener#onGroupResponse}, whose wire-schema message echoes the request's own correlation
     * id.
     *
     * @param correlationId echoed with the answer.
     * @param request       holding the wire-schema message.
     * @param offset        of the message header in {@code request}.
     * @param length        of the message including its header, at most {@link #MAX_GROUP_REQUEST_LENGTH}.
     * @return true if sent, false if back pressured or not connected.
     * @throws IllegalArgumentException if the request is longer than {@link #MAX_GROUP_REQUEST_LENGTH}: the cluster
     *                                  would drop it without an answer.
     */
    public boolean forwardGroupRequest(
        final long correlationId, final DirectBuffer request, final int offset, final int length)
    {
        if (length > MAX_GROUP_REQUEST_LENGTH)
        {
            throw new IllegalArgumentException(
                "group request of " + length + " bytes is longer than " + MAX_GROUP_REQUEST_LENGTH);
        }

        groupRequestEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .putRequest(request, offset, length);

        return offer(MessageHeaderEncoder.ENCODED_LENGTH + groupRequestEncoder.encodedLength());
    }

    /**
     * Create a user or replace its credential; answered with a result and, on success, an ADDED user event to every
     * broker.
     *
     * @param correlationId echoed in the answer.
     * @param user          name and salted hash (never the password).
     * @return true if sent, false if back pressured or not connected.
     */
    public boolean upsertUser(final long correlationId, final UserCredential user)
    {
        upsertUserEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .iterations(user.iterations())
            .userName(user.name())
            .putSalt(user.salt(), 0, user.salt().length)
            .putHash(user.hash(), 0, user.hash().length);
        return offer(MessageHeaderEncoder.ENCODED_LENGTH + upsertUserEncoder.encodedLength());
    }

    /**
     * Delete a user; answered with a result and, on success, a REMOVED user event to every broker.
     *
     * @param correlationId echoed in the answer.
     * @param name          of the user.
     * @return true if sent, false if back pressured or not connected.
     */
    public boolean deleteUser(final long correlationId, final String name)
    {
        deleteUserEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(correlationId).userName(name);
        return offer(MessageHeaderEncoder.ENCODED_LENGTH + deleteUserEncoder.encodedLength());
    }

    /**
     * Add (or remove) an ACL; answered with a result and, when it changed anything, an ACL event to every broker.
     *
     * @param correlationId echoed in the answer.
     * @param acl           the binding.
     * @param add           true to add, false to remove.
     * @return true if sent, false if back pressured or not connected.
     */
    public boolean changeAcl(final long correlationId, final AclBinding acl, final boolean add)
    {
        final int length;
        if (add)
        {
            addAclEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .correlationId(correlationId)
                .resourceType((short)acl.resourceType().code())
                .operation((short)acl.operation().code())
                .permission((short)acl.permission().code())
                .principal(acl.principal())
                .resourceName(acl.resourceName());
            length = addAclEncoder.encodedLength();
        }
        else
        {
            removeAclEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .correlationId(correlationId)
                .resourceType((short)acl.resourceType().code())
                .operation((short)acl.operation().code())
                .permission((short)acl.permission().code())
                .principal(acl.principal())
                .resourceName(acl.resourceName());
            length = removeAclEncoder.encodedLength();
        }
        return offer(MessageHeaderEncoder.ENCODED_LENGTH + length);
    }

    /**
     * Register this broker, starting or restarted; answered with a result whose value is the broker's new epoch, and
     * a REGISTERED event to every broker. Heartbeat with that epoch from then on.
     *
     * @param correlationId echoed in the answer.
     * @param brokerId      the broker's id.
     * @param host          the host clients reach it on, at most {@link BrokerRegistry#MAX_HOST_BYTES} bytes.
     * @param portBase      its client port base.
     * @return true if sent, false if back pressured or not connected.
     */
    public boolean registerBroker(final long correlationId, final int brokerId, final String host, final int portBase)
    {
        return registerBroker(correlationId, brokerId, host, host, portBase);
    }

    /**
     * Register this broker with the host its archive control and replica ports listen on; otherwise as
     * {@link #registerBroker(long, int, String, int)}.
     *
     * @param correlationId echoed in the answer.
     * @param brokerId      the broker's id.
     * @param host          the host clients reach it on, at most {@link BrokerRegistry#MAX_HOST_BYTES} bytes.
     * @param internalHost  its {@code internal.host}, at most {@link BrokerRegistry#MAX_HOST_BYTES} bytes.
     * @param portBase      its client port base.
     * @return true if sent, false if back pressured or not connected.
     */
    public boolean registerBroker(
        final long correlationId, final int brokerId, final String host, final String internalHost, final int portBase)
    {
        registerBrokerEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .brokerId(brokerId)
            .portBase(portBase)
            .host(host)
            .internalHost(internalHost);
        return offer(MessageHeaderEncoder.ENCODED_LENGTH + registerBrokerEncoder.encodedLength());
    }

    /**
     * Tell the controller this broker is alive, within every broker session timeout; answered with a result,
     * {@code STALE_BROKER_EPOCH} if the epoch is not the current registration's (register again). A fenced broker
     * that heartbeats is unfenced (an UNFENCED event to every broker). Allocates nothing.
     *
     * @param correlationId echoed in the answer.
     * @param brokerId      the broker's id.
     * @param brokerEpoch   the epoch its registration was answered with.
     * @return true if sent, false if back pressured or not connected.
     */
    public boolean brokerHeartbeat(final long correlationId, final int brokerId, final long brokerEpoch)
    {
        brokerHeartbeatEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .brokerId(brokerId)
            .brokerEpoch(brokerEpoch);
        return offer(MessageHeaderEncoder.ENCODED_LENGTH + brokerHeartbeatEncoder.encodedLength());
    }

    /**
     * Tell the controller this broker is stopping cleanly: it is fenced and marked shut down (a SHUT_DOWN event to
     * every broker) until it registers again.
     *
     * @param correlationId echoed in the answer.
     * @param brokerId      the broker's id.
     * @param brokerEpoch   the epoch of its registration.
     * @return true if sent, false if back pressured or not connected.
     */
    public boolean controlledShutdown(final long correlationId, final int brokerId, final long brokerEpoch)
    {
        controlledShutdownEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .brokerId(brokerId)
            .brokerEpoch(brokerEpoch);
        return offer(MessageHeaderEncoder.ENCODED_LENGTH + controlledShutdownEncoder.encodedLength());
    }

    /**
     * Request all topics: answered with one SNAPSHOT event per topic in topic id order, then the users, ACLs and
     * brokers (SNAPSHOT events too), then a metadata end. An
     * answer without its end was cut short by back pressure; ask again.
     *
     * @param correlationId echoed in the answer.
     * @return true if sent, false if back pressured or not connected.
     */
    public boolean requestMetadata(final long correlationId)
    {
        metadataRequestEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).correlationId(correlationId);

        return offer(MessageHeaderEncoder.ENCODED_LENGTH + metadataRequestEncoder.encodedLength());
    }

    /**
     * Poll egress, dispatching to the listener, follow leader changes and send keep-alives when due.
     *
     * @return amount of work done.
     */
    public int poll()
    {
        if (aeronCluster.isClosed())
        {
            return 0;
        }

        int workCount = aeronCluster.pollEgress();

        final long nowNs = nanoClock.nanoTime();
        if (nowNs - lastKeepAliveNs >= KEEP_ALIVE_INTERVAL_NS && !aeronCluster.isClosed())
        {
            // A failed keep-alive (e.g. during an election) is retried on the next poll.
            if (aeronCluster.sendKeepAlive())
            {
                lastKeepAliveNs = nowNs;
                workCount++;
            }
        }

        return workCount;
    }

    /**
     * Has the connection been lost for good? Then close this and connect a new client.
     *
     * @return true if the underlying {@link AeronCluster} is closed.
     */
    public boolean isClosed()
    {
        return aeronCluster.isClosed();
    }

    /**
     * Number of egress messages ignored because they were not controller messages.
     *
     * @return number of egress messages ignored.
     */
    public long unknownMessages()
    {
        return dispatcher.unknownMessages();
    }

    /**
     * The underlying cluster client, e.g. for its session id or leader member id.
     *
     * @return the underlying cluster client.
     */
    public AeronCluster aeronCluster()
    {
        return aeronCluster;
    }

    /**
     * Close the session with the cluster.
     */
    public void close()
    {
        CloseHelper.close(aeronCluster);
    }

    /**
     * Offer raw bytes, e.g. for testing how the controller handles malformed commands.
     */
    boolean offer(final DirectBuffer rawBuffer, final int offset, final int length)
    {
        return !aeronCluster.isClosed() && aeronCluster.offer(rawBuffer, offset, length) > 0;
    }

    private boolean offer(final int length)
    {
        return offer(buffer, 0, length);
    }
}
