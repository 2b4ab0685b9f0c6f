package io.aerolog.cli;

import io.aerolog.client.AerologException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * Base of the commands that do work: turns the errors a user can cause ({@link AerologException},
 * {@link IllegalArgumentException}) into {@code error: <message>} on stderr and exit code 1. Usage errors are
 * thrown as picocli {@code ParameterException}s, which print usage and exit with code 2.
 */
abstract class CliCommand implements Callable<Integer>
{
    /** Exit code of a command that failed. */
    static final int EXIT_ERROR = 1;

    @Spec
    CommandSpec spec;

    /**
     * {@inheritDoc}
     */
    public final Integer call() throws Exception
    {
        try
        {
            return execute();
        }
        catch (final AerologException | IllegalArgumentException ex)
        {
            return error(ex.getMessage());
        }
    }

    /**
     * Does the command's job.
     *
     * @return exit code: 0 on success.
     * @throws Exception on an unexpected failure (picocli prints it and exits with code 1).
     */
    abstract int execute() throws Exception;

    /**
     * Prints {@code error: <message>} on stderr.
     *
     * @param message saying what went wrong.
     * @return {@link #EXIT_ERROR}.
     */
    final int error(final String message)
    {
        final PrintWriter err = err();
        err.println("error: " + message);
        err.flush();
        return EXIT_ERROR;
    }

    /**
     * @return where results go.
     */
    final PrintWriter out()
    {
        return spec.commandLine().getOut();
    }

    /**
     * @return where diagnostics go.
     */
    final PrintWriter err()
    {
        return spec.commandLine().getErr();
    }
}
