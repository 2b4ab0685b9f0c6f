package io.aerolog.perf.failover;

import io.aerolog.perf.PerfRun;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The options of {@code aerolog perf failover}: bad values are refused (exit code 2, a message naming the option)
 * before any broker starts. A real run takes minutes of three broker processes; BENCHMARKS.md gives the command.
 */
class FailoverCommandTest
{
    @Test
    void shouldRefuseBadArguments()
    {
        assertRefused("--rounds must be at least 1", "--rounds", "0");
        assertRefused("--rate must be from 1 to 100000", "--rate", "0");
        assertRefused("--rate must be from 1 to 100000", "--rate", "100001");
        assertRefused("--size must be at least 8", "--size", "7");
        assertRefused("--brokers must be at least 2", "--brokers", "1");
        assertRefused("--min-insync-replicas must be from 1 to brokers - 1 (2)", "--min-insync-replicas", "3");
        assertRefused("--min-insync-replicas must be from 1 to brokers - 1 (4)", "--brokers", "5",
            "--min-insync-replicas", "0");
        assertRefused("--broker-session-timeout-ms must be at least 500", "--broker-session-timeout-ms", "499");
        assertRefused("--round-timeout must be at least 1", "--round-timeout", "0");
        assertRefused("--delivery-timeout-ms must be at least 1", "--delivery-timeout-ms", "0");
        assertRefused("--interval and --warmup at least 0", "--warmup", "-1");
        assertRefused("Unknown option", "--acks", "1");
    }

    @Test
    void shouldNameEveryOptionInItsHelp()
    {
        final PerfRun run = PerfRun.run("failover", "--help");
        assertThat(run.exitCode).isZero();
        assertThat(run.out).contains("--rounds", "--rate", "--size", "--brokers", "--min-insync-replicas",
            "--broker-session-timeout-ms", "--delivery-timeout-ms", "--round-timeout", "--interval", "--warmup",
            "--profile");
    }

    private static void assertRefused(final String message, final String... args)
    {
        final String[] full = new String[args.length + 1];
        full[0] = "failover";
        System.arraycopy(args, 0, full, 1, args.length);
        final PerfRun run = PerfRun.run(full);
        assertThat(run.exitCode).as(run.toString()).isEqualTo(2);
        assertThat(run.err).contains(message);
    }
}
