package io.aerolog.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the demo end to end on an embedded broker.
 */
class DemoCommandTest
{
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void demoProducesAndConsumesEveryRecordExactlyOnce()
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = new CommandLine(new AerologCli())
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true));

        final int exitCode = commandLine.execute("demo", "--records", "2000");

        System.out.println(out);
        System.out.println(err);
        assertThat(exitCode).as(err.toString()).isZero();
        assertThat(out.toString())
            .contains("started broker in")
            .contains("created topic demo with 3 partitions")
            .contains("produced 2000 records")
            .contains("consumed 2000 records, none missing, none duplicated")
            .contains("produce->ack")
            .contains("produce->consume");
    }
}
