package io.aerolog.client;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryBackoffTest
{
    @Test
    void doublesUpToTheMaximumAndStartsAgainAfterASuccess()
    {
        final RetryBackoff backoff = new RetryBackoff();
        final long now = 1_000_000_000_000L;
        assertThat(backoff.isDue(now)).isTrue();

        backoff.onFailure(now);
        assertThat(backoff.isDue(now + RetryBackoff.INITIAL_NS - 1)).isFalse();
        assertThat(backoff.isDue(now + RetryBackoff.INITIAL_NS)).isTrue();

        backoff.onFailure(now);
        assertThat(backoff.isDue(now + 2 * RetryBackoff.INITIAL_NS - 1)).isFalse();
        for (int i = 0; i < 10; i++)
        {
            backoff.onFailure(now);
        }
        assertThat(backoff.isDue(now + RetryBackoff.MAX_NS - 1)).isFalse();
        assertThat(backoff.isDue(now + RetryBackoff.MAX_NS)).isTrue();

        backoff.onSuccess();
        assertThat(backoff.isDue(now)).isTrue();
        backoff.onFailure(now);
        assertThat(backoff.isDue(now + RetryBackoff.INITIAL_NS)).isTrue();
    }

    @Test
    void bootstrapListsAreParsedAndBadEntriesNamed()
    {
        assertThat(ClientContext.parseBootstrap("a:1, b:9090,10.0.0.1:65535"))
            .containsExactly("a:1", "b:9090", "10.0.0.1:65535");
        assertThat(ClientContext.parseBootstrap(null)).isEmpty();
        for (final String bad : new String[]{ "a", "a:", ":1", "a:0", "a:70000", "a:1,", "a:x" })
        {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ClientContext.parseBootstrap(bad)).as(bad)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host:port");
        }
    }

    @Test
    void leaderChangesAndLostBrokersAreRetriedOtherErrorsAreNot()
    {
        assertThat(RoutingErrors.isRetriable(io.aerolog.codecs.wire.ErrorCode.NOT_LEADER_OR_FOLLOWER)).isTrue();
        assertThat(RoutingErrors.isRetriable(io.aerolog.codecs.wire.ErrorCode.LEADER_NOT_AVAILABLE)).isTrue();
        assertThat(RoutingErrors.isRetriable(io.aerolog.codecs.wire.ErrorCode.BROKER_NOT_AVAILABLE)).isTrue();
        assertThat(RoutingErrors.isRetriable(io.aerolog.codecs.wire.ErrorCode.OUT_OF_ORDER_SEQUENCE)).isFalse();
        assertThat(RoutingErrors.isRetriable(io.aerolog.codecs.wire.ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)).isFalse();
    }
}
