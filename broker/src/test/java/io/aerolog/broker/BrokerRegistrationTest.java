package io.aerolog.broker;

import io.aerolog.cluster.ControllerClient;
import io.aerolog.cluster.ControllerListener;
import io.aerolog.cluster.ControllerNode;
import io.aerolog.cluster.TopicMetadata;
import io.aerolog.cluster.registry.RegisteredBroker;
import io.aerolog.codecs.cluster.BrokerEventType;
import io.aerolog.codecs.cluster.BrokerState;
import io.aerolog.codecs.cluster.TopicEventType;
import io.aeron.Aeron;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class BrokerRegistrationTest
{
    @TempDir
    File dir;

    @Test
    void shouldRegisterOnStartAndStayUnfencedByHeartbeating() throws InterruptedException
    {
        // A session of 3 s, not the default 1.5 s: on a busy 2-core CI machine the broker's data-path thread (which
        // also runs its driver, through which heartbeats go) has been seen to stall for about 2 s.
        final Broker.Context ctx = new Broker.Context().dataDir(dir).portBase(31300).brokerId(0)
            .aeronDirectoryName("/dev/shm/aerolog-registration-" + java.util.UUID.randomUUID())
            .logTermLength(64 * 1024).segmentLength(256 * 1024).brokerSessionTimeoutMs(3_000);
        try (Broker broker = Broker.launch(ctx);
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(ctx.aeronDirectoryName())))
        {
            final Listener listener = new Listener();
            try (ControllerClient client = ControllerClient.connect(aeron, ctx.controllerMembers().ingressEndpoints(),
                "aeron:udp?endpoint=" + ctx.internalHost() + ":0", ctx.nodeSecret(), listener))
            {
                final RegisteredBroker registered = awaitBroker(client, listener, 1);
                assertThat(registered.brokerId()).isEqualTo(0);
                assertThat(registered.host()).isEqualTo(ctx.host());
                assertThat(registered.portBase()).isEqualTo(31300);
                assertThat(registered.state()).isEqualTo(BrokerState.UNFENCED);
                final long epoch = registered.brokerEpoch();

                // Two session timeouts later: still unfenced, same epoch, never fenced meanwhile.
                final long untilNs = System.nanoTime() + Duration.ofMillis(6_500).toNanos();
                while (System.nanoTime() < untilNs)
                {
                    client.poll();
                    Thread.sleep(1);
                }
                final RegisteredBroker later = awaitBroker(client, listener, 2);
                assertThat(later.state()).isEqualTo(BrokerState.UNFENCED);
                assertThat(later.brokerEpoch()).isEqualTo(epoch);
                assertThat(listener.changes).doesNotContain(BrokerEventType.FENCED);
            }
            assertThat(broker.errorCount()).isZero();
        }
    }

    @Test
    void shouldTellTheControllerOfACleanStop()
    {
        final Broker.Context ctx = new Broker.Context().dataDir(dir).portBase(31400).brokerId(3)
            .aeronDirectoryName(dir.getAbsolutePath() + "/aeron").logTermLength(64 * 1024).segmentLength(256 * 1024);
        final Broker broker = Broker.launch(ctx);
        try (broker; Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(ctx.aeronDirectoryName())))
        {
            final Listener listener = new Listener();
            try (ControllerClient client = ControllerClient.connect(aeron, ctx.controllerMembers().ingressEndpoints(),
                "aeron:udp?endpoint=" + ctx.internalHost() + ":0", ctx.nodeSecret(), listener))
            {
                final long[] correlationId = {100};
                await().atMost(Duration.ofSeconds(15)).pollInSameThread().pollInterval(Duration.ofMillis(50))
                    .until(() -> awaitBroker(client, listener, correlationId[0]++, 0) != null);
                // Its registration answered, the broker heartbeats: a clean stop now has an epoch to name.
                final long untilNs = System.nanoTime() + Duration.ofMillis(500).toNanos();
                while (System.nanoTime() < untilNs)
                {
                    client.poll();
                    Thread.onSpinWait();
                }
            }
        }

        assertThat(broker.errorCount()).isZero();
        // A single broker leads nothing anyone else could take over: it told the controller without waiting.
        assertThat(broker.controlledShutdownReport()).isEqualTo("controlled shutdown of broker 3: nothing to move");

        // The broker's own controller, alone on the broker's directories: the stop is in its state.
        try (ControllerNode node = ControllerNode.launch(new ControllerNode.Context()
                .baseDir(ctx.dataDir())
                .aeronDirectoryName(ctx.aeronDirectoryName())
                .memberId(ctx.brokerId())
                .host(ctx.internalHost())
                .secret(ctx.nodeSecret())
                .portBase(ctx.portBase())
                .clusterMembers(ctx.controllerMembers().clusterMembers())
                .archiveSegmentFileLength(ctx.segmentLength()));
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(ctx.aeronDirectoryName())))
        {
            assertThat(node.awaitLeader(15_000)).isTrue();
            final Listener listener = new Listener();
            try (ControllerClient client = ControllerClient.connect(aeron, ctx.controllerMembers().ingressEndpoints(),
                "aeron:udp?endpoint=" + ctx.internalHost() + ":0", ctx.nodeSecret(), listener))
            {
                final RegisteredBroker stopped = awaitBroker(client, listener, 1);
                assertThat(stopped.brokerId()).isEqualTo(3);
                assertThat(stopped.state()).isEqualTo(BrokerState.SHUT_DOWN);
            }
        }
    }

    @Test
    void shouldReadTheBrokerSessionTimeoutAndRefuseOneShorterThanTwoHeartbeats()
    {
        final Properties p = new Properties();
        p.setProperty("data.dir", dir.getPath());
        assertThat(Broker.Context.fromProperties(p).brokerSessionTimeoutMs()).isEqualTo(1500);
        p.setProperty("broker.session.timeout.ms", "3000");
        assertThat(Broker.Context.fromProperties(p).conclude().brokerSessionTimeoutMs()).isEqualTo(3000);
        p.setProperty("broker.session.timeout.ms", "499");
        assertThatThrownBy(() -> Broker.Context.fromProperties(p).conclude())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("broker.session.timeout.ms");
    }

    @Test
    void shouldReadTheControlledShutdownKeysAndRefuseANegativeTimeout()
    {
        final Properties p = new Properties();
        p.setProperty("data.dir", dir.getPath());
        final Broker.Context defaults = Broker.Context.fromProperties(p).conclude();
        assertThat(defaults.controlledShutdownEnable()).isTrue();
        assertThat(defaults.controlledShutdownTimeoutMs()).isEqualTo(5_000);
        p.setProperty("controlled.shutdown.enable", "false");
        p.setProperty("controlled.shutdown.timeout.ms", "250");
        final Broker.Context set = Broker.Context.fromProperties(p).conclude();
        assertThat(set.controlledShutdownEnable()).isFalse();
        assertThat(set.controlledShutdownTimeoutMs()).isEqualTo(250);
        p.setProperty("controlled.shutdown.timeout.ms", "-1");
        assertThatThrownBy(() -> Broker.Context.fromProperties(p).conclude())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("controlled.shutdown.timeout.ms");
        p.setProperty("controlled.shutdown.enable", "maybe");
        assertThatThrownBy(() -> Broker.Context.fromProperties(p))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("controlled.shutdown.enable");
    }

    private static RegisteredBroker awaitBroker(
        final ControllerClient client, final Listener listener, final long correlationId)
    {
        final RegisteredBroker broker = awaitBroker(client, listener, correlationId, 1);
        assertThat(broker).isNotNull();
        return broker;
    }

    /** The one broker of a metadata answer, or null if there is none and none was expected. */
    private static RegisteredBroker awaitBroker(
        final ControllerClient client, final Listener listener, final long correlationId, final int expected)
    {
        await().atMost(Duration.ofSeconds(15)).pollInSameThread().pollInterval(Duration.ofMillis(1))
            .until(() -> client.requestMetadata(correlationId));
        await().atMost(Duration.ofSeconds(15)).pollInSameThread().pollInterval(Duration.ofMillis(1))
            .until(() -> client.poll() >= 0 && listener.ends.contains(correlationId));
        final List<RegisteredBroker> brokers = listener.brokers.getOrDefault(correlationId, List.of());
        if (0 == expected && brokers.isEmpty())
        {
            return null;
        }
        assertThat(brokers).hasSize(1);
        return brokers.get(0);
    }

    private static final class Listener implements ControllerListener
    {
        final Map<Long, List<RegisteredBroker>> brokers = new HashMap<>();
        final List<Long> ends = new ArrayList<>();
        final List<BrokerEventType> changes = new ArrayList<>();

        public void onCommandResult(
            final long correlationId, final int code, final int topicId, final long value, final String message)
        {
        }

        public void onTopicEvent(final long correlationId, final TopicEventType type, final TopicMetadata topic)
        {
        }

        public void onMetadataEnd(final long correlationId, final int topicCount)
        {
            ends.add(correlationId);
        }

        public void onBrokerEvent(final long correlationId, final BrokerEventType type, final RegisteredBroker broker)
        {
            if (BrokerEventType.SNAPSHOT == type)
            {
                brokers.computeIfAbsent(correlationId, (k) -> new ArrayList<>()).add(broker);
            }
            else
            {
                changes.add(type);
            }
        }
    }
}
