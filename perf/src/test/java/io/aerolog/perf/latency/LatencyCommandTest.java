package io.aerolog.perf.latency;

import io.aerolog.perf.PerfRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs {@code aerolog perf latency} end to end, briefly, over IPC and UDP: it must succeed, print both latency rows
 * and write .hgrm files that parse and a plot that reads as a PNG. No timing is asserted.
 */
class LatencyCommandTest
{
    @TempDir
    File dir;

    @Test
    @Timeout(120)
    void shouldMeasureOverIpcAndWriteHgrmFiles() throws IOException
    {
        final String prefix = new File(dir, "ipc").getAbsolutePath();
        final PerfRun run = PerfRun.run("latency", "--transport", "ipc", "--duration", "1", "--warmup", "0", "--rate", "2000",
            "--hgrm", prefix, "--plot", prefix);

        assertThat(run.exitCode).as(run.out + run.err).isZero();
        assertThat(run.out).contains("produce->ack", "produce->consume", "consumed 2000 of 2000 records");
        assertParsesAsPercentileDistribution(new File(prefix + "-e2e.hgrm"));
        assertParsesAsPercentileDistribution(new File(prefix + "-ack.hgrm"));
        assertThat(ImageIO.read(new File(prefix + ".png"))).isNotNull();
    }

    @Test
    @Timeout(120)
    void shouldMeasureOverUdpWithTheBrokerInAChildJvm()
    {
        final PerfRun run = PerfRun.run("latency", "--transport", "udp", "--duration", "1", "--warmup", "0", "--rate", "1000",
            "--partitions", "2", "--consumers", "2", "--acks", "1");

        assertThat(run.exitCode).as(run.out + run.err).isZero();
        assertThat(run.out).contains("2 partitions, 2 consumers", "produce->ack", "produce->consume",
            "broker CPU over the measured seconds: ");
        assertThat(run.out.split("consumed 1000 of 1000 records", -1)).as("one line per consumer").hasSize(3);
    }

    @Test
    @Timeout(120)
    void shouldPassTheProfileAndPinToTheChildBroker()
    {
        final PerfRun run = PerfRun.run("latency", "--transport", "udp", "--duration", "1", "--warmup", "0", "--rate",
            "1000", "--profile", "one-thread", "--pin", "0");

        assertThat(run.exitCode).as(run.out + run.err).isZero();
        assertThat(run.out).contains("profile one-thread", "consumed 1000 of 1000 records");
    }

    @Test
    void shouldRejectBadArguments()
    {
        assertThat(PerfRun.run("latency", "--transport", "tcp").exitCode).isEqualTo(2);
        assertThat(PerfRun.run("latency", "--size", "7").exitCode).isEqualTo(2);
        assertThat(PerfRun.run("latency", "--rate", "0").exitCode).isEqualTo(2);
        assertThat(PerfRun.run("latency", "--acks", "2").exitCode).isEqualTo(2);
        assertThat(PerfRun.run("latency", "--consumers", "0").exitCode).isEqualTo(2);
        assertThat(PerfRun.run("latency", "--profile", "no-such-profile").exitCode).isEqualTo(2);
        assertThat(PerfRun.run("latency", "--pin", "x").exitCode).isEqualTo(2);
    }

    @Test
    void shouldSayWhyMulticastCannotBeMeasured()
    {
        final PerfRun run = PerfRun.run("latency", "--transport", "multicast");

        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("--transport multicast is not supported", "unicast UDP channel");
    }

    private static void assertParsesAsPercentileDistribution(final File file) throws IOException
    {
        assertThat(file).exists();
        final List<String> lines = Files.readAllLines(file.toPath(), StandardCharsets.US_ASCII);
        assertThat(lines.size()).isGreaterThan(3);
        assertThat(lines.get(0).trim().split("\\s+"))
            .containsExactly("Value", "Percentile", "TotalCount", "1/(1-Percentile)");
        assertThat(lines.get(1)).isBlank();
        final String[] first = lines.get(2).trim().split("\\s+");
        assertThat(first).hasSize(4);
        assertThat(Double.parseDouble(first[0])).isPositive();
        assertThat(Double.parseDouble(first[1])).isEqualTo(0.0);
        assertThat(Long.parseLong(first[2])).isPositive();
        assertThat(Double.parseDouble(first[3])).isEqualTo(1.0);
        assertThat(lines).anySatisfy((line) -> assertThat(line).startsWith("#[Mean"));
    }
}
