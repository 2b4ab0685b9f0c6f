package io.aerolog.perf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every JMH benchmark of this module once, very briefly and in this JVM, so none rots: each must run without
 * error and produce a score. Benchmarks are found from JMH's generated list, so new ones are picked up by
 * themselves. Nothing about speed is asserted.
 */
class BenchmarksSmokeTest
{
    private static final String ALL_IN_MODULE = "io\\.aerolog\\.perf\\..*";

    @Test
    @Timeout(300)
    void shouldRunEveryBenchmarkOnce() throws RunnerException
    {
        final Options options = new OptionsBuilder()
            .include(ALL_IN_MODULE)
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(50))
            .threads(1)
            .shouldFailOnError(true)
            .verbosity(VerboseMode.SILENT)
            .build();

        final Collection<RunResult> results = new Runner(options).run();

        final Set<String> expected = new TreeSet<>();
        final PrintStream silent = new PrintStream(OutputStream.nullOutputStream());
        for (final BenchmarkListEntry entry : BenchmarkList.defaultList().find(
            OutputFormatFactory.createFormatInstance(silent, VerboseMode.SILENT), List.of(ALL_IN_MODULE), List.of()))
        {
            expected.add(entry.getUsername());
        }
        final Set<String> ran = new TreeSet<>();
        for (final RunResult result : results)
        {
            ran.add(result.getParams().getBenchmark());
            assertThat(result.getPrimaryResult().getSampleCount()).as(result.getParams().getBenchmark()).isPositive();
            assertThat(result.getPrimaryResult().getScore()).as(result.getParams().getBenchmark()).isNotNaN();
        }
        assertThat(expected).contains("io.aerolog.perf.DataPathBenchmark.encodeBatch");
        assertThat(ran).isEqualTo(expected);
    }
}
