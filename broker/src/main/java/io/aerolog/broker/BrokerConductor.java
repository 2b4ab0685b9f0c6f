package io.aerolog.broker;

import io.aerolog.archive.PartitionLog;
import io.aerolog.cluster.ControllerClient;
import io.aerolog.cluster.ControllerListener;
import io.aerolog.cluster.TopicEventCodec;
import io.aerolog.cluster.TopicMetadata;
import io.aerolog.cluster.registry.RegisteredBroker;
import io.aerolog.cluster.security.AclBinding;
import io.aerolog.cluster.security.AclOperation;
import io.aerolog.cluster.security.AclResourceType;
import io.aerolog.cluster.security.PasswordHasher;
import io.aerolog.cluster.security.UserCredential;
import io.aerolog.codecs.cluster.BrokerEventType;
import io.aerolog.codecs.cluster.SecurityEventType;
import io.aerolog.codecs.cluster.TopicEventType;
import io.aerolog.sequencer.OffsetIndex;
import io.aerolog.sequencer.PartitionElection;
import io.aeron.Aeron;
import io.aeron.Image;
import io.aeron.Subscription;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.collections.IntHashSet;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The control path of a broker, one thread: it reads client control requests ({@link ControlRequestAdapter}) and
 * serves them through the pieces that own each duty — sessions ({@link ClientSessions}), topic administration
 * through the controller ({@link TopicAdmin}), consumer streams and offset lookups ({@link FetchService}), consumer
 * groups ({@link GroupRequestForwarder}) — and keeps the controller connection. It makes no blocking call: archive
 * work goes to the {@link LogWorker}, whose results come back here as commands.
 */
final class BrokerConductor implements Agent, ControllerListener, LogWorker.RetentionListener
{
    private static final long CONTROLLER_RECONNECT_INTERVAL_MS = 1_000;
    private static final long HOUSEKEEPING_INTERVAL_MS = 100;

    private final EpochClock clock;
    private final ProduceAgent produceAgent;
    private final LogWorker worker;
    private final TopicRegistry topics = new TopicRegistry();
    private final ClusterView cluster;
    private final PartitionRoles roles;
    private final ClientSessions sessions;
    private final TopicAdmin admin;
    private final FetchService fetch;
    private final GroupRequestForwarder groups;
    private final ControlRequestAdapter requests;
    private final AccessControl access;
    private final CredentialWorker credentials;
    // Results of the log worker and image departures reported by the Aeron client: run on this thread.
    private final ManyToOneConcurrentLinkedQueue<Runnable> commands = new ManyToOneConcurrentLinkedQueue<>();
    private final OffsetIndex.Entry indexEntry = new OffsetIndex.Entry();
    private final BrokerRegistration registration;
    private final IsrChangeForwarder isrChanges;
    private final ControlledShutdown shutdown;
    private ControllerClient controller;
    private Supplier<ControllerClient> controllerReconnector;
    private long nextReconnectMs;
    private long metadataCorrelationId = -1;
    private boolean metadataLoaded;
    // Events broadcast while the controller changed leader, or while this broker had no session, never reach it:
    // it asks for the whole metadata again, as it did at start, and applies it over what it has.
    private boolean resyncDue;
    private final IntHashSet resyncTopicIds = new IntHashSet();
    private long nowMs;
    private long nextHousekeepingMs;

    BrokerConductor(
        final Broker.Context ctx,
        final Aeron aeron,
        final LogWorker worker,
        final ProduceAgent produceAgent,
        final BrokerCounters counters,
        final Subscription[] ingress,
        final Subscription[] produceIngress,
        final EpochClock clock,
        final ErrorHandler errorHandler,
        final int maxBatchBytes,
        final AccessControl access)
    {
        this.access = access;
        this.cluster = new ClusterView(ctx.brokerId());
        this.registration = new BrokerRegistration(ctx.brokerId(), ctx.host(), ctx.internalHost(), ctx.portBase());
        this.credentials = new CredentialWorker(this::execute, errorHandler);
        this.clock = clock;
        this.produceAgent = produceAgent;
        this.worker = worker;
        final Answers answers = new Answers(counters.control);
        this.fetch = new FetchService(topics, worker, answers, cluster);
        this.sessions = new ClientSessions(ctx, aeron, ingress, produceIngress, produceAgent, counters, answers,
            fetch::onSessionClosed, maxBatchBytes, access, credentials);
        this.admin = new TopicAdmin(ctx, topics, worker, produceAgent, answers, () -> controller, cluster,
            maxBatchBytes);
        this.roles = new PartitionRoles(cluster, topics, worker, produceAgent, fetch, sessions, admin::onTopicSettled);
        admin.roles(roles);
        this.groups = new GroupRequestForwarder(answers.sender(), answers::error, new LogView(),
            counters.control.rejectedFrames);
        final SecurityAdmin securityAdmin = new SecurityAdmin(access, credentials, admin, answers, () -> controller);
        this.requests = new ControlRequestAdapter(ingress, sessions, admin, fetch, groups, answers, errorHandler,
            access, securityAdmin, topics, new BrokerListing(cluster, answers));
        worker.retentionListener(this);
        this.isrChanges = new IsrChangeForwarder(ctx.brokerId(), this::execute, cluster, registration::brokerEpoch,
            () -> controller, admin::nextCorrelationId, counters.isrProposalsRefused, produceAgent::onIsrChangeRefused);
        this.shutdown = new ControlledShutdown(ctx.brokerId(), cluster, topics, registration, clock);
    }

    /**
     * Begins a controlled shutdown on the conductor's thread (its leaderships move away while the broker runs on).
     *
     * @return what the closing thread waits for.
     */
    ControlledShutdown beginControlledShutdown()
    {
        commands.offer(shutdown::begin);
        return shutdown;
    }

    /** @return where the produce agent's in-sync set proposals go: on to the controller. */
    IsrChangeListener isrChangeForwarder()
    {
        return isrChanges;
    }

    /** @param listener told each new broker epoch of this broker's registration (the conductor's thread). */
    void brokerEpochListener(final LongConsumer listener)
    {
        registration.epochListener(listener);
    }

    /**
     * Called by the Aeron client when a control image goes away: its partial message, if any, is freed on the
     * conductor's thread.
     *
     * @param image that went away.
     */
    void onImageUnavailable(final Image image)
    {
        final int imageSessionId = image.sessionId();
        commands.offer(() -> requests.onImageGone(imageSessionId));
    }

    /**
     * Runs a command on the conductor's thread (the log worker's results).
     *
     * @param command to run.
     */
    void execute(final Runnable command)
    {
        commands.offer(command);
    }

    /**
     * Lets this broker follow and lead replicated partitions.
     *
     * @param replicaChannel reports this broker's copies to their leaders.
     * @param errorHandler   for failures worth recording.
     */
    void replication(final ReplicaChannel replicaChannel, final ErrorHandler errorHandler)
    {
        roles.replication(replicaChannel, () -> controller, registration::brokerEpoch, admin::nextCorrelationId,
            errorHandler);
    }

    /** @return the role keeper, for the log worker's word on copies. */
    PartitionRoles roles()
    {
        return roles;
    }

    /** @return the current controller client. */
    ControllerClient controllerClient()
    {
        return controller;
    }

    /**
     * @param reconnector connects a new controller client when the current one has given up.
     */
    void controllerReconnector(final Supplier<ControllerClient> reconnector)
    {
        this.controllerReconnector = reconnector;
    }

    void controller(final ControllerClient controller)
    {
        if (null != this.controller && this.controller != controller)
        {
            this.controller.close();
        }
        this.controller = controller;
        groups.controller(controller);
        resyncDue = metadataLoaded;
    }

    /**
     * Loads every topic from the controller and opens (recovering) its partition logs. Called before the conductor
     * runs on its own thread (the log worker runs its tasks on the caller's thread until then).
     *
     * @param timeoutMs bound on the wait.
     */
    void loadMetadata(final long timeoutMs)
    {
        final long deadlineMs = clock.time() + timeoutMs;
        // Register first: the registration is what makes this broker a leader again (after a clean stop, or when
        // its previous incarnation's session had not expired), so the metadata read after it names the partitions
        // this broker leads, and their logs open before the broker says it is ready.
        while (!registration.isRegistered())
        {
            checkDeadline(deadlineMs, "registering with the controller");
            if (0 == controller.poll() + registration.doWork(clock.time(), controller))
            {
                Thread.onSpinWait();
            }
        }
        metadataCorrelationId = admin.nextCorrelationId();
        while (!controller.requestMetadata(metadataCorrelationId))
        {
            checkDeadline(deadlineMs, "sending metadata request to the controller");
            controller.poll();
            Thread.onSpinWait();
        }
        while (!metadataLoaded)
        {
            checkDeadline(deadlineMs, "loading metadata from the controller");
            if (0 == controller.poll() + runCommands())
            {
                Thread.onSpinWait();
            }
        }
        runCommands();
    }

    /**
     * Creates a user if the controller has none of that name (the first administrator of a cluster that requires
     * authentication). Called, like {@link #loadMetadata}, before the conductor runs on its own thread.
     *
     * @param name      of the user.
     * @param password  its password.
     * @param timeoutMs bound on the wait.
     */
    void ensureUser(final String name, final String password, final long timeoutMs)
    {
        if (null != access.user(name))
        {
            return;
        }
        final UserCredential credential =
            PasswordHasher.newCredential(name, password.toCharArray(), PasswordHasher.DEFAULT_ITERATIONS);
        final long deadlineMs = clock.time() + timeoutMs;
        final long correlationId = admin.nextCorrelationId();
        while (!controller.upsertUser(correlationId, credential))
        {
            checkDeadline(deadlineMs, "creating the initial user");
            controller.poll();
            Thread.onSpinWait();
        }
        while (null == access.user(name))
        {
            checkDeadline(deadlineMs, "creating the initial user");
            if (0 == controller.poll())
            {
                Thread.onSpinWait();
            }
        }
    }

    // The cluster client gives up when no leader answers for its message timeout (e.g. a long election): connect a
    // new one. Blocks up to that timeout: the one blocking call left here, made only while no controller answers.
    private int reconnectController()
    {
        if (!controller.isClosed() || null == controllerReconnector || nowMs < nextReconnectMs)
        {
            return 0;
        }
        nextReconnectMs = nowMs + CONTROLLER_RECONNECT_INTERVAL_MS;
        try
        {
            controller(controllerReconnector.get());
            return 1;
        }
        catch (final RuntimeException ex)
        {
            return 0; // no leader yet: try again later
        }
    }

    private void checkDeadline(final long deadlineMs, final String what)
    {
        if (clock.time() > deadlineMs)
        {
            throw new IllegalStateException("timed out " + what);
        }
    }

    @Override
    public String roleName()
    {
        return "aerolog-conductor";
    }

    @Override
    public void onClose()
    {
        if (null != controller)
        {
            registration.controlledShutdown(controller); // once, unless a controlled shutdown already asked
        }
        credentials.close();
    }

    @Override
    public int doWork()
    {
        nowMs = clock.time();
        int work = runCommands() + controller.poll() + requests.poll(nowMs) + registration.doWork(nowMs, controller) +
            shutdown.doWork() + resyncMetadata();
        if (nowMs >= nextHousekeepingMs)
        {
            nextHousekeepingMs = nowMs + HOUSEKEEPING_INTERVAL_MS;
            work += sessions.completeConnects(nowMs) + sessions.expire(nowMs) + admin.expire(nowMs) +
                groups.expire(nowMs) + roles.tick(nowMs) + reconnectController();
        }
        return work;
    }

    private int resyncMetadata()
    {
        if (!resyncDue || controller.isClosed())
        {
            return 0;
        }
        final long correlationId = admin.nextCorrelationId();
        if (!controller.requestMetadata(correlationId))
        {
            return 0; // back pressured or between leaders: next cycle
        }
        resyncDue = false;
        metadataCorrelationId = correlationId;
        resyncTopicIds.clear();
        return 1;
    }

    private int runCommands()
    {
        int work = 0;
        Runnable command;
        while (work < 64 && null != (command = commands.poll()))
        {
            command.run();
            work++;
        }
        return work;
    }

    /** @return every partition log open on this broker (for shutdown). */
    List<PartitionLog> logs()
    {
        return topics.logs();
    }

    /** Closes every client session (shutdown). */
    void closeSessions()
    {
        sessions.closeAll();
    }

    // ---------------------------------------------------------------- controller

    @Override
    public void onCommandResult(
        final long correlationId, final int code, final int topicId, final long value, final String message)
    {
        if (registration.onCommandResult(correlationId, code, value) ||
            isrChanges.onCommandResult(correlationId, code, message))
        {
            return;
        }
        if (roles.onCommandResult(correlationId, code, message))
        {
            return;
        }
        admin.onCommandResult(correlationId, code, topicId, value, message);
    }

    @Override
    public void onGroupResponse(
        final long correlationId, final DirectBuffer buffer, final int offset, final int length)
    {
        groups.onResponse(correlationId, buffer, offset, length, clock.time());
    }

    @Override
    public void onNewLeader(final long leadershipTermId, final int leaderMemberId)
    {
        resyncDue = metadataLoaded;
    }

    @Override
    public void onTopicEvent(final long correlationId, final TopicEventType type, final TopicMetadata topic)
    {
        if (TopicEventType.SNAPSHOT == type && correlationId == metadataCorrelationId)
        {
            resyncTopicIds.add(topic.topicId());
        }
        admin.onTopicEvent(type, topic);
        if (TopicEventType.DELETED == type)
        {
            cluster.onTopicDeleted(topic.topicId(), topic.partitions());
        }
    }

    @Override
    public void onBrokerEvent(final long correlationId, final BrokerEventType type, final RegisteredBroker broker)
    {
        cluster.onBrokerEvent(type, broker);
    }

    @Override
    public void onPartitionChange(
        final long correlationId,
        final int topicId,
        final int partition,
        final int minInsyncReplicas,
        final PartitionElection.State state)
    {
        cluster.onPartitionChange(topicId, partition, minInsyncReplicas, state);
        roles.onPartitionChange(topicId, partition);
    }

    @Override
    public void onLeaderEpochStart(
        final long correlationId,
        final int topicId,
        final int partition,
        final int epoch,
        final long startPosition,
        final long startOffset,
        final long leaderRecordingId)
    {
        if (cluster.onLeaderEpochStart(correlationId, topicId, partition, epoch, startPosition, startOffset,
            leaderRecordingId))
        {
            roles.onPartitionChange(topicId, partition); // a follower waiting for its leader's epoch start
        }
    }

    @Override
    public void onMetadataEnd(final long correlationId, final int topicCount)
    {
        if (correlationId == metadataCorrelationId)
        {
            access.onMetadataEnd(correlationId);
            if (metadataLoaded)
            {
                // A topic the whole answer no longer holds was deleted while this broker missed the event.
                for (final TopicRegistry.TopicState topic : new ArrayList<>(topics.all()))
                {
                    if (!resyncTopicIds.contains(topic.metadata.topicId()))
                    {
                        onTopicEvent(TopicEventCodec.NULL_CORRELATION_ID, TopicEventType.DELETED, topic.metadata);
                    }
                }
            }
            metadataLoaded = true;
        }
    }

    @Override
    public void onUserEvent(final long correlationId, final SecurityEventType type, final UserCredential user)
    {
        access.onUserEvent(correlationId, type, user);
    }

    @Override
    public void onAclEvent(final long correlationId, final SecurityEventType type, final AclBinding acl)
    {
        access.onAclEvent(correlationId, type, acl);
        if (AclResourceType.TOPIC == acl.resourceType())
        {
            fetch.stopUnauthorized(sessions.all(), (session, topicId) ->
            {
                final TopicRegistry.TopicState topic = topics.byId(topicId);
                return null == topic || access.allows(
                    session.principal(), AclOperation.READ, AclResourceType.TOPIC, topic.metadata.name());
            });
        }
    }

    // ---------------------------------------------------------------- retention

    @Override
    public void onLogStartMoved(final PartitionLog log, final boolean consumersStale)
    {
        if (topics.log(log.topicId(), log.partition()) != log)
        {
            return; // deleted meanwhile
        }
        controller.updateLogStartOffset(admin.nextCorrelationId(), log.topicId(), log.partition(),
            log.logStartOffset(), log.logEndOffset());
        if (consumersStale)
        {
            fetch.stopAll(log, sessions.all());
        }
    }

    /** This broker's partition logs as the group forwarder sees them, for lag. */
    private final class LogView implements GroupRequestForwarder.PartitionLogView
    {
        public long endOffset(final String topic, final int partition)
        {
            final PartitionLog log = topics.log(topic, partition);
            return null == log ? -1 : log.highWatermark();
        }

        public long startOffset(final String topic, final int partition)
        {
            final PartitionLog log = topics.log(topic, partition);
            return null == log ? -1 : log.logStartOffset();
        }

        public long timestampNear(final String topic, final int partition, final long offset)
        {
            final PartitionLog log = topics.log(topic, partition);
            return null != log && log.index().floorByOffset(offset, indexEntry) ? indexEntry.maxTimestamp() : -1;
        }
    }
}
