package io.aerolog.cluster;

import io.aerolog.cluster.registry.RegisteredBroker;
import io.aerolog.codecs.cluster.BrokerEventType;
import io.aerolog.codecs.cluster.BrokerHeartbeatCommandEncoder;
import io.aerolog.codecs.cluster.MessageHeaderEncoder;
import io.aerolog.codecs.cluster.RegisterBrokerCommandEncoder;
import io.aerolog.codecs.cluster.BrokerState;
import io.aerolog.codecs.wire.ErrorCode;
import io.aeron.Aeron;
import org.agrona.CloseHelper;
import org.agrona.ExpandableArrayBuffer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broker registry in a real single-member controller cluster: registration epochs, heartbeats, fencing by the
 * broker timer, controlled shutdown, and the registry across restarts (log replay, snapshots) with the grace a new
 * leadership term gives.
 */
class ControllerBrokersTest
{
    private static final long TIMEOUT_MS = 15_000;
    private static final long SESSION_TIMEOUT_MS = 2_000;
    private static final long HEARTBEAT_INTERVAL_MS = 250;
    private static final String EGRESS_CHANNEL = "aeron:udp?endpoint=localhost:0";
    private static final int NONE = ErrorCode.NONE.value();
    private static final int STALE = ErrorCode.STALE_BROKER_EPOCH.value();

    @TempDir
    Path tempDir;

    private int portBase;
    private ControllerNode node;
    private Aeron aeron;
    private ControllerClient client;
    private final Listener listener = new Listener();
    private long nextCorrelationId = 100;

    @BeforeEach
    void setUp()
    {
        portBase = 20_000 + 10 * ThreadLocalRandom.current().nextInt(1000);
    }

    @AfterEach
    void tearDown()
    {
        CloseHelper.closeAll(client, aeron, node);
    }

    @Test
    void shouldRegisterHeartbeatFenceUnfenceAndShutDownBrokers()
    {
        launchAndConnect();
        final Result first = awaitResult(send((id) -> client.registerBroker(id, 1, "host-a", 9090)));
        assertThat(first.code).as(first.message).isEqualTo(NONE);
        assertThat(first.value).isEqualTo(1);
        awaitUntil(() -> null != listener.lastEvent(BrokerEventType.REGISTERED));
        assertThat(listener.lastEvent(BrokerEventType.REGISTERED).broker.host()).isEqualTo("host-a");

        // Restarted: a new epoch, the old one refused.
        final Result second = awaitResult(send((id) -> client.registerBroker(id, 1, "host-a", 9190)));
        assertThat(second.value).isEqualTo(2);
        final Result stale = awaitResult(send((id) -> client.brokerHeartbeat(id, 1, 1)));
        assertThat(stale.code).isEqualTo(STALE);
        assertThat(stale.message).contains("stale");
        assertThat(awaitResult(send((id) -> client.brokerHeartbeat(id, 7, 2))).code).isEqualTo(STALE); // unknown

        // Heartbeats keep it alive well past the session timeout.
        heartbeatFor(SESSION_TIMEOUT_MS * 2, 1, 2);
        assertThat(listener.lastEvent(BrokerEventType.FENCED)).isNull();
        assertThat(brokersInMetadata()).extracting(RegisteredBroker::state).containsExactly(BrokerState.UNFENCED);

        // Silent: fenced once its deadline passes, not before.
        final long silentSinceNs = System.nanoTime();
        awaitUntil(() -> null != listener.lastEvent(BrokerEventType.FENCED));
        final long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silentSinceNs);
        assertThat(silentMs).isGreaterThanOrEqualTo(SESSION_TIMEOUT_MS - 2 * HEARTBEAT_INTERVAL_MS);
        final RegisteredBroker fenced = listener.lastEvent(BrokerEventType.FENCED).broker;
        assertThat(fenced.brokerId()).isEqualTo(1);
        assertThat(fenced.brokerEpoch()).isEqualTo(2);
        assertThat(fenced.state()).isEqualTo(BrokerState.FENCED);
        assertThat(node.service().fencedBrokers()).isEqualTo(1);
        assertThat(brokersInMetadata()).extracting(RegisteredBroker::state).containsExactly(BrokerState.FENCED);

        // Back with its epoch: unfenced.
        assertThat(awaitResult(send((id) -> client.brokerHeartbeat(id, 1, 2))).code).isEqualTo(NONE);
        awaitUntil(() -> null != listener.lastEvent(BrokerEventType.UNFENCED));
        assertThat(brokersInMetadata()).extracting(RegisteredBroker::state).containsExactly(BrokerState.UNFENCED);

        // A clean stop: fenced and shut down, no longer timed, must register again.
        assertThat(awaitResult(send((id) -> client.controlledShutdown(id, 1, 1))).code).isEqualTo(STALE);
        assertThat(awaitResult(send((id) -> client.controlledShutdown(id, 1, 2))).code).isEqualTo(NONE);
        awaitUntil(() -> null != listener.lastEvent(BrokerEventType.SHUT_DOWN));
        assertThat(awaitResult(send((id) -> client.brokerHeartbeat(id, 1, 2))).code).isEqualTo(STALE);
        heartbeatFor(SESSION_TIMEOUT_MS + 500, -1, 0);
        assertThat(node.service().fencedBrokers()).isEqualTo(1);
        assertThat(brokersInMetadata()).extracting(RegisteredBroker::state).containsExactly(BrokerState.SHUT_DOWN);

        // Refused without a change: a host too long, a bad port.
        final String longHost = "h".repeat(256);
        assertThat(awaitResult(send((id) -> client.registerBroker(id, 2, longHost, 9090))).code)
            .isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(awaitResult(send((id) -> client.registerBroker(id, 2, "b", 0))).code)
            .isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(awaitResult(send((id) -> client.registerBroker(id, 1, "host-a", 9090))).value).isEqualTo(3);

        // Malformed: a heartbeat whose block is too short, a registration whose host runs past the frame.
        final ExpandableArrayBuffer raw = new ExpandableArrayBuffer(64);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        new BrokerHeartbeatCommandEncoder().wrapAndApplyHeader(raw, 0, header).correlationId(1).brokerId(1)
            .brokerEpoch(3);
        header.blockLength(4);
        assertCorrupt(raw, MessageHeaderEncoder.ENCODED_LENGTH + BrokerHeartbeatCommandEncoder.BLOCK_LENGTH, 1);
        final RegisterBrokerCommandEncoder register = new RegisterBrokerCommandEncoder();
        register.wrapAndApplyHeader(raw, 0, header).correlationId(2).brokerId(1).portBase(9090).host("host-a");
        assertCorrupt(raw, MessageHeaderEncoder.ENCODED_LENGTH + register.encodedLength() - 2, 2);
        assertThat(brokersInMetadata()).extracting(RegisteredBroker::brokerEpoch).containsExactly(3L);
        assertThat(node.service().failedCommands()).isZero();
    }

    private void assertCorrupt(final ExpandableArrayBuffer raw, final int length, final long expectedRejected)
    {
        listener.results.remove(ControllerService.UNKNOWN_CORRELATION_ID);
        awaitUntil(() -> client.offer(raw, 0, length));
        final Result result = awaitResult(ControllerService.UNKNOWN_CORRELATION_ID);
        assertThat(result.code).as(result.message).isEqualTo(ErrorCode.CORRUPT_MESSAGE.value());
        assertThat(node.service().rejectedCommands()).isEqualTo(expectedRejected);
    }

    @Test
    void shouldKeepBrokersAcrossRestartsAndFenceNobodyThatHeartbeatsWithinTheGrace() throws InterruptedException
    {
        launchAndConnect();
        assertThat(awaitResult(send((id) -> client.registerBroker(id, 1, "host-a", 9090))).value).isEqualTo(1);
        assertThat(awaitResult(send((id) -> client.registerBroker(id, 2, "host-b", 9190))).value).isEqualTo(2);
        assertThat(awaitResult(send((id) -> client.controlledShutdown(id, 2, 2))).code).isEqualTo(NONE);
        heartbeatFor(HEARTBEAT_INTERVAL_MS * 2, 1, 1);

        restartAfterOutage(); // log replay only
        heartbeatFor(SESSION_TIMEOUT_MS * 2, 1, 1);
        assertNobodyFencedSinceRestart();
        List<RegisteredBroker> brokers = brokersInMetadata();
        assertThat(brokers).extracting(RegisteredBroker::brokerId).containsExactly(1, 2);
        assertThat(brokers).extracting(RegisteredBroker::brokerEpoch).containsExactly(1L, 2L);
        assertThat(brokers).extracting(RegisteredBroker::state)
            .containsExactly(BrokerState.UNFENCED, BrokerState.SHUT_DOWN);

        assertThat(node.takeSnapshot(TIMEOUT_MS)).isTrue();
        assertThat(awaitResult(send((id) -> client.registerBroker(id, 3, "host-c", 9290))).value)
            .isEqualTo(3); // after the snapshot: replayed from the log
        heartbeatFor(HEARTBEAT_INTERVAL_MS * 2, 1, 1, 3, 3);

        restartAfterOutage(); // snapshot plus log replay
        heartbeatFor(SESSION_TIMEOUT_MS * 2, 1, 1, 3, 3);
        assertNobodyFencedSinceRestart();
        brokers = brokersInMetadata();
        assertThat(brokers).extracting(RegisteredBroker::brokerId).containsExactly(1, 2, 3);
        assertThat(brokers).extracting(RegisteredBroker::state)
            .containsExactly(BrokerState.UNFENCED, BrokerState.SHUT_DOWN, BrokerState.UNFENCED);

        assertThat(node.takeSnapshot(TIMEOUT_MS)).isTrue();
        restartAfterOutage(); // snapshot only
        heartbeatFor(HEARTBEAT_INTERVAL_MS * 2, 1, 1);
        assertNobodyFencedSinceRestart();
        heartbeatFor(SESSION_TIMEOUT_MS * 2, 1, 1);
        // Broker 3 went silent after the restart: fenced once the grace is over, broker 1 not.
        awaitUntil(() -> null != listener.lastEvent(BrokerEventType.FENCED));
        assertThat(listener.lastEvent(BrokerEventType.FENCED).broker.brokerId()).isEqualTo(3);
        assertThat(node.service().fencedBrokers()).isEqualTo(1);
        assertThat(listener.lastEvent(BrokerEventType.UNFENCED)).isNull();
        brokers = brokersInMetadata();
        assertThat(brokers).extracting(RegisteredBroker::state)
            .containsExactly(BrokerState.UNFENCED, BrokerState.SHUT_DOWN, BrokerState.FENCED);
        assertThat(awaitResult(send((id) -> client.registerBroker(id, 2, "host-b", 9190))).value)
            .isEqualTo(4); // the epoch counter survived
        assertThat(node.service().failedCommands()).isZero();
    }

    /**
     * Every given (brokerId, epoch) pair heartbeats every {@link #HEARTBEAT_INTERVAL_MS} for the duration, each
     * answered NONE; with a negative id, only polls.
     */
    private void heartbeatFor(final long durationMs, final long... brokerIdsAndEpochs)
    {
        final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(durationMs);
        final List<Long> sent = new ArrayList<>();
        long nextHeartbeatNs = 0;
        while (System.nanoTime() < endNs)
        {
            client.poll();
            if (System.nanoTime() >= nextHeartbeatNs && brokerIdsAndEpochs[0] >= 0)
            {
                for (int i = 0; i < brokerIdsAndEpochs.length; i += 2)
                {
                    final int brokerId = (int)brokerIdsAndEpochs[i];
                    final long epoch = brokerIdsAndEpochs[i + 1];
                    sent.add(send((id) -> client.brokerHeartbeat(id, brokerId, epoch)));
                }
                nextHeartbeatNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_INTERVAL_MS);
            }
            Thread.onSpinWait();
        }
        for (final long correlationId : sent)
        {
            final Result result = awaitResult(correlationId);
            assertThat(result.code).as(result.message).isEqualTo(NONE);
        }
    }

    private void assertNobodyFencedSinceRestart()
    {
        // A fence while the client was connecting would be missed as an event but undone by the next heartbeat with
        // an UNFENCED event; the counter sees it either way (replay counts only fences the log already had: none).
        assertThat(node.service().fencedBrokers()).isZero();
        assertThat(listener.lastEvent(BrokerEventType.FENCED)).isNull();
        assertThat(listener.lastEvent(BrokerEventType.UNFENCED)).isNull();
    }

    private void restartAfterOutage() throws InterruptedException
    {
        CloseHelper.closeAll(client, aeron, node);
        client = null;
        aeron = null;
        node = null;
        listener.clear();
        // The controller stays down longer than a broker session: every deadline in its log has passed when it is
        // back, so only the grace of the new leadership term keeps the brokers unfenced.
        Thread.sleep(SESSION_TIMEOUT_MS + 500);
        launchAndConnect();
    }

    private List<RegisteredBroker> brokersInMetadata()
    {
        final long correlationId = send((id) -> client.requestMetadata(id));
        awaitUntil(() -> listener.metadataEnds.contains(correlationId));
        return listener.snapshots.getOrDefault(correlationId, List.of());
    }

    private void launchAndConnect()
    {
        node = ControllerNode.launch(new ControllerNode.Context()
            .baseDir(tempDir.resolve("node").toFile())
            .portBase(portBase)
            .aeronDirectoryName(tempDir.resolve("aeron").toString())
            .brokerSessionTimeoutMs(SESSION_TIMEOUT_MS));
        assertThat(node.awaitLeader(TIMEOUT_MS)).isTrue();
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(node.aeronDirectoryName()));
        client = ControllerClient.connect(
            aeron, node.context().ingressEndpoints(), EGRESS_CHANNEL, node.context().secret(), listener);
        assertThat(node.context().baseDir()).isEqualTo(new File(tempDir.toFile(), "node"));
    }

    private long send(final LongPredicate command)
    {
        final long correlationId = nextCorrelationId++;
        awaitUntil(() -> command.test(correlationId));
        return correlationId;
    }

    private Result awaitResult(final long correlationId)
    {
        awaitUntil(() -> listener.results.containsKey(correlationId));
        return listener.results.get(correlationId);
    }

    private void awaitUntil(final Callable<Boolean> condition)
    {
        awaitCondition().until(() -> null != client && client.poll() >= 0 && condition.call());
    }

    private static ConditionFactory awaitCondition()
    {
        return await()
            .atMost(Duration.ofMillis(TIMEOUT_MS))
            .pollInSameThread()
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(1));
    }

    private record Result(int code, long value, String message)
    {
    }

    private record Event(BrokerEventType type, RegisteredBroker broker)
    {
    }

    private static final class Listener implements ControllerListener
    {
        final Map<Long, Result> results = new HashMap<>();
        final List<Event> events = new ArrayList<>();
        final Map<Long, List<RegisteredBroker>> snapshots = new HashMap<>();
        final List<Long> metadataEnds = new ArrayList<>();

        public void onCommandResult(
            final long correlationId, final int code, final int topicId, final long value, final String message)
        {
            results.put(correlationId, new Result(code, value, message));
        }

        public void onTopicEvent(
            final long correlationId, final io.aerolog.codecs.cluster.TopicEventType type, final TopicMetadata topic)
        {
        }

        public void onMetadataEnd(final long correlationId, final int topicCount)
        {
            metadataEnds.add(correlationId);
        }

        public void onBrokerEvent(final long correlationId, final BrokerEventType type, final RegisteredBroker broker)
        {
            if (BrokerEventType.SNAPSHOT == type)
            {
                snapshots.computeIfAbsent(correlationId, (k) -> new ArrayList<>()).add(broker);
            }
            else
            {
                events.add(new Event(type, broker));
            }
        }

        Event lastEvent(final BrokerEventType type)
        {
            for (int i = events.size() - 1; i >= 0; i--)
            {
                if (events.get(i).type == type)
                {
                    return events.get(i);
                }
            }
            return null;
        }

        void clear()
        {
            results.clear();
            events.clear();
            snapshots.clear();
            metadataEnds.clear();
        }
    }
}
