package io.aerolog.broker;

import io.aerolog.archive.PartitionLog;
import io.aerolog.client.Admin;
import io.aerolog.cluster.ControllerClient;
import io.aerolog.cluster.ControllerListener;
import io.aerolog.cluster.TopicMetadata;
import io.aerolog.cluster.registry.RegisteredBroker;
import io.aerolog.codecs.cluster.BrokerEventType;
import io.aerolog.codecs.cluster.TopicEventType;
import io.aerolog.codecs.replica.MessageHeaderDecoder;
import io.aerolog.codecs.replica.ReplicaHelloDecoder;
import io.aerolog.node.NodeSecret;
import io.aerolog.node.PortBases;
import io.aerolog.sequencer.PartitionElection;
import io.aerolog.transport.AerologCounters;
import io.aerolog.transport.StreamIds;
import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.Subscription;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real broker (with its in-process controller) leads a partition of replication factor 2 whose other replica is a
 * second broker id the test registers with the controller and keeps unfenced by heartbeats; that replica's copy is a
 * {@link ReplicaChannel} on the broker's media driver reporting a counter. The leader's in-sync set proposals go
 * through the conductor to the real controller, and its answer comes back as a {@code PartitionChangeEvent}.
 */
@Timeout(90)
class IsrChangeForwarderTest
{
    private static final String SECRET = "isr-change-forwarder-test-secret-0123456789";
    private static final int FOLLOWER_ID = 1;
    private static final String LOCALHOST = "127.0.0.1";

    @TempDir
    File dir;

    private Broker broker;
    private Aeron aeron;
    private AgentRunner controllerRunner;
    private AgentRunner followerRunner;
    private ReplicaCounters followerCounters;
    private Counter followerCopy;
    private Subscription helloTap;
    private final Listener listener = new Listener();

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(followerRunner, controllerRunner, helloTap, followerCounters, followerCopy, aeron,
            broker);
    }

    @Test
    void aProposalReachesTheControllerAndComesBackAsAPartitionChangeAndTheBrokerEpochReachesTheHellos()
    {
        final int portBase = PortBases.find(LOCALHOST);
        final int followerPortBase = portBase + 20;
        broker = Broker.launch(new Broker.Context().dataDir(new File(dir, "leader")).portBase(portBase)
            .aeronDirectoryName(dir.getAbsolutePath() + "/aeron").logTermLength(64 * 1024)
            .segmentLength(256 * 1024).secret(SECRET).replicaLagTimeMaxMs(500).brokerSessionTimeoutMs(3_000));
        final Broker.Context ctx = broker.context();
        final int leaderId = ctx.brokerId();
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(ctx.aeronDirectoryName()));
        startControllerClient(ctx, followerPortBase);
        await(() -> listener.followerEpoch.get() > 0);

        // The broker's own epoch, as the controller registered it.
        await(() -> listener.brokerEpochs.containsKey(leaderId));
        final long leaderEpoch = listener.brokerEpochs.get(leaderId);
        assertThat(leaderEpoch).isPositive();

        try (Admin admin = Admin.connect(broker.clientContext().requestTimeoutMs(10_000)))
        {
            admin.createTopic("t", 2, 2, 1);
        }
        final int topicId = topicIdOf("t");
        await(() -> listener.ledBy(topicId, leaderId) >= 0);
        final int partition = listener.ledBy(topicId, leaderId);
        final PartitionElection.State initial = listener.state(topicId, partition);
        assertThat(initial.isr()).containsExactlyInAnyOrder(leaderId, FOLLOWER_ID);
        await(() -> null != logOf(topicId, partition));
        final PartitionLog log = logOf(topicId, partition);

        // The follower reports (caught up at position 0): its hello gives the leader its address.
        helloTap = aeron.addSubscription(ReplicaChannel.channel(LOCALHOST, followerPortBase), StreamIds.REPLICA_CHANNEL);
        followerCopy = aeron.addCounter(1099, "test follower copy");
        followerCounters = new ReplicaCounters(aeron, FOLLOWER_ID);
        startFollower(followerPortBase).follow(topicId, partition, leaderId, LOCALHOST, portBase,
            initial.leaderEpoch(), followerCopy.id());
        broker.produceAgent().lead(log, initial.leaderEpoch(), initial.partitionEpoch(), initial.replicas(),
            initial.isr(), 1, log.highWatermarkPosition());

        // The leader's hellos to its follower carry the epoch it registered with.
        final AtomicLong helloEpoch = new AtomicLong(-1);
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        final ReplicaHelloDecoder hello = new ReplicaHelloDecoder();
        await(() ->
        {
            helloTap.poll((buffer, offset, length, h) ->
            {
                header.wrap(buffer, offset);
                if (ReplicaHelloDecoder.TEMPLATE_ID == header.templateId())
                {
                    hello.wrapAndApplyHeader(buffer, offset, header);
                    if (leaderId == hello.brokerId())
                    {
                        helloEpoch.set(hello.brokerEpoch());
                    }
                }
            }, 10);
            return helloEpoch.get() >= 0;
        });
        assertThat(helloEpoch.get()).as("hello's broker epoch").isEqualTo(leaderEpoch);

        // The follower falls silent: the leader proposes the set without it, and the controller agrees.
        CloseHelper.quietClose(followerRunner);
        await(() -> listener.state(topicId, partition).isr().length == 1);
        final PartitionElection.State shrunk = listener.state(topicId, partition);
        assertThat(shrunk.isr()).containsExactly(leaderId);
        assertThat(shrunk.partitionEpoch()).isGreaterThan(initial.partitionEpoch());
        assertThat(shrunk.leaderEpoch()).isEqualTo(initial.leaderEpoch());
        assertThat(listener.followerFenced).as("the follower stayed registered: the change was the proposal's")
            .isFalse();

        // A leader on a stale partition epoch proposes again after each lag time: refused, counted each time,
        // logged once.
        broker.produceAgent().lead(log, initial.leaderEpoch(), initial.partitionEpoch(), initial.replicas(),
            initial.isr(), 1, log.highWatermarkPosition());
        final long errorsBefore = broker.errorCount();
        await(() -> refusedProposals() >= 3);
        assertThat(broker.errorCount() - errorsBefore).as("refusals logged").isLessThanOrEqualTo(1);
        assertThat(listener.state(topicId, partition).partitionEpoch()).isEqualTo(shrunk.partitionEpoch());
    }

    private long refusedProposals()
    {
        final long[] value = { 0 };
        aeron.countersReader().forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (AerologCounters.ISR_PROPOSALS_REFUSED_TYPE_ID == typeId)
            {
                value[0] += aeron.countersReader().getCounterValue(counterId);
            }
        });
        return value[0];
    }

    private int topicIdOf(final String name)
    {
        await(() -> broker.partitionLogs().stream().anyMatch((l) -> name.equals(l.topicName())));
        return broker.partitionLogs().stream().filter((l) -> name.equals(l.topicName())).findFirst().orElseThrow()
            .topicId();
    }

    private PartitionLog logOf(final int topicId, final int partition)
    {
        return broker.partitionLogs().stream().filter((l) -> l.topicId() == topicId && l.partition() == partition)
            .findFirst().orElse(null);
    }

    // The second broker id: registered by the test and kept unfenced by heartbeats, on a thread of its own.
    private void startControllerClient(final Broker.Context ctx, final int followerPortBase)
    {
        final ControllerClient client = ControllerClient.connect(aeron, ctx.controllerMembers().ingressEndpoints(),
            "aeron:udp?endpoint=" + ctx.internalHost() + ":0", ctx.nodeSecret(), listener);
        controllerRunner = new AgentRunner(new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null,
            new Agent()
            {
                private long nextCorrelationId = 1_000_000;
                private long nextSendMs;
                private boolean metadataRequested;

                public int doWork()
                {
                    final long nowMs = System.currentTimeMillis();
                    int work = client.poll();
                    if (!metadataRequested)
                    {
                        metadataRequested = client.requestMetadata(nextCorrelationId++);
                    }
                    if (nowMs >= nextSendMs)
                    {
                        final long epoch = listener.followerEpoch.get();
                        final long correlationId = nextCorrelationId++;
                        if (epoch <= 0)
                        {
                            listener.registerCorrelationId = correlationId;
                            client.registerBroker(correlationId, FOLLOWER_ID, LOCALHOST, followerPortBase);
                            nextSendMs = nowMs + 1_000;
                        }
                        else
                        {
                            client.brokerHeartbeat(correlationId, FOLLOWER_ID, epoch);
                            nextSendMs = nowMs + 250;
                        }
                        work++;
                    }
                    return work;
                }

                public void onClose()
                {
                    client.close();
                }

                public String roleName()
                {
                    return "test-controller-client";
                }
            });
        AgentRunner.startOnThread(controllerRunner);
    }

    private ReplicaChannel startFollower(final int base)
    {
        final ReplicaChannel channel = new ReplicaChannel(aeron, FOLLOWER_ID, LOCALHOST, base, NodeSecret.of(SECRET),
            followerCounters, (followerId, topicId, partition, leaderEpoch, position) -> {},
            (leader, topicId, partition, leaderEpoch, hwPosition, hwOffset, logStartOffset, logStartPosition) -> {});
        followerRunner = new AgentRunner(new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null,
            new Agent()
            {
                public int doWork()
                {
                    return channel.poll() + channel.send(System.currentTimeMillis());
                }

                public void onClose()
                {
                    channel.close();
                }

                public String roleName()
                {
                    return "test-follower";
                }
            });
        AgentRunner.startOnThread(followerRunner);
        return channel;
    }

    private static void await(final BooleanSupplier condition)
    {
        final long end = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean())
        {
            assertThat(System.currentTimeMillis()).as("in time").isLessThan(end);
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        }
    }

    /** What the test's controller client heard; written on its thread, read by the test's. */
    private static final class Listener implements ControllerListener
    {
        final AtomicLong followerEpoch = new AtomicLong();
        final Map<Integer, Long> brokerEpochs = new ConcurrentHashMap<>();
        final Map<Long, PartitionElection.State> states = new ConcurrentHashMap<>();
        volatile long registerCorrelationId = Long.MIN_VALUE;
        volatile boolean followerFenced;

        public void onCommandResult(
            final long correlationId, final int code, final int topicId, final long value, final String message)
        {
            if (correlationId == registerCorrelationId && 0 == code)
            {
                followerEpoch.set(value);
            }
        }

        public void onTopicEvent(final long correlationId, final TopicEventType type, final TopicMetadata topic)
        {
        }

        public void onMetadataEnd(final long correlationId, final int topicCount)
        {
        }

        public void onBrokerEvent(final long correlationId, final BrokerEventType type, final RegisteredBroker broker)
        {
            brokerEpochs.put(broker.brokerId(), broker.brokerEpoch());
            if (FOLLOWER_ID == broker.brokerId() && BrokerEventType.FENCED == type)
            {
                followerFenced = true;
            }
        }

        public void onPartitionChange(
            final long correlationId,
            final int topicId,
            final int partition,
            final int minInsyncReplicas,
            final PartitionElection.State state)
        {
            states.put(PartitionLog.key(topicId, partition), state);
        }

        PartitionElection.State state(final int topicId, final int partition)
        {
            return states.get(PartitionLog.key(topicId, partition));
        }

        int ledBy(final int topicId, final int brokerId)
        {
            for (int p = 0; p < 2; p++)
            {
                final PartitionElection.State state = state(topicId, p);
                if (null != state && brokerId == state.leader())
                {
                    return p;
                }
            }
            return -1;
        }
    }
}
