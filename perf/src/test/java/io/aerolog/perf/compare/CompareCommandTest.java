package io.aerolog.perf.compare;

import io.aerolog.perf.PerfRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.File;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs {@code aerolog perf compare} briefly over IPC without Kafka (the default build has no Kafka): it must
 * succeed, print the table with Aerolog and raw Aeron rows and the ratio, and draw the plot. No timing is asserted.
 */
class CompareCommandTest
{
    @TempDir
    File dir;

    @Test
    @Timeout(120)
    void shouldCompareAerologWithRawAeronOverIpc() throws IOException
    {
        final File plot = new File(dir, "compare");
        final PerfRun run = PerfRun.run("compare", "--transport", "ipc", "--skip-kafka", "--duration", "1",
            "--warmup", "0", "--rate", "2000", "--plot", plot.getAbsolutePath());

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.out).contains("kafka: skipped", "consumed 2000 of 2000 records", "received 2000");
        assertThat(run.out).containsPattern("(?m)^aerolog e2e(\\s+[0-9.]+){6}\\s+2000$");
        assertThat(run.out).containsPattern("(?m)^aerolog ack(\\s+[0-9.]+){6}\\s+2000$");
        assertThat(run.out).containsPattern("(?m)^raw aeron e2e \\(backoff\\)(\\s+[0-9.]+){6}\\s+2000$");
        assertThat(run.out).containsPattern("(?m)^raw aeron e2e \\(yielding\\)(\\s+[0-9.]+){6}\\s+2000$");
        assertThat(run.out).containsPattern("aerolog / raw aeron, end to end: p50 [0-9.]+x, p99 [0-9.]+x " +
            "\\(against raw aeron (backoff|yielding), the lower p50\\)");
        assertThat(run.out).doesNotContain("kafka e2e");
        assertThat(ImageIO.read(new File(dir, "compare.png"))).isNotNull();
    }

    @Test
    void shouldRejectBadArguments()
    {
        assertThat(PerfRun.run("compare", "--transport", "multicast").exitCode).isEqualTo(2);
        assertThat(PerfRun.run("compare", "--size", "4").exitCode).isEqualTo(2);
        assertThat(PerfRun.run("compare", "--rate", "0").exitCode).isEqualTo(2);
        assertThat(PerfRun.run("compare", "--aeron-idle", "spinning").exitCode).isEqualTo(2);
        assertThat(PerfRun.run("compare", "--kafka-lib", "/nonexistent").exitCode).isEqualTo(2);
    }
}
