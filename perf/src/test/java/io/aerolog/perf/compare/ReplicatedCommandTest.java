package io.aerolog.perf.compare;

import io.aerolog.perf.PerfRun;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The options of {@code aerolog perf replicated} (bad values are refused with exit code 2 and a message naming the
 * option, before any broker starts) and the acks=all over acks=1 difference it prints. A real run takes three
 * broker processes; BENCHMARKS.md gives the command.
 */
class ReplicatedCommandTest
{
    @Test
    void shouldRefuseBadArguments()
    {
        assertRefused("--replication-factor must be from 1 to --brokers (3)", "--replication-factor", "4");
        assertRefused("--replication-factor must be from 1 to --brokers (2)", "--brokers", "2");
        assertRefused("--min-insync-replicas must be from 1 to the replication factor (3)",
            "--min-insync-replicas", "4");
        assertRefused("--min-insync-replicas must be from 1 to the replication factor (3)",
            "--min-insync-replicas", "0");
        assertRefused("--brokers must be at least 1", "--brokers", "0", "--replication-factor", "1",
            "--min-insync-replicas", "1");
        assertRefused("--acks names a setting twice", "--acks", "all,-1");
        assertRefused("acks must be 0, 1 or all", "--acks", "2");
        assertRefused("--systems takes aerolog and kafka", "--systems", "aeron");
        assertRefused("--size must be at least 8", "--size", "4");
        assertRefused("--rate must be from 1", "--rate", "0");
        assertRefused("--kafka-lib /nonexistent holds no kafka-clients jar", "--kafka-lib", "/nonexistent");
    }

    @Test
    void shouldSayWhatAcksAllAddsAtTheMedianAndP99InMicroseconds()
    {
        final Histogram one = new Histogram(3);
        final Histogram all = new Histogram(3);
        for (int i = 0; i < 100; i++)
        {
            one.recordValue(100_000);      // 100 us
            all.recordValue(150_000);      // 150 us
        }
        assertThat(ReplicatedCommand.difference(all, one)).isEqualTo("p50 +50.0 us, p99 +50.0 us");
        assertThat(ReplicatedCommand.difference(one, all)).isEqualTo("p50 -50.0 us, p99 -50.0 us");
    }

    private static void assertRefused(final String message, final String... args)
    {
        final String[] full = new String[args.length + 1];
        full[0] = "replicated";
        System.arraycopy(args, 0, full, 1, args.length);
        final PerfRun run = PerfRun.run(full);
        assertThat(run.exitCode).as(run.toString()).isEqualTo(2);
        assertThat(run.err).contains(message);
    }
}
