package io.aerolog.broker;

import io.aerolog.archive.PartitionLog;
import io.aerolog.archive.PartitionLogStore;
import io.aerolog.archive.ReplicationSignals;
import io.aerolog.client.ClientContext;
import io.aerolog.kafka.KafkaListener;
import io.aerolog.kafka.ListenerCounters;
import io.aerolog.node.ArchivingDriver;
import io.aerolog.cluster.ControllerClient;
import io.aerolog.cluster.registry.BrokerRegistry;
import io.aerolog.cluster.security.Authorizer;
import io.aerolog.cluster.security.Principals;
import io.aerolog.cluster.ControllerNode;
import io.aerolog.cluster.ControllerService;
import io.aerolog.node.DataPathThread;
import io.aerolog.node.NodeErrorLog;
import io.aerolog.node.NodeSecret;
import io.aerolog.node.SecretCredentialsSupplier;
import io.aerolog.transport.Channels;
import io.aerolog.transport.ThreadingProfile;
import io.aerolog.transport.Wire;
import io.aeron.Aeron;
import io.aeron.Subscription;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.client.ClusterException;
import io.aeron.driver.ThreadingMode;
import io.aeron.exceptions.ClientTimeoutException;
import io.aeron.exceptions.ConductorServiceTimeoutException;
import io.aeron.exceptions.DriverTimeoutException;
import io.aeron.exceptions.TimeoutException;
import io.aeron.logbuffer.FrameDescriptor;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.File;
import java.util.Properties;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An Aerolog broker: a media driver, an Aeron Archive holding the partition logs, a one-node Aeron Cluster running
 * the controller (topic metadata, producer ids, log start offsets), and the broker's two agents: the produce agent
 * (data path) and the conductor (control path). {@link #launch} returns once it is ready to serve.
 */
public final class Broker implements AutoCloseable
{
    private static final long STARTUP_TIMEOUT_MS = 60_000;
    private static final long SHUTDOWN_POLL_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Context ctx;
    private ControllerNode controllerNode;
    private ArchivingDriver archivingDriver;
    private Aeron aeron;
    private AeronArchive archive;
    private BrokerCounters counters;
    private ReplicaCounters replicaCounters;
    private ReplicaChannel replicaChannel;
    private ProduceAgent produceAgent;
    private volatile IsrChangeListener isrChanges = IsrChangeListener.NONE;
    private AgentRunner produceRunner;
    private KafkaListener kafkaListener;
    private AgentRunner conductorRunner;
    private AgentRunner logWorkerRunner;
    private DataPathThread dataPathThread;
    private Agent dataPathAgent;
    private BrokerConductor conductor;
    private PartitionLogStore store;
    private final AtomicLong errorCount = new AtomicLong();
    private volatile Throwable firstError;
    private volatile Throwable fatalError;
    private volatile NodeErrorLog errorLog;
    private volatile String controlledShutdownReport;

    private Broker(final Context ctx)
    {
        this.ctx = ctx;
    }

    /**
     * Starts a broker and waits until it serves.
     *
     * @param ctx its settings.
     * @return the running broker.
     * @throws IllegalStateException if another broker runs on the same Aeron directory or the start fails.
     */
    public static Broker launch(final Context ctx)
    {
        ctx.conclude();
        final Broker broker = new Broker(ctx);
        try
        {
            broker.start();
            return broker;
        }
        catch (final RuntimeException ex)
        {
            broker.close();
            throw ex;
        }
    }

    private void start()
    {
        final ThreadingProfile profile = ctx.threadingProfile();
        errorLog = NodeErrorLog.create(ctx.dataDir(), NodeErrorLog.DEFAULT_ERROR_BUFFER_LENGTH);
        final ControllerNode.Context nodeCtx = new ControllerNode.Context()
            .errorLog(errorLog)
            .baseDir(ctx.dataDir())
            .aeronDirectoryName(ctx.aeronDirectoryName())
            .memberId(ctx.brokerId())
            .host(ctx.internalHost())
            .secret(ctx.nodeSecret())
            .portBase(ctx.portBase())
            .brokerSessionTimeoutMs(ctx.brokerSessionTimeoutMs())
            .leaderImbalanceCheckIntervalMs(ctx.autoLeaderRebalanceEnable() ? ctx.leaderImbalanceCheckIntervalMs() : 0)
            .leaderImbalancePerBrokerPercentage(ctx.leaderImbalancePerBrokerPercentage())
            .clusterMembers(ctx.isController() ? ctx.controllerMembers().clusterMembers() : null)
            // A node of a configured cluster serves its partitions' copies to other brokers from its archive; a
            // standalone broker's archive stays on IPC, so nothing but the client port is reachable.
            .archiveNetworkControl(ctx.isClusterDeployment() ? Boolean.TRUE : null)
            .archiveSegmentFileLength(ctx.segmentLength())
            .threadingMode(ThreadingMode.valueOf(profile.driverThreadingMode()))
            .driverIdleStrategySupplier(profile.idle(ThreadingProfile.DRIVER_IDLE))
            .archiveThreadingMode(ArchiveThreadingMode.valueOf(profile.archiveThreadingMode()))
            .archiveIdleStrategySupplier(profile.idle(ThreadingProfile.ARCHIVE_IDLE))
            .clusterIdleStrategySupplier(profile.idle(ThreadingProfile.CLUSTER_IDLE));
        // Both launches refuse an Aeron directory that a live broker uses (and reuse a killed one's).
        final Archive.Context archiveCtx;
        if (ctx.isController())
        {
            controllerNode = ControllerNode.launch(nodeCtx);
            archiveCtx = controllerNode.archiveContext();
        }
        else
        {
            archivingDriver = ControllerNode.launchArchivingDriver(nodeCtx);
            archiveCtx = archivingDriver.archive().context();
        }
        if (!ctx.isBroker())
        {
            return; // a controller-only node: its cluster member is all it runs
        }
        if (isSingleNode() && !controllerNode.awaitLeader(STARTUP_TIMEOUT_MS))
        {
            throw new IllegalStateException("the controller did not elect a leader in time");
        }

        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(ctx.aeronDirectoryName())
            .errorHandler(this::onError));
        archive = AeronArchive.connect(new AeronArchive.Context()
            .aeron(aeron)
            .ownsAeronClient(false)
            .controlRequestChannel(archiveCtx.localControlChannel())
            .controlRequestStreamId(archiveCtx.localControlStreamId())
            .controlResponseChannel(archiveCtx.localControlChannel())
            .controlResponseStreamId(PartitionLogStore.ARCHIVE_CONTROL_RESPONSE_STREAM_ID)
            .credentialsSupplier(new SecretCredentialsSupplier(ctx.nodeSecret())));

        counters = new BrokerCounters(aeron, ctx.brokerId());
        store = new PartitionLogStore(aeron, archive, ctx.logTermLength(), ctx.indexIntervalBytes());
        final SystemEpochClock clock = SystemEpochClock.INSTANCE;
        final String udpIngress = Channels.udpIngress(ctx.host(), ctx.portBase());
        final Subscription[] controlIngress = new Subscription[2];
        // The agent frees a departed client's reassembly buffer when Aeron drops its image.
        final Subscription[] produceIngress = new Subscription[2];
        final AccessControl access = new AccessControl(Authorizer.parseSuperUsers(ctx.superUsers()),
            ctx.allowEveryoneIfNoAclFound(), ctx.authenticationRequired());
        final ProduceAgent produceAgent = new ProduceAgent(produceIngress, counters, clock, ctx.maxBatchBytes(),
            access, ctx.brokerId(), ctx.replicaLagTimeMaxMs(),
            (topicId, partition, leaderEpoch, partitionEpoch, isr) ->
                isrChanges.onIsrChangeProposed(topicId, partition, leaderEpoch, partitionEpoch, isr));
        this.produceAgent = produceAgent;
        replicaCounters = new ReplicaCounters(aeron, ctx.brokerId());
        replicaChannel = new ReplicaChannel(aeron, ctx.brokerId(), ctx.internalHost(), ctx.portBase(),
            ctx.nodeSecret(), replicaCounters, produceAgent::onReplicaPosition,
            (leaderId, topicId, partition, leaderEpoch, hwPosition, hwOffset, logStartOffset, logStartPosition) -> {});
        produceAgent.replicaChannel(replicaChannel);
        produceIngress[0] = aeron.addSubscription(
            Channels.ipcIngress(), Wire.PRODUCE_STREAM_ID, null, produceAgent::onImageUnavailable);
        produceIngress[1] = aeron.addSubscription(
            udpIngress, Wire.PRODUCE_STREAM_ID, null, produceAgent::onImageUnavailable);
        // The worker owns the archive client from here on: only its thread makes archive calls.
        final LogWorker logWorker = new LogWorker(archive, store, (command) -> conductor.execute(command),
            this::onError, clock, ctx.segmentLength(), ctx.retentionCheckIntervalMs());
        conductor = new BrokerConductor(ctx, aeron, logWorker, produceAgent, counters, controlIngress,
            produceIngress, clock, this::onError, ctx.maxBatchBytes(), access);
        conductor.replication(replicaChannel, this::onError);
        logWorker.replication(new PartitionCopies(new ReplicationSignals(archive), aeron.countersReader(),
            ctx.nodeSecret().bytes(), (copy) -> conductor.roles().onCopyEnded(copy), store, clock, this::onError,
            conductor::execute));
        isrChanges = conductor.isrChangeForwarder();
        conductor.brokerEpochListener(replicaChannel::brokerEpoch);
        // Index 0 is the IPC ingress: only clients there may be answered on IPC.
        controlIngress[0] = aeron.addSubscription(
            Channels.ipcIngress(), Wire.CONTROL_STREAM_ID, null, conductor::onImageUnavailable);
        controlIngress[1] = aeron.addSubscription(
            udpIngress, Wire.CONTROL_STREAM_ID, null, conductor::onImageUnavailable);
        conductor.controller(connectController(conductor, STARTUP_TIMEOUT_MS));
        conductor.controllerReconnector(() -> connectController(conductor, 0));
        conductor.loadMetadata(STARTUP_TIMEOUT_MS);
        if (null != ctx.initialUser())
        {
            conductor.ensureUser(ctx.initialUser(), ctx.initialUserPassword(), STARTUP_TIMEOUT_MS);
        }

        logWorker.queueFromNow();
        logWorkerRunner = new AgentRunner(profile.idle(ThreadingProfile.CONDUCTOR_IDLE).get(), this::onError,
            counters.logWorkerErrors, logWorker);
        AgentRunner.startOnThread(logWorkerRunner);
        startAgents(profile, produceAgent);
        if (null != ctx.kafkaListener())
        {
            kafkaListener = KafkaListener.start(clientContext(), ctx.kafkaListener(), this::onError);
        }
    }

    private boolean isSingleNode()
    {
        return null != controllerNode && 1 == ctx.controllerMembers().members().size();
    }

    // In a cluster of several members a leader needs a quorum, which may still be starting: retry until it answers.
    private ControllerClient connectController(final BrokerConductor conductor, final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            try
            {
                return ControllerClient.connect(aeron, ctx.controllerMembers().ingressEndpoints(),
                    "aeron:udp?endpoint=" + ctx.internalHost() + ":0", ctx.nodeSecret(), conductor);
            }
            catch (final TimeoutException | ClusterException ex)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("no controller leader answered within " + timeoutMs +
                        " ms at " + ctx.controllerMembers() + ": " + ex.getMessage(), ex);
                }
            }
        }
    }

    private void startAgents(final ThreadingProfile profile, final ProduceAgent produceAgent)
    {
        // Each runner counts its own agents' errors: one writer per counter.
        final AtomicCounter controlErrors = counters.control.errors;
        final AtomicCounter dataErrors = counters.data.errors;
        final IdleStrategy conductorIdle = profile.idle(ThreadingProfile.CONDUCTOR_IDLE).get();
        switch (profile.producePlacement())
        {
            case "with-archive":
                // One thread for the archive (and the driver, when it is an invoker) and the produce agent: no
                // hand-off on the data path. The produce agent's errors are still the broker's.
                dataPathThread = null != controllerNode ?
                    controllerNode.dataPathThread() : archivingDriver.dataPathThread();
                dataPathAgent = new BrokerErrorsAgent(produceAgent, this::onError, dataErrors);
                dataPathThread.add(dataPathAgent);
                conductorRunner = new AgentRunner(conductorIdle, this::onError, controlErrors, conductor);
                break;
            case "with-conductor":
                conductorRunner = new AgentRunner(profile.idle(ThreadingProfile.PRODUCE_IDLE).get(), this::onError,
                    controlErrors, new CompositeAgent(produceAgent, conductor));
                break;
            default:
                produceRunner = new AgentRunner(
                    profile.idle(ThreadingProfile.PRODUCE_IDLE).get(), this::onError, dataErrors, produceAgent);
                conductorRunner = new AgentRunner(conductorIdle, this::onError, controlErrors, conductor);
                AgentRunner.startOnThread(produceRunner);
                break;
        }
        AgentRunner.startOnThread(conductorRunner);
    }

    private void onError(final Throwable throwable)
    {
        errorCount.incrementAndGet();
        final NodeErrorLog log = errorLog;
        if (null != log)
        {
            log.handler(NodeErrorLog.Source.BROKER).onError(throwable);
        }
        if (null == firstError)
        {
            firstError = throwable;
        }
        if (ctx.printErrors())
        {
            System.err.println("aerolog broker " + ctx.brokerId() + " error: " + throwable);
        }
        if (null == fatalError && isFatal(throwable))
        {
            fatalError = throwable;
            ctx.terminationHook().run();
        }
    }

    // The broker's Aeron client closed itself: the process was paused or stalled past the client liveness timeout
    // (the driver dropped it), or its driver is gone. Its publications, images and counters went with it, so the
    // broker cannot go on: it stops, and a supervisor starts it afresh (it re-registers and catches up as a follower).
    private static boolean isFatal(final Throwable throwable)
    {
        return throwable instanceof ClientTimeoutException || throwable instanceof ConductorServiceTimeoutException ||
            throwable instanceof DriverTimeoutException;
    }

    /** @return the settings the broker runs with. */
    public Context context()
    {
        return ctx;
    }

    /** @return the data path: leads partitions and acknowledges batches. */
    ProduceAgent produceAgent()
    {
        return produceAgent;
    }

    /** @return the replica channel (positions from followers, states from leaders). */
    ReplicaChannel replicaChannel()
    {
        return replicaChannel;
    }

    /** @return the replica channel's counters. */
    ReplicaCounters replicaCounters()
    {
        return replicaCounters;
    }

    /** @return every partition log open on this broker. */
    List<PartitionLog> partitionLogs()
    {
        return conductor.logs();
    }

    /**
     * Where the produce agent's in-sync set proposals go (the controller, through the conductor, by default).
     *
     * @param listener receives them on the produce agent's thread; it must hand off and never block.
     */
    void isrChangeListener(final IsrChangeListener listener)
    {
        this.isrChanges = listener;
    }

    /** @return host:port of the Kafka-protocol listener for Kafka clients' bootstrap, or null when none runs. */
    public String kafkaListenerAddress()
    {
        return null == kafkaListener ? null : kafkaListener.advertisedAddress();
    }

    /** @return what the Kafka-protocol listener counted, or null when none runs. */
    public ListenerCounters kafkaListenerCounters()
    {
        return null == kafkaListener ? null : kafkaListener.counters();
    }

    /** @return a client context for clients on this host: IPC through the broker's media driver. */
    public ClientContext clientContext()
    {
        return new ClientContext().aeronDirectoryName(ctx.aeronDirectoryName()).profile(ctx.threadingProfile());
    }

    /** @return a client context for clients over UDP to this broker's client ingress. */
    public ClientContext udpClientContext()
    {
        return new ClientContext().bootstrap(ctx.host() + ":" + ctx.portBase()).clientHost(ctx.host())
            .profile(ctx.threadingProfile());
    }

    /** @return errors the broker's agents have met since start. */
    public long errorCount()
    {
        return errorCount.get();
    }

    /**
     * @return the node's error log file ({@link NodeErrorLog#read(File)} reads it, also after a crash).
     */
    public File errorLogFile()
    {
        return new File(ctx.dataDir(), NodeErrorLog.FILENAME);
    }

    /**
     * @return errors the node's driver, archive, controller and broker reported since start; 0 before start and
     * after close (read {@link #errorLogFile()} then).
     */
    public long nodeErrorCount()
    {
        final NodeErrorLog log = errorLog;
        return null == log ? 0 : log.totalCount();
    }

    /** @return the first error met, or null. */
    public Throwable firstError()
    {
        return firstError;
    }

    /**
     * @return the error that closed the broker's Aeron client (then {@link Context#terminationHook()} has run and the
     * broker must be closed), or null.
     */
    public Throwable fatalError()
    {
        return fatalError;
    }

    /** @return frames refused because they were malformed or of an unknown schema or version. */
    public long rejectedFrames()
    {
        return null == counters ? 0 : counters.rejectedFrames();
    }

    /** @return requests and connects refused for want of permission or with bad credentials. */
    public long authorizationFailures()
    {
        return null == counters ? 0 : counters.control.authorizationFailures.get() +
            counters.data.authorizationFailures.get();
    }

    /** @return requests answered with an error code. */
    public long errorResponses()
    {
        return null == counters ? 0 : counters.errorResponses();
    }

    /** @return client sessions open now. */
    public long clientSessions()
    {
        return null == counters ? 0 : counters.clientSessions.get();
    }

    /**
     * Takes a snapshot of the controller's state (so a restart replays less of its log).
     *
     * @return true if the snapshot completed in time.
     */
    public boolean takeControllerSnapshot()
    {
        return null != controllerNode && controllerNode.isLeader() && controllerNode.takeSnapshot(10_000);
    }

    /** @return true if this node hosts the controller cluster's leader now. */
    public boolean isControllerLeader()
    {
        return null != controllerNode && controllerNode.isLeader();
    }

    /**
     * Stops the broker: first, unless {@code controlled.shutdown.enable} is false, a controlled shutdown that moves
     * its leaderships away while it still serves (bounded by {@code controlled.shutdown.timeout.ms}); then the agents,
     * every partition log cleanly, a controller snapshot (so the next start replays little of the cluster log), then
     * the archive, cluster and driver.
     */
    @Override
    public void close()
    {
        CloseHelper.quietClose(kafkaListener); // its native clients go while the broker still answers them
        awaitControlledShutdown();
        if (null != dataPathThread && null != dataPathAgent)
        {
            try
            {
                dataPathThread.remove(dataPathAgent);
            }
            catch (final RuntimeException ex)
            {
                onError(ex);
            }
        }
        CloseHelper.quietCloseAll(produceRunner, conductorRunner, logWorkerRunner);
        if (null != conductorRunner && null != controllerNode && controllerNode.isLeader())
        {
            try
            {
                controllerNode.takeSnapshot(5_000);
            }
            catch (final RuntimeException ex)
            {
                onError(ex); // the state is still in the cluster log; only the restart is slower
            }
        }
        if (null != conductor && null != store)
        {
            for (final PartitionLog log : conductor.logs())
            {
                store.stop(log);
            }
            conductor.closeSessions();
        }
        CloseHelper.quietCloseAll(replicaChannel, replicaCounters);
        CloseHelper.quietCloseAll(null == conductor ? null : conductor.controllerClient(), archive, counters, aeron,
            controllerNode, archivingDriver);
        // Last: the driver, archive and controller report into it until they are closed.
        final NodeErrorLog log = errorLog;
        errorLog = null; // unmapped next: nothing may read it after
        CloseHelper.quietClose(log);
    }

    /**
     * @return what the last stop's controlled shutdown did (moved leaderships, nothing to move, gave up), or null
     * before a stop or when it was not enabled.
     */
    public String controlledShutdownReport()
    {
        return controlledShutdownReport;
    }

    // While the agents still run: the conductor asks the controller and watches the leaderships go, the produce agent
    // answers what was pending on them NOT_LEADER_OR_FOLLOWER. This thread only waits (it is the closing one).
    private void awaitControlledShutdown()
    {
        if (!ctx.controlledShutdownEnable() || null == conductor || null == conductorRunner ||
            conductorRunner.isClosed())
        {
            return;
        }
        final long startNs = System.nanoTime();
        final ControlledShutdown shutdown = conductor.beginControlledShutdown();
        final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(ctx.controlledShutdownTimeoutMs());
        while (!shutdown.isComplete() && System.nanoTime() - startNs < timeoutNs)
        {
            LockSupport.parkNanos(SHUTDOWN_POLL_NS);
        }
        final String report = shutdown.isComplete() ? shutdown.report() :
            "controlled shutdown of broker " + ctx.brokerId() + " gave up after " +
            ctx.controlledShutdownTimeoutMs() + " ms (controlled.shutdown.timeout.ms): stopping anyway";
        controlledShutdownReport = report;
        if (ControlledShutdown.Outcome.NOTHING_TO_MOVE != shutdown.outcome())
        {
            System.out.println("aerolog broker " + ctx.brokerId() + ": " + report);
            System.out.flush();
        }
    }

    /** Settings of a broker. */
    public static final class Context
    {
        /** System property naming the threading profile of brokers whose context sets none. */
        public static final String PROFILE_PROPERTY = "aerolog.profile";

        /** Default {@code controlled.shutdown.timeout.ms}: the longest a clean stop waits for leaderships to move. */
        public static final long CONTROLLED_SHUTDOWN_TIMEOUT_MS_DEFAULT = 5_000;

        /** Default {@link #internalHost()} of a single node (no {@code controller.members}): loopback. */
        public static final String INTERNAL_HOST_SINGLE_NODE_DEFAULT = "127.0.0.1";

        private File dataDir = new File("aerolog-data");
        private int brokerId = 0;
        private String host = Wire.DEFAULT_HOST;
        private int portBase = Wire.DEFAULT_PORT_BASE;
        private String aeronDirectoryName = Wire.defaultAeronDirectoryName();
        private int logTermLength = 16 * 1024 * 1024;
        private int segmentLength = 64 * 1024 * 1024;
        private int indexIntervalBytes = 4096;
        private long retentionCheckIntervalMs = 5_000;
        private long replicaLagTimeMaxMs = ProduceAgent.DEFAULT_REPLICA_LAG_TIME_MAX_MS;
        private long sessionTimeoutMs = 60_000;
        private long brokerSessionTimeoutMs = BrokerRegistry.SESSION_TIMEOUT_MS_DEFAULT;
        private boolean autoLeaderRebalanceEnable = true;
        private long leaderImbalanceCheckIntervalMs = ControllerService.LEADER_IMBALANCE_CHECK_INTERVAL_MS_DEFAULT;
        private int leaderImbalancePerBrokerPercentage = ControllerService.LEADER_IMBALANCE_PER_BROKER_PERCENTAGE_DEFAULT;
        private boolean controlledShutdownEnable = true;
        private long controlledShutdownTimeoutMs = CONTROLLED_SHUTDOWN_TIMEOUT_MS_DEFAULT;
        private int defaultReplicationFactor = 1;
        private int minInsyncReplicas = 1;
        private int maxClientSessions = 1024;
        private KafkaListener.Config kafkaListener;
        private int maxBatchBytes;
        private boolean printErrors = true;
        private Runnable terminationHook = () -> {};
        private ThreadingProfile threadingProfile;
        private String processRoles = "broker,controller";
        private boolean isBroker = true;
        private boolean isController = true;
        private String controllerMembersSetting;
        private ControllerMembers controllerMembers;
        private String internalHost;
        private String secret;
        private File secretFile;
        private NodeSecret nodeSecret;
        private boolean authenticationRequired;
        private String superUsers = "";
        private boolean allowEveryoneIfNoAclFound = true;
        private String initialUser;
        private String initialUserPassword;

        /**
         * Reads settings from properties (a broker config file): broker.id, host, port.base, data.dir, aeron.dir,
         * log.term.length, log.segment.length, log.index.interval.bytes, retention.check.interval.ms,
         * session.timeout.ms, max.client.sessions, profile (a threading profile's name or file), process.roles,
         * controller.members, internal.host, cluster.secret, cluster.secret.file, authentication.required,
         * super.users, allow.everyone.if.no.acl.found, initial.user, initial.user.password,
         * initial.user.password.file, broker.session.timeout.ms, default.replication.factor, min.insync.replicas,
         * auto.leader.rebalance.enable, leader.imbalance.check.interval.ms, leader.imbalance.per.broker.percentage,
         * controlled.shutdown.enable, controlled.shutdown.timeout.ms.
         * Absent keys keep their defaults.
         *
         * @param p the properties.
         * @return a context.
         */
        public static Context fromProperties(final Properties p)
        {
            return BrokerProperties.read(p);
        }

        /**
         * Validates the settings and fills in derived ones.
         *
         * @return this.
         * @throws IllegalArgumentException naming the bad setting.
         */
        public Context conclude()
        {
            if (!isPowerOfTwo(logTermLength) || logTermLength < 64 * 1024 || logTermLength > 1024 * 1024 * 1024)
            {
                throw new IllegalArgumentException(
                    "log.term.length must be a power of two from 64 KiB to 1 GiB: " + logTermLength);
            }
            if (!isPowerOfTwo(segmentLength) || segmentLength < logTermLength)
            {
                throw new IllegalArgumentException("log.segment.length must be a power of two >= log.term.length: " +
                    segmentLength);
            }
            if (portBase <= 0 || portBase > 65535 - 10)
            {
                throw new IllegalArgumentException("port.base must be in 1..65525: " + portBase);
            }
            concludeRoles();
            Authorizer.parseSuperUsers(superUsers); // names the bad principal
            if (null != initialUser)
            {
                final String problem = Principals.checkUserName(initialUser);
                if (null != problem || null == initialUserPassword || initialUserPassword.isEmpty())
                {
                    throw new IllegalArgumentException("initial.user: " +
                        (null != problem ? problem : "a password is required"));
                }
            }
            if (brokerSessionTimeoutMs < 2 * BrokerRegistration.HEARTBEAT_INTERVAL_MS)
            {
                throw new IllegalArgumentException("broker.session.timeout.ms must be at least twice the " +
                    BrokerRegistration.HEARTBEAT_INTERVAL_MS + " ms broker heartbeat interval: " +
                    brokerSessionTimeoutMs);
            }
            if (leaderImbalanceCheckIntervalMs < 1)
            {
                throw new IllegalArgumentException("leader.imbalance.check.interval.ms must be at least 1: " +
                    leaderImbalanceCheckIntervalMs);
            }
            if (leaderImbalancePerBrokerPercentage < 0 || leaderImbalancePerBrokerPercentage > 100)
            {
                throw new IllegalArgumentException("leader.imbalance.per.broker.percentage must be in 0..100: " +
                    leaderImbalancePerBrokerPercentage);
            }
            if (controlledShutdownTimeoutMs < 0)
            {
                throw new IllegalArgumentException("controlled.shutdown.timeout.ms must not be negative: " +
                    controlledShutdownTimeoutMs);
            }
            if (defaultReplicationFactor < 1 || defaultReplicationFactor > Short.MAX_VALUE ||
                minInsyncReplicas < 1 || minInsyncReplicas > Short.MAX_VALUE)
            {
                throw new IllegalArgumentException("default.replication.factor and min.insync.replicas must be at " +
                    "least 1: " + defaultReplicationFactor + ", " + minInsyncReplicas);
            }
            if (null != kafkaListener)
            {
                if (authenticationRequired)
                {
                    throw new IllegalArgumentException("kafka.listener.port cannot be used with " +
                        "authentication.required=true: the Kafka listener has no SASL yet");
                }
                kafkaListener.nodeId(brokerId).clusterId(kafkaClusterId());
            }
            if (maxClientSessions < 1 || maxClientSessions > 1_000_000)
            {
                throw new IllegalArgumentException("max.client.sessions must be in 1..1000000: " + maxClientSessions);
            }
            if (indexIntervalBytes < 0 || retentionCheckIntervalMs <= 0 || sessionTimeoutMs <= 0)
            {
                throw new IllegalArgumentException("index interval, retention check interval and session timeout " +
                    "must be positive");
            }
            // A batch plus its log header must fit one message of the log stream and of the request stream.
            final int logLimit = FrameDescriptor.computeMaxMessageLength(logTermLength) - 256;
            final int requestLimit = FrameDescriptor.computeMaxMessageLength(Channels.REQUEST_TERM_LENGTH) - 256;
            maxBatchBytes = Math.min(logLimit, requestLimit);
            if (null == threadingProfile)
            {
                // -Daerolog.profile=NAME runs every broker of a JVM (e.g. a test suite) with that profile.
                threadingProfile = ThreadingProfile.load(
                    System.getProperty(PROFILE_PROPERTY, ThreadingProfile.DEFAULT));
            }
            if (!dataDir.exists() && !dataDir.mkdirs())
            {
                throw new IllegalArgumentException("cannot create data directory " + dataDir);
            }
            // Only the nodes of this cluster hold it; a single node makes its own on first start.
            nodeSecret = NodeSecret.resolve(secret, secretFile, dataDir, null == controllerMembersSetting);
            return this;
        }

        private void concludeRoles()
        {
            isBroker = false;
            isController = false;
            for (final String role : processRoles.split(","))
            {
                switch (role.trim())
                {
                    case "broker" -> isBroker = true;
                    case "controller" -> isController = true;
                    default -> throw new IllegalArgumentException(
                        "process.roles must list broker and/or controller, got: " + processRoles);
                }
            }
            if (null == internalHost)
            {
                // A single node's archive and cluster ports serve only itself; members must reach each other.
                internalHost = null == controllerMembersSetting ? INTERNAL_HOST_SINGLE_NODE_DEFAULT : host;
            }
            if (internalHost.isBlank())
            {
                throw new IllegalArgumentException("internal.host is empty");
            }
            controllerMembers = null == controllerMembersSetting ?
                ControllerMembers.single(brokerId, internalHost, portBase) :
                ControllerMembers.parse(controllerMembersSetting);
            final ControllerMembers.Member self = controllerMembers.member(brokerId);
            if (isController && null == self)
            {
                throw new IllegalArgumentException("broker.id " + brokerId + " has the controller role but is not in " +
                    "controller.members " + controllerMembers);
            }
            if (isController && (self.portBase() != portBase || !self.host().equals(internalHost)))
            {
                throw new IllegalArgumentException("controller.members gives member " + brokerId + " " +
                    self.host() + ":" + self.portBase() + " but this node has internal.host " + internalHost +
                    " and port.base " + portBase);
            }
            if (!isController && null != self)
            {
                throw new IllegalArgumentException("broker.id " + brokerId + " is in controller.members but " +
                    "process.roles lacks controller: " + processRoles);
            }
            if (!isController && null == controllerMembersSetting)
            {
                throw new IllegalArgumentException("a broker without the controller role needs controller.members");
            }
        }

        /**
         * @param processRoles what this node runs: {@code broker} (client traffic and partition logs),
         *                     {@code controller} (a member of the controller cluster), or both (the default).
         * @return this.
         */
        public Context processRoles(final String processRoles)
        {
            this.processRoles = processRoles;
            return this;
        }

        /** @return what this node runs. */
        public String processRoles()
        {
            return processRoles;
        }

        /** @return true if this node serves clients and partition logs. */
        public boolean isBroker()
        {
            return isBroker;
        }

        /** @return true if this node is a member of the controller cluster. */
        public boolean isController()
        {
            return isController;
        }

        /**
         * @param controllerMembers the controller cluster's members, {@code id@host:portBase,...}; by default this
         *                          node alone.
         * @return this.
         */
        public Context controllerMembers(final String controllerMembers)
        {
            this.controllerMembersSetting = controllerMembers;
            return this;
        }

        /**
         * @param internalHost address the archive control, archive replication and controller cluster ports bind
         *                     to; default loopback ({@value #INTERNAL_HOST_SINGLE_NODE_DEFAULT}) on a single node,
         *                     else {@link #host()}. A controller member's entry in controller.members names it.
         * @return this.
         */
        public Context internalHost(final String internalHost)
        {
            this.internalHost = internalHost;
            return this;
        }

        /** @return address of the internal ports (after {@link #conclude()}). */
        public String internalHost()
        {
            return internalHost;
        }

        /** @return whether controller.members names the cluster (a deployment of several nodes, or one to join). */
        public boolean isClusterDeployment()
        {
            return null != controllerMembersSetting;
        }

        /**
         * @param secret the node secret the archive and controller cluster demand (at least
         *               {@value NodeSecret#MIN_LENGTH} bytes, the same on every node); excludes
         *               {@link #secretFile(File)}.
         * @return this.
         */
        public Context secret(final String secret)
        {
            this.secret = secret;
            return this;
        }

        /**
         * @param secretFile file holding the node secret (trailing white space cut); excludes
         *                   {@link #secret(String)}. With neither, a single node uses
         *                   {@code data.dir/}{@value NodeSecret#GENERATED_FILE_NAME}, generated on first start; a
         *                   node of several needs one of them.
         * @return this.
         */
        public Context secretFile(final File secretFile)
        {
            this.secretFile = secretFile;
            return this;
        }

        /** @return the node secret (after {@link #conclude()}). */
        public NodeSecret nodeSecret()
        {
            return nodeSecret;
        }

        /** @return the controller cluster's members (after {@link #conclude()}). */
        public ControllerMembers controllerMembers()
        {
            return controllerMembers;
        }

        private static boolean isPowerOfTwo(final int value)
        {
            return value > 0 && (value & (value - 1)) == 0;
        }

        /**
         * @param dataDir where the archive and controller state live.
         * @return this.
         */
        public Context dataDir(final File dataDir)
        {
            this.dataDir = dataDir;
            return this;
        }

        /** @return where the archive and controller state live. */
        public File dataDir()
        {
            return dataDir;
        }

        /**
         * @param brokerId this broker's id (and its controller member id).
         * @return this.
         */
        public Context brokerId(final int brokerId)
        {
            this.brokerId = brokerId;
            return this;
        }

        /** @return this broker's id. */
        public int brokerId()
        {
            return brokerId;
        }

        /**
         * @param host the broker binds and advertises.
         * @return this.
         */
        public Context host(final String host)
        {
            this.host = host;
            return this;
        }

        /** @return the host the broker binds and advertises. */
        public String host()
        {
            return host;
        }

        /**
         * @param portBase client UDP ingress port; the next six ports serve the archive and controller.
         * @return this.
         */
        public Context portBase(final int portBase)
        {
            this.portBase = portBase;
            return this;
        }

        /** @return client UDP ingress port. */
        public int portBase()
        {
            return portBase;
        }

        /**
         * @param aeronDirectoryName of the broker's media driver, shared with clients on this host.
         * @return this.
         */
        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        /** @return Aeron directory of the broker's media driver. */
        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        /**
         * @param logTermLength term length of partition log streams; the largest batch is about an eighth of it.
         * @return this.
         */
        public Context logTermLength(final int logTermLength)
        {
            this.logTermLength = logTermLength;
            return this;
        }

        /** @return term length of partition log streams. */
        public int logTermLength()
        {
            return logTermLength;
        }

        /**
         * @param segmentLength archive segment file length: the unit retention deletes.
         * @return this.
         */
        public Context segmentLength(final int segmentLength)
        {
            this.segmentLength = segmentLength;
            return this;
        }

        /** @return archive segment file length. */
        public int segmentLength()
        {
            return segmentLength;
        }

        /**
         * @param indexIntervalBytes bytes of log between offset index entries.
         * @return this.
         */
        public Context indexIntervalBytes(final int indexIntervalBytes)
        {
            this.indexIntervalBytes = indexIntervalBytes;
            return this;
        }

        /** @return bytes of log between offset index entries. */
        public int indexIntervalBytes()
        {
            return indexIntervalBytes;
        }

        /**
         * @param retentionCheckIntervalMs how often retention runs.
         * @return this.
         */
        public Context retentionCheckIntervalMs(final long retentionCheckIntervalMs)
        {
            this.retentionCheckIntervalMs = retentionCheckIntervalMs;
            return this;
        }

        /** @return how often retention runs. */
        public long retentionCheckIntervalMs()
        {
            return retentionCheckIntervalMs;
        }

        /**
         * @param replicaLagTimeMaxMs {@code replica.lag.time.max.ms}: how long a follower of a partition this broker
         *                            leads may stay behind before its removal from the in-sync set is proposed.
         * @return this.
         */
        public Context replicaLagTimeMaxMs(final long replicaLagTimeMaxMs)
        {
            if (replicaLagTimeMaxMs <= 0)
            {
                throw new IllegalArgumentException("replica.lag.time.max.ms must be positive: " + replicaLagTimeMaxMs);
            }
            this.replicaLagTimeMaxMs = replicaLagTimeMaxMs;
            return this;
        }

        /** @return {@code replica.lag.time.max.ms}. */
        public long replicaLagTimeMaxMs()
        {
            return replicaLagTimeMaxMs;
        }

        /**
         * @param kafkaListener settings of a Kafka-protocol listener to start beside the broker, or null for none
         *                      (the default); its node id is set to the broker's id.
         * @return this.
         */
        public Context kafkaListener(final KafkaListener.Config kafkaListener)
        {
            this.kafkaListener = kafkaListener;
            return this;
        }

        // The same on every node of a cluster (they share the controller members) and across restarts.
        private String kafkaClusterId()
        {
            return java.util.UUID.nameUUIDFromBytes(("aerolog-cluster/" + controllerMembers)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
        }

        /** @return the Kafka-protocol listener's settings, or null when the broker starts none. */
        public KafkaListener.Config kafkaListener()
        {
            return kafkaListener;
        }

        /**
         * @param maxClientSessions most client sessions open at once; one more is answered {@code LIMIT_REACHED}.
         * @return this.
         */
        public Context maxClientSessions(final int maxClientSessions)
        {
            this.maxClientSessions = maxClientSessions;
            return this;
        }

        /** @return most client sessions open at once. */
        public int maxClientSessions()
        {
            return maxClientSessions;
        }

        /**
         * @param authenticationRequired whether a client must connect as a user (with its password); when false
         *                               a client without credentials is {@code User:ANONYMOUS}.
         * @return this.
         */
        public Context authenticationRequired(final boolean authenticationRequired)
        {
            this.authenticationRequired = authenticationRequired;
            return this;
        }

        /** @return whether a client must connect as a user. */
        public boolean authenticationRequired()
        {
            return authenticationRequired;
        }

        /**
         * @param superUsers principals that may do anything, separated by semicolons: {@code User:admin;User:ops}.
         * @return this.
         */
        public Context superUsers(final String superUsers)
        {
            this.superUsers = null == superUsers ? "" : superUsers;
            return this;
        }

        /** @return the super users setting. */
        public String superUsers()
        {
            return superUsers;
        }

        /**
         * @param allowEveryoneIfNoAclFound whether a topic, group or the cluster that no ACL names is open to every
         *                                  principal (true by default, so a broker without ACLs works as before).
         * @return this.
         */
        public Context allowEveryoneIfNoAclFound(final boolean allowEveryoneIfNoAclFound)
        {
            this.allowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound;
            return this;
        }

        /**
         * A user the broker creates at start if the controller has none of that name: the first administrator of a
         * cluster that requires authentication (name it in {@link #superUsers}). An existing user is left as it is.
         *
         * @param name     of the user, or null for none.
         * @param password its password.
         * @return this.
         */
        public Context initialUser(final String name, final String password)
        {
            this.initialUser = name;
            this.initialUserPassword = password;
            return this;
        }

        /** @return the user created at start if absent, or null. */
        public String initialUser()
        {
            return initialUser;
        }

        /** @return the initial user's password. */
        public String initialUserPassword()
        {
            return initialUserPassword;
        }

        /** @return whether a resource no ACL names is open to everyone. */
        public boolean allowEveryoneIfNoAclFound()
        {
            return allowEveryoneIfNoAclFound;
        }

        /**
         * @param brokerSessionTimeoutMs how long the controller lets a registered broker go without a heartbeat
         *                               before fencing it ({@code broker.session.timeout.ms}); the same on every
         *                               controller, at least twice the broker heartbeat interval (250 ms).
         * @return this.
         */
        public Context brokerSessionTimeoutMs(final long brokerSessionTimeoutMs)
        {
            this.brokerSessionTimeoutMs = brokerSessionTimeoutMs;
            return this;
        }

        /** @return how long the controller lets a registered broker go without a heartbeat. */
        public long brokerSessionTimeoutMs()
        {
            return brokerSessionTimeoutMs;
        }

        /**
         * @param enable whether the controller moves leadership back to preferred leaders on its own
         *               ({@code auto.leader.rebalance.enable}, true); the same on every controller.
         * @return this.
         */
        public Context autoLeaderRebalanceEnable(final boolean enable)
        {
            this.autoLeaderRebalanceEnable = enable;
            return this;
        }

        /** @return whether the controller balances leaders on its own. */
        public boolean autoLeaderRebalanceEnable()
        {
            return autoLeaderRebalanceEnable;
        }

        /**
         * @param intervalMs how often automatic leader balancing runs ({@code leader.imbalance.check.interval.ms},
         *                   30000), at least 1; the same on every controller.
         * @return this.
         */
        public Context leaderImbalanceCheckIntervalMs(final long intervalMs)
        {
            this.leaderImbalanceCheckIntervalMs = intervalMs;
            return this;
        }

        /** @return how often automatic leader balancing runs, in ms. */
        public long leaderImbalanceCheckIntervalMs()
        {
            return leaderImbalanceCheckIntervalMs;
        }

        /**
         * @param percentage the share of a broker's preferred partitions led elsewhere above which balancing moves
         *                   them back ({@code leader.imbalance.per.broker.percentage}, 10), 0 to 100.
         * @return this.
         */
        public Context leaderImbalancePerBrokerPercentage(final int percentage)
        {
            this.leaderImbalancePerBrokerPercentage = percentage;
            return this;
        }

        /** @return the per-broker leader imbalance percentage. */
        public int leaderImbalancePerBrokerPercentage()
        {
            return leaderImbalancePerBrokerPercentage;
        }

        /**
         * @param controlledShutdownEnable {@code controlled.shutdown.enable} (true): whether a clean stop first asks
         *                                 the controller to move this broker's leaderships away and waits for it.
         * @return this.
         */
        public Context controlledShutdownEnable(final boolean controlledShutdownEnable)
        {
            this.controlledShutdownEnable = controlledShutdownEnable;
            return this;
        }

        /** @return whether a clean stop first moves this broker's leaderships away. */
        public boolean controlledShutdownEnable()
        {
            return controlledShutdownEnable;
        }

        /**
         * @param controlledShutdownTimeoutMs {@code controlled.shutdown.timeout.ms} (5000): the longest a clean stop
         *                                    waits for the controller to move this broker's leaderships away
         *                                    before it stops anyway.
         * @return this.
         */
        public Context controlledShutdownTimeoutMs(final long controlledShutdownTimeoutMs)
        {
            this.controlledShutdownTimeoutMs = controlledShutdownTimeoutMs;
            return this;
        }

        /** @return the longest a clean stop waits for its leaderships to move. */
        public long controlledShutdownTimeoutMs()
        {
            return controlledShutdownTimeoutMs;
        }

        /**
         * @param defaultReplicationFactor of a topic created without one ({@code default.replication.factor}, 1).
         * @return this.
         */
        public Context defaultReplicationFactor(final int defaultReplicationFactor)
        {
            this.defaultReplicationFactor = defaultReplicationFactor;
            return this;
        }

        /** @return replication factor of a topic created without one. */
        public int defaultReplicationFactor()
        {
            return defaultReplicationFactor;
        }

        /**
         * @param minInsyncReplicas of a topic created without one ({@code min.insync.replicas}, 1).
         * @return this.
         */
        public Context minInsyncReplicas(final int minInsyncReplicas)
        {
            this.minInsyncReplicas = minInsyncReplicas;
            return this;
        }

        /** @return min.insync.replicas of a topic created without one. */
        public int minInsyncReplicas()
        {
            return minInsyncReplicas;
        }

        /**
         * @param sessionTimeoutMs how long a client that sends nothing keeps its session (a client whose Aeron
         *                         stream goes away loses it within a second; clients re-open expired sessions).
         * @return this.
         */
        public Context sessionTimeoutMs(final long sessionTimeoutMs)
        {
            this.sessionTimeoutMs = sessionTimeoutMs;
            return this;
        }

        /** @return how long a silent client keeps its session. */
        public long sessionTimeoutMs()
        {
            return sessionTimeoutMs;
        }

        /** @return largest record batch accepted (derived in {@link #conclude()}). */
        public int maxBatchBytes()
        {
            return maxBatchBytes;
        }

        /**
         * @param printErrors whether agent errors are printed to stderr as well as counted.
         * @return this.
         */
        public Context printErrors(final boolean printErrors)
        {
            this.printErrors = printErrors;
            return this;
        }

        /**
         * Run once when the broker can no longer go on ({@link Broker#fatalError()}): its Aeron client closed itself.
         * The command line stops the broker then, as on SIGTERM, and exits with an error.
         *
         * @param terminationHook called from the thread that met the error; must not block.
         * @return this.
         */
        public Context terminationHook(final Runnable terminationHook)
        {
            this.terminationHook = java.util.Objects.requireNonNull(terminationHook, "terminationHook");
            return this;
        }

        /** @return what runs when the broker can no longer go on. */
        public Runnable terminationHook()
        {
            return terminationHook;
        }

        /** @return whether agent errors are printed to stderr. */
        public boolean printErrors()
        {
            return printErrors;
        }

        /**
         * @param nameOrPath of the threading profile (a built-in name such as {@code small-low-latency}, or a
         *                   properties file); null for the default.
         * @return this.
         * @throws IllegalArgumentException for an unknown profile or a bad setting in it.
         */
        public Context profile(final String nameOrPath)
        {
            this.threadingProfile = ThreadingProfile.load(nameOrPath);
            return this;
        }

        /**
         * @param threadingProfile which threads the broker's agents run on and how they idle.
         * @return this.
         */
        public Context threadingProfile(final ThreadingProfile threadingProfile)
        {
            this.threadingProfile = threadingProfile;
            return this;
        }

        /** @return the threading profile (the default once concluded, unless one was set). */
        public ThreadingProfile threadingProfile()
        {
            return threadingProfile;
        }
    }
}
