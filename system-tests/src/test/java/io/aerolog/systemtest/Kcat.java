package io.aerolog.systemtest;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs kcat (librdkafka's command-line client, from the distribution's packages) against a Kafka listener.
 */
final class Kcat
{
    /** What a kcat run printed and how it ended. */
    record Result(int exitCode, String out, String err)
    {
        List<String> lines()
        {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }
    }

    private Kcat()
    {
    }

    static boolean installed()
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator))
        {
            if (new File(dir, "kcat").canExecute())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param input   written to kcat's standard input, then closed (null for none).
     * @param timeout seconds before kcat is killed.
     * @param args    kcat's arguments.
     * @return what it printed.
     * @throws Exception if it cannot be run or outlives the timeout.
     */
    static Result run(final String input, final long timeout, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add("kcat");
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).start();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final Thread outReader = copier(process.getInputStream(), out);
        final Thread errReader = copier(process.getErrorStream(), err);
        try (OutputStream stdin = process.getOutputStream())
        {
            if (null != input)
            {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!process.waitFor(timeout, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            outReader.join(1000);
            errReader.join(1000);
            throw new AssertionError("kcat " + String.join(" ", args) + " did not end within " + timeout +
                " s; printed: " + out.toString(StandardCharsets.UTF_8) + "; errors: " +
                err.toString(StandardCharsets.UTF_8));
        }
        outReader.join(5000);
        errReader.join(5000);
        return new Result(process.exitValue(), out.toString(StandardCharsets.UTF_8),
            err.toString(StandardCharsets.UTF_8));
    }

    private static Thread copier(final InputStream in, final ByteArrayOutputStream out)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                in.transferTo(out);
            }
            catch (final IOException ignore)
            {
                // the process ended
            }
        }, "kcat-output");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
