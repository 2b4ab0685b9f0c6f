package io.aerolog.perf.latency;

import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;

/**
 * Turns an exception and its causes into one line for a tool's error message, and reports a failed run.
 */
public final class Failures
{
    /** Exit code of a perf command when its run failed. */
    public static final int EXIT_FAILED = 1;

    private static final int MAX_DEPTH = 5;

    private Failures()
    {
    }

    /**
     * @param throwable to describe.
     * @return its message and those of its causes that add something, joined by ": ".
     */
    public static String describe(final Throwable throwable)
    {
        final StringBuilder sb = new StringBuilder();
        Throwable t = throwable;
        int depth = 0;
        while (null != t && depth++ < MAX_DEPTH)
        {
            final String message = null == t.getMessage() ? t.getClass().getSimpleName() : t.getMessage();
            if (sb.indexOf(message) < 0)
            {
                sb.append(sb.length() > 0 ? ": " : "").append(message);
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return sb.toString();
    }

    /**
     * Prints "error: " and the message to the command's error stream.
     *
     * @param spec    of the command.
     * @param message of the failure.
     * @return {@link #EXIT_FAILED}.
     */
    public static int fail(final CommandSpec spec, final String message)
    {
        final PrintWriter err = spec.commandLine().getErr();
        err.println("error: " + message);
        err.flush();
        return EXIT_FAILED;
    }
}
