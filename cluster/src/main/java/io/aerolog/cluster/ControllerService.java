package io.aerolog.cluster;

import io.aerolog.codecs.cluster.AllocateProducerIdCommandDecoder;
import io.aerolog.codecs.cluster.BrokerEventType;
import io.aerolog.codecs.cluster.CommandResultEncoder;
import io.aerolog.codecs.cluster.ControlledShutdownCommandDecoder;
import io.aerolog.codecs.cluster.CreateTopicCommandDecoder;
import io.aerolog.codecs.cluster.DeleteTopicCommandDecoder;
import io.aerolog.codecs.cluster.GroupRequestCommandDecoder;
import io.aerolog.codecs.cluster.GroupResponseEventEncoder;
import io.aerolog.codecs.cluster.LeaderEpochStartCommandDecoder;
import io.aerolog.codecs.cluster.MessageHeaderDecoder;
import io.aerolog.codecs.cluster.MessageHeaderEncoder;
import io.aerolog.codecs.cluster.MetadataEndEncoder;
import io.aerolog.codecs.cluster.MetadataRequestDecoder;
import io.aerolog.codecs.cluster.TopicEventType;
import io.aerolog.codecs.cluster.UpdateLogStartOffsetCommandDecoder;
import io.aerolog.cluster.group.Assignors;
import io.aerolog.cluster.group.GroupCoordinator;
import io.aerolog.cluster.group.TopicPartitionCounts;
import io.aerolog.cluster.registry.BrokerRegistry;
import io.aerolog.cluster.registry.RegisteredBroker;
import io.aerolog.cluster.replication.PartitionReplicas;
import io.aerolog.cluster.security.AclStore;
import io.aerolog.cluster.security.SecurityLimits;
import io.aerolog.cluster.security.UserStore;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.transport.FrameValidator;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.ImageFragmentAssembler;
import io.aeron.Publication;
import io.aeron.cluster.client.ClusterException;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

import static org.agrona.BitUtil.SIZE_OF_INT;

/**
 * The controller as an Aeron Cluster service: applies broker commands to the replicated {@link ControllerState},
 * answers the sender with a {@code CommandResult} and tells every connected broker about topic changes with
 * {@code TopicEvent}s.
 * <p>
 * Consumer groups: a broker forwards a client's group request as it came ({@code GroupRequestCommand}); the
 * {@link GroupRequestHandler} applies it to the {@link GroupCoordinator} with the cluster time and the answer goes
 * back to that broker in a {@code GroupResponseEvent}. Member session and rebalance deadlines are driven by one
 * cluster timer, kept at the coordinator's earliest deadline; topic creation and deletion rebalance the groups
 * subscribed to the topic.
 * <p>
 * Brokers: {@link BrokerCommands} applies registrations, heartbeats and controlled shutdowns to the replicated
 * {@link BrokerRegistry}; a second cluster timer ({@link #BROKER_TIMER_ID}), kept at the earliest broker deadline,
 * fences brokers that stop heartbeating, and every change is told to every broker as a {@code BrokerEvent}. Each new
 * leadership term (a logged event, so every replica and every replay applies it alike) gives every broker a grace
 * of one session timeout, so a controller failover fences nobody.
 * <p>
 * Partition replication: {@link ReplicationCommands} places a new topic's replicas over the live brokers, and each
 * broker fenced, shut down or back changes the leader and in-sync sets of the partitions it is a replica of; a
 * leader's {@code AlterPartition} changes its in-sync set. Every changed partition is told to every broker as a
 * {@code PartitionChangeEvent}, and every partition is in the metadata answer.
 * <p>
 * Deterministic: no clocks, iteration in topic id order, and a malformed command is rejected the same way on every
 * replica and on replay: every command is first checked by {@link FrameValidator#cluster()} (a group request inside
 * also by {@link FrameValidator#wire()}), then against the state, whose size {@link ControllerLimits} bounds; the
 * checks read only the command, its session and the replicated state. Whatever a command makes go wrong, even an
 * {@link Error}, is contained: that command is answered {@code INTERNAL_ERROR} and counted, and the service goes on,
 * so nothing in the log can stop a restart. Egress offers are bounded retries: a broker that misses an answer re-asks, so the service never blocks
 * on a slow client. On followers session offers are mocked by Aeron, so only the leader answers.
 */
public final class ControllerService implements ClusteredService
{
    /**
     * Correlation id of the answer to a command that could not be decoded.
     */
    public static final long UNKNOWN_CORRELATION_ID = -1;

    /**
     * Offer attempts on back pressure or admin action before an egress message is dropped.
     */
    public static final int MAX_OFFER_ATTEMPTS = 5;

    /**
     * Correlation id of the cluster timer that expires group members.
     */
    public static final long GROUP_TIMER_ID = 1;

    /**
     * Correlation id of the cluster timer that fences brokers whose heartbeat deadline passed.
     */
    public static final long BROKER_TIMER_ID = 2;

    /**
     * Correlation id of the cluster timer that runs automatic leader balancing.
     */
    public static final long BALANCE_TIMER_ID = 3;

    /** Default {@code leader.imbalance.check.interval.ms}. */
    public static final long LEADER_IMBALANCE_CHECK_INTERVAL_MS_DEFAULT = 30_000;

    /** Default {@code leader.imbalance.per.broker.percentage}. */
    public static final int LEADER_IMBALANCE_PER_BROKER_PERCENTAGE_DEFAULT = 10;

    private static final long NO_DEADLINE = GroupCoordinator.NO_DEADLINE;
    private static final int CORRUPT_MESSAGE = ErrorCode.CORRUPT_MESSAGE.value();
    private static final int INTERNAL_ERROR = ErrorCode.INTERNAL_ERROR.value();
    private static final int NONE = ErrorCode.NONE.value();
    private static final int MAX_TOPIC_NAME_BYTES = 4 * ControllerState.MAX_TOPIC_NAME_LENGTH;

    private final FrameValidator validator = FrameValidator.cluster();
    private final ControllerState state;
    private final TopicPartitionCounts partitionCounts = this::partitionCount;
    private final GroupCoordinator groups;
    private final GroupRequestHandler groupRequestHandler;
    private final TopicEventCodec topicEventCodec = new TopicEventCodec();
    private final ControllerSnapshot.Writer snapshotWriter = new ControllerSnapshot.Writer(topicEventCodec);
    private final ExpandableArrayBuffer sendBuffer = new ExpandableArrayBuffer(1024);
    private final UnsafeBuffer frame = new UnsafeBuffer(0, 0);
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final CreateTopicCommandDecoder createTopicDecoder = new CreateTopicCommandDecoder();
    private final DeleteTopicCommandDecoder deleteTopicDecoder = new DeleteTopicCommandDecoder();
    private final AllocateProducerIdCommandDecoder allocateProducerIdDecoder = new AllocateProducerIdCommandDecoder();
    private final UpdateLogStartOffsetCommandDecoder updateLogStartOffsetDecoder =
        new UpdateLogStartOffsetCommandDecoder();
    private final MetadataRequestDecoder metadataRequestDecoder = new MetadataRequestDecoder();
    private final GroupRequestCommandDecoder groupRequestDecoder = new GroupRequestCommandDecoder();
    private final GroupResponseEventEncoder groupResponseEncoder = new GroupResponseEventEncoder();
    private final CommandResultEncoder commandResultEncoder = new CommandResultEncoder();
    private final MetadataEndEncoder metadataEndEncoder = new MetadataEndEncoder();
    private final Consumer<TopicMetadata> sendMetadataTopic = this::sendMetadataTopic;
    private final SecurityCommands security = new SecurityCommands(SecurityLimits.DEFAULT);
    private final BrokerCommands brokers;
    private final IntConsumer onBrokerFencedByTimer = this::onBrokerFencedByTimer;
    private final ReplicationCommands replication;
    private final IntConsumer broadcastPartitionEventOfLength = this::broadcastPartitionEventOfLength;
    private final IntConsumer broadcastEpochEventOfLength = this::broadcastEpochEventOfLength;

    private Cluster cluster;
    private IdleStrategy idleStrategy;
    private ClientSession metadataSession;
    private long metadataCorrelationId;
    private boolean metadataFailed;
    private final ClusterTimer groupTimer = new ClusterTimer(GROUP_TIMER_ID, NO_DEADLINE);
    private final ClusterTimer brokerTimer = new ClusterTimer(BROKER_TIMER_ID, BrokerRegistry.NO_DEADLINE);
    private final ClusterTimer balanceTimer = new ClusterTimer(BALANCE_TIMER_ID, NO_DEADLINE);
    private final long leaderImbalanceCheckIntervalMs;
    private final int leaderImbalancePercentage;
    private long balanceDeadlineMs = NO_DEADLINE;
    private volatile long balancedLeaders;
    private volatile long balanceChecks;
    private final ControllerEgress egress = new ControllerEgress(MAX_OFFER_ATTEMPTS);

    private volatile Cluster.Role role = Cluster.Role.FOLLOWER;
    private volatile long rejectedCommands;
    private volatile long appliedCommands;
    private volatile long groupRequests;
    private volatile long malformedGroupRequests;
    private volatile long expiredMembers;
    private volatile long failedCommands;
    private volatile long fencedBrokers;
    private volatile long partitionChanges;
    private volatile long refusedPartitionAlters;
    private volatile long epochStarts;
    private volatile long refusedEpochStarts;

    /**
     * A service telling group members to heartbeat every
     * {@link GroupRequestHandler#HEARTBEAT_INTERVAL_MS_DEFAULT} ms.
     */
    public ControllerService()
    {
        this(GroupRequestHandler.HEARTBEAT_INTERVAL_MS_DEFAULT);
    }

    /**
     * A service telling group members to heartbeat at the given interval.
     *
     * @param groupHeartbeatIntervalMs heartbeat interval told to group members, {@code > 0}.
     */
    public ControllerService(final int groupHeartbeatIntervalMs)
    {
        this(groupHeartbeatIntervalMs, ControllerLimits.DEFAULT);
    }

    /**
     * A service telling group members to heartbeat at the given interval, its state bounded by the given caps.
     *
     * @param groupHeartbeatIntervalMs heartbeat interval told to group members, {@code > 0}.
     * @param limits                   caps on topics, partitions, groups, members and committed offsets; the same
     *                                 on every member of the cluster.
     */
    public ControllerService(final int groupHeartbeatIntervalMs, final ControllerLimits limits)
    {
        this(groupHeartbeatIntervalMs, limits, BrokerRegistry.SESSION_TIMEOUT_MS_DEFAULT);
    }

    /**
     * A service telling group members to heartbeat at the given interval, its state bounded by the given caps, that
     * fences a broker after the given time without a heartbeat.
     *
     * @param groupHeartbeatIntervalMs heartbeat interval told to group members, {@code > 0}.
     * @param limits                   caps on topics, partitions, groups, members and committed offsets; the same
     *                                 on every member of the cluster.
     * @param brokerSessionTimeoutMs   {@code broker.session.timeout.ms}: how long a registered broker may go without
     *                                 a heartbeat before it is fenced, {@code >= 1}; the same on every member.
     */
    public ControllerService(
        final int groupHeartbeatIntervalMs, final ControllerLimits limits, final long brokerSessionTimeoutMs)
    {
        this(groupHeartbeatIntervalMs, limits, brokerSessionTimeoutMs, LEADER_IMBALANCE_CHECK_INTERVAL_MS_DEFAULT,
            LEADER_IMBALANCE_PER_BROKER_PERCENTAGE_DEFAULT);
    }

    /**
     * A service as {@link #ControllerService(int, ControllerLimits, long)} that also balances leaders on a timer.
     *
     * @param groupHeartbeatIntervalMs       heartbeat interval told to group members, {@code > 0}.
     * @param limits                         caps on the state; the same on every member.
     * @param brokerSessionTimeoutMs         {@code broker.session.timeout.ms}, {@code >= 1}.
     * @param leaderImbalanceCheckIntervalMs {@code leader.imbalance.check.interval.ms}: how often preferred
     *                                       elections run for imbalanced brokers; 0 turns balancing off.
     * @param leaderImbalancePercentage      {@code leader.imbalance.per.broker.percentage}, 0 to 100.
     */
    public ControllerService(
        final int groupHeartbeatIntervalMs,
        final ControllerLimits limits,
        final long brokerSessionTimeoutMs,
        final long leaderImbalanceCheckIntervalMs,
        final int leaderImbalancePercentage)
    {
        if (leaderImbalanceCheckIntervalMs < 0 || leaderImbalancePercentage < 0 || leaderImbalancePercentage > 100)
        {
            throw new IllegalArgumentException("leader imbalance interval must be >= 0 and percentage in 0..100: " +
                leaderImbalanceCheckIntervalMs + ", " + leaderImbalancePercentage);
        }
        this.leaderImbalanceCheckIntervalMs = leaderImbalanceCheckIntervalMs;
        this.leaderImbalancePercentage = leaderImbalancePercentage;
        brokers = new BrokerCommands(BrokerRegistry.MAX_BROKERS_DEFAULT, brokerSessionTimeoutMs);
        state = new ControllerState(limits);
        replication = new ReplicationCommands(brokers.registry(), this::logStartOffset);
        groups = new GroupCoordinator(partitionCounts, Assignors.DEFAULT, this::onMemberExpired,
            limits.maxGroups(), limits.maxMembersPerGroup(), limits.maxCommittedOffsetsPerGroup());
        groupRequestHandler = new GroupRequestHandler(groups, partitionCounts, groupHeartbeatIntervalMs);
    }

    /**
     * {@inheritDoc}
     */
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        this.idleStrategy = cluster.idleStrategy();
        egress.cluster(cluster);

        if (null != snapshotImage)
        {
            loadSnapshot(snapshotImage);
            // The consensus module restores its timers from its own snapshot; timers may not be scheduled from
            // onStart, so the first message or timer event after the load re-arms ours (a spare timer event is
            // harmless: expiry visits only the members due).
            groupTimer.forget();
            brokerTimer.forget();
            balanceTimer.forget();
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
    }

    /**
     * {@inheritDoc}
     */
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
    }

    /**
     * {@inheritDoc}
     */
    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        // A view of exactly this message: a bug in the checks below then fails on bounds instead of reading the
        // next log entry, which would differ between live and replay and break determinism.
        frame.wrap(buffer, offset, length);
        try
        {
            // Before any decoder: a declared length beyond the message would make a getter allocate or misread.
            final String problem = validator.check(frame, 0, length);
            if (null != problem)
            {
                reject(session, problem);
                return;
            }

            onCommand(session, frame, length);
            armBalanceTimer();
        }
        catch (final Throwable ex)
        {
            // A bug, not the command's fault; refused the same way on every replica, as state and command are.
            failedCommands++;
            try
            {
                sendResult(session, UNKNOWN_CORRELATION_ID, INTERNAL_ERROR, 0, 0, ex.getClass().getName());
            }
            catch (final Throwable ignore)
            {
                // No answer: the sender times out and retries.
            }
        }
    }

    /**
     * {@inheritDoc}
     */
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
        if (GROUP_TIMER_ID == correlationId)
        {
            groupTimer.fired();
            expiredMembers += groups.expireMembers(nowMs());
            armGroupTimer();
        }
        else if (BROKER_TIMER_ID == correlationId)
        {
            brokerTimer.fired();
            fencedBrokers += brokers.fenceExpired(nowMs(), onBrokerFencedByTimer);
            armBrokerTimer();
        }
        else if (BALANCE_TIMER_ID == correlationId)
        {
            balanceTimer.fired();
            balanceChecks++;
            // Every replica and replay runs this at the same log position, on the same replicated state.
            balancedLeaders += replication.balanceLeaders(leaderImbalancePercentage, broadcastPartitionEventOfLength);
            balanceDeadlineMs = nowMs() + leaderImbalanceCheckIntervalMs;
        }
        armBalanceTimer();
    }

    private void armBalanceTimer()
    {
        if (leaderImbalanceCheckIntervalMs <= 0)
        {
            return;
        }
        if (NO_DEADLINE == balanceDeadlineMs)
        {
            balanceDeadlineMs = nowMs() + leaderImbalanceCheckIntervalMs;
        }
        balanceTimer.arm(cluster, idleStrategy, balanceDeadlineMs);
    }

    /**
     * Number of partitions whose leader moved back to its preferred replica by automatic leader balancing, readable
     * from any thread.
     *
     * @return number of leaders balanced.
     */
    public long balancedLeaders()
    {
        return balancedLeaders;
    }

    /**
     * Number of times the leader balancing timer has run, whether it moved any leader or not; readable from any
     * thread (tests wait on it to see that a run left leaders where they were).
     *
     * @return number of balancing runs.
     */
    public long balanceChecks()
    {
        return balanceChecks;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Every broker gets a grace of one session timeout from the start of the term: during the election brokers could
     * not reach the controller. This event is in the log, so followers and replays extend the same deadlines.
     */
    public void onNewLeadershipTermEvent(
        final long leadershipTermId,
        final long logPosition,
        final long timestamp,
        final long termBaseLogPosition,
        final int leaderMemberId,
        final int logSessionId,
        final TimeUnit timeUnit,
        final int appVersion)
    {
        brokers.registry().extendDeadlines(timeUnit.toMillis(timestamp));
        // Timers may not be scheduled here: the next broker command or timer event re-arms ours.
        brokerTimer.forget();
    }

    /**
     * {@inheritDoc}
     */
    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        snapshotWriter.write(state, groups, security.users(), security.acls(), brokers.registry(),
            replication.replicas(), (msgBuffer, msgOffset, msgLength) ->
        {
            idleStrategy.reset();
            long result;
            while ((result = snapshotPublication.offer(msgBuffer, msgOffset, msgLength)) < 0)
            {
                if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
                {
                    throw new ClusterException("snapshot publication failed: " + Publication.errorString(result));
                }
                idleStrategy.idle();
            }
        });
    }

    /**
     * {@inheritDoc}
     */
    public void onRoleChange(final Cluster.Role newRole)
    {
        role = newRole;
        // Only the leader's consensus module fires timers. Timers may not be scheduled here, so the next message or
        // timer event re-arms ours: the same deadline again, which changes no replicated state.
        groupTimer.forget();
        brokerTimer.forget();
        balanceTimer.forget();
    }

    /**
     * {@inheritDoc}
     */
    public void onTerminate(final Cluster cluster)
    {
    }

    /**
     * Role of this node as last reported by the cluster, readable from any thread.
     *
     * @return role of this node.
     */
    public Cluster.Role role()
    {
        return role;
    }

    /**
     * Number of commands rejected as corrupt (unknown schema, template or version, or malformed), any thread.
     *
     * @return number of commands rejected as corrupt.
     */
    public long rejectedCommands()
    {
        return rejectedCommands;
    }

    /**
     * Number of commands whose handling failed unexpectedly (answered {@code INTERNAL_ERROR}), any thread.
     *
     * @return number of commands that failed unexpectedly.
     */
    public long failedCommands()
    {
        return failedCommands;
    }

    /**
     * Number of egress messages given up on after back pressure or a disconnected session, any thread.
     *
     * @return number of egress messages dropped.
     */
    public long droppedMessages()
    {
        return egress.droppedMessages();
    }

    /**
     * Number of well-formed commands applied, whatever their result, readable from any thread.
     *
     * @return number of well-formed commands applied.
     */
    public long appliedCommands()
    {
        return appliedCommands;
    }

    /**
     * Number of consumer-group requests handled, whatever their outcome, readable from any thread.
     *
     * @return number of consumer-group requests handled.
     */
    public long groupRequests()
    {
        return groupRequests;
    }

    /**
     * Number of consumer-group requests that could not be decoded, readable from any thread.
     *
     * @return number of malformed consumer-group requests.
     */
    public long malformedGroupRequests()
    {
        return malformedGroupRequests;
    }

    /**
     * Number of group members removed because their session or rebalance timeout passed, readable from any thread.
     *
     * @return number of group members expired.
     */
    public long expiredMembers()
    {
        return expiredMembers;
    }

    /**
     * Number of brokers fenced because their heartbeat deadline passed, readable from any thread.
     *
     * @return number of brokers fenced by the deadline timer.
     */
    public long fencedBrokers()
    {
        return fencedBrokers;
    }

    /**
     * Number of partition states told to brokers (placed, elected, shrunk or grown), readable from any thread.
     *
     * @return number of {@code PartitionChangeEvent}s broadcast.
     */
    public long partitionChanges()
    {
        return partitionChanges;
    }

    /**
     * Number of {@code AlterPartition} proposals refused (stale epochs, not the leader, ineligible replicas, unknown
     * partition) and {@code ElectLeaders} of an unknown topic, readable from any thread.
     *
     * @return number of refused proposals.
     */
    public long refusedPartitionAlters()
    {
        return refusedPartitionAlters;
    }

    /**
     * Number of leader epoch starts registered ({@code LeaderEpochEvent}s broadcast), readable from any thread.
     *
     * @return number of epoch starts committed; retries of one already registered are not counted.
     */
    public long epochStarts()
    {
        return epochStarts;
    }

    /**
     * Number of {@code LeaderEpochStart} commands refused (stale broker or leader epoch, not the leader, a start
     * below the history, history full, unknown partition), readable from any thread.
     *
     * @return number of refused epoch starts.
     */
    public long refusedEpochStarts()
    {
        return refusedEpochStarts;
    }

    /**
     * @return the replicated partition replication state; only to be read on the service thread, or after the node
     * is closed.
     */
    public PartitionReplicas partitionReplicas()
    {
        return replication.replicas();
    }

    /**
     * @return the replicated broker registry; only to be read on the service thread, or after the node is closed.
     */
    public BrokerRegistry brokerRegistry()
    {
        return brokers.registry();
    }

    /**
     * The replicated consumer groups. Only to be read on the service thread, or after the node is closed.
     *
     * @return the replicated consumer groups.
     */
    public GroupCoordinator groups()
    {
        return groups;
    }

    /**
     * @return the replicated users; only to be read on the service thread, or after the node is closed.
     */
    public UserStore users()
    {
        return security.users();
    }

    /**
     * @return the replicated ACLs; only to be read on the service thread, or after the node is closed.
     */
    public AclStore acls()
    {
        return security.acls();
    }

    /**
     * The replicated state. Only to be read on the service thread, or after the node is closed.
     *
     * @return the replicated state.
     */
    public ControllerState state()
    {
        return state;
    }

    private void onCommand(final ClientSession session, final DirectBuffer buffer, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            reject(session, "message shorter than header: " + length);
            return;
        }

        headerDecoder.wrap(buffer, 0);
        final int blockLength = headerDecoder.blockLength();
        final int templateId = headerDecoder.templateId();
        if (MessageHeaderDecoder.SCHEMA_ID != headerDecoder.schemaId() ||
            headerDecoder.version() > MessageHeaderDecoder.SCHEMA_VERSION ||
            length < MessageHeaderDecoder.ENCODED_LENGTH + blockLength)
        {
            reject(session, "unsupported message: " + TopicEventCodec.describe(headerDecoder) + " length=" + length);
            return;
        }

        switch (templateId)
        {
            case CreateTopicCommandDecoder.TEMPLATE_ID:
                if (checkBlock(session, CreateTopicCommandDecoder.BLOCK_LENGTH) && checkVarString(session, length))
                {
                    createTopicDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                    onCreateTopic(session, createTopicDecoder);
                }
                break;

            case DeleteTopicCommandDecoder.TEMPLATE_ID:
                if (checkBlock(session, DeleteTopicCommandDecoder.BLOCK_LENGTH) && checkVarString(session, length))
                {
                    deleteTopicDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                    onDeleteTopic(session, deleteTopicDecoder);
                }
                break;

            case AllocateProducerIdCommandDecoder.TEMPLATE_ID:
                if (checkBlock(session, AllocateProducerIdCommandDecoder.BLOCK_LENGTH))
                {
                    allocateProducerIdDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                    appliedCommands++;
                    final long producerId = state.allocateProducerId();
                    sendResult(session, allocateProducerIdDecoder.correlationId(), NONE, 0, producerId, null);
                }
                break;

            case UpdateLogStartOffsetCommandDecoder.TEMPLATE_ID:
                if (checkBlock(session, UpdateLogStartOffsetCommandDecoder.BLOCK_LENGTH))
                {
                    updateLogStartOffsetDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                    onUpdateLogStartOffset(session, updateLogStartOffsetDecoder);
                }
                break;

            case MetadataRequestDecoder.TEMPLATE_ID:
                if (checkBlock(session, MetadataRequestDecoder.BLOCK_LENGTH))
                {
                    metadataRequestDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                    appliedCommands++;
                    sendMetadata(session, metadataRequestDecoder.correlationId());
                }
                break;

            case GroupRequestCommandDecoder.TEMPLATE_ID:
                if (checkBlock(session, GroupRequestCommandDecoder.BLOCK_LENGTH))
                {
                    onGroupRequest(session, buffer, length);
                }
                break;

            default:
                if (SecurityCommands.isSecurityCommand(templateId))
                {
                    if (checkBlock(session, SecurityCommands.blockLength(templateId)))
                    {
                        onSecurityCommand(session, buffer);
                    }
                    break;
                }
                if (BrokerCommands.isBrokerCommand(templateId))
                {
                    if (checkBlock(session, BrokerCommands.blockLength(templateId)))
                    {
                        onBrokerCommand(session, buffer);
                    }
                    break;
                }
                if (ReplicationCommands.isReplicationCommand(templateId))
                {
                    if (checkBlock(session, ReplicationCommands.blockLength(templateId)))
                    {
                        onReplicationCommand(session, buffer);
                    }
                    break;
                }
                reject(session, "unknown templateId=" + templateId);
        }
    }

    private void onSecurityCommand(final ClientSession session, final DirectBuffer buffer)
    {
        appliedCommands++;
        final int code = security.apply(buffer, headerDecoder);
        sendResult(session, security.lastCorrelationId(), code, 0, 0, security.lastErrorMessage());
        if (security.lastEventLength() > 0)
        {
            egress.broadcast(security.eventBuffer(), security.lastEventLength());
        }
    }

    private void onBrokerCommand(final ClientSession session, final DirectBuffer buffer)
    {
        appliedCommands++;
        final int code = brokers.apply(buffer, headerDecoder, nowMs());
        final boolean controlledShutdown = ControlledShutdownCommandDecoder.TEMPLATE_ID == headerDecoder.templateId();
        if (!controlledShutdown)
        {
            sendResult(session, brokers.lastCorrelationId(), code, 0, brokers.lastValue(), brokers.lastErrorMessage());
        }
        if (brokers.lastEventLength() > 0)
        {
            egress.broadcast(brokers.eventBuffer(), brokers.lastEventLength());
        }
        final BrokerEventType eventType = brokers.registry().lastEventType();
        final RegisteredBroker broker = brokers.registry().lastBroker();
        if (NONE == code && null != eventType && null != broker)
        {
            // After the broker's own event, so a broker hears of the change before the elections it causes.
            if (BrokerEventType.SHUT_DOWN == eventType)
            {
                replication.brokerFenced(broker.brokerId(), true, broadcastPartitionEventOfLength);
            }
            else
            {
                if (brokers.lastReplacedLive())
                {
                    // Restarted within its session: the old incarnation is fenced (not cleanly) before the new one
                    // is back, so it leaves the in-sync sets and leads only what nobody else in sync can.
                    replication.brokerFenced(broker.brokerId(), false, broadcastPartitionEventOfLength);
                }
                replication.brokerUnfenced(broker.brokerId(), broadcastPartitionEventOfLength);
            }
        }
        if (controlledShutdown)
        {
            // Answered after the elections it caused: a stopping broker that has its answer has heard of every
            // leadership it lost and every in-sync set it left.
            sendResult(session, brokers.lastCorrelationId(), code, 0, brokers.lastValue(), brokers.lastErrorMessage());
        }
        armBrokerTimer();
    }

    private void onBrokerFencedByTimer(final int eventLength)
    {
        egress.broadcast(brokers.eventBuffer(), eventLength);
        replication.brokerFenced(brokers.lastFencedBrokerId(), false, broadcastPartitionEventOfLength);
    }

    private void onReplicationCommand(final ClientSession session, final DirectBuffer buffer)
    {
        appliedCommands++;
        final boolean epochStart = LeaderEpochStartCommandDecoder.TEMPLATE_ID == headerDecoder.templateId();
        final int code = replication.apply(
            buffer, headerDecoder, epochStart ? broadcastEpochEventOfLength : broadcastPartitionEventOfLength);
        if (NONE != code)
        {
            if (epochStart)
            {
                refusedEpochStarts++;
            }
            else
            {
                refusedPartitionAlters++;
            }
        }
        sendResult(session, replication.lastCorrelationId(), code, 0, replication.lastValue(),
            replication.lastErrorMessage());
    }

    private void broadcastEpochEventOfLength(final int eventLength)
    {
        epochStarts++;
        egress.broadcast(replication.eventBuffer(), eventLength);
    }

    private long logStartOffset(final int topicId, final int partition)
    {
        final TopicMetadata topic = state.topic(topicId);
        return null == topic || partition < 0 || partition >= topic.partitions() ? 0 : topic.logStartOffset(partition);
    }

    private void broadcastPartitionEventOfLength(final int eventLength)
    {
        partitionChanges++;
        egress.broadcast(replication.eventBuffer(), eventLength);
    }

    private void armBrokerTimer()
    {
        brokerTimer.arm(cluster, idleStrategy, brokers.registry().nextDeadlineMs());
    }

    private void onGroupRequest(final ClientSession session, final DirectBuffer buffer, final int length)
    {
        final int varOffset = MessageHeaderDecoder.ENCODED_LENGTH + headerDecoder.blockLength();
        if (varOffset + SIZE_OF_INT > length)
        {
            reject(session, "group request truncated");
            return;
        }

        final long requestLength = buffer.getInt(varOffset, GroupRequestCommandDecoder.BYTE_ORDER) & 0xFFFF_FFFFL;
        if (varOffset + SIZE_OF_INT + requestLength > length)
        {
            reject(session, "group request truncated: " + requestLength);
            return;
        }

        groupRequestDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
        final long correlationId = groupRequestDecoder.correlationId();
        appliedCommands++;
        groupRequests++;

        final long malformedBefore = groupRequestHandler.malformedRequests();
        // The member binding: the connection (a broker's cluster session) and the client session it names.
        final long sessionId = null == session ? GroupCoordinator.NO_SESSION : session.id();
        final int answerLength =
            groupRequestHandler.handle(buffer, varOffset + SIZE_OF_INT, (int)requestLength, sessionId, nowMs());
        if (groupRequestHandler.malformedRequests() != malformedBefore)
        {
            malformedGroupRequests++;
        }
        armGroupTimer();

        if (null != session)
        {
            groupResponseEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .correlationId(correlationId)
                .putResponse(groupRequestHandler.answerBuffer(), 0, answerLength);
            offer(session, MessageHeaderEncoder.ENCODED_LENGTH + groupResponseEncoder.encodedLength());
        }
    }

    private void onMemberExpired(final String groupId, final String memberId, final int reason, final long nowMs)
    {
        // Members learn of it with UNKNOWN_MEMBER_ID on their next heartbeat or commit.
    }

    private int partitionCount(final String topic)
    {
        final TopicMetadata metadata = state.topic(topic);

        return null == metadata ? TopicPartitionCounts.UNKNOWN_TOPIC : metadata.partitions();
    }

    private long nowMs()
    {
        // The time unit is only known once the log has been joined, not yet in onStart.
        return cluster.timeUnit().toMillis(cluster.time());
    }

    /**
     * Keep the one group timer at the coordinator's earliest deadline, after every change that may move it.
     */
    private void armGroupTimer()
    {
        groupTimer.arm(cluster, idleStrategy, groups.nextDeadlineMs());
    }

    private void onCreateTopic(final ClientSession session, final CreateTopicCommandDecoder decoder)
    {
        final long correlationId = decoder.correlationId();
        final int partitions = decoder.partitions();
        final long retentionMs = decoder.retentionMs();
        final long retentionBytes = decoder.retentionBytes();
        final int timestampType = decoder.timestampType();
        // Null (a sender that does not set them) means 1, today's single replica.
        final int replicationFactor = CreateTopicCommandDecoder.replicationFactorNullValue() ==
            decoder.replicationFactor() ? 1 : decoder.replicationFactor();
        final int minInsyncReplicas = CreateTopicCommandDecoder.minInsyncReplicasNullValue() ==
            decoder.minInsyncReplicas() ? 1 : decoder.minInsyncReplicas();
        final String name = decoder.topicName();

        appliedCommands++;
        final int replicationCode = replication.validateTopic(replicationFactor, minInsyncReplicas);
        if (NONE != replicationCode)
        {
            sendResult(session, correlationId, replicationCode, 0, 0, replication.lastErrorMessage());
            return;
        }
        final int code = state.createTopic(name, partitions, retentionMs, retentionBytes, timestampType);
        final TopicMetadata topic = state.lastTopic();
        if (NONE == code)
        {
            sendResult(session, correlationId, code, topic.topicId(), topic.firstStreamId(), null);
            broadcast(TopicEventType.CREATED, topic);
            replication.topicCreated(topic.topicId(), partitions, replicationFactor, minInsyncReplicas,
                broadcastPartitionEventOfLength);
            groups.topicChanged(name);
            armGroupTimer();
        }
        else
        {
            sendResult(session, correlationId, code, 0, 0, state.lastErrorMessage());
        }
    }

    private void onDeleteTopic(final ClientSession session, final DeleteTopicCommandDecoder decoder)
    {
        final long correlationId = decoder.correlationId();
        final String name = decoder.topicName();

        appliedCommands++;
        final int code = state.deleteTopic(name);
        final TopicMetadata topic = state.lastTopic();
        if (NONE == code)
        {
            sendResult(session, correlationId, code, topic.topicId(), 0, null);
            broadcast(TopicEventType.DELETED, topic);
            replication.topicDeleted(topic.topicId());
            groups.topicChanged(name);
            armGroupTimer();
        }
        else
        {
            sendResult(session, correlationId, code, 0, 0, state.lastErrorMessage());
        }
    }

    private void onUpdateLogStartOffset(final ClientSession session, final UpdateLogStartOffsetCommandDecoder decoder)
    {
        final long correlationId = decoder.correlationId();
        final int topicId = decoder.topicId();
        final int partition = decoder.partition();

        appliedCommands++;
        // A sender of version 2 reports no log end (null value): refused, as its bound is unknown.
        final int code = state.updateLogStartOffset(
            topicId, partition, decoder.logStartOffset(), decoder.logEndOffset());
        final TopicMetadata topic = state.lastTopic();
        if (NONE == code)
        {
            sendResult(session, correlationId, code, topicId, topic.logStartOffset(partition), null);
            if (state.lastChanged())
            {
                broadcast(TopicEventType.UPDATED, topic);
            }
        }
        else
        {
            sendResult(session, correlationId, code, topicId, 0, state.lastErrorMessage());
        }
    }

    private boolean checkBlock(final ClientSession session, final int minBlockLength)
    {
        if (headerDecoder.blockLength() < minBlockLength)
        {
            reject(session, "blockLength too short: " + TopicEventCodec.describe(headerDecoder));
            return false;
        }

        return true;
    }

    private boolean checkVarString(final ClientSession session, final int length)
    {
        final int varOffset = MessageHeaderDecoder.ENCODED_LENGTH + headerDecoder.blockLength();
        if (varOffset + SIZE_OF_INT > length)
        {
            reject(session, "var data header truncated");
            return false;
        }

        final long varLength = frame.getInt(varOffset, CreateTopicCommandDecoder.BYTE_ORDER) & 0xFFFF_FFFFL;
        if (varLength > MAX_TOPIC_NAME_BYTES || varOffset + SIZE_OF_INT + varLength > length)
        {
            reject(session, "var data truncated or too long: " + varLength);
            return false;
        }

        return true;
    }

    private void reject(final ClientSession session, final String reason)
    {
        rejectedCommands++;
        sendResult(session, UNKNOWN_CORRELATION_ID, CORRUPT_MESSAGE, 0, 0, reason);
    }

    private void sendResult(
        final ClientSession session,
        final long correlationId,
        final int code,
        final int topicId,
        final long value,
        final String message)
    {
        if (null == session)
        {
            return;
        }

        commandResultEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .correlationId(correlationId)
            .code((short)code)
            .topicId(topicId)
            .value(value)
            .message(message);

        offer(session, MessageHeaderEncoder.ENCODED_LENGTH + commandResultEncoder.encodedLength());
    }

    private void broadcast(final TopicEventType eventType, final TopicMetadata topic)
    {
        egress.broadcast(sendBuffer,
            topicEventCodec.encode(sendBuffer, 0, TopicEventCodec.NULL_CORRELATION_ID, eventType, topic));
    }

    private void sendMetadata(final ClientSession session, final long correlationId)
    {
        if (null == session)
        {
            return;
        }

        metadataSession = session;
        metadataCorrelationId = correlationId;
        metadataFailed = false;
        state.forEachTopic(sendMetadataTopic);
        metadataSession = null;
        // Users and ACLs come before the end marker, so a broker replaces its copy only with a whole answer.
        if (!metadataFailed)
        {
            metadataFailed = !security.forEachRecord(correlationId,
                (eventLength) -> offer(session, security.eventBuffer(), eventLength));
        }

        if (!metadataFailed)
        {
            metadataFailed = !brokers.forEachRecord(correlationId,
                (eventLength) -> offer(session, brokers.eventBuffer(), eventLength));
        }

        if (!metadataFailed)
        {
            metadataFailed = !replication.forEachRecord(correlationId,
                (eventLength) -> offer(session, replication.eventBuffer(), eventLength));
        }

        // An incomplete answer has no end marker, so the broker times out and asks again.
        if (!metadataFailed)
        {
            metadataEndEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .correlationId(correlationId)
                .topicCount(state.topicCount());
            offer(session, MessageHeaderEncoder.ENCODED_LENGTH + metadataEndEncoder.encodedLength());
        }
    }

    private void sendMetadataTopic(final TopicMetadata topic)
    {
        if (!metadataFailed)
        {
            final int length =
                topicEventCodec.encode(sendBuffer, 0, metadataCorrelationId, TopicEventType.SNAPSHOT, topic);
            metadataFailed = !offer(metadataSession, length);
        }
    }

    private boolean offer(final ClientSession session, final int length)
    {
        return egress.offer(session, sendBuffer, length);
    }

    private boolean offer(final ClientSession session, final DirectBuffer message, final int length)
    {
        return egress.offer(session, message, length);
    }

    private void loadSnapshot(final Image snapshotImage)
    {
        final ControllerSnapshot.Loader loader = new ControllerSnapshot.Loader(topicEventCodec);
        final ImageFragmentAssembler assembler = new ImageFragmentAssembler(loader);

        idleStrategy.reset();
        while (!loader.isComplete())
        {
            final int fragments = snapshotImage.poll(assembler, 10);
            if (0 == fragments && (snapshotImage.isEndOfStream() || snapshotImage.isClosed()))
            {
                break;
            }
            idleStrategy.idle(fragments);
        }

        if (!loader.isComplete())
        {
            throw new ClusterException("controller snapshot ended without end marker");
        }

        loader.restoreInto(state, groups, security.users(), security.acls(), brokers.registry(),
            replication.replicas());
    }
}
