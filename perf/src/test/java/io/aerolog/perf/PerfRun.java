package io.aerolog.perf;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Runs {@code aerolog perf ...} in this JVM and keeps its exit code and output, for the tools' tests.
 */
public final class PerfRun
{
    /** Exit code. */
    public final int exitCode;

    /** What it printed to stdout. */
    public final String out;

    /** What it printed to stderr. */
    public final String err;

    private PerfRun(final int exitCode, final String out, final String err)
    {
        this.exitCode = exitCode;
        this.out = out;
        this.err = err;
    }

    /**
     * @param args after {@code aerolog perf}.
     * @return the finished run.
     */
    public static PerfRun run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exitCode = new CommandLine(new PerfCommand())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(args);
        return new PerfRun(exitCode, out.toString(), err.toString());
    }

    /**
     * @return both outputs, for assertion messages.
     */
    public String toString()
    {
        return out + err;
    }
}
