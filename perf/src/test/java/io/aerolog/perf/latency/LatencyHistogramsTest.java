package io.aerolog.perf.latency;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyHistogramsTest
{
    @Test
    void shouldPrintTheTableInMicroseconds()
    {
        final Histogram histogram = LatencyHistograms.newHistogram();
        for (int i = 1; i <= 1000; i++)
        {
            LatencyHistograms.record(histogram, i * 1000L);
        }
        LatencyHistograms.record(histogram, -5);

        final String[] lines = {
            LatencyHistograms.header(),
            LatencyHistograms.row("produce->ack", histogram),
            LatencyHistograms.row("produce->consume", LatencyHistograms.newHistogram())};

        assertThat(lines).hasSize(3);
        assertThat(lines[0].split("\\s+"))
            .containsExactly("latency", "(us)", "p50", "p90", "p99", "p99.9", "p99.99", "max", "samples");
        final String[] row = lines[1].split("\\s+");
        assertThat(row).hasSize(8);
        assertThat(row[0]).isEqualTo("produce->ack");
        assertThat(Double.parseDouble(row[1])).isCloseTo(500.0, org.assertj.core.data.Offset.offset(1.0));
        assertThat(Double.parseDouble(row[2])).isCloseTo(900.0, org.assertj.core.data.Offset.offset(1.0));
        assertThat(Double.parseDouble(row[3])).isCloseTo(990.0, org.assertj.core.data.Offset.offset(1.0));
        assertThat(Double.parseDouble(row[4])).isCloseTo(999.0, org.assertj.core.data.Offset.offset(1.0));
        assertThat(Double.parseDouble(row[5])).isCloseTo(1000.0, org.assertj.core.data.Offset.offset(1.0));
        assertThat(Double.parseDouble(row[6])).isCloseTo(1000.0, org.assertj.core.data.Offset.offset(1.0));
        assertThat(row[7]).isEqualTo("1001");
        assertThat(lines[2].split("\\s+")).containsExactly("produce->consume", "-", "-", "-", "-", "-", "-", "0");
    }
}
