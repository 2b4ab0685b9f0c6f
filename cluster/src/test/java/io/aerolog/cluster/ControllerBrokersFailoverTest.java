package io.aerolog.cluster;

import io.aerolog.cluster.registry.BrokerRegistry;
import io.aerolog.cluster.registry.RegisteredBroker;
import io.aerolog.codecs.cluster.BrokerEventType;
import io.aerolog.codecs.cluster.TopicEventType;
import io.aerolog.codecs.wire.ErrorCode;
import io.aerolog.node.NodePorts;
import io.aerolog.node.NodeSecret;
import io.aeron.Aeron;
import io.aeron.cluster.PriorityHeapTimerServiceSupplier;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three controllers in one JVM: brokers heartbeat while the controller leader is closed. The election takes longer
 * than a broker session, yet the new leader fences nobody (the new term's grace), and both survivors hold the same
 * registry, deadlines included.
 */
@Timeout(300)
class ControllerBrokersFailoverTest
{
    private static final NodeSecret SECRET = NodeSecret.of("controller-brokers-failover-test-secret");
    private static final long SESSION_TIMEOUT_MS = BrokerRegistry.SESSION_TIMEOUT_MS_DEFAULT;
    private static final long HEARTBEAT_INTERVAL_MS = 250;

    @TempDir
    Path tempDir;

    private final ControllerNode[] nodes = new ControllerNode[3];
    private final Listener listener = new Listener();
    private MediaDriver clientDriver;
    private Aeron aeron;
    private ControllerClient client;
    private long nextCorrelationId = 1;

    @AfterEach
    void tearDown()
    {
        CloseHelper.closeAll(client, aeron, clientDriver);
        CloseHelper.closeAll(nodes);
    }

    @Test
    void shouldFenceNobodyThatHeartbeatsAcrossAControllerFailover()
    {
        final String shmPrefix = "/dev/shm/aerolog-brokers-failover-" + ThreadLocalRandom.current().nextInt(1_000_000);
        final int portBase = 30_000 + 100 * ThreadLocalRandom.current().nextInt(300);
        final StringBuilder members = new StringBuilder();
        for (int i = 0; i < nodes.length; i++)
        {
            members.append(0 == i ? "" : "|").append(NodePorts.clusterMember(i, "127.0.0.1", portBase + 10 * i));
        }
        for (int i = 0; i < nodes.length; i++)
        {
            nodes[i] = ControllerNode.launch(new ControllerNode.Context()
                .baseDir(tempDir.resolve("node-" + i).toFile())
                .memberId(i)
                .secret(SECRET)
                .clusterMembers(members.toString())
                .portBase(portBase + 10 * i)
                .aeronDirectoryName(shmPrefix + "-" + i)
                // Expired timers fire as soon as the new leader is active: with the default timer wheel a new
                // leader fired them ~0.7 s late here, after the brokers' heartbeats had already moved the deadlines,
                // and the test could not tell whether the grace works.
                .consensusModuleCustomiser((cm) -> cm.timerServiceSupplier(new PriorityHeapTimerServiceSupplier())));
        }
        final int firstLeader = awaitLeader(-1);

        clientDriver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(shmPrefix + "-client")
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(clientDriver.aeronDirectoryName()));
        client = ControllerClient.connect(
            aeron, nodes[0].context().ingressEndpoints(), "aeron:udp?endpoint=127.0.0.1:0", SECRET, listener);

        final long epochOne = register(1);
        final long epochTwo = register(2);
        heartbeatFor(SESSION_TIMEOUT_MS, epochOne, epochTwo);
        assertThat(listener.changes).containsExactly(BrokerEventType.REGISTERED, BrokerEventType.REGISTERED);

        listener.maxGapNs = 0;
        // Silent for most of a session before the leader goes, so that the old deadlines have passed by the time a
        // new leader is active however fast the election: without the grace it would fence both brokers.
        pollFor(SESSION_TIMEOUT_MS - 300);
        nodes[firstLeader].close();
        nodes[firstLeader] = null;
        final int secondLeader = awaitLeader(firstLeader);
        // Heartbeats go on as the client finds the new leader; those sent meanwhile may be lost.
        heartbeatFor(SESSION_TIMEOUT_MS * 2, epochOne, epochTwo);
        assertThat(listener.newLeaders).isGreaterThanOrEqualTo(1);
        // No heartbeat was applied for longer than a session: without the grace the new leader would fence both.
        assertThat(TimeUnit.NANOSECONDS.toMillis(listener.maxGapNs)).isGreaterThan(SESSION_TIMEOUT_MS);

        assertThat(nodes[secondLeader].service().fencedBrokers()).isZero();
        assertThat(listener.changes).containsExactly(BrokerEventType.REGISTERED, BrokerEventType.REGISTERED);
        assertThat(listener.lastCodes.get(ErrorCode.STALE_BROKER_EPOCH.value())).isNull();

        // Let the survivors apply everything committed, then compare their registries once closed.
        final long untilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        while (System.nanoTime() < untilNs)
        {
            client.poll();
            Thread.onSpinWait();
        }
        final ControllerNode leader = nodes[secondLeader];
        final List<ControllerNode> survivors = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++)
        {
            if (null != nodes[i] && i != secondLeader)
            {
                survivors.add(nodes[i]);
                nodes[i].close();
                nodes[i] = null;
            }
        }
        leader.close();
        nodes[secondLeader] = null;
        final List<String> expected = describe(leader.service().brokerRegistry());
        assertThat(expected).hasSize(3);
        assertThat(expected.get(0)).startsWith("broker 1 epoch=" + epochOne).contains("UNFENCED");
        assertThat(expected.get(1)).startsWith("broker 2 epoch=" + epochTwo).contains("UNFENCED");
        assertThat(survivors).hasSize(1);
        assertThat(describe(survivors.get(0).service().brokerRegistry())).isEqualTo(expected);
    }

    private static List<String> describe(final BrokerRegistry registry)
    {
        final List<String> brokers = new ArrayList<>();
        for (int i = 0; i < registry.size(); i++)
        {
            final RegisteredBroker broker = registry.brokerAt(i);
            brokers.add(broker + " deadline=" + broker.deadlineMs());
        }
        brokers.add("lastEpoch=" + registry.lastBrokerEpoch());
        return brokers;
    }

    private long register(final int brokerId)
    {
        final long correlationId = nextCorrelationId++;
        awaitUntil(() -> client.registerBroker(correlationId, brokerId, "host-" + brokerId, 9090));
        awaitUntil(() -> listener.results.containsKey(correlationId));
        assertThat(listener.results.get(correlationId)).isPositive();
        return listener.results.get(correlationId);
    }

    private void pollFor(final long durationMs)
    {
        final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(durationMs);
        while (System.nanoTime() < endNs)
        {
            client.poll();
            Thread.onSpinWait();
        }
    }

    private void heartbeatFor(final long durationMs, final long epochOne, final long epochTwo)
    {
        final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(durationMs);
        long nextHeartbeatNs = 0;
        while (System.nanoTime() < endNs)
        {
            client.poll();
            if (System.nanoTime() >= nextHeartbeatNs)
            {
                // A failed offer (during the election) is tried again on the next round.
                client.brokerHeartbeat(nextCorrelationId++, 1, epochOne);
                client.brokerHeartbeat(nextCorrelationId++, 2, epochTwo);
                nextHeartbeatNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_INTERVAL_MS);
            }
            Thread.onSpinWait();
        }
    }

    private void awaitUntil(final java.util.concurrent.Callable<Boolean> condition)
    {
        await().atMost(Duration.ofSeconds(30)).pollInSameThread().pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(1)).until(() -> client.poll() >= 0 && condition.call());
    }

    private int awaitLeader(final int excluded)
    {
        final int[] leader = {-1};
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() ->
        {
            if (null != client)
            {
                client.poll();
            }
            for (int i = 0; i < nodes.length; i++)
            {
                if (i != excluded && null != nodes[i] && nodes[i].isLeader())
                {
                    leader[0] = i;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    private static final class Listener implements ControllerListener
    {
        final Map<Long, Long> results = new HashMap<>();
        final Map<Integer, Long> lastCodes = new HashMap<>();
        final List<BrokerEventType> changes = new ArrayList<>();
        int newLeaders;
        long lastResultNs;
        long maxGapNs;

        public void onCommandResult(
            final long correlationId, final int code, final int topicId, final long value, final String message)
        {
            final long nowNs = System.nanoTime();
            if (0 != lastResultNs)
            {
                maxGapNs = Math.max(maxGapNs, nowNs - lastResultNs);
            }
            lastResultNs = nowNs;
            results.put(correlationId, value);
            if (ErrorCode.NONE.value() != code)
            {
                lastCodes.put(code, correlationId);
            }
        }

        public void onTopicEvent(final long correlationId, final TopicEventType type, final TopicMetadata topic)
        {
        }

        public void onMetadataEnd(final long correlationId, final int topicCount)
        {
        }

        public void onNewLeader(final long leadershipTermId, final int leaderMemberId)
        {
            newLeaders++;
        }

        public void onBrokerEvent(final long correlationId, final BrokerEventType type, final RegisteredBroker broker)
        {
            if (BrokerEventType.SNAPSHOT != type)
            {
                changes.add(type);
            }
        }
    }
}
