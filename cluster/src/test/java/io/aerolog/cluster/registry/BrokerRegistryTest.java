package io.aerolog.cluster.registry;

import io.aerolog.codecs.cluster.BrokerEventType;
import io.aerolog.codecs.cluster.BrokerState;
import io.aerolog.codecs.wire.ErrorCode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrokerRegistryTest
{
    private static final int NONE = ErrorCode.NONE.value();
    private static final int STALE = ErrorCode.STALE_BROKER_EPOCH.value();
    private static final long TIMEOUT_MS = 1500;

    private final BrokerRegistry registry = new BrokerRegistry(3, TIMEOUT_MS);
    private final List<String> fenced = new ArrayList<>();

    @Test
    void shouldGiveEachRegistrationTheNextEpochAndReplaceAnEarlierOne()
    {
        assertThat(registry.register(5, "host-a", 9090, 1000)).isEqualTo(NONE);
        assertThat(registry.lastBroker().brokerEpoch()).isEqualTo(1);
        assertThat(registry.lastEventType()).isEqualTo(BrokerEventType.REGISTERED);
        assertThat(registry.register(2, "host-b", 9190, 1000)).isEqualTo(NONE);
        assertThat(registry.lastBroker().brokerEpoch()).isEqualTo(2);

        // Broker 5 restarted on another port: a new epoch, the old one stale.
        assertThat(registry.register(5, "host-a", 9290, 2000)).isEqualTo(NONE);
        final RegisteredBroker broker = registry.broker(5);
        assertThat(broker.brokerEpoch()).isEqualTo(3);
        assertThat(broker.portBase()).isEqualTo(9290);
        assertThat(broker.state()).isEqualTo(BrokerState.UNFENCED);
        assertThat(broker.deadlineMs()).isEqualTo(2000 + TIMEOUT_MS);
        assertThat(registry.size()).isEqualTo(2);
        assertThat(registry.brokerAt(0).brokerId()).isEqualTo(2); // id order
        assertThat(registry.lastBrokerEpoch()).isEqualTo(3);

        assertThat(registry.heartbeat(5, 1, 2100)).isEqualTo(STALE);
        assertThat(registry.lastErrorMessage()).contains("stale");
        assertThat(registry.heartbeat(5, 3, 2100)).isEqualTo(NONE);
        assertThat(registry.lastEventType()).isNull();
        assertThat(broker.deadlineMs()).isEqualTo(2100 + TIMEOUT_MS);
    }

    @Test
    void shouldFenceOnlyBrokersWhoseDeadlinePassedAndUnfenceOnHeartbeat()
    {
        registry.register(1, "a", 9090, 0);
        registry.register(2, "b", 9090, 1000);
        assertThat(registry.nextDeadlineMs()).isEqualTo(TIMEOUT_MS);

        assertThat(registry.fenceExpired(TIMEOUT_MS - 1, this::onFenced)).isZero();
        assertThat(registry.fenceExpired(TIMEOUT_MS, this::onFenced)).isEqualTo(1);
        assertThat(fenced).containsExactly("1@1");
        assertThat(registry.broker(1).state()).isEqualTo(BrokerState.FENCED);
        assertThat(registry.broker(1).deadlineMs()).isEqualTo(BrokerRegistry.NO_DEADLINE);
        assertThat(registry.nextDeadlineMs()).isEqualTo(1000 + TIMEOUT_MS);
        assertThat(registry.fenceExpired(TIMEOUT_MS + 10, this::onFenced)).isZero(); // once only

        // A fenced broker with its current epoch comes back: unfenced, an event.
        assertThat(registry.heartbeat(1, 1, 2000)).isEqualTo(NONE);
        assertThat(registry.lastEventType()).isEqualTo(BrokerEventType.UNFENCED);
        assertThat(registry.broker(1).isUnfenced()).isTrue();
        assertThat(registry.nextDeadlineMs()).isEqualTo(1000 + TIMEOUT_MS);

        registry.heartbeat(2, 2, 2400);
        assertThat(registry.fenceExpired(2000 + TIMEOUT_MS, this::onFenced)).isEqualTo(1);
        assertThat(fenced).containsExactly("1@1", "1@1");
        assertThat(registry.broker(2).isUnfenced()).isTrue();
    }

    @Test
    void shouldGiveEveryUnfencedBrokerAGraceAfterALeaderChange()
    {
        registry.register(1, "a", 9090, 0);
        registry.register(2, "b", 9090, 0);
        registry.heartbeat(2, 2, 5000); // deadline 6500, later than the grace below
        registry.register(3, "c", 9090, 0);
        registry.controlledShutdown(3, 3);

        registry.extendDeadlines(4000);
        assertThat(registry.broker(1).deadlineMs()).isEqualTo(4000 + TIMEOUT_MS);
        assertThat(registry.broker(2).deadlineMs()).isEqualTo(5000 + TIMEOUT_MS); // never moved back
        assertThat(registry.broker(3).deadlineMs()).isEqualTo(BrokerRegistry.NO_DEADLINE);
        assertThat(registry.fenceExpired(4000 + TIMEOUT_MS - 1, this::onFenced)).isZero();
        assertThat(registry.fenceExpired(4000 + TIMEOUT_MS, this::onFenced)).isEqualTo(1);
        assertThat(fenced).containsExactly("1@1");
    }

    @Test
    void shouldMarkAControlledShutdownFencedAndCleanUntilItRegistersAgain()
    {
        registry.register(1, "a", 9090, 0);
        assertThat(registry.controlledShutdown(1, 7)).isEqualTo(STALE);
        assertThat(registry.broker(1).isUnfenced()).isTrue();

        assertThat(registry.controlledShutdown(1, 1)).isEqualTo(NONE);
        assertThat(registry.lastEventType()).isEqualTo(BrokerEventType.SHUT_DOWN);
        final RegisteredBroker broker = registry.broker(1);
        assertThat(broker.isCleanShutdown()).isTrue();
        assertThat(broker.isUnfenced()).isFalse();
        assertThat(registry.nextDeadlineMs()).isEqualTo(BrokerRegistry.NO_DEADLINE);
        assertThat(registry.fenceExpired(Long.MAX_VALUE - 1, this::onFenced)).isZero();

        assertThat(registry.controlledShutdown(1, 1)).isEqualTo(NONE); // repeated: no change, no event
        assertThat(registry.lastEventType()).isNull();
        assertThat(registry.heartbeat(1, 1, 10)).isEqualTo(STALE); // must register again
        assertThat(registry.lastErrorMessage()).contains("shut down");

        assertThat(registry.register(1, "a", 9090, 20)).isEqualTo(NONE);
        assertThat(broker.brokerEpoch()).isEqualTo(2);
        assertThat(broker.isUnfenced()).isTrue();
    }

    @Test
    void shouldRefuseInvalidRegistrationsUnknownBrokersAndOneBrokerTooMany()
    {
        assertThat(registry.heartbeat(9, 1, 0)).isEqualTo(STALE);
        assertThat(registry.lastErrorMessage()).contains("not registered");
        assertThat(registry.register(-1, "a", 9090, 0)).isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(registry.register(1, "", 9090, 0)).isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(registry.register(1, "h".repeat(256), 9090, 0)).isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(registry.register(1, "é".repeat(128), 9090, 0)).isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(registry.register(1, "a", 0, 0)).isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(registry.register(1, "a", 65536, 0)).isEqualTo(ErrorCode.INVALID_REQUEST.value());
        assertThat(registry.size()).isZero();
        assertThat(registry.lastBrokerEpoch()).isZero(); // refusals take no epoch

        assertThat(registry.register(1, "h".repeat(255), 9090, 0)).isEqualTo(NONE);
        assertThat(registry.register(2, "a", 9090, 0)).isEqualTo(NONE);
        assertThat(registry.register(3, "a", 9090, 0)).isEqualTo(NONE);
        assertThat(registry.register(4, "a", 9090, 0)).isEqualTo(ErrorCode.LIMIT_REACHED.value());
        assertThat(registry.register(3, "a", 9091, 0)).isEqualTo(NONE); // a known id still re-registers
        assertThat(registry.size()).isEqualTo(3);
    }

    @Test
    void shouldNotWrapADeadlineNearTheEndOfTime()
    {
        registry.register(1, "a", 9090, Long.MAX_VALUE - 10);
        assertThat(registry.broker(1).deadlineMs()).isEqualTo(BrokerRegistry.NO_DEADLINE - 1);
    }

    @Test
    void shouldRestoreAndContinueTheEpochCounter()
    {
        registry.restore(7, List.of(
            new RegisteredBroker(4, 7, "d", 9090, BrokerState.UNFENCED, 100),
            new RegisteredBroker(1, 3, "a", 9090, BrokerState.FENCED, BrokerRegistry.NO_DEADLINE)));
        assertThat(registry.brokerAt(0).brokerId()).isEqualTo(1);
        assertThat(registry.nextDeadlineMs()).isEqualTo(100);
        assertThat(registry.register(1, "a", 9090, 0)).isEqualTo(NONE);
        assertThat(registry.lastBroker().brokerEpoch()).isEqualTo(8);

        assertThatThrownBy(() -> registry.restore(2, List.of(
            new RegisteredBroker(1, 3, "a", 9090, BrokerState.UNFENCED, 100))))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> registry.restore(9, List.of(
            new RegisteredBroker(1, 3, "a", 9090, BrokerState.UNFENCED, 100),
            new RegisteredBroker(1, 4, "a", 9090, BrokerState.UNFENCED, 100))))
            .isInstanceOf(IllegalStateException.class);
    }

    private void onFenced(final RegisteredBroker broker)
    {
        fenced.add(broker.brokerId() + "@" + broker.brokerEpoch());
    }
}
