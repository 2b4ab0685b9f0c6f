package io.aerolog.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ThreadingProfileTest
{
    @Test
    void shouldLoadEveryBuiltInProfile()
    {
        for (final String name : ThreadingProfile.BUILT_IN)
        {
            final ThreadingProfile profile = ThreadingProfile.load(name);
            assertThat(profile.name()).isEqualTo(name);
            assertThat(profile.idle(ThreadingProfile.PRODUCE_IDLE).get()).isNotNull();
        }
    }

    @Test
    void shouldDefaultToBalanced()
    {
        final ThreadingProfile profile = ThreadingProfile.load(null);
        assertThat(profile.name()).isEqualTo("balanced");
        assertThat(profile.driverThreadingMode()).isEqualTo("SHARED");
        for (final String key : new String[]{ ThreadingProfile.DRIVER_IDLE, ThreadingProfile.ARCHIVE_IDLE,
            ThreadingProfile.CLUSTER_IDLE, ThreadingProfile.PRODUCE_IDLE, ThreadingProfile.CONDUCTOR_IDLE })
        {
            assertThat(profile.idle(key).get()).as("an idle broker's %s parks long", key)
                .isInstanceOf(QuietBackoffIdleStrategy.class);
        }
        assertThat(profile.cpuAffinity()).isEmpty();
    }

    @Test
    void shouldComposeTheDataPathOntoOneThreadForSmallLowLatency()
    {
        final ThreadingProfile profile = ThreadingProfile.load("small-low-latency");
        assertThat(profile.isDriverInvoker()).isFalse();
        assertThat(profile.isArchiveInvoker()).isTrue();
        assertThat(profile.producePlacement()).isEqualTo("with-archive");
        assertThat(profile.idle(ThreadingProfile.ARCHIVE_IDLE).get()).isInstanceOf(BusySpinIdleStrategy.class);
    }

    @Test
    void shouldLoadAFileAndKeepBalancedValuesForKeysItLeavesOut(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("mine.properties");
        Files.writeString(file, "produce.idle=busy-spin\ncpu.affinity=0-1\n");
        final ThreadingProfile profile = ThreadingProfile.load(file.toString());
        assertThat(profile.name()).isEqualTo("mine");
        assertThat(profile.get(ThreadingProfile.PRODUCE_IDLE)).isEqualTo("busy-spin");
        assertThat(profile.get(ThreadingProfile.DRIVER_THREADING)).isEqualTo("shared");
        assertThat(profile.cpuAffinity()).containsExactly(0, 1);
    }

    @Test
    void shouldRefuseAnUnknownNameListingTheKnownOnes()
    {
        assertThatThrownBy(() -> ThreadingProfile.load("ultra-fast"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("unknown threading profile 'ultra-fast'")
            .hasMessageContaining("small-low-latency");
    }

    @Test
    void shouldRefuseUnknownKeysAndBadValues()
    {
        final Properties unknownKey = new Properties();
        unknownKey.setProperty("produce.idel", "busy-spin");
        assertThatThrownBy(() -> ThreadingProfile.fromProperties("typo", unknownKey))
            .hasMessageContaining("unknown keys [produce.idel]");

        final Properties badIdle = new Properties();
        badIdle.setProperty("produce.idle", "backoff:100");
        assertThatThrownBy(() -> ThreadingProfile.fromProperties("bad", badIdle))
            .hasMessageContaining("produce.idle").hasMessageContaining("needs a unit");

        final Properties badMode = new Properties();
        badMode.setProperty("driver.threading", "invoker");
        assertThatThrownBy(() -> ThreadingProfile.fromProperties("bad", badMode))
            .hasMessageContaining("archive.threading=invoker");

        final Properties badCpus = new Properties();
        badCpus.setProperty("cpu.affinity", "two");
        assertThatThrownBy(() -> ThreadingProfile.fromProperties("bad", badCpus))
            .hasMessageContaining("bad CPU list");
    }

    @Test
    void shouldParseIdleStrategies()
    {
        assertThat(IdleStrategies.create("busy-spin")).isInstanceOf(BusySpinIdleStrategy.class);
        assertThat(IdleStrategies.create("backoff:10,20,1us,100us")).isInstanceOf(BackoffIdleStrategy.class);
        assertThat(IdleStrategies.create("sleep:1ms").alias()).isEqualTo("sleep-ms");
        assertThat(IdleStrategies.durationNs("t", "250us")).isEqualTo(250_000L);
        assertThatThrownBy(() -> IdleStrategies.create("spin")).hasMessageContaining("unknown idle strategy");
        assertThatThrownBy(() -> IdleStrategies.create("yield:1ms")).hasMessageContaining("takes no arguments");
        assertThat(IdleStrategies.create("backoff:10,5,1us,1ms,10s,10ms"))
            .isInstanceOf(QuietBackoffIdleStrategy.class);
        assertThatThrownBy(() -> IdleStrategies.create("backoff:10,5,1us,1ms,10s,100us"))
            .hasMessageContaining("QUIET_PARK must be at least MAX_PARK");
        assertThatThrownBy(() -> IdleStrategies.create("backoff:10,5,1us,1ms,10s"))
            .hasMessageContaining("QUIET_AFTER,QUIET_PARK");
    }

    @Test
    void shouldParkLongOnlyAfterTheQuietPeriodAndNotOnceWorkReturns()
    {
        final CachedNanoClock clock = new CachedNanoClock();
        final QuietBackoffIdleStrategy idle = new QuietBackoffIdleStrategy(
            0, 0, 1_000, 10_000, 50_000_000, 5_000_000, clock);
        idle.idle(0);
        clock.advance(49_000_000);
        idle.idle(0);
        assertThat(idle.isQuiet()).as("49 ms without work, the quiet period is 50 ms").isFalse();
        clock.advance(1_000_000);
        assertThat(idle.isQuiet()).as("no work for the quiet period").isTrue();
        final long startNs = System.nanoTime();
        idle.idle(0);
        assertThat(System.nanoTime() - startNs).as("a quiet park, far longer than the 10 us back-off")
            .isGreaterThanOrEqualTo(1_000_000);

        idle.idle(1);
        assertThat(idle.isQuiet()).as("work resets the quiet period").isFalse();
        idle.idle(0);
        clock.advance(10_000_000);
        assertThat(idle.isQuiet()).isFalse();
    }
}
