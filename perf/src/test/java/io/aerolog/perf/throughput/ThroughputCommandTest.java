package io.aerolog.perf.throughput;

import io.aerolog.perf.PerfRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs {@code aerolog perf throughput} briefly over IPC: it must succeed and print both rows. No rate is asserted.
 */
class ThroughputCommandTest
{
    @Test
    @Timeout(120)
    void shouldProduceAndReadBackOverIpc()
    {
        final PerfRun run = PerfRun.run("throughput", "--transport", "ipc", "--records", "20000", "--partitions",
            "2", "--size", "64");

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.out).contains("produced 20000 records: 20000 succeeded, 0 failed",
            "read back 20000 of 20000 records");
        assertThat(run.out).containsPattern("(?m)^produce\\s+[0-9,]+\\s+[0-9,.]+\\s+20,000\\s");
        assertThat(run.out).containsPattern("(?m)^catch-up read\\s+[0-9,]+\\s+[0-9,.]+\\s+20,000\\s");
    }

    @Test
    void shouldRejectBadArguments()
    {
        assertThat(PerfRun.run("throughput", "--transport", "tcp").exitCode).isEqualTo(2);
        assertThat(PerfRun.run("throughput", "--size", "7").exitCode).isEqualTo(2);
        assertThat(PerfRun.run("throughput", "--records", "0").exitCode).isEqualTo(2);
        assertThat(PerfRun.run("throughput", "--records", "10", "--duration", "1").exitCode).isEqualTo(2);
        assertThat(PerfRun.run("throughput", "--acks", "2").exitCode).isEqualTo(2);
        assertThat(PerfRun.run("throughput", "--profile", "no-such-profile").exitCode).isEqualTo(2);
    }
}
