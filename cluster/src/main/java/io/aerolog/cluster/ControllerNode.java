package io.aerolog.cluster;

import io.aerolog.cluster.registry.BrokerRegistry;
import io.aerolog.node.CncCounters;
import io.aerolog.node.DataPathThread;
import io.aerolog.node.ArchivingDriver;
import io.aerolog.node.NodeDirectories;
import io.aerolog.node.NodeErrorLog;
import io.aerolog.node.NodePorts;
import io.aerolog.node.NodeSecret;
import io.aerolog.node.SecretAuthenticator;
import io.aerolog.node.SecretCredentialsSupplier;
import io.aerolog.transport.StreamIds;
import io.aeron.CommonContext;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ClusterMember;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.exceptions.ConfigurationException;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpLock;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The metadata side of a broker, in-process: a media driver, archive and consensus module (launched as
 * {@code ClusteredMediaDriver} does) plus a {@link ClusteredServiceContainer} running the {@link ControllerService}.
 * <p>
 * State is durable in {@link Context#baseDir()}: {@code archive/} holds the recorded cluster log and snapshots,
 * {@code cluster/} the recording log and mark files. Relaunching on the same directory, after a clean close or a
 * killed process, restores the state from the latest snapshot plus log replay.
 * <p>
 * Ports, all on {@link Context#host()}, relative to {@link Context#portBase()}: archive control +1, archive
 * replication +2, cluster ingress +3, consensus +4, log +5, catch-up +6.
 * <p>
 * These are internal: the archive and the cluster admit a session only with the node secret
 * ({@link Context#secret(NodeSecret)}), every stream lies in the internal range of {@link StreamIds}, and by default
 * they bind to the loopback address.
 */
public final class ControllerNode implements AutoCloseable
{
    /**
     * Sub-directory of the base directory holding the archive.
     */
    public static final String ARCHIVE_DIR_NAME = "archive";

    /**
     * Sub-directory of the base directory holding the cluster files.
     */
    public static final String CLUSTER_DIR_NAME = "cluster";

    /**
     * Counter values of the media driver: 2 MiB holds 16,384 counters (a partition uses about ten). With Aeron's
     * 8 MiB default the CnC file (values, metadata four times their size, 4 MiB error log) was 46 MiB of zeroed,
     * resident memory; now it is 16 MiB.
     */
    public static final int COUNTERS_VALUES_BUFFER_LENGTH = 2 * 1024 * 1024;

    private final Context ctx;
    private final ControllerService service;
    private final MediaDriver driver;
    private final Archive archive;
    private final ConsensusModule consensusModule;
    private final DataPathThread dataPathThread;
    private final ClusteredServiceContainer container;
    private final SecretAuthenticator archiveAuthenticator;
    private final SecretAuthenticator ingressAuthenticator;
    private final CncCounters cncCounters;
    private final CncCounters.View snapshotCounter;
    private final CncCounters.View controlToggle;
    private boolean isClosed;

    private ControllerNode(
        final Context ctx,
        final ControllerService service,
        final ArchivingDriver archivingDriver,
        final ConsensusModule consensusModule,
        final ClusteredServiceContainer container,
        final SecretAuthenticator ingressAuthenticator,
        final CncCounters cncCounters)
    {
        this.ctx = ctx;
        this.service = service;
        this.driver = archivingDriver.mediaDriver();
        this.archive = archivingDriver.archive();
        this.dataPathThread = archivingDriver.dataPathThread();
        this.consensusModule = consensusModule;
        this.container = container;
        this.archiveAuthenticator = ctx.archiveAuthenticator;
        this.ingressAuthenticator = ingressAuthenticator;
        this.cncCounters = cncCounters;
        this.snapshotCounter = cncCounters.view(consensusModule.context().snapshotCounter());
        this.controlToggle = cncCounters.view(consensusModule.context().controlToggleCounter());
    }

    /**
     * Launch a node. The context is concluded first.
     *
     * @param ctx configuration.
     * @return the running node.
     */
    public static ControllerNode launch(final Context ctx)
    {
        ctx.conclude();

        final File archiveDir = new File(ctx.baseDir, ARCHIVE_DIR_NAME);
        final File clusterDir = new File(ctx.baseDir, CLUSTER_DIR_NAME);
        prepareDirectories(ctx, archiveDir, clusterDir);

        final String aeronDir = ctx.aeronDirectoryName;
        final MediaDriver.Context driverCtx = driverContext(ctx);
        final Archive.Context archiveCtx = archiveContext(ctx, archiveDir);

        // The consensus module and the service talk to the local archive over IPC, presenting the node secret.
        final AeronArchive.Context localArchiveCtx = localArchiveContext(ctx, archiveCtx);
        final SecretAuthenticator ingressAuthenticator = new SecretAuthenticator(ctx.secret);

        final ConsensusModule.Context consensusModuleCtx = new ConsensusModule.Context()
            .aeronDirectoryName(aeronDir)
            .clusterMemberId(ctx.memberId)
            .clusterMembers(ctx.clusterMembers)
            .clusterDir(clusterDir)
            .deleteDirOnStart(false)
            .archiveContext(localArchiveCtx.clone()
                .controlResponseStreamId(StreamIds.ARCHIVE_RESPONSE_CONSENSUS_MODULE))
            .serviceCount(1)
            .ingressChannel("aeron:udp")
            .ingressStreamId(StreamIds.CLUSTER_INGRESS)
            .logChannel(ctx.logChannel)
            .logStreamId(StreamIds.CLUSTER_LOG)
            .consensusStreamId(StreamIds.CLUSTER_CONSENSUS)
            .replayStreamId(StreamIds.CLUSTER_REPLAY)
            .serviceStreamId(StreamIds.CLUSTER_SERVICE)
            .consensusModuleStreamId(StreamIds.CLUSTER_CONSENSUS_MODULE)
            .snapshotStreamId(StreamIds.CLUSTER_CONSENSUS_MODULE_SNAPSHOT)
            .authenticatorSupplier(ingressAuthenticator.supplier())
            .replicationChannel("aeron:udp?endpoint=" + ctx.host + ":0")
            .sessionTimeoutNs(ctx.sessionTimeoutNs)
            .leaderHeartbeatTimeoutNs(ctx.leaderHeartbeatTimeoutNs)
            .electionTimeoutNs(ctx.electionTimeoutNs)
            .startupCanvassTimeoutNs(ctx.startupCanvassTimeoutNs)
            .maxConcurrentSessions(ctx.maxConcurrentSessions)
            .idleStrategySupplier(ctx.clusterIdleStrategySupplier);
        if (null != ctx.errorLog)
        {
            consensusModuleCtx.errorHandler(ctx.errorLog.handler(NodeErrorLog.Source.CONSENSUS_MODULE));
        }
        if (null != ctx.consensusModuleCustomiser)
        {
            ctx.consensusModuleCustomiser.accept(consensusModuleCtx);
        }

        final ControllerService service = new ControllerService(
            ctx.groupHeartbeatIntervalMs, ctx.limits, ctx.brokerSessionTimeoutMs, ctx.leaderImbalanceCheckIntervalMs,
            ctx.leaderImbalancePerBrokerPercentage);
        final ClusteredServiceContainer.Context containerCtx = new ClusteredServiceContainer.Context()
            .aeronDirectoryName(aeronDir)
            .archiveContext(localArchiveCtx.clone())
            .clusterDir(clusterDir)
            .clusteredService(service)
            .serviceId(0)
            .replayStreamId(StreamIds.CLUSTER_REPLAY)
            .serviceStreamId(StreamIds.CLUSTER_SERVICE)
            .consensusModuleStreamId(StreamIds.CLUSTER_CONSENSUS_MODULE)
            .snapshotStreamId(StreamIds.CLUSTER_SERVICE_SNAPSHOT)
            .idleStrategySupplier(ctx.clusterIdleStrategySupplier);
        containerCtx.archiveContext().controlResponseStreamId(StreamIds.ARCHIVE_RESPONSE_SERVICE);
        if (null != ctx.errorLog)
        {
            containerCtx.errorHandler(ctx.errorLog.handler(NodeErrorLog.Source.CONTROLLER));
        }
        requireInternalStreams(consensusModuleCtx, containerCtx);

        // As ClusteredMediaDriver.launch does, except that an archive in INVOKER mode (with the driver, if that is
        // an invoker too) gets its data-path thread before the consensus module, whose client needs a live driver.
        ArchivingDriver archivingDriver = null;
        ConsensusModule consensusModule = null;
        ClusteredServiceContainer container = null;
        CncCounters cncCounters = null;
        try
        {
            archivingDriver = ArchivingDriver.launch(driverCtx, archiveCtx, ctx.archiveIdleStrategySupplier);
            consensusModule = ConsensusModule.launch(consensusModuleCtx.aeronDirectoryName(aeronDir));
            container = ClusteredServiceContainer.launch(containerCtx);
            cncCounters = new CncCounters(aeronDir);

            return new ControllerNode(
                ctx, service, archivingDriver, consensusModule, container, ingressAuthenticator, cncCounters);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(container, consensusModule, archivingDriver, cncCounters);
            throw ex;
        }
    }

    /**
     * A client context for the node's archive over its local IPC control channel, with the node secret. Set its
     * {@link AeronArchive.Context#controlResponseStreamId(int)} to one stream per client.
     *
     * @param ctx        of the node, concluded.
     * @param archiveCtx of the node's archive.
     * @return the client context, not concluded.
     */
    public static AeronArchive.Context localArchiveContext(final Context ctx, final Archive.Context archiveCtx)
    {
        return new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(archiveCtx.localControlChannel())
            .controlRequestStreamId(archiveCtx.localControlStreamId())
            .controlResponseChannel(archiveCtx.localControlChannel())
            .credentialsSupplier(new SecretCredentialsSupplier(ctx.secret))
            .aeronDirectoryName(ctx.aeronDirectoryName);
    }

    // Each internal stream outside the client-protocol and partition ranges, so no client frame can reach it.
    private static void requireInternalStreams(
        final ConsensusModule.Context cm, final ClusteredServiceContainer.Context service)
    {
        StreamIds.requireInternal("cluster ingress", cm.ingressStreamId());
        StreamIds.requireInternal("cluster log", cm.logStreamId());
        StreamIds.requireInternal("cluster consensus", cm.consensusStreamId());
        StreamIds.requireInternal("cluster replay", cm.replayStreamId());
        StreamIds.requireInternal("cluster service", cm.serviceStreamId());
        StreamIds.requireInternal("cluster consensus module", cm.consensusModuleStreamId());
        StreamIds.requireInternal("cluster snapshot", cm.snapshotStreamId());
        StreamIds.requireInternal("consensus module archive client", cm.archiveContext().controlRequestStreamId());
        StreamIds.requireInternal("consensus module archive responses", cm.archiveContext().controlResponseStreamId());
        StreamIds.requireInternal("service replay", service.replayStreamId());
        StreamIds.requireInternal("service snapshot", service.snapshotStreamId());
        StreamIds.requireInternal("service archive responses", service.archiveContext().controlResponseStreamId());
    }

    private static void requireInternalStreams(final Archive.Context archive)
    {
        StreamIds.requireInternal("archive control", archive.controlStreamId());
        StreamIds.requireInternal("archive local control", archive.localControlStreamId());
        StreamIds.requireInternal("archive recording events", archive.recordingEventsStreamId());
        StreamIds.requireInternal("archive replication responses",
            archive.archiveClientContext().controlResponseStreamId());
    }

    /**
     * Launch only the media driver and archive a node would run, for a broker that is not a controller member and
     * reaches the controller cluster over the network. Same directories, guards and port scheme as
     * {@link #launch(Context)}.
     *
     * Its archive takes control requests over the network unless {@link Context#archiveNetworkControl(Boolean)} says
     * otherwise, since such a node always has peers that replicate from it.
     *
     * The threading settings apply as in a controller node: an archive in {@link ArchiveThreadingMode#INVOKER} mode
     * runs (with the driver, when that is an invoker too) on the returned driver's {@link DataPathThread}.
     *
     * @param ctx configuration; its cluster settings are not used.
     * @return the running driver and archive.
     */
    public static ArchivingDriver launchArchivingDriver(final Context ctx)
    {
        if (null == ctx.archiveNetworkControl)
        {
            // A node that is not a controller member belongs to a cluster whose controllers run elsewhere: the other
            // brokers replicate its partitions from its archive over the network.
            ctx.archiveNetworkControl(Boolean.TRUE);
        }
        ctx.conclude();
        final File archiveDir = new File(ctx.baseDir, ARCHIVE_DIR_NAME);
        prepareDirectories(ctx, archiveDir, new File(ctx.baseDir, CLUSTER_DIR_NAME));

        return ArchivingDriver.launch(
            driverContext(ctx), archiveContext(ctx, archiveDir), ctx.archiveIdleStrategySupplier);
    }

    private static void prepareDirectories(final Context ctx, final File archiveDir, final File clusterDir)
    {
        // The driver deletes its directory on start: never do that under a live broker.
        if (NodeDirectories.isDriverRunning(new File(ctx.aeronDirectoryName)))
        {
            throw new IllegalStateException("a broker (or other Aeron media driver) is already running with Aeron " +
                "directory " + ctx.aeronDirectoryName + "; stop it or start this one with another aeron.dir");
        }
        NodeDirectories.releaseMarkFilesOfDeadProcesses(archiveDir, clusterDir);
    }

    private static MediaDriver.Context driverContext(final Context ctx)
    {
        final String aeronDir = ctx.aeronDirectoryName;
        final Supplier<IdleStrategy> driverIdle = ctx.driverIdleStrategySupplier;
        final MediaDriver.Context driverCtx = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .threadingMode(ctx.threadingMode)
            .dirDeleteOnStart(true) // a killed JVM leaves its driver directory behind
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .spiesSimulateConnection(true)
            .counterValuesBufferLength(COUNTERS_VALUES_BUFFER_LENGTH)
            .sharedIdleStrategy(driverIdle.get())
            .sharedNetworkIdleStrategy(driverIdle.get())
            .conductorIdleStrategy(driverIdle.get())
            .senderIdleStrategy(driverIdle.get())
            .receiverIdleStrategy(driverIdle.get())
            .asyncExecutorIdleStrategy(driverIdle.get());
        if (null != ctx.errorLog)
        {
            driverCtx.errorHandler(ctx.errorLog.handler(NodeErrorLog.Source.DRIVER));
        }
        if (null != ctx.driverCustomiser)
        {
            ctx.driverCustomiser.accept(driverCtx);
        }

        return driverCtx;
    }

    private static Archive.Context archiveContext(final Context ctx, final File archiveDir)
    {
        final String aeronDir = ctx.aeronDirectoryName;
        final Archive.Context archiveCtx = new Archive.Context()
            .aeronDirectoryName(aeronDir)
            .archiveDir(archiveDir)
            .archiveId(ctx.memberId)
            .deleteArchiveOnStart(false)
            .controlChannel(ctx.archiveControlChannel())
            // Only other members need the archive over the network (catch-up, and replication to come): a single
            // node keeps it to IPC, so no network sender can reach its control port at all.
            .controlChannelEnabled(ctx.archiveNetworkControl())
            // One id for both: the consensus module asks a remote archive on its local archive's control stream id.
            .controlStreamId(StreamIds.ARCHIVE_CONTROL)
            .localControlStreamId(StreamIds.ARCHIVE_CONTROL)
            .authenticatorSupplier(ctx.archiveAuthenticator.supplier())
            .replicationChannel(ctx.archiveReplicationChannel())
            .archiveClientContext(new AeronArchive.Context()
                .controlResponseChannel("aeron:udp?endpoint=" + ctx.host + ":0")
                .controlResponseStreamId(StreamIds.ARCHIVE_RESPONSE_REPLICATION)
                .credentialsSupplier(new SecretCredentialsSupplier(ctx.secret)))
            .recordingEventsEnabled(false)
            .recordingEventsStreamId(StreamIds.ARCHIVE_RECORDING_EVENTS)
            .segmentFileLength(ctx.archiveSegmentFileLength)
            .maxConcurrentRecordings(ctx.archiveMaxConcurrentRecordings)
            .maxConcurrentReplays(ctx.archiveMaxConcurrentReplays)
            .fileSyncLevel(ctx.archiveFileSyncLevel)
            .catalogFileSyncLevel(ctx.archiveFileSyncLevel)
            .threadingMode(ctx.archiveThreadingMode)
            .idleStrategySupplier(ctx.archiveIdleStrategySupplier);
        if (null != ctx.errorLog)
        {
            archiveCtx.errorHandler(ctx.errorLog.handler(NodeErrorLog.Source.ARCHIVE));
        }
        if (null != ctx.archiveCustomiser)
        {
            ctx.archiveCustomiser.accept(archiveCtx);
        }
        requireInternalStreams(archiveCtx);
        return archiveCtx;
    }

    /**
     * The configuration, concluded.
     *
     * @return the configuration.
     */
    public Context context()
    {
        return ctx;
    }

    /**
     * The service, for its role and counters. Its state is only safe to read after {@link #close()}.
     *
     * @return the service.
     */
    public ControllerService service()
    {
        return service;
    }

    /**
     * The embedded media driver, which the broker may share.
     *
     * @return the embedded media driver.
     */
    public MediaDriver mediaDriver()
    {
        return driver;
    }

    /**
     * The thread running the archive (and the driver, when it is an invoker) in
     * {@link ArchiveThreadingMode#INVOKER} mode, which the broker may add its data-path agents to.
     *
     * @return the data-path thread, or null when the archive runs threads of its own.
     */
    public DataPathThread dataPathThread()
    {
        return dataPathThread;
    }

    /**
     * Directory of the embedded media driver, for Aeron clients.
     *
     * @return directory of the embedded media driver.
     */
    public String aeronDirectoryName()
    {
        return driver.aeronDirectoryName();
    }

    /**
     * Context of the embedded archive, e.g. for its control channels.
     *
     * @return context of the embedded archive.
     */
    public Archive.Context archiveContext()
    {
        return archive.context();
    }

    /**
     * Context of the embedded consensus module, e.g. for its counters.
     *
     * @return context of the embedded consensus module.
     */
    public ConsensusModule.Context consensusModuleContext()
    {
        return consensusModule.context();
    }

    /**
     * The cluster control toggle counter of this node.
     *
     * @return the cluster control toggle counter.
     */
    public AtomicCounter controlToggle()
    {
        return controlToggle.counter(); // through the node's own mapping, valid until close
    }

    /**
     * Is this node the leader, as last reported to the service?
     *
     * @return true if this node is the leader.
     */
    public boolean isLeader()
    {
        return Cluster.Role.LEADER == service.role();
    }

    /**
     * Wait until this node is the leader.
     *
     * @param timeoutMs to wait.
     * @return true if the node became the leader in time.
     */
    public boolean awaitLeader(final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final IdleStrategy idleStrategy = new SleepingMillisIdleStrategy(1);
        while (!isLeader())
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                return false;
            }
            idleStrategy.idle();
        }

        return true;
    }

    /**
     * Take a snapshot through the control toggle and wait until the snapshot counter moves on. Call on the leader.
     *
     * @param timeoutMs to wait for the toggle to be free and the snapshot to complete.
     * @return true if the snapshot completed in time.
     */
    public synchronized boolean takeSnapshot(final long timeoutMs)
    {
        // Counters are read through the node's own mapping: the consensus module's is gone once it has closed.
        if (isClosed || !isConsensusModuleRunning())
        {
            return false;
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final IdleStrategy idleStrategy = new SleepingMillisIdleStrategy(1);
        final long snapshotCount = snapshotCounter.counter().get();

        // The toggle only accepts a request when NEUTRAL, e.g. not while a previous action is in progress.
        while (!ClusterControl.ToggleState.SNAPSHOT.toggle(controlToggle.counter()))
        {
            if (System.nanoTime() - deadlineNs >= 0 || !isConsensusModuleRunning())
            {
                return false;
            }
            idleStrategy.idle();
        }

        while (snapshotCounter.counter().get() <= snapshotCount)
        {
            if (System.nanoTime() - deadlineNs >= 0 || !isConsensusModuleRunning())
            {
                return false;
            }
            idleStrategy.idle();
        }

        return true;
    }

    // Its counters are still allocated (it has not closed, nor died and been cleaned up by the driver).
    private boolean isConsensusModuleRunning()
    {
        return !consensusModule.context().aeron().isClosed() && snapshotCounter.isLive() && controlToggle.isLive();
    }

    /**
     * Sessions the archive admitted with the node secret.
     *
     * @return sessions admitted since start.
     */
    public long archiveAdmittedSessions()
    {
        return archiveAuthenticator.admittedSessions();
    }

    /**
     * Sessions the archive refused: no, or the wrong, node secret.
     *
     * @return sessions refused since start.
     */
    public long archiveRejectedSessions()
    {
        return archiveAuthenticator.rejectedSessions();
    }

    /**
     * Cluster ingress sessions refused: no, or the wrong, node secret.
     *
     * @return sessions refused since start.
     */
    public long ingressRejectedSessions()
    {
        return ingressAuthenticator.rejectedSessions();
    }

    /**
     * Close the service container, then the consensus module, archive and driver, then the node's own view of the
     * counters (after everything that could be waited on through it). Idempotent; waits for a snapshot in progress.
     */
    public synchronized void close()
    {
        if (isClosed)
        {
            return;
        }
        isClosed = true;
        CloseHelper.closeAll(container, consensusModule, dataPathThread, archive, driver, cncCounters);
    }

    /**
     * Configuration of a {@link ControllerNode}, with defaults for a single local member.
     */
    public static final class Context
    {
        /**
         * Default {@link #portBase()}.
         */
        public static final int PORT_BASE_DEFAULT = 9090;

        /**
         * Default {@link #host()}: loopback, so no other host reaches the internal ports of a single node.
         */
        public static final String HOST_DEFAULT = "127.0.0.1";

        /**
         * Default {@link #logChannel()}: small terms since only metadata commands go through the log.
         */
        public static final String LOG_CHANNEL_DEFAULT = "aeron:udp?term-length=512k";

        /**
         * Default {@link #archiveSegmentFileLength()}.
         */
        public static final int ARCHIVE_SEGMENT_FILE_LENGTH_DEFAULT = 64 * 1024 * 1024;

        /**
         * Default {@link #archiveMaxConcurrentRecordings()} and {@link #archiveMaxConcurrentReplays()}.
         */
        public static final int ARCHIVE_MAX_CONCURRENT_DEFAULT = 1000;

        /**
         * Default {@link #maxConcurrentSessions()}: brokers and tools.
         */
        public static final int MAX_CONCURRENT_SESSIONS_DEFAULT = 100;

        private boolean isConcluded;
        private File baseDir;
        private String aeronDirectoryName;
        private int memberId = 0;
        private String clusterMembers;
        private Boolean archiveNetworkControl;
        private String host = HOST_DEFAULT;
        private int portBase = PORT_BASE_DEFAULT;
        private String logChannel = LOG_CHANNEL_DEFAULT;
        private int archiveSegmentFileLength = ARCHIVE_SEGMENT_FILE_LENGTH_DEFAULT;
        private int archiveMaxConcurrentRecordings = ARCHIVE_MAX_CONCURRENT_DEFAULT;
        private int archiveMaxConcurrentReplays = ARCHIVE_MAX_CONCURRENT_DEFAULT;
        private int archiveFileSyncLevel = 0;
        private ThreadingMode threadingMode = ThreadingMode.SHARED;
        private ArchiveThreadingMode archiveThreadingMode = ArchiveThreadingMode.SHARED;
        private Supplier<IdleStrategy> driverIdleStrategySupplier = BackoffIdleStrategy::new;
        private Supplier<IdleStrategy> archiveIdleStrategySupplier = BackoffIdleStrategy::new;
        private Supplier<IdleStrategy> clusterIdleStrategySupplier = BackoffIdleStrategy::new;
        private long sessionTimeoutNs = TimeUnit.SECONDS.toNanos(10);
        private long leaderHeartbeatTimeoutNs = TimeUnit.SECONDS.toNanos(2);
        private long electionTimeoutNs = TimeUnit.MILLISECONDS.toNanos(500);
        // Aeron requires at least twice the leader heartbeat timeout.
        private long startupCanvassTimeoutNs = TimeUnit.SECONDS.toNanos(4);
        private int maxConcurrentSessions = MAX_CONCURRENT_SESSIONS_DEFAULT;
        private int groupHeartbeatIntervalMs = GroupRequestHandler.HEARTBEAT_INTERVAL_MS_DEFAULT;
        private ControllerLimits limits = ControllerLimits.DEFAULT;
        private long brokerSessionTimeoutMs = BrokerRegistry.SESSION_TIMEOUT_MS_DEFAULT;
        private long leaderImbalanceCheckIntervalMs = ControllerService.LEADER_IMBALANCE_CHECK_INTERVAL_MS_DEFAULT;
        private int leaderImbalancePerBrokerPercentage =
            ControllerService.LEADER_IMBALANCE_PER_BROKER_PERCENTAGE_DEFAULT;
        private Consumer<MediaDriver.Context> driverCustomiser;
        private Consumer<Archive.Context> archiveCustomiser;
        private Consumer<ConsensusModule.Context> consensusModuleCustomiser;
        private NodeSecret secret;
        private NodeErrorLog errorLog;
        private SecretAuthenticator archiveAuthenticator;

        /**
         * Validate and fill in defaults. Called by {@link ControllerNode#launch(Context)}; idempotent.
         *
         * @return this for a fluent API.
         * @throws ConfigurationException if the configuration is invalid.
         */
        public Context conclude()
        {
            if (isConcluded)
            {
                return this;
            }

            if (null == baseDir)
            {
                throw new ConfigurationException("baseDir must be set");
            }

            if (memberId < 0)
            {
                throw new ConfigurationException("memberId must be >= 0: " + memberId);
            }

            if (portBase < 1 || portBase + NodePorts.CATCHUP_PORT_OFFSET > 65535)
            {
                throw new ConfigurationException("portBase out of range: " + portBase);
            }

            if (null == host || host.isEmpty())
            {
                throw new ConfigurationException("host must be set");
            }

            if (null == aeronDirectoryName)
            {
                aeronDirectoryName = CommonContext.getAeronDirectoryName() + "-aerolog-controller-" + memberId;
            }

            if (null == clusterMembers)
            {
                clusterMembers = NodePorts.clusterMember(memberId, host, portBase);
            }

            checkThisMember();

            if (null == secret)
            {
                if (!baseDir.exists() && !baseDir.mkdirs())
                {
                    throw new ConfigurationException("cannot create baseDir " + baseDir);
                }
                try
                {
                    secret = NodeSecret.resolve(null, null, baseDir, 1 == ClusterMember.parse(clusterMembers).length);
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new ConfigurationException(ex.getMessage());
                }
            }
            archiveAuthenticator = new SecretAuthenticator(secret);

            if (archiveMaxConcurrentRecordings < 1 || archiveMaxConcurrentReplays < 1)
            {
                throw new ConfigurationException("archive max concurrent recordings and replays must be >= 1");
            }

            if (startupCanvassTimeoutNs / leaderHeartbeatTimeoutNs < 2)
            {
                throw new ConfigurationException("startupCanvassTimeoutNs=" + startupCanvassTimeoutNs +
                    " must be at least twice leaderHeartbeatTimeoutNs=" + leaderHeartbeatTimeoutNs);
            }

            if (groupHeartbeatIntervalMs < 1)
            {
                throw new ConfigurationException("groupHeartbeatIntervalMs must be >= 1: " + groupHeartbeatIntervalMs);
            }

            if (brokerSessionTimeoutMs < 1)
            {
                throw new ConfigurationException("brokerSessionTimeoutMs must be >= 1: " + brokerSessionTimeoutMs);
            }

            if (maxConcurrentSessions < 1)
            {
                throw new ConfigurationException("maxConcurrentSessions must be >= 1: " + maxConcurrentSessions);
            }

            if (null == driverIdleStrategySupplier || null == archiveIdleStrategySupplier ||
                null == clusterIdleStrategySupplier)
            {
                throw new ConfigurationException("idle strategy suppliers must not be null");
            }

            isConcluded = true;
            return this;
        }

        /**
         * The secret the archive and the cluster ingress demand of every session, and that this node's own clients
         * of them present. Every member of a cluster needs the same. Default, on a single member: the one in
         * {@code baseDir/}{@value NodeSecret#GENERATED_FILE_NAME}, generated on first start.
         *
         * @param secret of the node.
         * @return this for a fluent API.
         */
        public Context secret(final NodeSecret secret)
        {
            this.secret = secret;
            return this;
        }

        /**
         * The node secret.
         *
         * @return the node secret, set or (once concluded) loaded.
         */
        public NodeSecret secret()
        {
            return secret;
        }

        /**
         * The node's one error channel: the driver, the archive, the consensus module and the controller service
         * each report their errors to it (as well as to their own Aeron error logs). Default: none.
         *
         * @param errorLog of the node, owned by the caller.
         * @return this for a fluent API.
         */
        public Context errorLog(final NodeErrorLog errorLog)
        {
            this.errorLog = errorLog;
            return this;
        }

        /**
         * The node's error channel.
         *
         * @return the error log, or null.
         */
        public NodeErrorLog errorLog()
        {
            return errorLog;
        }

        /**
         * Base directory: the archive is in {@code baseDir/archive}, the cluster files in {@code baseDir/cluster}.
         *
         * @param baseDir for persistent state.
         * @return this for a fluent API.
         */
        public Context baseDir(final File baseDir)
        {
            this.baseDir = baseDir;
            return this;
        }

        /**
         * Base directory for persistent state.
         *
         * @return base directory for persistent state.
         */
        public File baseDir()
        {
            return baseDir;
        }

        /**
         * Directory of the embedded media driver. Deleted on start, so it must not be shared with another driver.
         * Default: the Aeron default directory name plus {@code -aerolog-controller-<memberId>}.
         *
         * @param aeronDirectoryName of the embedded media driver.
         * @return this for a fluent API.
         */
        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        /**
         * Directory of the embedded media driver.
         *
         * @return directory of the embedded media driver.
         */
        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        /**
         * Id of this member in {@link #clusterMembers()}, also used as the archive id. Default 0.
         *
         * @param memberId of this member.
         * @return this for a fluent API.
         */
        public Context memberId(final int memberId)
        {
            this.memberId = memberId;
            return this;
        }

        /**
         * Id of this member.
         *
         * @return id of this member.
         */
        public int memberId()
        {
            return memberId;
        }

        /**
         * All members, as {@link NodePorts#clusterMember(int, String, int)} entries joined with '|'. This
         * member's entry must match {@link #host()} and {@link #portBase()}. Default: this member alone.
         *
         * @param clusterMembers of the cluster.
         * @return this for a fluent API.
         */
        public Context clusterMembers(final String clusterMembers)
        {
            this.clusterMembers = clusterMembers;
            return this;
        }

        /**
         * All members of the cluster.
         *
         * @return all members of the cluster.
         */
        public String clusterMembers()
        {
            return clusterMembers;
        }

        /**
         * Host name or address this member binds to. Default {@value #HOST_DEFAULT}.
         *
         * @param host of this member.
         * @return this for a fluent API.
         */
        public Context host(final String host)
        {
            this.host = host;
            return this;
        }

        /**
         * Host name or address this member binds to.
         *
         * @return host of this member.
         */
        public String host()
        {
            return host;
        }

        /**
         * Base of this member's ports, see {@link ControllerNode}. Default {@value #PORT_BASE_DEFAULT}.
         *
         * @param portBase of this member.
         * @return this for a fluent API.
         */
        public Context portBase(final int portBase)
        {
            this.portBase = portBase;
            return this;
        }

        /**
         * Base of this member's ports.
         *
         * @return base of this member's ports.
         */
        public int portBase()
        {
            return portBase;
        }

        /**
         * Channel of the cluster log, without endpoint. Default {@value #LOG_CHANNEL_DEFAULT}. A message, so a
         * command, must fit in an eighth of the term length.
         *
         * @param logChannel of the cluster log.
         * @return this for a fluent API.
         */
        public Context logChannel(final String logChannel)
        {
            this.logChannel = logChannel;
            return this;
        }

        /**
         * Channel of the cluster log.
         *
         * @return channel of the cluster log.
         */
        public String logChannel()
        {
            return logChannel;
        }

        /**
         * Whether the archive takes control requests over the network (on {@link #archiveControlChannel()}) as well
         * as over IPC. Default: on when the cluster has other members, which need it (catch-up, partition
         * replication), and for a broker-only node ({@link ControllerNode#launchArchivingDriver}); off on a single node.
         *
         * @param enabled true to open the network control channel, false for IPC only, null for the default.
         * @return this for a fluent API.
         */
        public Context archiveNetworkControl(final Boolean enabled)
        {
            this.archiveNetworkControl = enabled;
            return this;
        }

        /** @return whether the archive takes control requests over the network. */
        public boolean archiveNetworkControl()
        {
            if (null != archiveNetworkControl)
            {
                return archiveNetworkControl;
            }
            return null != clusterMembers && ClusterMember.parse(clusterMembers).length > 1;
        }

        /**
         * Archive segment file length. Default 64 MiB.
         *
         * @param length of archive segment files.
         * @return this for a fluent API.
         */
        public Context archiveSegmentFileLength(final int length)
        {
            this.archiveSegmentFileLength = length;
            return this;
        }

        /**
         * Archive segment file length.
         *
         * @return archive segment file length.
         */
        public int archiveSegmentFileLength()
        {
            return archiveSegmentFileLength;
        }

        /**
         * Maximum concurrent recordings of the archive. Default 1000.
         *
         * @param max concurrent recordings.
         * @return this for a fluent API.
         */
        public Context archiveMaxConcurrentRecordings(final int max)
        {
            this.archiveMaxConcurrentRecordings = max;
            return this;
        }

        /**
         * Maximum concurrent recordings of the archive.
         *
         * @return maximum concurrent recordings of the archive.
         */
        public int archiveMaxConcurrentRecordings()
        {
            return archiveMaxConcurrentRecordings;
        }

        /**
         * Maximum concurrent replays of the archive. Default 1000.
         *
         * @param max concurrent replays.
         * @return this for a fluent API.
         */
        public Context archiveMaxConcurrentReplays(final int max)
        {
            this.archiveMaxConcurrentReplays = max;
            return this;
        }

        /**
         * Maximum concurrent replays of the archive.
         *
         * @return maximum concurrent replays of the archive.
         */
        public int archiveMaxConcurrentReplays()
        {
            return archiveMaxConcurrentReplays;
        }

        /**
         * Archive file and catalog sync level: 0 none, 1 data, 2 data and metadata. Default 0.
         *
         * @param level of file sync.
         * @return this for a fluent API.
         */
        public Context archiveFileSyncLevel(final int level)
        {
            this.archiveFileSyncLevel = level;
            return this;
        }

        /**
         * Archive file and catalog sync level.
         *
         * @return archive file and catalog sync level.
         */
        public int archiveFileSyncLevel()
        {
            return archiveFileSyncLevel;
        }

        /**
         * Threading mode of the embedded media driver. Default {@link ThreadingMode#SHARED}.
         *
         * @param threadingMode of the media driver.
         * @return this for a fluent API.
         */
        public Context threadingMode(final ThreadingMode threadingMode)
        {
            this.threadingMode = threadingMode;
            return this;
        }

        /**
         * Threading mode of the embedded media driver.
         *
         * @return threading mode of the embedded media driver.
         */
        public ThreadingMode threadingMode()
        {
            return threadingMode;
        }

        /**
         * Threading mode of the archive. Default {@link ArchiveThreadingMode#SHARED}.
         *
         * @param archiveThreadingMode of the archive.
         * @return this for a fluent API.
         */
        public Context archiveThreadingMode(final ArchiveThreadingMode archiveThreadingMode)
        {
            this.archiveThreadingMode = archiveThreadingMode;
            return this;
        }

        /**
         * Threading mode of the archive.
         *
         * @return threading mode of the archive.
         */
        public ArchiveThreadingMode archiveThreadingMode()
        {
            return archiveThreadingMode;
        }

        /**
         * Supplier of idle strategies for the media driver agents. Default {@link BackoffIdleStrategy}.
         *
         * @param supplier of idle strategies, called once per agent.
         * @return this for a fluent API.
         */
        public Context driverIdleStrategySupplier(final Supplier<IdleStrategy> supplier)
        {
            this.driverIdleStrategySupplier = supplier;
            return this;
        }

        /**
         * Supplier of idle strategies for the media driver agents.
         *
         * @return supplier of idle strategies for the media driver agents.
         */
        public Supplier<IdleStrategy> driverIdleStrategySupplier()
        {
            return driverIdleStrategySupplier;
        }

        /**
         * Supplier of idle strategies for the archive agents. Default {@link BackoffIdleStrategy}.
         *
         * @param supplier of idle strategies.
         * @return this for a fluent API.
         */
        public Context archiveIdleStrategySupplier(final Supplier<IdleStrategy> supplier)
        {
            this.archiveIdleStrategySupplier = supplier;
            return this;
        }

        /**
         * Supplier of idle strategies for the archive agents.
         *
         * @return supplier of idle strategies for the archive agents.
         */
        public Supplier<IdleStrategy> archiveIdleStrategySupplier()
        {
            return archiveIdleStrategySupplier;
        }

        /**
         * Supplier of idle strategies for the consensus module and the service. Default {@link BackoffIdleStrategy}.
         *
         * @param supplier of idle strategies.
         * @return this for a fluent API.
         */
        public Context clusterIdleStrategySupplier(final Supplier<IdleStrategy> supplier)
        {
            this.clusterIdleStrategySupplier = supplier;
            return this;
        }

        /**
         * Supplier of idle strategies for the consensus module and the service.
         *
         * @return supplier of idle strategies for the consensus module and the service.
         */
        public Supplier<IdleStrategy> clusterIdleStrategySupplier()
        {
            return clusterIdleStrategySupplier;
        }

        /**
         * Timeout after which a silent client session is closed. Default 10 s.
         *
         * @param sessionTimeoutNs timeout in nanoseconds.
         * @return this for a fluent API.
         */
        public Context sessionTimeoutNs(final long sessionTimeoutNs)
        {
            this.sessionTimeoutNs = sessionTimeoutNs;
            return this;
        }

        /**
         * Timeout after which a silent client session is closed.
         *
         * @return timeout in nanoseconds.
         */
        public long sessionTimeoutNs()
        {
            return sessionTimeoutNs;
        }

        /**
         * Timeout after which followers consider the leader dead. Default 2 s.
         *
         * @param leaderHeartbeatTimeoutNs timeout in nanoseconds.
         * @return this for a fluent API.
         */
        public Context leaderHeartbeatTimeoutNs(final long leaderHeartbeatTimeoutNs)
        {
            this.leaderHeartbeatTimeoutNs = leaderHeartbeatTimeoutNs;
            return this;
        }

        /**
         * Timeout after which followers consider the leader dead.
         *
         * @return timeout in nanoseconds.
         */
        public long leaderHeartbeatTimeoutNs()
        {
            return leaderHeartbeatTimeoutNs;
        }

        /**
         * Timeout of an election round. Default 500 ms.
         *
         * @param electionTimeoutNs timeout in nanoseconds.
         * @return this for a fluent API.
         */
        public Context electionTimeoutNs(final long electionTimeoutNs)
        {
            this.electionTimeoutNs = electionTimeoutNs;
            return this;
        }

        /**
         * Timeout of an election round.
         *
         * @return timeout in nanoseconds.
         */
        public long electionTimeoutNs()
        {
            return electionTimeoutNs;
        }

        /**
         * How long a starting member canvasses the others before nominating itself. Default 4 s: Aeron requires at
         * least twice {@link #leaderHeartbeatTimeoutNs()}. A single member does not canvass.
         *
         * @param startupCanvassTimeoutNs timeout in nanoseconds.
         * @return this for a fluent API.
         */
        public Context startupCanvassTimeoutNs(final long startupCanvassTimeoutNs)
        {
            this.startupCanvassTimeoutNs = startupCanvassTimeoutNs;
            return this;
        }

        /**
         * How long a starting member canvasses the others before nominating itself.
         *
         * @return timeout in nanoseconds.
         */
        public long startupCanvassTimeoutNs()
        {
            return startupCanvassTimeoutNs;
        }

        /**
         * Maximum concurrent client sessions. Default 100.
         *
         * @param maxConcurrentSessions limit.
         * @return this for a fluent API.
         */
        public Context maxConcurrentSessions(final int maxConcurrentSessions)
        {
            this.maxConcurrentSessions = maxConcurrentSessions;
            return this;
        }

        /**
         * Maximum concurrent client sessions.
         *
         * @return maximum concurrent client sessions.
         */
        public int maxConcurrentSessions()
        {
            return maxConcurrentSessions;
        }

        /**
         * Hook to adjust the media driver context after the defaults are applied, e.g. for the broker's streams.
         *
         * @param driverCustomiser called with the context before launch, may be null.
         * @return this for a fluent API.
         */
        public Context driverCustomiser(final Consumer<MediaDriver.Context> driverCustomiser)
        {
            this.driverCustomiser = driverCustomiser;
            return this;
        }

        /**
         * Hook to adjust the media driver context.
         *
         * @return the hook or null.
         */
        public Consumer<MediaDriver.Context> driverCustomiser()
        {
            return driverCustomiser;
        }

        /**
         * Hook to adjust the archive context after the defaults are applied.
         *
         * @param archiveCustomiser called with the context before launch, may be null.
         * @return this for a fluent API.
         */
        public Context archiveCustomiser(final Consumer<Archive.Context> archiveCustomiser)
        {
            this.archiveCustomiser = archiveCustomiser;
            return this;
        }

        /**
         * Hook to adjust the archive context.
         *
         * @return the hook or null.
         */
        public Consumer<Archive.Context> archiveCustomiser()
        {
            return archiveCustomiser;
        }

        /**
         * Hook to adjust the consensus module context after the defaults are applied.
         *
         * @param consensusModuleCustomiser called with the context before launch, may be null.
         * @return this for a fluent API.
         */
        public Context consensusModuleCustomiser(final Consumer<ConsensusModule.Context> consensusModuleCustomiser)
        {
            this.consensusModuleCustomiser = consensusModuleCustomiser;
            return this;
        }

        /**
         * Hook to adjust the consensus module context.
         *
         * @return the hook or null.
         */
        public Consumer<ConsensusModule.Context> consensusModuleCustomiser()
        {
            return consensusModuleCustomiser;
        }

        /**
         * Heartbeat interval told to consumer group members. Default
         * {@link GroupRequestHandler#HEARTBEAT_INTERVAL_MS_DEFAULT}.
         *
         * @param groupHeartbeatIntervalMs heartbeat interval told to consumer group members, {@code >= 1}.
         * @return this for a fluent API.
         */
        public Context groupHeartbeatIntervalMs(final int groupHeartbeatIntervalMs)
        {
            this.groupHeartbeatIntervalMs = groupHeartbeatIntervalMs;
            return this;
        }

        /**
         * Heartbeat interval told to consumer group members.
         *
         * @return heartbeat interval told to consumer group members.
         */
        public int groupHeartbeatIntervalMs()
        {
            return groupHeartbeatIntervalMs;
        }

        /**
         * How long a registered broker may go without a heartbeat before the controller fences it
         * ({@code broker.session.timeout.ms}). Default {@link BrokerRegistry#SESSION_TIMEOUT_MS_DEFAULT}. Every
         * member of a cluster must use the same value.
         *
         * @param brokerSessionTimeoutMs the timeout in ms, {@code >= 1}.
         * @return this for a fluent API.
         */
        public Context brokerSessionTimeoutMs(final long brokerSessionTimeoutMs)
        {
            this.brokerSessionTimeoutMs = brokerSessionTimeoutMs;
            return this;
        }

        /**
         * How long a registered broker may go without a heartbeat before it is fenced.
         *
         * @return the timeout in ms.
         */
        public long brokerSessionTimeoutMs()
        {
            return brokerSessionTimeoutMs;
        }

        /**
         * How often automatic leader balancing runs preferred elections for imbalanced brokers
         * ({@code leader.imbalance.check.interval.ms}). Default
         * {@link ControllerService#LEADER_IMBALANCE_CHECK_INTERVAL_MS_DEFAULT}; 0 turns it off. The same on every
         * member.
         *
         * @param intervalMs the interval in ms, {@code >= 0}.
         * @return this for a fluent API.
         */
        public Context leaderImbalanceCheckIntervalMs(final long intervalMs)
        {
            this.leaderImbalanceCheckIntervalMs = intervalMs;
            return this;
        }

        /**
         * @return the automatic leader balancing interval in ms, 0 when off.
         */
        public long leaderImbalanceCheckIntervalMs()
        {
            return leaderImbalanceCheckIntervalMs;
        }

        /**
         * The share of a broker's preferred partitions led elsewhere above which balancing moves them back
         * ({@code leader.imbalance.per.broker.percentage}). Default
         * {@link ControllerService#LEADER_IMBALANCE_PER_BROKER_PERCENTAGE_DEFAULT}.
         *
         * @param percentage 0 to 100.
         * @return this for a fluent API.
         */
        public Context leaderImbalancePerBrokerPercentage(final int percentage)
        {
            this.leaderImbalancePerBrokerPercentage = percentage;
            return this;
        }

        /**
         * @return the per-broker imbalance percentage.
         */
        public int leaderImbalancePerBrokerPercentage()
        {
            return leaderImbalancePerBrokerPercentage;
        }

        /**
         * Caps on the replicated state (topics, partitions per topic, groups, members per group, committed offsets
         * per group). Default {@link ControllerLimits#DEFAULT}. Every member of a cluster must use the same caps.
         *
         * @param limits the caps, not null.
         * @return this for a fluent API.
         */
        public Context limits(final ControllerLimits limits)
        {
            this.limits = java.util.Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * Caps on the replicated state.
         *
         * @return the caps.
         */
        public ControllerLimits limits()
        {
            return limits;
        }

        /**
         * Ingress endpoints of all members for {@link io.aeron.cluster.client.AeronCluster.Context#ingressEndpoints},
         * e.g. {@code "0=localhost:9093"}.
         *
         * @return ingress endpoints of all members.
         */
        public String ingressEndpoints()
        {
            final String members = null != clusterMembers ? clusterMembers : NodePorts.clusterMember(memberId, host, portBase);
            return ClusterMember.ingressEndpoints(ClusterMember.parse(members));
        }

        /**
         * Control channel of this member's archive, e.g. for replication from it.
         *
         * @return {@code aeron:udp?endpoint=host:(portBase + 1)}.
         */
        public String archiveControlChannel()
        {
            return NodePorts.archiveControlChannel(host, portBase);
        }

        /**
         * Replication channel of this member's archive: an ephemeral port, a new one for each replication. A fixed
         * port clashes when a follower restarts and asks again at once: the leader's archive still holds the replay
         * of the follower's previous life to the same endpoint with the same session id (it lingers), and refuses
         * the new one as a clashing publication.
         *
         * @return {@code aeron:udp?endpoint=host:0}.
         */
        public String archiveReplicationChannel()
        {
            return "aeron:udp?endpoint=" + host + ":0";
        }

        private void checkThisMember()
        {
            final ClusterMember[] members;
            try
            {
                members = ClusterMember.parse(clusterMembers);
            }
            catch (final RuntimeException ex)
            {
                throw new ConfigurationException("invalid clusterMembers: " + clusterMembers + ": " + ex);
            }

            for (final ClusterMember member : members)
            {
                if (member.id() == memberId)
                {
                    final String archiveEndpoint = NodePorts.endpoint(host, portBase, NodePorts.ARCHIVE_CONTROL_PORT_OFFSET);
                    if (!archiveEndpoint.equals(member.archiveEndpoint()))
                    {
                        throw new ConfigurationException("member " + memberId + " archive endpoint " +
                            member.archiveEndpoint() + " != " + archiveEndpoint + " from host and portBase");
                    }
                    return;
                }
            }

            throw new ConfigurationException("memberId " + memberId + " not in clusterMembers: " + clusterMembers);
        }
    }
}
