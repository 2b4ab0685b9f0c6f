package io.aerolog.systemtest;

import io.aerolog.client.Admin;
import io.aerolog.client.BrokerInfo;
import io.aerolog.client.ClientContext;
import io.aerolog.client.TopicInfo;
import io.aerolog.node.NodeErrorLog;
import io.aerolog.node.PortBases;
import io.aerolog.testsupport.BrokerProcess;
import io.aerolog.testsupport.ChildProcess;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A cluster of broker nodes for a test, each {@code process.roles=broker,controller} in a JVM of its own on loopback
 * ({@link BrokerProcess}): own port base, data and Aeron directories, one node secret, the same
 * {@code controller.members}. The nodes start in parallel (none is ready before the controller has a quorum); a
 * node is ready once its broker serves, which means the controller has a leader. A test kills ({@code kill -9}),
 * stops (SIGTERM), pauses (SIGSTOP), resumes and restarts nodes (on the same directories and ports), asks which
 * broker leads a partition, and gets client contexts for one node or the bootstrap list of all. Each node's error
 * log ({@code node-errors.dat}) is checked whenever the node stops, before it restarts, and on close: the test
 * fails if any part of a node logged an error it did not say it tolerates.
 */
final class ReplicatedCluster implements AutoCloseable
{
    /** The secret every node of a test cluster presents to the others. */
    static final String SECRET = "replicated-cluster-test-secret";

    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    static final long REQUEST_TIMEOUT_MS = 10_000;
    private static final String HOST = "localhost";

    /** What a test did to a node last. */
    enum State
    {
        RUNNING, PAUSED, KILLED, STOPPED
    }

    private final List<Node> nodes = new ArrayList<>();
    private final String controllerMembers;
    private Predicate<String> toleratedErrors;

    private ReplicatedCluster(final File dir, final int size, final Properties extraSettings)
    {
        final List<Integer> portBases = portBases(size);
        final StringBuilder members = new StringBuilder();
        for (int id = 0; id < size; id++)
        {
            members.append(0 == id ? "" : ",").append(id).append('@').append(HOST).append(':')
                .append(portBases.get(id));
        }
        controllerMembers = members.toString();
        for (int id = 0; id < size; id++)
        {
            final File nodeDir = new File(dir, "node" + id);
            if (!nodeDir.mkdirs() && !nodeDir.isDirectory())
            {
                throw new IllegalStateException("cannot create " + nodeDir);
            }
            final Properties settings = TestBroker.defaultSettings(nodeDir, portBases.get(id));
            settings.setProperty("broker.id", Integer.toString(id));
            settings.setProperty("host", HOST);
            settings.setProperty("process.roles", "broker,controller");
            settings.setProperty("controller.members", controllerMembers);
            settings.setProperty("cluster.secret", SECRET);
            settings.putAll(extraSettings);
            nodes.add(new Node(id, portBases.get(id), nodeDir, settings));
        }
    }

    /**
     * Starts a cluster and waits until every node serves.
     *
     * @param dir  a directory of the test's own.
     * @param size how many nodes (3 for a controller that survives the loss of one).
     * @return the running cluster.
     */
    static ReplicatedCluster start(final File dir, final int size)
    {
        return start(dir, size, new Properties());
    }

    /**
     * Starts a cluster and waits until every node serves.
     *
     * @param dir      a directory of the test's own.
     * @param size     how many nodes.
     * @param settings broker config keys every node gets on top of the test defaults.
     * @return the running cluster.
     */
    static ReplicatedCluster start(final File dir, final int size, final Properties settings)
    {
        final ReplicatedCluster cluster = new ReplicatedCluster(dir, size, settings);
        try
        {
            final List<ChildProcess> started = BrokerProcess.startAll(
                cluster.nodes.stream().map(Node::child).toList(), START_TIMEOUT);
            for (int i = 0; i < size; i++)
            {
                cluster.nodes.get(i).running(started.get(i));
            }
            cluster.awaitControllerLeader(START_TIMEOUT);
            cluster.awaitBrokersAlive(START_TIMEOUT);
            return cluster;
        }
        catch (final RuntimeException | Error ex)
        {
            cluster.killAll();
            throw ex;
        }
    }

    /**
     * For a test whose faults make nodes log errors of a known kind: a node's error log fails the test only if
     * some distinct error is not of that kind (warnings never do).
     *
     * @param tolerated says whether a distinct error's text (its stack trace) is of an expected kind.
     * @return this.
     */
    ReplicatedCluster tolerateNodeErrors(final Predicate<String> tolerated)
    {
        this.toleratedErrors = tolerated;
        return this;
    }

    /** @return how many nodes. */
    int size()
    {
        return nodes.size();
    }

    /**
     * @param node id (its {@code broker.id}).
     * @return what was done to it last.
     */
    State state(final int node)
    {
        return nodes.get(node).state;
    }

    /**
     * @param node id.
     * @return the node's running child JVM, or null if it is not running.
     */
    ChildProcess process(final int node)
    {
        return nodes.get(node).process;
    }

    /**
     * @param node id.
     * @return its port base (client ingress).
     */
    int portBase(final int node)
    {
        return nodes.get(node).portBase;
    }

    /** @return {@code controller.members} of every node. */
    String controllerMembers()
    {
        return controllerMembers;
    }

    /** @return {@code host:port,host:port,...} of every node's client ingress. */
    String bootstrap()
    {
        return nodes.stream().map((n) -> HOST + ":" + n.portBase).collect(Collectors.joining(","));
    }

    /**
     * @param node id.
     * @return {@code host:port} of the node's client ingress.
     */
    String bootstrap(final int node)
    {
        return HOST + ":" + nodes.get(node).portBase;
    }

    /**
     * A client of the whole cluster: any live broker of the bootstrap list will do, and the client finds each
     * partition's leader.
     *
     * @return a client context over UDP.
     */
    ClientContext clientContext()
    {
        return new ClientContext().bootstrap(bootstrap()).requestTimeoutMs(REQUEST_TIMEOUT_MS);
    }

    /**
     * @param node id.
     * @return a client context over UDP to that broker alone.
     */
    ClientContext clientContext(final int node)
    {
        return new ClientContext().bootstrap(bootstrap(node)).requestTimeoutMs(REQUEST_TIMEOUT_MS);
    }

    /**
     * Creates a topic through a running node.
     *
     * @param topic             name.
     * @param partitions        how many.
     * @param replicationFactor replicas of each partition.
     * @param minInsyncReplicas in-sync replicas an acks=all write needs.
     */
    void createTopic(final String topic, final int partitions, final int replicationFactor, final int minInsyncReplicas)
    {
        try (Admin admin = Admin.connect(clientContext(anyRunningNode())))
        {
            admin.createTopic(topic, partitions, replicationFactor, minInsyncReplicas);
        }
    }

    /**
     * Asks a running node which broker leads a partition now.
     *
     * @param topic     name.
     * @param partition number.
     * @return the leader's broker id, or -1 when the partition has none.
     */
    int leaderOf(final String topic, final int partition)
    {
        return describeMetadata(topic).partitions().get(partition).leader();
    }

    /**
     * Where a node's recording of a partition log starts, read from its archive's catalog file (what retention
     * left of it: a follower's copy has its leader's positions).
     *
     * @param node     id.
     * @param streamId of the partition's log (the first topic of a new cluster has
     *                 {@link io.aerolog.cluster.ControllerState#FIRST_STREAM_ID} for its partition 0).
     * @return the start position of the newest recording of the stream, or -1 when the node's archive has none.
     */
    long recordingStartPosition(final int node, final int streamId)
    {
        final long[] found = {-1, -1}; // recording id, start position
        io.aeron.archive.CatalogView.listRecordings(
            new File(nodes.get(node).dir, "data/" + io.aerolog.cluster.ControllerNode.ARCHIVE_DIR_NAME),
            (controlSessionId, correlationId, recordingId, startTimestamp, stopTimestamp, startPosition,
            stopPosition, initialTermId, segmentFileLength, termBufferLength, mtuLength, sessionId, recordedStreamId,
            strippedChannel, originalChannel, sourceIdentity) ->
            {
                if (recordedStreamId == streamId && recordingId > found[0])
                {
                    found[0] = recordingId;
                    found[1] = startPosition;
                }
            });
        return found[1];
    }

    /**
     * @param node  id of a running node.
     * @param label of one of its driver's counters, e.g. {@code "NAKs sent"}.
     * @return the counter's value, read through the node's CnC file.
     * @throws IllegalStateException if the node has no such counter.
     */
    long counter(final int node, final String label)
    {
        final long[] found = {Long.MIN_VALUE};
        forEachCounter(nodes.get(node).cncFile(), (value, counterId, counterLabel) ->
        {
            if (counterLabel.equals(label))
            {
                found[0] = value;
            }
        });
        if (Long.MIN_VALUE == found[0])
        {
            throw new IllegalStateException("node " + node + " has no counter " + label);
        }
        return found[0];
    }

    // Every counter of a node's driver, read through its CnC file (mapped for the call only).
    private static void forEachCounter(
        final File cnc, final org.agrona.concurrent.status.CountersReader.CounterConsumer visitor)
    {
        final java.nio.MappedByteBuffer mapped = org.agrona.IoUtil.mapExistingFile(cnc, "cnc");
        try
        {
            final org.agrona.concurrent.UnsafeBuffer meta = new org.agrona.concurrent.UnsafeBuffer(mapped);
            new org.agrona.concurrent.status.CountersReader(
                io.aeron.CncFileDescriptor.createCountersMetaDataBuffer(mapped, meta),
                io.aeron.CncFileDescriptor.createCountersValuesBuffer(mapped, meta)).forEach(visitor);
        }
        finally
        {
            org.agrona.IoUtil.unmap(mapped);
        }
    }

    /**
     * @return every running node's Aerolog and archive recording counters, for a failure message.
     */
    String counters()
    {
        final StringBuilder out = new StringBuilder();
        for (final Node node : nodes)
        {
            out.append(node.counters());
        }
        return out.toString();
    }

    /**
     * @param topic name.
     * @return what a running node says of the topic (per partition: leader, leader epoch, replicas, in-sync
     *     replicas, offsets).
     */
    TopicInfo describe(final String topic)
    {
        try (Admin admin = Admin.connect(clientContext(anyRunningNode())))
        {
            return admin.describeTopic(topic);
        }
    }

    /**
     * @param topic name.
     * @return what a running node's controller view says of the topic (leaders, epochs, replicas, in-sync replicas),
     *     in one request that never waits on another broker: offsets only where that node leads.
     */
    TopicInfo describeMetadata(final String topic)
    {
        try (Admin admin = Admin.connect(clientContext(anyRunningNode())))
        {
            return admin.describeTopicMetadata(topic);
        }
    }

    /**
     * Waits until a running broker other than {@code formerLeader} leads the partition (a failover happened).
     *
     * @param topic        name.
     * @param partition    number.
     * @param formerLeader broker id that must no longer lead it.
     * @param timeout      most to wait.
     * @return the new leader's broker id.
     */
    int awaitNewLeader(final String topic, final int partition, final int formerLeader, final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        int leader = -1;
        RuntimeException failure = null;
        while (System.nanoTime() - deadlineNs < 0)
        {
            try
            {
                leader = leaderOf(topic, partition);
                if (leader >= 0 && leader != formerLeader && State.RUNNING == nodes.get(leader).state)
                {
                    return leader;
                }
            }
            catch (final RuntimeException ex)
            {
                failure = ex; // the node asked may be the one that just died: ask again
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        throw new AssertionError(topic + "-" + partition + " still led by " + leader + " (former leader " +
            formerLeader + ") after " + timeout + (null == failure ? "" : "; the last describe failed: " + failure) +
            "\n" + counters());
    }

    /**
     * Waits until every replica of the partition is in its in-sync set again (a restarted broker caught up).
     *
     * @param topic     name.
     * @param partition number.
     * @param timeout   most to wait.
     */
    void awaitFullyInSync(final String topic, final int partition, final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        TopicInfo.PartitionInfo last = null;
        while (System.nanoTime() - deadlineNs < 0)
        {
            try
            {
                last = describeMetadata(topic).partitions().get(partition);
                if (last.leader() >= 0 && last.isr().containsAll(last.replicas()))
                {
                    return;
                }
            }
            catch (final RuntimeException ex)
            {
                // the node asked may be on its way down or up: ask again
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        throw new AssertionError(topic + "-" + partition + " not fully in sync after " + timeout + ": " + last +
            "\n" + counters());
    }

    /**
     * Waits until the controller has every running node registered as an alive broker (a partition can be placed
     * on it, and its restart is complete).
     *
     * @param timeout most to wait.
     */
    void awaitBrokersAlive(final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        List<BrokerInfo> last = List.of();
        while (System.nanoTime() - deadlineNs < 0)
        {
            try (Admin admin = Admin.connect(clientContext(anyRunningNode())))
            {
                last = admin.listBrokers();
                final Set<Integer> alive = last.stream().filter(BrokerInfo::alive).map(BrokerInfo::brokerId)
                    .collect(Collectors.toSet());
                if (nodes.stream().filter((n) -> State.RUNNING == n.state).allMatch((n) -> alive.contains(n.id)))
                {
                    return;
                }
            }
            catch (final RuntimeException ex)
            {
                // a node answering may be on its way down or up: ask again
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        throw new AssertionError("running nodes not all alive brokers after " + timeout + ": " + last + "\n" +
            counters());
    }

    /**
     * Waits until some running node leads the controller cluster.
     *
     * @param timeout most to wait.
     * @return the controller leader's node id.
     */
    int awaitControllerLeader(final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            final int leader = controllerLeader();
            if (leader >= 0)
            {
                return leader;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("no running node leads the controller after " + timeout + "; roles: " +
                    nodes.stream().map((n) -> n.id + "=" + n.state + "/" + n.role()).toList());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** @return the id of the running node that says it leads the controller, or -1. */
    int controllerLeader()
    {
        for (final Node node : nodes)
        {
            if (State.RUNNING == node.state && BrokerProcess.ROLE_LEADER.equals(node.role()))
            {
                return node.id;
            }
        }
        return -1;
    }

    /**
     * {@code kill -9}: the node's JVM (broker, controller member, driver, archive) dies at once.
     *
     * @param node id.
     * @throws InterruptedException if interrupted.
     */
    void kill9(final int node) throws InterruptedException
    {
        final Node n = nodes.get(node);
        n.requireAlive();
        if (State.PAUSED == n.state)
        {
            n.process.resume(); // so that its death is not deferred; SIGKILL works either way
        }
        n.process.kill();
        n.state = State.KILLED;
    }

    /**
     * A clean stop (SIGTERM: the broker closes), then a check of its error log.
     *
     * @param node id.
     */
    void stop(final int node)
    {
        final Node n = nodes.get(node);
        n.requireAlive();
        n.stopAndCheck();
    }

    /**
     * Restarts a node (stopping it cleanly first if it runs) with Aeron's random loss generator on every UDP
     * endpoint its driver receives on: that share of data frames (replication copies, positions, client and
     * controller traffic alike) is dropped on arrival, and Aeron's NAKs and retransmissions must make up for it.
     *
     * @param node id.
     * @param rate share of data frames lost, 0 to 1.
     * @param seed of the loss generator, for a repeatable run.
     */
    void restartWithReceiveLoss(final int node, final double rate, final long seed)
    {
        final Node n = nodes.get(node);
        n.extraJvmArgs = List.of(
            "-Daeron.ReceiveChannelEndpoint.supplier=io.aeron.driver.ext.DebugReceiveChannelEndpointSupplier",
            "-Daeron.debug.receive.data.loss.rate=" + rate,
            "-Daeron.debug.receive.data.loss.seed=" + seed);
        restart(node);
    }

    /**
     * Freezes the node ({@code kill -STOP}): as a long GC pause or a stalled host.
     *
     * @param node id.
     * @throws InterruptedException if interrupted.
     */
    void pause(final int node) throws InterruptedException
    {
        final Node n = nodes.get(node);
        if (State.RUNNING != n.state)
        {
            throw new IllegalStateException("node " + node + " is " + n.state + ", not running");
        }
        n.process.pause();
        n.state = State.PAUSED;
    }

    /**
     * Lets a paused node run on ({@code kill -CONT}).
     *
     * @param node id.
     * @throws InterruptedException if interrupted.
     */
    void resume(final int node) throws InterruptedException
    {
        final Node n = nodes.get(node);
        if (State.PAUSED != n.state)
        {
            throw new IllegalStateException("node " + node + " is " + n.state + ", not paused");
        }
        n.process.resume();
        n.state = State.RUNNING;
    }

    /**
     * Starts a node again on the same data directory and ports (stopping it first if it still runs) and waits until
     * it serves. The error log its previous run left is checked first.
     *
     * @param node id.
     */
    void restart(final int node)
    {
        final Node n = nodes.get(node);
        if (State.RUNNING == n.state || State.PAUSED == n.state)
        {
            n.stopAndCheck();
        }
        n.checkErrorLog();
        n.running(BrokerProcess.start(n.child(), START_TIMEOUT));
        awaitBrokersAlive(START_TIMEOUT);
    }

    /**
     * Stops every running node (in parallel: a controller member alone waits for a quorum it cannot have), checks
     * every node's error log and removes the Aeron directories.
     */
    @Override
    public void close()
    {
        final List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (final Node node : nodes)
        {
            if (null != node.process && node.process.isAlive())
            {
                stops.add(CompletableFuture.runAsync(node::stopQuietly));
            }
        }
        stops.forEach(CompletableFuture::join);
        try
        {
            for (final Node node : nodes)
            {
                node.checkErrorLog();
            }
        }
        finally
        {
            nodes.forEach(Node::deleteAeronDir);
        }
    }

    private void killAll()
    {
        for (final Node node : nodes)
        {
            if (null != node.process)
            {
                node.process.destroy();
            }
            node.deleteAeronDir();
        }
    }

    private int anyRunningNode()
    {
        return nodes.stream().filter((n) -> State.RUNNING == n.state).mapToInt((n) -> n.id).findFirst()
            .orElseThrow(() -> new IllegalStateException("no node is running"));
    }

    // Random bases (PortBases) whose ranges do not overlap: parallel test runs on one host rarely collide.
    private static List<Integer> portBases(final int size)
    {
        final List<Integer> bases = new ArrayList<>();
        while (bases.size() < size)
        {
            final int base = PortBases.find(HOST);
            if (bases.stream().allMatch((b) -> Math.abs(b - base) >= Ports.STRIDE))
            {
                bases.add(base);
            }
        }
        return bases;
    }

    private final class Node
    {
        final int id;
        final int portBase;
        final File dir;
        final Properties settings;
        ChildProcess process;
        State state = State.STOPPED;
        int runs;
        List<String> extraJvmArgs = List.of();

        Node(final int id, final int portBase, final File dir, final Properties settings)
        {
            this.id = id;
            this.portBase = portBase;
            this.dir = dir;
            this.settings = settings;
        }

        ChildProcess.Builder child()
        {
            final List<String> jvmArgs = new ArrayList<>(ChildProcess.aeronJvmArgs("512m"));
            jvmArgs.addAll(extraJvmArgs);
            return BrokerProcess.child(settings).name("node" + id).jvmArgs(jvmArgs)
                .outputFile(new File(dir, "node" + id + "-run" + (++runs) + ".log"))
                .stopTimeout(Duration.ofSeconds(20))
                .killOnClose();
        }

        void running(final ChildProcess started)
        {
            process = started;
            state = State.RUNNING;
        }

        String role()
        {
            return null == process ? null : process.lastLine(BrokerProcess.ROLE_PREFIX);
        }

        void requireAlive()
        {
            if (null == process || !process.isAlive())
            {
                throw new IllegalStateException("node " + id + " is " + state + ", not alive");
            }
        }

        void stopAndCheck()
        {
            stopQuietly();
            checkErrorLog();
        }

        void stopQuietly()
        {
            try
            {
                if (State.PAUSED == state)
                {
                    process.resume(); // a stopped JVM runs no shutdown hook until it is continued
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            final int exit = process.stop();
            state = State.STOPPED;
            if (143 != exit && 0 != exit)
            {
                throw new AssertionError("node " + id + " did not stop cleanly (exit " + exit + "); its output:\n" +
                    process.tail(ChildProcess.QUOTED_LINES));
            }
        }

        void checkErrorLog()
        {
            final File errorLog = new File(new File(settings.getProperty("data.dir")), NodeErrorLog.FILENAME);
            if (errorLog.exists())
            {
                final Set<NodeErrorLog.Source> none = EnumSet.noneOf(NodeErrorLog.Source.class);
                try
                {
                    TestBroker.assertNoUnexpectedErrors(errorLog, none, toleratedErrors);
                }
                catch (final AssertionError ex)
                {
                    throw new AssertionError("node " + id + " in " + dir + ": " + ex.getMessage(), ex);
                }
            }
        }

        // The node's Aerolog and archive recording counters, read through its driver's CnC file, for failure messages.
        String counters()
        {
            final File cnc = cncFile();
            if (null == process || !process.isAlive() || !cnc.exists())
            {
                return "node " + id + ": not running" + (null == process ? "" : "; its output:\n" +
                    process.tail(ChildProcess.QUOTED_LINES)) + "\n";
            }
            final StringBuilder out = new StringBuilder("node " + id + ":\n");
            forEachCounter(cnc, (value, counterId, label) ->
            {
                if (label.startsWith("aerolog") || label.startsWith("rec-pos") || label.contains("replica"))
                {
                    out.append("  ").append(label).append(" = ").append(value).append('\n');
                }
            });
            try
            {
                checkErrorLog();
            }
            catch (final AssertionError ex)
            {
                out.append("  ").append(ex.getMessage()).append('\n');
            }
            return out.append("  its output:\n").append(process.tail(ChildProcess.QUOTED_LINES)).append('\n')
                .toString();
        }

        File cncFile()
        {
            return new File(settings.getProperty("aeron.dir"), io.aeron.CncFileDescriptor.CNC_FILE);
        }

        void deleteAeronDir()
        {
            final Path aeronDir = Path.of(settings.getProperty("aeron.dir"));
            if (!Files.exists(aeronDir) || (null != process && process.isAlive()))
            {
                return;
            }
            try (Stream<Path> paths = Files.walk(aeronDir))
            {
                paths.sorted(Comparator.reverseOrder()).forEach((p) -> p.toFile().delete());
            }
            catch (final IOException ignore)
            {
                // in /dev/shm or the test's directory: a leftover does no harm to the next run
            }
        }
    }
}
