package io.aerolog.perf.cluster;

import io.aerolog.client.Admin;
import io.aerolog.client.BrokerInfo;
import io.aerolog.client.ClientContext;
import io.aerolog.client.TopicInfo;
import io.aerolog.node.BrokerDirectories;
import io.aerolog.node.PortBases;
import io.aerolog.perf.latency.BrokerCpuSampler;
import io.aerolog.perf.latency.LatencyTarget;
import io.aerolog.testsupport.BrokerProcess;
import io.aerolog.testsupport.ChildProcess;
import io.aerolog.transport.ThreadingProfile;

import java.io.File;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * A throw-away cluster of broker processes on loopback for the replicated perf tools: each node
 * {@code process.roles=broker,controller} in a JVM of its own ({@link BrokerProcess}) with its own port base, data
 * and Aeron directories, one fresh {@code cluster.secret}, the same {@code controller.members}. Clients reach it
 * over UDP through the bootstrap list of every node. A tool kills a node ({@code kill -9}), restarts it on the same
 * directories and ports, and asks a running node for a partition's leader and in-sync set. Closing stops every node
 * and deletes the directories.
 */
public final class PerfCluster implements LatencyTarget, AutoCloseable
{
    private static final String HOST = "localhost";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final long REQUEST_TIMEOUT_MS = 10_000;
    private static final long POLL_MS = 50;
    private static final int FAILURE_LINES = 40;
    // Port ranges of two nodes must not overlap: a node uses its base and the next few ports.
    private static final int PORT_STRIDE = 10;

    private final List<Node> nodes = new ArrayList<>();
    private final ThreadingProfile profile;

    private PerfCluster(final ThreadingProfile profile)
    {
        this.profile = profile;
    }

    /**
     * Starts the nodes together (none serves before the controller has a quorum) and waits until every one serves
     * and is an alive broker.
     *
     * @param size        nodes, each a broker and a controller member.
     * @param profileName threading profile name or file of every node, as given.
     * @param profile     loaded from the name, for the clients.
     * @param settings    broker config keys every node gets on top (e.g. {@code broker.session.timeout.ms}).
     * @return the running cluster.
     * @throws IllegalStateException if it does not start (every node is then killed and its directories deleted).
     */
    public static PerfCluster start(
        final int size, final String profileName, final ThreadingProfile profile, final Properties settings)
    {
        final PerfCluster cluster = new PerfCluster(profile);
        try
        {
            final List<Integer> portBases = portBases(size);
            final String members = controllerMembers(portBases);
            final byte[] secretBytes = new byte[16];
            new SecureRandom().nextBytes(secretBytes);
            final String secret = HexFormat.of().formatHex(secretBytes);
            for (int id = 0; id < size; id++)
            {
                final BrokerDirectories dirs = BrokerDirectories.create("aerolog-perf-node" + id);
                final Properties nodeSettings = new Properties();
                nodeSettings.setProperty("broker.id", Integer.toString(id));
                nodeSettings.setProperty("host", HOST);
                nodeSettings.setProperty("port.base", Integer.toString(portBases.get(id)));
                nodeSettings.setProperty("data.dir", dirs.dataDir().getAbsolutePath());
                nodeSettings.setProperty("aeron.dir", dirs.aeronDir().getAbsolutePath());
                nodeSettings.setProperty("process.roles", "broker,controller");
                nodeSettings.setProperty("controller.members", members);
                nodeSettings.setProperty("cluster.secret", secret);
                if (null != profileName)
                {
                    nodeSettings.setProperty("profile", profileName);
                }
                nodeSettings.putAll(settings);
                cluster.nodes.add(new Node(id, portBases.get(id), dirs, nodeSettings));
            }
            final List<ChildProcess> started = BrokerProcess.startAll(
                cluster.nodes.stream().map(Node::child).toList(), START_TIMEOUT);
            for (int i = 0; i < size; i++)
            {
                cluster.nodes.get(i).process = started.get(i);
            }
            cluster.awaitBrokersAlive(START_TIMEOUT);
            return cluster;
        }
        catch (final RuntimeException ex)
        {
            cluster.close();
            throw new IllegalStateException("the cluster did not start: " + ex.getMessage(), ex);
        }
    }

    /**
     * @return how many nodes.
     */
    public int size()
    {
        return nodes.size();
    }

    /**
     * @return {@code host:port,...} of every node's client ingress.
     */
    public String bootstrap()
    {
        return nodes.stream().map((n) -> HOST + ":" + n.portBase).collect(Collectors.joining(","));
    }

    /**
     * A client of the whole cluster over UDP: any live node of the bootstrap list will do.
     *
     * @return a new client context.
     */
    public ClientContext clientContext()
    {
        return new ClientContext().bootstrap(bootstrap()).clientHost(HOST).profile(profile)
            .requestTimeoutMs(REQUEST_TIMEOUT_MS);
    }

    /**
     * {@inheritDoc}
     */
    public long brokerCpuNanos()
    {
        long total = 0;
        for (final Node node : nodes)
        {
            final long cpuNanos = null == node.process ? 0 : BrokerCpuSampler.cpuNanosOf(node.process.pid());
            if (cpuNanos < 0)
            {
                return -1;
            }
            total += cpuNanos;
        }
        return total;
    }

    /**
     * @return null while every node that should run does, else which one exited and its last output.
     */
    public String failure()
    {
        for (final Node node : nodes)
        {
            if (!node.killed && null != node.process && !node.process.isAlive())
            {
                return "node " + node.id + " exited; its output:" + System.lineSeparator() +
                    node.process.tail(FAILURE_LINES);
            }
        }
        return null;
    }

    /**
     * @param node id.
     * @return whether that node says it leads the controller cluster now.
     */
    public boolean isControllerLeader(final int node)
    {
        final Node n = nodes.get(node);
        return !n.killed && null != n.process && n.process.isAlive() &&
            BrokerProcess.ROLE_LEADER.equals(n.process.lastLine(BrokerProcess.ROLE_PREFIX));
    }

    /**
     * Creates a topic through a running node.
     *
     * @param topic             name.
     * @param partitions        how many.
     * @param replicationFactor replicas of each partition.
     * @param minInsyncReplicas in-sync replicas an acks=all write needs.
     */
    public void createTopic(final String topic, final int partitions, final int replicationFactor,
        final int minInsyncReplicas)
    {
        try (Admin admin = Admin.connect(clientContextOf(anyRunningNode())))
        {
            admin.createTopic(topic, partitions, replicationFactor, minInsyncReplicas);
        }
    }

    /**
     * Asks running nodes for a partition's state until one answers.
     *
     * @param topic     name.
     * @param partition number.
     * @param timeout   most to keep asking.
     * @return leader, leader epoch, replicas and in-sync replicas as a running node sees them.
     * @throws IllegalStateException if no node answered in time.
     */
    public TopicInfo.PartitionInfo describe(final String topic, final int partition, final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() - deadlineNs < 0)
        {
            for (final Node node : nodes)
            {
                if (node.isRunning())
                {
                    try (Admin admin = Admin.connect(clientContextOf(node.id)))
                    {
                        return admin.describeTopic(topic).partitions().get(partition);
                    }
                    catch (final RuntimeException ex)
                    {
                        last = ex; // on its way down or up: ask another
                    }
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MS));
        }
        throw new IllegalStateException("no node described " + topic + "-" + partition + " within " + timeout +
            (null == last ? "" : ": " + last.getMessage()), last);
    }

    /**
     * Waits until a running node other than {@code formerLeader} leads the partition.
     *
     * @param topic        name.
     * @param partition    number.
     * @param formerLeader that must no longer lead it.
     * @param timeout      most to wait.
     * @return the new leader's id, or -1 if none took over in time.
     */
    public int awaitNewLeader(final String topic, final int partition, final int formerLeader,
        final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadlineNs < 0)
        {
            try
            {
                final int leader = describe(topic, partition, Duration.ofNanos(deadlineNs - System.nanoTime()))
                    .leader();
                if (leader >= 0 && leader != formerLeader && nodes.get(leader).isRunning())
                {
                    return leader;
                }
            }
            catch (final IllegalStateException ex)
            {
                return -1;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MS));
        }
        return -1;
    }

    /**
     * Waits until every replica of the partition is in its in-sync set (a restarted node caught up).
     *
     * @param topic     name.
     * @param partition number.
     * @param timeout   most to wait.
     * @return null once in sync, else the partition's last state seen.
     */
    public String awaitFullyInSync(final String topic, final int partition, final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        TopicInfo.PartitionInfo last = null;
        while (System.nanoTime() - deadlineNs < 0)
        {
            try
            {
                last = describe(topic, partition, Duration.ofNanos(deadlineNs - System.nanoTime()));
                if (last.leader() >= 0 && last.isr().containsAll(last.replicas()))
                {
                    return null;
                }
            }
            catch (final IllegalStateException ex)
            {
                break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MS));
        }
        return "not fully in sync after " + timeout + ": " + last;
    }

    /**
     * {@code kill -9} of a node: its JVM (broker, controller member, driver, archive) dies at once. Returns once
     * the process is gone.
     *
     * @param node id.
     * @throws InterruptedException if interrupted.
     */
    public void kill9(final int node) throws InterruptedException
    {
        final Node n = nodes.get(node);
        if (!n.isRunning())
        {
            throw new IllegalStateException("node " + node + " is not running");
        }
        n.killed = true;
        n.process.kill();
    }

    /**
     * Starts a killed node again on its directories and ports and waits until it serves and is an alive broker.
     *
     * @param node id.
     * @throws IllegalStateException if it does not.
     */
    public void restart(final int node)
    {
        final Node n = nodes.get(node);
        if (n.isRunning())
        {
            throw new IllegalStateException("node " + node + " still runs");
        }
        if (null != n.process)
        {
            n.process.close();
        }
        n.process = BrokerProcess.start(n.child(), START_TIMEOUT);
        n.killed = false;
        awaitBrokersAlive(START_TIMEOUT);
    }

    /**
     * Stops every node (in parallel: a controller member alone waits for a quorum it cannot have) and deletes the
     * directories.
     */
    public void close()
    {
        final List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (final Node node : nodes)
        {
            if (null != node.process)
            {
                stops.add(CompletableFuture.runAsync(node.process::close));
            }
        }
        stops.forEach(CompletableFuture::join);
        nodes.forEach((n) -> n.dirs.close());
    }

    private void awaitBrokersAlive(final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        List<BrokerInfo> last = List.of();
        while (System.nanoTime() - deadlineNs < 0)
        {
            final String failure = failure();
            if (null != failure)
            {
                throw new IllegalStateException(failure);
            }
            try (Admin admin = Admin.connect(clientContextOf(anyRunningNode())))
            {
                last = admin.listBrokers();
                final Set<Integer> alive = last.stream().filter(BrokerInfo::alive).map(BrokerInfo::brokerId)
                    .collect(Collectors.toSet());
                if (nodes.stream().filter(Node::isRunning).allMatch((n) -> alive.contains(n.id)))
                {
                    return;
                }
            }
            catch (final RuntimeException ex)
            {
                // a node answering may be on its way up: ask again
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MS));
        }
        throw new IllegalStateException("running nodes not all alive brokers after " + timeout + ": " + last);
    }

    private ClientContext clientContextOf(final int node)
    {
        return new ClientContext().bootstrap(HOST + ":" + nodes.get(node).portBase).clientHost(HOST)
            .profile(profile).requestTimeoutMs(REQUEST_TIMEOUT_MS).clientName("aerolog-perf-admin");
    }

    private int anyRunningNode()
    {
        return nodes.stream().filter(Node::isRunning).mapToInt((n) -> n.id).findFirst()
            .orElseThrow(() -> new IllegalStateException("no node is running"));
    }

    private static List<Integer> portBases(final int size)
    {
        final List<Integer> bases = new ArrayList<>();
        while (bases.size() < size)
        {
            final int base = PortBases.find(HOST);
            if (bases.stream().allMatch((b) -> Math.abs(b - base) >= PORT_STRIDE))
            {
                bases.add(base);
            }
        }
        return bases;
    }

    private static String controllerMembers(final List<Integer> portBases)
    {
        final StringBuilder members = new StringBuilder();
        for (int id = 0; id < portBases.size(); id++)
        {
            members.append(0 == id ? "" : ",").append(id).append('@').append(HOST).append(':')
                .append(portBases.get(id));
        }
        return members.toString();
    }

    private static final class Node
    {
        final int id;
        final int portBase;
        final BrokerDirectories dirs;
        final Properties settings;
        ChildProcess process;
        boolean killed;
        int runs;

        Node(final int id, final int portBase, final BrokerDirectories dirs, final Properties settings)
        {
            this.id = id;
            this.portBase = portBase;
            this.dirs = dirs;
            this.settings = settings;
        }

        boolean isRunning()
        {
            return !killed && null != process && process.isAlive();
        }

        ChildProcess.Builder child()
        {
            return BrokerProcess.child(settings).name("node" + id + "-run" + (++runs))
                .jvmArgs(ChildProcess.aeronJvmArgs("1g"))
                .outputFile(new File(dirs.dataDir(), "node" + id + "-run" + runs + ".log"))
                .stopTimeout(STOP_TIMEOUT)
                .stopOnExit();
        }
    }
}
