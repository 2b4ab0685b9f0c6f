package io.aerolog.broker;

import io.aerolog.cluster.ControllerService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The leader balancing keys of a broker config file: Kafka's names and defaults (but a 30 s check interval), read
 * into the context, and bad values refused at start naming the key.
 */
class LeaderBalanceSettingsTest
{
    @TempDir
    File dir;

    @Test
    void shouldDefaultToBalancingEveryThirtySecondsAboveTenPercent()
    {
        final Broker.Context ctx = Broker.Context.fromProperties(properties()).conclude();

        assertThat(ctx.autoLeaderRebalanceEnable()).isTrue();
        assertThat(ctx.leaderImbalanceCheckIntervalMs()).isEqualTo(30_000)
            .isEqualTo(ControllerService.LEADER_IMBALANCE_CHECK_INTERVAL_MS_DEFAULT);
        assertThat(ctx.leaderImbalancePerBrokerPercentage()).isEqualTo(10);
    }

    @Test
    void shouldReadTheKeys()
    {
        final Properties p = properties();
        p.setProperty("auto.leader.rebalance.enable", "false");
        p.setProperty("leader.imbalance.check.interval.ms", "1500");
        p.setProperty("leader.imbalance.per.broker.percentage", "0");
        final Broker.Context ctx = Broker.Context.fromProperties(p).conclude();

        assertThat(ctx.autoLeaderRebalanceEnable()).isFalse();
        assertThat(ctx.leaderImbalanceCheckIntervalMs()).isEqualTo(1500);
        assertThat(ctx.leaderImbalancePerBrokerPercentage()).isZero();
    }

    @Test
    void shouldRefuseBadValuesNamingTheKey()
    {
        assertRefused("auto.leader.rebalance.enable", "yes", "auto.leader.rebalance.enable must be true or false");
        assertRefused("leader.imbalance.check.interval.ms", "soon", "leader.imbalance.check.interval.ms must be a");
        assertRefused("leader.imbalance.check.interval.ms", "0", "leader.imbalance.check.interval.ms must be at least 1");
        assertRefused("leader.imbalance.per.broker.percentage", "101",
            "leader.imbalance.per.broker.percentage must be in 0..100");
        assertRefused("leader.imbalance.per.broker.percentage", "-1",
            "leader.imbalance.per.broker.percentage must be in 0..100");
    }

    private void assertRefused(final String key, final String value, final String message)
    {
        final Properties p = properties();
        p.setProperty(key, value);
        assertThatThrownBy(() -> Broker.Context.fromProperties(p).conclude())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(message);
    }

    private Properties properties()
    {
        final Properties p = new Properties();
        p.setProperty("data.dir", new File(dir, "data").getAbsolutePath());
        return p;
    }
}
